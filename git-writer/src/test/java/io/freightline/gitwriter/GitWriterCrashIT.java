package io.freightline.gitwriter;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.Topics;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.TestBroker;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service as a real process against the shared test broker: it is made to die (Runtime.halt, like a
 * SIGKILL: no shutdown hooks, no offset commit) right after its push and before the commit event; the restarted
 * service gets the unacknowledged record again and must report the commit that already landed, never make a
 * second one. Runs after {@code package} (failsafe), so it exercises the jar a user would run.
 */
class GitWriterCrashIT {
    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    static final String KUSTOMIZATION = "images:\n- name: " + Promotions.IMAGE + "\n  newTag: 0.1.0\n";

    final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Starts quarkus-run.jar with its own log file; the same workdir and consumer group instance across restarts. */
    Process start(Path dir, String name, boolean haltAfterPush) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dkafka.bootstrap.servers=" + TestBroker.bootstrapServers(),
                "-Dquarkus.http.port=0",
                "-Dfreightline.gitwriter.workdir=" + dir.resolve("workdir"),
                "-Dfreightline.gitwriter.fault.halt-after-push=" + haltAfterPush,
                // static membership: the restarted process takes over the dead one's partitions at once instead
                // of waiting for its session to time out
                "-Dmp.messaging.incoming.promotions-in.group.instance.id=git-writer-crash-it",
                "-Dmp.messaging.incoming.promotions-in.session.timeout.ms=10000",
                "-jar", JAR.toString());
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        started.add(p);
        return p;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Test
    void killedBetweenPushAndEventTheRestartedServiceReportsTheCommitAndMakesNoSecond() throws Exception {
        assertThat(JAR).as("the packaged git-writer is missing: build it with "
                + "`./mvnw -o -B -q -pl git-writer package -DskipTests` (mvn verify does it before this IT)").isRegularFile();
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "crash-it")).toAbsolutePath(), "run-");
        Path bare = TestRepos.bare(dir, "gitops", Map.of("envs/dev/kustomization.yaml", KUSTOMIZATION.getBytes(StandardCharsets.UTF_8)));
        String url = TestRepos.url(bare);
        String id = "crash-" + UUID.randomUUID();

        try (KafkaProbe probe = new KafkaProbe(TestBroker.bootstrapServers())) {
            KafkaProbe.Recording commits = probe.record(Topics.COMMITS);
            probe.publish(Topics.PROMOTIONS, url, Promotions.setImage(id, url, "dev", "4.0.0"));

            Process first = start(dir, "first", true);
            assertThat(first.waitFor(180, TimeUnit.SECONDS))
                    .as("the first git-writer should halt right after its push; log:\n" + tail(dir.resolve("first.log"))).isTrue();
            assertThat(first.exitValue()).as(tail(dir.resolve("first.log"))).isEqualTo(137);
            assertThat(tail(dir.resolve("first.log"))).contains("fault injection: halting right after the push");
            String landed = TestRepos.head(bare, "main");
            assertThat(TestRepos.commitsWithTrailer(bare, "main", id)).as("the push happened before the halt").isEqualTo(1);
            assertThat(commits.events(PromotionCommitted.class, e -> e.promotionId().equals(id)))
                    .as("no commit event made it out before the halt").isEmpty();

            start(dir, "second", false);
            List<PromotionCommitted> got = new ArrayList<>();
            try {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    got.clear();
                    got.addAll(commits.events(PromotionCommitted.class, e -> e.promotionId().equals(id)));
                    return !got.isEmpty();
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the restarted git-writer did not report the promotion; its log:\n"
                        + tail(dir.resolve("second.log")), e);
            }
            // ALREADY_PRESENT can only come from the second process: the first would have said PUSHED
            assertThat(got).hasSize(1);
            assertThat(got.get(0).outcome()).isEqualTo(Outcome.ALREADY_PRESENT);
            assertThat(got.get(0).commitSha()).isEqualTo(landed);
            assertThat(TestRepos.commitsWithTrailer(bare, "main", id)).isEqualTo(1);
            assertThat(TestRepos.log(bare, "main")).hasSize(2);
            assertThat(new String(TestRepos.file(bare, "main", "envs/dev/kustomization.yaml"), StandardCharsets.UTF_8))
                    .isEqualTo(KUSTOMIZATION.replace("0.1.0", "4.0.0"));
        }
    }
}
