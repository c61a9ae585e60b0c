package io.freightline.watcher.it;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.Subscription;
import io.freightline.events.Topics;
import io.freightline.testsupport.GitDaemon;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Real Git repositories over git:// (test-support's JGit daemon): branch heads, path filters, SemVer tags. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class GitPollingTest {
    static GitDaemon daemon;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        Path base = Files.createTempDirectory("watcher-git-");
        daemon = GitDaemon.serve(base);
        work = Files.createTempDirectory("watcher-git-work-");
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    static Git repo(String name) throws Exception {
        Git.init().setBare(true).setInitialBranch("main").setGitDir(daemon.base().resolve(name).toFile()).call().close();
        Git git = Git.init().setInitialBranch("main").setDirectory(work.resolve(name).toFile()).call();
        git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(daemon.url(name))).call();
        return git;
    }

    static RevCommit commit(Git git, String path, String content) throws Exception {
        Path f = git.getRepository().getWorkTree().toPath().resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        git.add().addFilepattern(path).call();
        RevCommit c = git.commit().setMessage("change " + path).setSign(false).call();
        git.push().setRemote("origin").setRefSpecs(new org.eclipse.jgit.transport.RefSpec("refs/heads/main:refs/heads/main")).call();
        return c;
    }

    static Subscription git(String url, String strategy, List<String> include, String constraint) {
        return new Subscription("src", ArtifactKind.GIT, url, null, strategy, constraint, null, null, null, 5, "main",
                include, null, null);
    }

    @Test
    void newestCommitOfABranchHonouringPathFilters() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        try (Git git = repo("app.git")) {
            RevCommit first = commit(git, "apps/web/deploy.yaml", "v1");
            Fixtures.warehouse("gitpoll", "src", 1, git(daemon.url("app.git"), "NewestFromBranch", List.of("apps/"), null));
            await().atMost(Duration.ofSeconds(60)).until(() -> !artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitpoll")).isEmpty());

            commit(git, "docs/readme.md", "ignored by the include filter");
            RevCommit third = commit(git, "apps/web/deploy.yaml", "v2");
            await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitpoll")).size() >= 2);
            List<ArtifactDiscovered> events = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitpoll"));
            assertEquals(List.of(first.name(), third.name()), events.stream().map(a -> a.artifact().commit()).toList());
            assertEquals("main", events.get(0).artifact().branch());
            assertEquals(ArtifactKind.GIT, events.get(0).artifact().kind());
        }
    }

    @Test
    void semverTagsFromLsRemote() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        try (Git git = repo("lib.git")) {
            RevCommit c1 = commit(git, "lib.txt", "1");
            git.tag().setName("v1.0.0").setObjectId(c1).setAnnotated(true).setMessage("release").setSigned(false).call();
            RevCommit c2 = commit(git, "lib.txt", "2");
            git.tag().setName("v1.1.0").setObjectId(c2).setAnnotated(false).call();
            git.tag().setName("not-a-version").setObjectId(c2).setAnnotated(false).call();
            git.push().setRemote("origin").setPushTags().call();
            Fixtures.warehouse("gittags", "src", 1, git(daemon.url("lib.git"), "SemVer", null, "^1.0.0"));
            await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gittags")).size() >= 2);
            List<ArtifactDiscovered> events = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gittags"));
            assertEquals(List.of("v1.0.0", "v1.1.0"), events.stream().map(a -> a.artifact().tag()).toList());
            // the annotated tag is peeled to its commit
            assertEquals(List.of(c1.name(), c2.name()), events.stream().map(a -> a.artifact().commit()).toList());
        }
    }

    @Test
    void newestTagOrdersByTagCreationNotByCommitOrName() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        try (Git git = repo("tagged.git")) {
            RevCommit older = commit(git, "a.txt", "1");
            RevCommit newer = commit(git, "a.txt", "2");
            // on the newer commit but tagged long ago; the other tag is on the older commit but created later
            git.tag().setName("b-old").setObjectId(newer).setAnnotated(true).setMessage("old").setSigned(false)
                    .setTagger(new org.eclipse.jgit.lib.PersonIdent("t", "t@example.com", java.time.Instant.parse("2001-01-01T00:00:00Z"), java.time.ZoneOffset.UTC)).call();
            git.tag().setName("a-new").setObjectId(older).setAnnotated(true).setMessage("new").setSigned(false)
                    .setTagger(new org.eclipse.jgit.lib.PersonIdent("t", "t@example.com", java.time.Instant.parse("2030-01-01T00:00:00Z"), java.time.ZoneOffset.UTC)).call();
            git.push().setRemote("origin").setPushTags().call();
            Fixtures.warehouse("gitnewesttag", "src", 1, git(daemon.url("tagged.git"), "NewestTag", null, null));
            await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitnewesttag")).size() >= 2);
            List<ArtifactDiscovered> events = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitnewesttag"));
            // oldest first, so the newest lands last: by tag date (not commit time, not name)
            assertEquals(List.of("b-old", "a-new"), events.stream().map(a -> a.artifact().tag()).toList());
        }
    }

    static RevCommit commitAs(Git git, String author, String email, String date, String message) throws Exception {
        Path f = git.getRepository().getWorkTree().toPath().resolve("app.txt");
        Files.writeString(f, message);
        git.add().addFilepattern("app.txt").call();
        org.eclipse.jgit.lib.PersonIdent who = new org.eclipse.jgit.lib.PersonIdent(author, email,
                java.time.Instant.parse(date), java.time.ZoneOffset.UTC);
        return git.commit().setMessage(message + "\n\nbody").setAuthor(who).setCommitter(who).setSign(false).call();
    }

    static void push(Git git) throws Exception {
        git.push().setRemote("origin").setRefSpecs(new org.eclipse.jgit.transport.RefSpec("refs/heads/main:refs/heads/main"))
                .setPushTags().call();
    }

    static Subscription filtered(String url, String strategy, String expressionFilter) {
        return new Subscription("src", ArtifactKind.GIT, url, null, strategy, null, null, null, null, 5, "main",
                null, null, null, null, null, null, expressionFilter);
    }

    @Test
    void expressionFilterSkipsTheCommitsItRejects() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        try (Git git = repo("filtered.git")) {
            RevCommit first = commitAs(git, "Ann", "ann@example.com", "2025-02-01T10:00:00Z", "feat: first");
            push(git);
            // Kargo's documented examples, combined
            Fixtures.warehouse("gitexpr", "src", 1, filtered(daemon.url("filtered.git"), "NewestFromBranch",
                    "!(author contains '<bot@example.com>') && !(subject contains '[kargo-ignore]')"
                            + " && commitDate.After(date('2025-01-01'))"));
            await().atMost(Duration.ofSeconds(60)).until(() -> !artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitexpr")).isEmpty());

            // a head the filter rejects is not discovered, nor are the rejected commits below it
            commitAs(git, "Bot", "bot@example.com", "2025-02-02T10:00:00Z", "chore: bump");
            commitAs(git, "Ann", "ann@example.com", "2025-02-03T10:00:00Z", "docs: typo [kargo-ignore]");
            commitAs(git, "Ann", "ann@example.com", "2024-12-31T10:00:00Z", "fix: backdated");
            push(git);
            RevCommit accepted = commitAs(git, "Ann", "ann@example.com", "2025-02-04T10:00:00Z", "fix: second");
            commitAs(git, "Bot", "bot@example.com", "2025-02-05T10:00:00Z", "chore: bump again");
            push(git);
            await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitexpr")).size() >= 2);
            List<ArtifactDiscovered> events = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitexpr"));
            assertEquals(List.of(first.name(), accepted.name()), events.stream().map(a -> a.artifact().commit()).toList());
        }
    }

    @Test
    void expressionFilterOnTagsAfterTheSemverRules() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        try (Git git = repo("filtered-tags.git")) {
            RevCommit c1 = commitAs(git, "Ann", "ann@example.com", "2025-01-10T10:00:00Z", "one");
            git.tag().setName("v1.0.0").setObjectId(c1).setAnnotated(true).setMessage("old release").setSigned(false)
                    .setTagger(new org.eclipse.jgit.lib.PersonIdent("t", "t@example.com", java.time.Instant.parse("2023-06-01T00:00:00Z"), java.time.ZoneOffset.UTC)).call();
            RevCommit c2 = commitAs(git, "Ann", "ann@example.com", "2025-01-11T10:00:00Z", "two");
            git.tag().setName("v1.1.0-alpha.1").setObjectId(c2).setAnnotated(false).call();
            git.tag().setName("v1.1.0").setObjectId(c2).setAnnotated(false).call();
            RevCommit c3 = commitAs(git, "Ann", "ann@example.com", "2025-01-12T10:00:00Z", "three");
            git.tag().setName("v1.2.0").setObjectId(c3).setAnnotated(true).setMessage("release 1.2").setSigned(false)
                    .setTagger(new org.eclipse.jgit.lib.PersonIdent("t", "t@example.com", java.time.Instant.parse("2025-01-12T11:00:00Z"), java.time.ZoneOffset.UTC)).call();
            push(git);
            // Kargo's documented example "tags with complex conditions"
            Fixtures.warehouse("gitexprtags", "src", 1, filtered(daemon.url("filtered-tags.git"), "SemVer",
                    "creatorDate.After(date('2024-01-01')) && !(tag contains 'alpha')"));
            await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitexprtags")).size() >= 2);
            List<ArtifactDiscovered> events = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("gitexprtags"));
            assertEquals(List.of("v1.1.0", "v1.2.0"), events.stream().map(a -> a.artifact().tag()).toList());
            assertEquals(List.of(c2.name(), c3.name()), events.stream().map(a -> a.artifact().commit()).toList());
        }
    }
}
