package io.freightline.watcher.domain;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kargo's expressionFilter variables and result rules over commits and tags of a real repository. */
class ExpressionFilterTest {
    static Git git;
    static RevCommit commit;
    static RevTag annotated;

    @BeforeAll
    static void repo() throws Exception {
        Path dir = Files.createTempDirectory("expr-filter-");
        git = Git.init().setInitialBranch("main").setDirectory(dir.toFile()).call();
        Files.writeString(dir.resolve("a.txt"), "a");
        git.add().addFilepattern("a.txt").call();
        PersonIdent ann = new PersonIdent("Ann", "ann@example.com", Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);
        PersonIdent ci = new PersonIdent("CI", "ci@example.com", Instant.parse("2025-03-02T12:00:00Z"), ZoneOffset.UTC);
        commit = git.commit().setMessage("feat: login\n\nlonger text").setAuthor(ann).setCommitter(ci).setSign(false).call();
        var ref = git.tag().setName("v1.0.0").setObjectId(commit).setAnnotated(true).setMessage("First release\n\nnotes")
                .setTagger(new PersonIdent("Rel", "rel@example.com", Instant.parse("2023-05-01T00:00:00Z"), ZoneOffset.UTC))
                .setSigned(false).call();
        try (RevWalk walk = new RevWalk(git.getRepository())) {
            annotated = walk.parseTag(ref.getObjectId());
        }
    }

    @AfterAll
    static void close() {
        git.close();
    }

    static boolean onCommit(String expression) {
        return ExpressionFilter.of(expression).acceptsCommit(commit);
    }

    @Test
    void commitVariables() {
        assertTrue(onCommit("id == '" + commit.name() + "'"));
        assertTrue(onCommit("author == 'Ann <ann@example.com>' && committer == 'CI <ci@example.com>'"));
        assertTrue(onCommit("subject == 'feat: login'"));
        // the commit date is the committer's
        assertTrue(onCommit("commitDate.After(date('2025-03-02')) && commitDate.Before(date('2025-03-02T13:00:00Z'))"));
        assertFalse(onCommit("!(author contains '<ann@example.com>')"));
    }

    @Test
    void tagVariables() {
        ExpressionFilter f = ExpressionFilter.of("tag == 'v1.0.0' && tagger == 'Rel <rel@example.com>' && annotation == 'First release'"
                + " && creatorDate.Year() == 2023 && subject == 'feat: login' && id == '" + commit.name() + "'");
        assertTrue(f.acceptsTag("v1.0.0", commit, annotated));
        // a lightweight tag: the commit's date, no tagger or annotation
        ExpressionFilter light = ExpressionFilter.of("creatorDate.Year() == 2025 && tagger == '' && annotation == ''");
        assertTrue(light.acceptsTag("v1.0.1", commit, null));
    }

    @Test
    void resultsAndErrors() {
        assertNull(ExpressionFilter.of("  "));
        // a non-boolean result counts as Go's ParseBool reads it
        assertTrue(onCommit("1"));
        assertFalse(onCommit("'f'"));
        ExpressionFilter.Invalid e = assertThrows(ExpressionFilter.Invalid.class, () -> onCommit("subject"));
        assertTrue(e.getMessage().contains("must give true or false, gave 'feat: login' on commit " + commit.name()), e.getMessage());
        e = assertThrows(ExpressionFilter.Invalid.class, () -> ExpressionFilter.of("author contains ("));
        assertTrue(e.getMessage().startsWith("expressionFilter 'author contains ('"), e.getMessage());
        // a tag variable in a branch filter
        e = assertThrows(ExpressionFilter.Invalid.class, () -> onCommit("tag contains 'alpha'"));
        assertTrue(e.getMessage().contains("tag"), e.getMessage());
        assertEquals("subject == 'x'", ExpressionFilter.of(" subject == 'x' ").toString());
    }
}
