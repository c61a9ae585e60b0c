package io.freightline.watcher.it;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.Topics;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.Ports;
import io.freightline.testsupport.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two installations on one Kafka cluster whose watchers have the same instance id (the same pod name,
 * {@code artifact-watcher-0}, in two namespaces): their transactional ids differ by the install id, so the second
 * one's start does not fence the first, and both keep publishing. With one shared transactional id the first
 * watcher's next transaction would be refused ({@code ProducerFencedException}) and its webhook would fail.
 */
class TwoInstallsIT {
    static final String PROJECT = "installs-it";
    static final String INSTANCE = "artifact-watcher-0";
    static final Path LOGS = Path.of("target", "installs-it");

    @AfterAll
    static void stop() {
        WatcherRestartIT.started.forEach(Process::destroyForcibly);
    }

    @Test
    void twoInstallsWithTheSameInstanceIdBothPublish() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Fixtures.warehouse(PROJECT, "a", 0, Fixtures.image("127.0.0.1:5999/installs/a", "SemVer", null, "webhook"));
        Fixtures.warehouse(PROJECT, "b", 0, Fixtures.image("127.0.0.1:5999/installs/b", "SemVer", null, "webhook"));

        int portA = Ports.freePort(), portB = Ports.freePort();
        Process a = start("install-a", portA);
        WatcherRestartIT.awaitReady(a, portA);
        assertEmitted(push(portA, "installs/a", "1.0.0"));

        // the second installation starts (initTransactions with its own id) and publishes
        Process b = start("install-b", portB);
        WatcherRestartIT.awaitReady(b, portB);
        assertEmitted(push(portB, "installs/b", "1.0.0"));
        // the first one is not fenced: its next transaction commits
        assertEmitted(push(portA, "installs/a", "1.1.0"));
        assertEmitted(push(portB, "installs/b", "1.1.0"));

        await().atMost(Duration.ofSeconds(30)).until(() -> tags(artifacts, "a").size() + tags(artifacts, "b").size() == 4);
        assertEquals(Map.of("1.0.0", 1L, "1.1.0", 1L), counts(tags(artifacts, "a")));
        assertEquals(Map.of("1.0.0", 1L, "1.1.0", 1L), counts(tags(artifacts, "b")));
        assertTrue(transactionalIds().containsAll(Set.of("install-a." + INSTANCE, "install-b." + INSTANCE)),
                "the broker knows both installations' producers: " + transactionalIds());
        assertTrue(a.isAlive() && b.isAlive());
    }

    static Process start(String installId, int port) throws Exception {
        return WatcherRestartIT.startWatcher(LOGS, installId, port, "-Dfreightline.watcher.install-id=" + installId,
                "-Dfreightline.watcher.instance-id=" + INSTANCE, "-Dfreightline.watcher.poll.enabled=false");
    }

    static HttpResponse<String> push(int port, String repository, String tag) throws Exception {
        return WatcherRestartIT.post(port, Fixtures.distributionPush("127.0.0.1:5999", repository, tag,
                "application/vnd.oci.image.manifest.v1+json"));
    }

    static void assertEmitted(HttpResponse<String> response) {
        assertEquals(202, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"emitted\":1"), response.body());
    }

    static List<String> tags(KafkaProbe.Recording artifacts, String warehouse) {
        return artifacts.events(ArtifactDiscovered.class, e -> e.project().equals(PROJECT) && e.warehouse().equals(warehouse))
                .stream().map(e -> e.artifact().tag()).toList();
    }

    static Map<String, Long> counts(List<String> tags) {
        return tags.stream().collect(Collectors.groupingBy(t -> t, Collectors.counting()));
    }

    static Set<String> transactionalIds() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            return admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId).collect(Collectors.toSet());
        }
    }
}
