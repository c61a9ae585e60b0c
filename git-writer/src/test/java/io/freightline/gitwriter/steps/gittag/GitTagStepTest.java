package io.freightline.gitwriter.steps.gittag;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.FreightRef;
import io.freightline.events.GitTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.gitwriter.TestRepos;
import io.freightline.gitwriter.TestWriters;
import io.freightline.testsupport.GitDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** git-tag then git-push of the tag, against a real git:// server; the tag is checked with the git CLI. */
class GitTagStepTest {
    @TempDir
    Path tmp;

    static PromotionRequested release(String id, String repo, String version, String tag, Boolean force) {
        Map<String, Object> tagConfig = new LinkedHashMap<>(Map.of("path", "./out", "tag", tag, "message", "Release " + version));
        if (force != null) {
            tagConfig.put("force", force);
        }
        List<PromotionStep> steps = List.of(
                new PromotionStep("git-clone", null, Map.of("repoURL", repo, "checkout", List.of(Map.of("branch", "main", "path", "./out")))),
                new PromotionStep("file-write", null, Map.of("path", "./out/VERSION", "contents", version + "\n")),
                new PromotionStep("git-commit", null, Map.of("path", "./out", "message", "Release " + version)),
                new PromotionStep("git-tag", "tag", tagConfig),
                new PromotionStep("git-push", null, Map.of("path", "./out")),
                new PromotionStep("git-push", null, Map.of("path", "./out", "tag", tag)));
        return new PromotionRequested(id, "demo", "prod", new FreightRef("f-" + version, "a", "demo", List.of()),
                new GitTarget(repo, "main", null), steps, new ArgoCDTarget(null, List.of(), null, 60L, null), null,
                "test", Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void anAnnotatedTagIsPushedAndAnExistingTagMovesOnlyWithForce() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        Path bare = TestRepos.bare(served, "gitops", Map.of("VERSION", "0.9.0\n".getBytes(StandardCharsets.UTF_8)));
        try (GitDaemon daemon = GitDaemon.serve(served);
             TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(tmp.resolve("work")), new GitTagStep())) {
            String repo = daemon.url("gitops.git");
            PromotionCommitted c = h.writer().submit(release("p-1", repo, "1.0.0", "v1.0.0", null))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(c.outcome()).as(c.reason()).isEqualTo(Outcome.PUSHED);
            String head = TestRepos.head(bare, "main");
            assertThat(git(bare, "cat-file", "-t", "v1.0.0")).isEqualTo("tag");
            assertThat(git(bare, "rev-parse", "v1.0.0^{commit}")).isEqualTo(head);
            assertThat(git(bare, "tag", "-l", "--format=%(contents:subject)", "v1.0.0")).isEqualTo("Release 1.0.0");

            // the same tag again for a new commit: refused without force, nothing of the promotion pushed
            PromotionCommitted refused = h.writer().submit(release("p-2", repo, "1.0.1", "v1.0.0", false))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(refused.reason()).contains("v1.0.0");
            assertThat(git(bare, "rev-parse", "v1.0.0^{commit}")).isEqualTo(head);
            assertThat(refused.reason()).contains("git-tag: tag v1.0.0 already exists");
            assertThat(TestRepos.head(bare, "main")).isEqualTo(head);

            PromotionCommitted forced = h.writer().submit(release("p-3", repo, "1.0.2", "v1.0.0", true))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(forced.outcome()).as(forced.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(git(bare, "rev-parse", "v1.0.0^{commit}")).isEqualTo(TestRepos.head(bare, "main")).isNotEqualTo(head);
            assertThat(forced.steps().get(3).as()).isEqualTo("tag");
        }
    }

    static String git(Path bare, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "--git-dir=" + bare;
        System.arraycopy(args, 0, all, 1, args.length);
        return TestRepos.git(bare.getParent(), all).strip();
    }
}
