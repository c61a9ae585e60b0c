package io.freightline.gitwriter.steps;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.Workspace;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry's contract: a step that outlived its timeout can never write into the workspace afterwards. */
class StepRegistryTest {

    /** Blocks until released, then tries to write: the thread a timed-out step leaves behind. */
    static final class SlowStep implements Step<Map> {
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<String> lateWrite = new CompletableFuture<>();

        public String name() {
            return "slow";
        }

        public Class<Map> configType() {
            return Map.class;
        }

        public String schema() {
            return "{\"type\": \"object\"}";
        }

        public Duration timeout() {
            return Duration.ofMillis(50);
        }

        public String run(StepContext ctx, Map config) {
            try {
                while (!release.await(1, TimeUnit.SECONDS)) {
                    // ignores interruption on purpose, like a step stuck in a library call
                }
            } catch (InterruptedException e) {
                try {
                    release.await();
                } catch (InterruptedException again) {
                    // keep going: the point is to try the write
                }
            }
            try {
                ctx.workspace().write("late.yaml", "x".getBytes(StandardCharsets.UTF_8));
                lateWrite.complete("written");
            } catch (StepException e) {
                lateWrite.complete("refused: " + e.getMessage());
            }
            return "done";
        }
    }

    /** A plain map of files, enough to see a late write. */
    static final class MapWorkspace implements Workspace {
        final TreeMap<String, byte[]> files = new TreeMap<>();

        public String resolve(String p) {
            return p;
        }

        public Optional<byte[]> read(String p) {
            return Optional.ofNullable(files.get(p));
        }

        public void write(String p, byte[] c) {
            files.put(p, c);
        }

        public void copy(String a, String b) {
            files.put(b, files.get(a));
        }

        public boolean delete(String p) {
            return files.remove(p) != null;
        }

        public boolean isDirectory(String p) {
            return false;
        }

        public boolean isFile(String p) {
            return files.containsKey(p);
        }

        public List<String> files(String f) {
            return List.copyOf(files.keySet());
        }

        public Path materialize(String folder) throws StepException {
            return Workspace.super.materialize(folder);
        }
    }

    @Test
    void aTimedOutStepCannotWriteAfterItsTimeout() throws Exception {
        SlowStep slow = new SlowStep();
        StepRegistry registry = new StepRegistry(List.of(slow));
        MapWorkspace ws = new MapWorkspace();
        StepContext ctx = new StepContext(ws, null, "p", "s", "id");
        assertThatThrownBy(() -> registry.run("slow", Map.of(), ctx))
                .isInstanceOf(StepException.class).hasMessageContaining("timed out");
        slow.release.countDown();
        assertThat(slow.lateWrite.get(10, TimeUnit.SECONDS)).startsWith("refused: the step's time is up");
        assertThat(ws.files).isEmpty();
    }

    @Test
    void outputsOfAStepAreReturnedWithItsNote() throws Exception {
        Step<Map> echo = new Step<>() {
            public String name() {
                return "echo";
            }

            public Class<Map> configType() {
                return Map.class;
            }

            public String schema() {
                return "{\"type\": \"object\"}";
            }

            public String run(StepContext ctx, Map config) {
                ctx.output("value", config.get("value"));
                return "echoed";
            }
        };
        StepRegistry.Ran ran = new StepRegistry(List.of(echo)).run("echo", Map.of("value", 42),
                new StepContext(new MapWorkspace(), null, "p", "s", "id"));
        assertThat(ran.message()).isEqualTo("echoed");
        assertThat(ran.outputs()).containsEntry("value", 42);
    }
}
