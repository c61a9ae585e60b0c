package io.freightline.gitwriter;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.testsupport.GitDaemon;
import org.awaitility.Awaitility;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The writer against real repositories: races with external pushes, conflicts, coalescing, crashes, every step. */
class PromotionWriterTest {
    static final String KUSTOMIZATION = """
            # overlay
            resources:
            - ../../base
            images:
            - name: 127.0.0.1:5000/demo/app
              newTag: 0.1.0 # current
            """;

    @TempDir
    Path tmp;
    Path bare;
    String url;

    @BeforeEach
    void repo() throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        for (String env : List.of("dev", "staging", "prod")) {
            files.put("envs/" + env + "/kustomization.yaml", KUSTOMIZATION.getBytes(StandardCharsets.UTF_8));
        }
        files.put("envs/staging/replicas.yaml", "replicas: 2\n".getBytes(StandardCharsets.UTF_8));
        files.put("envs/staging/extra/config.yaml", "a: 1\n".getBytes(StandardCharsets.UTF_8));
        files.put("envs/prod/replicas.yaml", "replicas: 5\n".getBytes(StandardCharsets.UTF_8));
        files.put("charts/app/Chart.yaml", """
                apiVersion: v2
                name: app
                version: 0.1.0
                dependencies:
                  - name: redis
                    version: 1.0.0 # bump me
                    repository: https://charts.example.com
                """.getBytes(StandardCharsets.UTF_8));
        files.put("charts/app/values.yaml", "image:\n  tag: \"1.0\"  # app tag\n".getBytes(StandardCharsets.UTF_8));
        bare = TestRepos.bare(tmp, "gitops", files);
        url = TestRepos.url(bare);
    }

    static PromotionCommitted await(CompletableFuture<PromotionCommitted> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    CompletableFuture<PromotionCommitted> submit(TestWriters.Harness h, PromotionRequested r) {
        return h.writer().submit(r).toCompletableFuture();
    }

    String file(String path) throws Exception {
        byte[] b = TestRepos.file(bare, "main", path);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** A step that pushes a commit with the git CLI the first time it runs: a concurrent writer outside Freightline. */
    static final class ExternalPush implements Step<Map<String, Object>> {
        final Path work;
        final String remote;
        final String file;
        final String content;
        final AtomicBoolean done = new AtomicBoolean();

        ExternalPush(Path work, String remote, String file, String content) {
            this.work = work;
            this.remote = remote;
            this.file = file;
            this.content = content;
        }

        public String name() { return "external-push"; }
        @SuppressWarnings("unchecked")
        public Class<Map<String, Object>> configType() { return (Class<Map<String, Object>>) (Class<?>) Map.class; }
        public String schema() { return "{\"type\": \"object\"}"; }

        public String run(StepContext ctx, Map<String, Object> config) {
            if (done.compareAndSet(false, true)) {
                try {
                    TestRepos.git(work.getParent(), "clone", "-q", remote, work.toString());
                    Path f = work.resolve(file);
                    if (content == null) {
                        TestRepos.git(work, "rm", "-q", "-r", file);
                    } else {
                        Files.createDirectories(f.getParent());
                        Files.writeString(f, content);
                        TestRepos.git(work, "add", "-A");
                    }
                    TestRepos.git(work, "-c", "user.name=human", "-c", "user.email=h@test", "commit", "-q", "-m", "external change");
                    TestRepos.git(work, "push", "-q", "origin", "main");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return "external push";
        }
    }

    static List<PromotionStep> setImageThen(String env, String tag, String extra) {
        List<PromotionStep> steps = new ArrayList<>();
        steps.add(new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/" + env,
                "images", List.of(Map.of("image", Promotions.IMAGE, "tag", tag)))));
        if (extra != null) {
            steps.add(new PromotionStep(extra, null, Map.of()));
        }
        return steps;
    }

    @Test
    void nonFastForwardFromAnExternalPushIsFetchedReappliedAndRetried() throws Exception {
        ExternalPush external = new ExternalPush(tmp.resolve("human"), url, "envs/staging/replicas.yaml", "replicas: 3\n");
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")), external)) {
            PromotionCommitted e = await(submit(h, Promotions.request("p1", url, "dev", "2.0.0", null, setImageThen("dev", "2.0.0", "external-push"))));
            assertThat(e.outcome()).isEqualTo(Outcome.PUSHED);
            List<RevCommit> log = TestRepos.log(bare, "main");
            assertThat(log).extracting(RevCommit::getShortMessage).containsExactly("Promote alias-2.0.0 to dev", "external change", "seed");
            assertThat(e.commitSha()).isEqualTo(log.get(0).name());
            assertThat(file("envs/staging/replicas.yaml")).isEqualTo("replicas: 3\n");
            assertThat(file("envs/dev/kustomization.yaml")).isEqualTo(KUSTOMIZATION.replace("0.1.0", "2.0.0"));
            assertThat(h.meters().counter("freightline.git.push.retries").count()).isGreaterThanOrEqualTo(1);
        }
    }

    /** A commit by someone else, pushed with the git CLI from a fresh clone. */
    void humanCommit(String name, String file, String content) throws Exception {
        Path work = tmp.resolve(name);
        TestRepos.git(tmp, "clone", "-q", url, work.toString());
        Files.writeString(work.resolve(file), content);
        TestRepos.git(work, "add", "-A");
        TestRepos.git(work, "-c", "user.name=human", "-c", "user.email=h@test", "commit", "-q", "-m", name);
        TestRepos.git(work, "push", "-q", "origin", "main");
    }

    @Test
    void aHeadGuessedWithoutFetchingThatMovedIsRefusedThenFetchedAndReapplied() throws Exception {
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
            assertThat(await(submit(h, Promotions.setImage("p1", url, "dev", "2.0.0"))).outcome()).isEqualTo(Outcome.PUSHED);
            humanCommit("scale staging", "envs/staging/replicas.yaml", "replicas: 3\n");
            // the writer's last seen head is p1's commit; its push on top of it must be refused, not lose the human's
            PromotionCommitted e = await(submit(h, Promotions.setImage("p2", url, "dev", "3.0.0")));
            assertThat(e.outcome()).isEqualTo(Outcome.PUSHED);
            assertThat(TestRepos.log(bare, "main")).extracting(RevCommit::getShortMessage)
                    .containsExactly("Promote alias-3.0.0 to dev", "scale staging", "Promote alias-2.0.0 to dev", "seed");
            assertThat(file("envs/staging/replicas.yaml")).isEqualTo("replicas: 3\n");
            assertThat(file("envs/dev/kustomization.yaml")).isEqualTo(KUSTOMIZATION.replace("0.1.0", "3.0.0"));
        }
    }

    @Test
    void aStaleGuessNeverAnswersNoChange() throws Exception {
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
            assertThat(await(submit(h, Promotions.setImage("p1", url, "dev", "2.0.0"))).outcome()).isEqualTo(Outcome.PUSHED);
            // someone puts dev back by hand; on the writer's stale view the same image is already there
            humanCommit("revert dev", "envs/dev/kustomization.yaml", KUSTOMIZATION);
            PromotionCommitted e = await(submit(h, Promotions.setImage("p2", url, "dev", "2.0.0")));
            assertThat(e.outcome()).isEqualTo(Outcome.PUSHED);
            assertThat(file("envs/dev/kustomization.yaml")).isEqualTo(KUSTOMIZATION.replace("0.1.0", "2.0.0"));
            assertThat(e.commitSha()).isEqualTo(TestRepos.head(bare, "main"));
        }
    }

    @Test
    void aRefTheServerCannotLockForAMomentIsRetriedNotRefused() throws Exception {
        // what a server answers while its gc or another push holds the ref: "failed to lock"
        Path lock = bare.resolve("refs/heads/main.lock");
        Files.createDirectories(lock.getParent());
        Files.writeString(lock, "held by someone else\n");
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
            CompletableFuture<PromotionCommitted> f = submit(h, Promotions.setImage("p1", url, "dev", "2.0.0"));
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> h.meters().counter("freightline.git.push.retries").count() >= 1);
            Files.delete(lock);
            PromotionCommitted e = await(f);
            assertThat(e.outcome()).isEqualTo(Outcome.PUSHED);
            assertThat(file("envs/dev/kustomization.yaml")).isEqualTo(KUSTOMIZATION.replace("0.1.0", "2.0.0"));
        }
    }

    @Test
    void aRealConflictIsTerminalAndNamesTheFile() throws Exception {
        ExternalPush external = new ExternalPush(tmp.resolve("human"), url, "envs/dev", null);
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")), external)) {
            PromotionCommitted e = await(submit(h, Promotions.request("p1", url, "dev", "2.0.0", null, setImageThen("dev", "2.0.0", "external-push"))));
            assertThat(e.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(e.reason()).startsWith("conflict").contains("envs/dev/kustomization.yaml");
            assertThat(TestRepos.log(bare, "main")).extracting(RevCommit::getShortMessage).containsExactly("external change", "seed");
            assertThat(h.meters().counter("freightline.git.push.conflicts").count()).isEqualTo(1);
        }
    }

    @Test
    void twoHundredStagesOnOneBranchOverGitDaemonAllLandWithCoalescedPushes() throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            files.put("envs/stage-" + i + "/kustomization.yaml", KUSTOMIZATION.getBytes(StandardCharsets.UTF_8));
        }
        Path served = Files.createDirectories(tmp.resolve("served"));
        Path mono = TestRepos.bare(served, "mono", files);
        try (GitDaemon daemon = GitDaemon.serve(served);
             var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
            String monoUrl = daemon.url("mono.git");
            List<CompletableFuture<PromotionCommitted>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(submit(h, Promotions.request("s" + i, monoUrl, "stage-" + i, "3.0.0", null, List.of(
                        new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/stage-" + i))))));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            assertThat(all).allSatisfy(f -> assertThat(f.join().outcome()).isEqualTo(Outcome.PUSHED));
            assertThat(TestRepos.log(mono, "main")).hasSize(201);
            for (int i = 0; i < 200; i++) {
                assertThat(TestRepos.commitsWithTrailer(mono, "main", "s" + i)).isEqualTo(1);
            }
            var pushes = h.meters().find("freightline.git.push.batch.size").summary();
            assertThat(pushes.count()).isLessThan(200); // coalesced
            assertThat(pushes.totalAmount()).isEqualTo(200.0);
            assertThat(h.meters().counter("freightline.git.push.retries").count()).isZero();
        }
    }

    @Test
    void crashBetweenPushAndEventThenRestartMakesExactlyOneCommit() throws Exception {
        PromotionRequested r = Promotions.setImage("crash-1", url, "dev", "4.0.0");
        TestWriters.Settings first = new TestWriters.Settings(tmp.resolve("wd-before-crash"));
        first.failSink = true; // the push happens, the event never becomes durable: the record stays unacknowledged
        try (var h = TestWriters.start(first)) {
            CompletableFuture<PromotionCommitted> f = submit(h, r);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(f::isDone);
            assertThat(f).isCompletedExceptionally();
        }
        assertThat(TestRepos.commitsWithTrailer(bare, "main", "crash-1")).isEqualTo(1);
        // the restarted writer has a new warm clone and gets the record again
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd-after-restart")))) {
            PromotionCommitted e = await(submit(h, r));
            assertThat(e.outcome()).isEqualTo(Outcome.ALREADY_PRESENT);
            assertThat(e.commitSha()).isEqualTo(TestRepos.head(bare, "main"));
        }
        assertThat(TestRepos.commitsWithTrailer(bare, "main", "crash-1")).isEqualTo(1);
        assertThat(TestRepos.log(bare, "main")).hasSize(2);
    }

    @Test
    void symlinksLeadingOutAreRefusedAndInsideOnesFollowed() throws Exception {
        Path work = tmp.resolve("links");
        TestRepos.git(tmp, "clone", "-q", url, work.toString());
        Files.createSymbolicLink(work.resolve("envs/escape"), Path.of("../../.."));
        Files.createSymbolicLink(work.resolve("envs/current"), Path.of("dev"));
        TestRepos.git(work, "add", "-A");
        TestRepos.git(work, "-c", "user.name=h", "-c", "user.email=h@t", "commit", "-q", "-m", "links");
        TestRepos.git(work, "push", "-q", "origin", "main");
        String head = TestRepos.head(bare, "main");
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
            PromotionCommitted out = await(submit(h, Promotions.request("l1", url, "dev", "5.0.0", null, List.of(
                    new PromotionStep("file-write", null, Map.of("path", "envs/escape/etc/passwd", "contents", "x"))))));
            assertThat(out.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(out.reason()).contains("symbolic link envs/escape leads outside the repository");
            PromotionCommitted abs = await(submit(h, Promotions.request("l2", url, "dev", "5.0.0", null, List.of(
                    new PromotionStep("delete", null, Map.of("path", "/etc"))))));
            assertThat(abs.reason()).contains("absolute paths are refused");
            assertThat(TestRepos.head(bare, "main")).isEqualTo(head);

            PromotionCommitted in = await(submit(h, Promotions.request("l3", url, "dev", "5.0.0", null, List.of(
                    new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/current"))))));
            assertThat(in.outcome()).isEqualTo(Outcome.PUSHED);
            assertThat(file("envs/dev/kustomization.yaml")).contains("newTag: 5.0.0 # current");
        }
    }

    @Test
    void everyStepInOnePromotionMakesOneCommit() throws Exception {
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
            PromotionCommitted e = await(submit(h, Promotions.request("all", url, "prod", "6.0.0", null, List.of(
                    new PromotionStep("copy", "promote-folder", Map.of("inPath", "envs/staging", "outPath", "envs/prod",
                            "exclude", List.of("replicas.yaml"), "deleteExtra", true)),
                    new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/prod")),
                    new PromotionStep("yaml-update", null, Map.of("path", "charts/app/values.yaml",
                            "updates", List.of(Map.of("key", "image.tag", "value", "6.0")))),
                    new PromotionStep("helm-update-chart", null, Map.of("path", "charts/app",
                            "charts", List.of(Map.of("repository", "https://charts.example.com", "name", "redis", "version", "1.1.0")))),
                    new PromotionStep("file-write", null, Map.of("path", "envs/prod/PROMOTED", "contents", "6.0.0\n")),
                    new PromotionStep("delete", null, Map.of("path", "envs/dev"))))));
            assertThat(e.outcome()).as(e.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(e.steps()).hasSize(6).allSatisfy(s -> assertThat(s.status()).isEqualTo("Succeeded"));
            assertThat(TestRepos.log(bare, "main")).hasSize(2);
            assertThat(file("envs/prod/replicas.yaml")).isEqualTo("replicas: 5\n"); // environment-specific, kept
            assertThat(file("envs/prod/extra/config.yaml")).isEqualTo("a: 1\n");
            assertThat(file("envs/prod/kustomization.yaml")).isEqualTo(KUSTOMIZATION.replace("0.1.0", "6.0.0"));
            assertThat(file("charts/app/values.yaml")).isEqualTo("image:\n  tag: \"6.0\"  # app tag\n");
            assertThat(file("charts/app/Chart.yaml")).contains("    version: 1.1.0 # bump me\n");
            assertThat(file("envs/prod/PROMOTED")).isEqualTo("6.0.0\n");
            assertThat(file("envs/dev/kustomization.yaml")).isNull();
        }
    }
}
