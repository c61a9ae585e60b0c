package io.freightline.gitwriter;

import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
import io.freightline.events.GitTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A template whose steps touch two repositories (two real bare repositories): the promotion is partitioned to its
 * git.repoURL (the GitOps repository, the primary); the config repository is checked out, read and written as a
 * secondary repository on its own warm clone, pushed with compare-and-swap before the primary.
 */
class MultiRepoTemplateTest {
    @TempDir
    Path tmp;
    Path gitops;
    Path config;
    String gitopsURL;
    String configURL;

    @BeforeEach
    void repos() throws Exception {
        gitops = TestRepos.bare(tmp, "gitops", Map.of("app/values.yaml", b("replicas: 1\n")));
        config = TestRepos.bare(tmp, "config", Map.of("settings/app.yaml", b("tier: gold\n")));
        gitopsURL = TestRepos.url(gitops);
        configURL = TestRepos.url(config);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static PromotionStep step(String uses, Map<String, Object> config) {
        return new PromotionStep(uses, null, config);
    }

    /** Where a {@code fail} step stops the template. */
    enum Fail { NEVER, BEFORE_PUSHES, BETWEEN_PUSHES }

    /** Reads settings from the config repository into the GitOps one, records the promotion in the config one. */
    List<PromotionStep> steps(String tag, Fail fail) {
        List<PromotionStep> s = new ArrayList<>(List.of(
                step("git-clone", Map.of("repoURL", gitopsURL, "checkout", List.of(Map.of("branch", "main", "path", "./gitops")))),
                step("git-clone", Map.of("repoURL", configURL, "checkout", List.of(Map.of("branch", "main", "path", "./config")))),
                step("copy", Map.of("inPath", "./config/settings/app.yaml", "outPath", "./gitops/app/settings.yaml")),
                step("file-write", Map.of("path", "./gitops/app/tag.txt", "contents", tag + "\n")),
                step("file-write", Map.of("path", "./config/promoted/test.txt", "contents", tag + "\n")),
                step("git-commit", Map.of("path", "./gitops", "message", "promote " + tag)),
                step("git-commit", Map.of("path", "./config", "message", "record " + tag))));
        if (fail == Fail.BEFORE_PUSHES) {
            s.add(step("fail", Map.of("message", "stop before pushing")));
        }
        s.add(step("git-push", Map.of("path", "./config")));
        if (fail == Fail.BETWEEN_PUSHES) {
            s.add(step("fail", Map.of("message", "stop after the config push")));
        }
        s.add(step("git-push", Map.of("path", "./gitops")));
        return s;
    }

    PromotionRequested promotion(String id, String tag, Fail fail) {
        FreightRef freight = new FreightRef("f-" + tag, "alias-" + tag, "wh", List.of(ArtifactRef.image("nginx", tag, null)));
        return new PromotionRequested(id, "proj", "test", freight, new GitTarget(gitopsURL, "main", null),
                steps(tag, fail), null, null, "test", Instant.parse("2026-01-01T00:00:00Z"));
    }

    static PromotionCommitted run(TestWriters.Harness h, PromotionRequested r) throws Exception {
        return h.writer().submit(r).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    String text(Path repo, String path) throws Exception {
        byte[] f = TestRepos.file(repo, "main", path);
        return f == null ? null : new String(f, StandardCharsets.UTF_8);
    }

    /** Pushes a commit of someone else to main of a repository. */
    String humanCommit(Path repo, String name) throws Exception {
        Path other = tmp.resolve("human-" + name);
        TestRepos.git(tmp, "clone", "-q", "-b", "main", TestRepos.url(repo), other.toString());
        Files.writeString(other.resolve(name + ".md"), "hand-made\n");
        TestRepos.git(other, "add", "-A");
        TestRepos.git(other, "-c", "user.name=h", "-c", "user.email=h@x", "commit", "-q", "-m", name);
        TestRepos.git(other, "push", "-q", "origin", "main");
        return TestRepos.head(repo, "main");
    }

    @Test
    void bothRepositoriesAreWrittenOnceAndARedeliveryCommitsNothingTwice() throws Exception {
        Path work = tmp.resolve("work");
        try (TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(work))) {
            PromotionCommitted c = run(h, promotion("p-1", "1.0.0", Fail.NEVER));
            assertThat(c.outcome()).as(c.reason()).isEqualTo(Outcome.PUSHED);
            // the event names the primary repository's commit
            assertThat(c.repoURL()).isEqualTo(gitopsURL);
            assertThat(c.commitSha()).isEqualTo(TestRepos.head(gitops, "main"));
            assertThat(text(gitops, "app/settings.yaml")).isEqualTo("tier: gold\n"); // read from the config repository
            assertThat(text(gitops, "app/tag.txt")).isEqualTo("1.0.0\n");
            assertThat(text(config, "promoted/test.txt")).isEqualTo("1.0.0\n");
            assertThat(TestRepos.commitsWithTrailer(gitops, "main", "p-1")).isEqualTo(1);
            assertThat(TestRepos.commitsWithTrailer(config, "main", "p-1")).isEqualTo(1);
            String gitopsHead = TestRepos.head(gitops, "main");
            String configHead = TestRepos.head(config, "main");

            PromotionCommitted again = run(h, promotion("p-1", "1.0.0", Fail.NEVER));
            assertThat(again.outcome()).as(again.reason()).isEqualTo(Outcome.ALREADY_PRESENT);
            assertThat(again.commitSha()).isEqualTo(gitopsHead);
            assertThat(TestRepos.head(gitops, "main")).isEqualTo(gitopsHead);
            assertThat(TestRepos.head(config, "main")).isEqualTo(configHead);

            // a promotion partitioned to the config repository uses the same warm clone of it
            PromotionRequested own = new PromotionRequested("p-own", "proj", "cfg", promotion("p-own", "1.0.0", Fail.NEVER).freight(),
                    new GitTarget(configURL, "main", null),
                    List.of(step("file-write", Map.of("path", "own.txt", "contents", "x\n"))),
                    null, null, "test", Instant.parse("2026-01-01T00:00:00Z"));
            PromotionCommitted o = run(h, own);
            assertThat(o.outcome()).as(o.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(TestRepos.log(config, "main").get(0).getParent(0).name()).isEqualTo(configHead);
            try (Stream<Path> dirs = Files.list(work)) {
                assertThat(dirs.filter(d -> Files.exists(d.resolve("HEAD"))).count()).isEqualTo(2);
            }
        }
    }

    @Test
    void aFailureBeforeAnyPushLeavesBothRepositoriesUntouchedAndARetryCommitsOncePerRepository() throws Exception {
        String gitopsHead = TestRepos.head(gitops, "main");
        String configHead = TestRepos.head(config, "main");
        try (TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(tmp.resolve("work")))) {
            PromotionCommitted c = run(h, promotion("p-x", "1.0.0", Fail.BEFORE_PUSHES));
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.reason()).contains("stop before pushing");
            assertThat(TestRepos.head(gitops, "main")).isEqualTo(gitopsHead);
            assertThat(TestRepos.head(config, "main")).isEqualTo(configHead);

            // a failure after the config repository's git-push keeps that push (as Kargo does), nothing in the primary
            PromotionCommitted half = run(h, promotion("p-y", "2.0.0", Fail.BETWEEN_PUSHES));
            assertThat(half.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(half.reason()).contains("stop after the config push");
            assertThat(half.repoURL()).isEqualTo(configURL); // the event names the commit that was pushed, and where
            assertThat(half.commitSha()).isEqualTo(TestRepos.head(config, "main"));
            assertThat(TestRepos.head(gitops, "main")).isEqualTo(gitopsHead);
            assertThat(TestRepos.commitsWithTrailer(config, "main", "p-y")).isEqualTo(1);
            String configAfter = TestRepos.head(config, "main");

            // the promotion tried again: its config commit is found by the trailer, only the primary gets one
            PromotionCommitted retried = run(h, promotion("p-y", "2.0.0", Fail.NEVER));
            assertThat(retried.outcome()).as(retried.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(TestRepos.head(config, "main")).isEqualTo(configAfter);
            assertThat(TestRepos.commitsWithTrailer(config, "main", "p-y")).isEqualTo(1);
            assertThat(TestRepos.commitsWithTrailer(gitops, "main", "p-y")).isEqualTo(1);
            assertThat(TestRepos.log(gitops, "main").get(0).getParent(0).name()).isEqualTo(gitopsHead);
        }
    }

    @Test
    void aMovedRemoteInEitherRepositoryIsRetriedAndTheSecondaryKeepsOneCommit() throws Exception {
        try (TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(tmp.resolve("work")))) {
            assertThat(run(h, promotion("p-1", "1.0.0", Fail.NEVER)).outcome()).isEqualTo(Outcome.PUSHED);

            // the secondary moved since the writer last saw it: its compare-and-swap push is refused, the batch runs
            // again on the fetched head, and the primary is pushed only after that
            String human = humanCommit(config, "config-notes");
            PromotionCommitted c2 = run(h, promotion("p-2", "2.0.0", Fail.NEVER));
            assertThat(c2.outcome()).as(c2.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(TestRepos.log(config, "main").get(0).getParent(0).name()).isEqualTo(human);
            assertThat(TestRepos.files(config, "main")).contains("config-notes.md", "promoted/test.txt");
            assertThat(TestRepos.commitsWithTrailer(config, "main", "p-2")).isEqualTo(1);
            assertThat(TestRepos.commitsWithTrailer(gitops, "main", "p-2")).isEqualTo(1);

            // the primary moved: the secondary's push lands first, the primary's is refused; the re-run finds the
            // promotion's commit in the secondary by its trailer and commits only in the primary again
            String configBefore = TestRepos.head(config, "main");
            String humanOps = humanCommit(gitops, "ops-notes");
            PromotionCommitted c3 = run(h, promotion("p-3", "3.0.0", Fail.NEVER));
            assertThat(c3.outcome()).as(c3.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(TestRepos.log(gitops, "main").get(0).getParent(0).name()).isEqualTo(humanOps);
            assertThat(TestRepos.commitsWithTrailer(gitops, "main", "p-3")).isEqualTo(1);
            assertThat(TestRepos.commitsWithTrailer(config, "main", "p-3")).isEqualTo(1);
            assertThat(TestRepos.log(config, "main").get(0).getParent(0).name()).isEqualTo(configBefore);
            assertThat(text(gitops, "app/tag.txt")).isEqualTo("3.0.0\n");
        }
    }
}
