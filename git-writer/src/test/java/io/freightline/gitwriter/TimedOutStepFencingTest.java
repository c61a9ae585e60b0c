package io.freightline.gitwriter;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionStep;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A step cut off by its {@code retry.timeout} may go on running on its thread. The promotions of one batch share
 * one in-memory tree: the late write of the cut-off step must not land in the next promotion's commit.
 */
class TimedOutStepFencingTest {
    @TempDir
    Path tmp;

    /** A test step of the given name whose body the test supplies. */
    record TestStep(String name, Body body) implements Step<Map> {
        interface Body {
            String run(StepContext ctx) throws Exception;
        }

        public Class<Map> configType() {
            return Map.class;
        }

        public String schema() {
            return "{\"type\": \"object\"}";
        }

        public String run(StepContext ctx, Map config) throws StepException {
            try {
                return body.run(ctx);
            } catch (StepException e) {
                throw e;
            } catch (Exception e) {
                throw StepException.terminal(name + ": " + e);
            }
        }
    }

    static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a step that does not react to being cancelled
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Test
    void theLateWriteOfATimedOutStepNeverReachesTheNextPromotion() throws Exception {
        Path bare = TestRepos.bare(tmp, "gitops", Map.of("envs/dev/kustomization.yaml",
                "resources: []\n".getBytes(StandardCharsets.UTF_8)));
        String url = TestRepos.url(bare);
        CountDownLatch firstBatchStarted = new CountDownLatch(1);
        CountDownLatch firstBatchGo = new CountDownLatch(1);
        CountDownLatch lateWriteGo = new CountDownLatch(1);
        CompletableFuture<String> lateWrite = new CompletableFuture<>();

        TestStep hold = new TestStep("hold", ctx -> {
            firstBatchStarted.countDown();
            awaitIgnoringInterrupts(firstBatchGo);
            return "held";
        });
        TestStep slow = new TestStep("slow-write", ctx -> {
            awaitIgnoringInterrupts(lateWriteGo);
            try {
                ctx.workspace().write("envs/dev/leak.txt", "leaked\n".getBytes(StandardCharsets.UTF_8));
                lateWrite.complete("written");
            } catch (StepException e) {
                lateWrite.complete("refused: " + e.getMessage());
            }
            return "wrote late";
        });
        TestStep release = new TestStep("release", ctx -> {
            lateWriteGo.countDown();
            lateWrite.get(30, TimeUnit.SECONDS); // the cut-off step has tried its write while this promotion runs
            return "released";
        });

        try (TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(Files.createDirectories(tmp.resolve("wd"))),
                hold, slow, release)) {
            // hold the repository's writer so that the next two promotions go in one batch, on one in-memory tree
            var held = h.writer().submit(Promotions.request("p0", url, "dev", "1.0.0", null,
                    List.of(new PromotionStep("hold", null, Map.of()))));
            assertThat(firstBatchStarted.await(30, TimeUnit.SECONDS)).isTrue();
            var timedOut = h.writer().submit(Promotions.request("p1", url, "dev", "1.0.1", null, List.of(
                    new PromotionStep("file-write", "before", Map.of("path", "envs/dev/a.txt", "contents", "a\n")),
                    new PromotionStep("slow-write", "slow", Map.of(), null, null,
                            new PromotionStep.StepRetry(null, "300ms"), null))));
            var next = h.writer().submit(Promotions.request("p2", url, "dev", "1.0.2", null, List.of(
                    new PromotionStep("release", "release", Map.of()),
                    new PromotionStep("file-write", "after", Map.of("path", "envs/dev/b.txt", "contents", "b\n")))));
            firstBatchGo.countDown();
            assertThat(held.toCompletableFuture().get(30, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.NO_CHANGE);

            PromotionCommitted failed = timedOut.toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(failed.reason()).contains("step 'slow' (slow-write) errored").contains("timed out");
            PromotionCommitted pushed = next.toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(pushed.outcome()).as(pushed.reason()).isEqualTo(Outcome.PUSHED);

            assertThat(lateWrite.get(30, TimeUnit.SECONDS)).startsWith("refused: the step's time is up");
            assertThat(TestRepos.files(bare, "main")).contains("envs/dev/b.txt")
                    .doesNotContain("envs/dev/leak.txt", "envs/dev/a.txt");
            assertThat(TestRepos.log(bare, "main")).hasSize(2);
        }
    }
}
