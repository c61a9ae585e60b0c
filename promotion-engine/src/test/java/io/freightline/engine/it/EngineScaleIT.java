package io.freightline.engine.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freightline.events.PromotionRequested;
import io.freightline.events.Topics;
import io.freightline.testsupport.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.freightline.engine.it.Harness.stage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two engine instances from the packaged application split two projects that land on different partitions (one
 * Kafka Streams task each). One is killed (SIGKILL) while promotions are in flight; the survivor takes its task over
 * after the session timeout, from the committed state it tailed, and no promotion is lost or issued twice. The API answers for every project from either instance, and a command
 * for a project the other instance owns is answered with its result.
 */
class EngineScaleIT {
    static final String TOKEN = "scale-admin-token";
    static final Duration LONG = Duration.ofSeconds(180);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Harness h;
    static Engine a, b;
    static String pa, pb;

    /** One engine as a child JVM from the packaged application. */
    record Engine(String name, Process process, int port) {
        static Engine start(String name, String... extraArgs) throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
            assertTrue(Files.isRegularFile(jar), "package the engine first: " + jar.toAbsolutePath());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m",
                    "-Dkafka.bootstrap.servers=" + TestBroker.bootstrapServers(),
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                    "-Dfreightline.engine.instance-id=" + name,
                    "-Dfreightline.engine.auth.tokens=admin=" + TOKEN,
                    "-Dfreightline.engine.tick-interval=1s",
                    "-Dfreightline.engine.command-timeout=60s",
                    // a killed instance's partitions move after this (the test broker allows sessions down to 1 s)
                    "-Dfreightline.engine.session-timeout-ms=2000",
                    "-Dfreightline.engine.transaction-timeout-ms=2000"));
            cmd.addAll(List.of(extraArgs));
            cmd.addAll(List.of("-jar", jar.toString()));
            Path log = Path.of("target", "engine-" + name + "-" + port + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Engine(name, p, port);
        }

        HttpResponse<String> get(String path) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        JsonNode json(String path) throws Exception {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            return JSON.readTree(r.body());
        }

        HttpResponse<String> post(String path, String contentType, String body) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", contentType)
                    .timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        boolean ready() {
            try {
                return get("/q/health/ready").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no leave-group
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        h = new Harness();
        // two projects on different partitions of the (2-partition) input topics
        for (int i = 0; pa == null || pb == null; i++) {
            String name = "scale" + i;
            int partition = Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % 2;
            if (partition == 0 && pa == null) pa = name;
            if (partition == 1 && pb == null) pb = name;
        }
        a = Engine.start("a");
        b = Engine.start("b");
    }

    @AfterAll
    static void stop() throws Exception {
        for (Engine e : new Engine[]{a, b}) {
            if (e != null && e.process().isAlive()) {
                e.process().destroy();
                if (!e.process().waitFor(30, TimeUnit.SECONDS)) e.kill();
            }
        }
        if (h != null) h.close();
    }

    @Test
    void instancesSplitProjectsAndTheSurvivorTakesOverWithoutLosingOrRepeatingPromotions() throws Exception {
        await().atMost(LONG).until(() -> a.ready() && b.ready());
        // each instance runs one of the two Streams tasks: partition N of every input topic on one instance
        await().atMost(LONG).pollInterval(Duration.ofMillis(500)).until(() ->
                (holds("a", 0) && holds("b", 1)) || (holds("a", 1) && holds("b", 0)));

        // apply through a: project pb is applied by b, and a still answers with its result
        String yaml = Harness.project(pa, stage("dev", null, "{autoPromotion: true}") + stage("staging", "dev", "{autoPromotion: true}"))
                + "\n---\n" + Harness.project(pb, stage("dev", null, "{autoPromotion: true}") + stage("staging", "dev", "{autoPromotion: true}"));
        HttpResponse<String> applied = a.post("/api/v1/manifests", "application/yaml", yaml);
        assertEquals(200, applied.statusCode(), applied.body());
        JsonNode results = JSON.readTree(applied.body()).get("projects");
        assertEquals(200, results.get(pa).get("status").asInt(), applied.body());
        assertEquals(200, results.get(pb).get("status").asInt(), applied.body());

        for (String p : List.of(pa, pb)) h.artifact(p, "reg.test/" + p + "/app", "1.0.0");
        for (String p : List.of(pa, pb)) h.land(awaitRequest(p, "dev", 1));
        PromotionRequested stagingA = awaitRequest(pa, "staging", 1), stagingB = awaitRequest(pb, "staging", 1);
        // both instances answer for both projects: each owner's state reached the other through the replica
        for (Engine e : List.of(a, b)) {
            for (PromotionRequested s : List.of(stagingA, stagingB)) {
                await().atMost(LONG).until(() -> s.promotionId().equals(
                        e.json("/api/v1/projects/" + s.project() + "/stages/staging").path("running").path("id").asText()));
            }
        }

        b.kill(); // mid-flow: the staging promotions are running
        for (PromotionRequested s : List.of(stagingA, stagingB)) h.land(s);
        for (String p : List.of(pa, pb)) h.artifact(p, "reg.test/" + p + "/app", "1.1.0");
        for (String p : List.of(pa, pb)) h.land(awaitRequest(p, "dev", 2));
        for (String p : List.of(pa, pb)) awaitRequest(p, "staging", 2);

        // the survivor holds every partition and decided for both projects
        await().atMost(LONG).pollInterval(Duration.ofMillis(500)).until(() -> holds("a", 0) && holds("a", 1));
        for (String p : List.of(pa, pb)) {
            JsonNode staging = a.json("/api/v1/projects/" + p + "/stages/staging");
            assertEquals("1.0.0", staging.path("lastVerifiedFreight").get(0).path("artifacts").get(0).path("tag").asText(), staging.toString());
            assertEquals("1.1.0", tagOf(p, staging.path("running").path("freight").asText()), staging.toString());
        }
        // nothing lost, nothing issued twice: exactly one promotion per stage and freight, each sent once
        List<PromotionRequested> all = h.promotions.events(PromotionRequested.class);
        Set<String> ids = new HashSet<>();
        for (PromotionRequested r : all) assertTrue(ids.add(r.promotionId()), "issued twice: " + r.promotionId());
        for (String p : List.of(pa, pb)) {
            for (String s : List.of("dev", "staging")) {
                List<String> tags = h.requested(p, s).stream().map(r -> r.freight().artifacts().get(0).tag()).toList();
                assertEquals(List.of("1.0.0", "1.1.0"), tags, p + "/" + s);
            }
        }
        assertEquals(8, all.size());
    }

    private static String tagOf(String project, String freight) throws Exception {
        return a.json("/api/v1/projects/" + project + "/freight/" + freight).path("artifacts").get(0).path("tag").asText();
    }

    private static PromotionRequested awaitRequest(String project, String stage, int n) {
        await().atMost(LONG).until(() -> h.requested(project, stage).size() >= n);
        return h.requested(project, stage).get(n - 1);
    }

    /** Whether instance {@code name}'s consumers hold the partition of every input topic (and nobody else does). */
    private static boolean holds(String name, int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of("freightline-engine")).all()
                    .get(30, TimeUnit.SECONDS).get("freightline-engine");
            List<String> holders = new ArrayList<>();
            for (String topic : List.of(Topics.ARTIFACTS, Topics.COMMITS, Topics.VERIFICATIONS, Topics.COMMANDS)) {
                TopicPartition tp = new TopicPartition(topic, partition);
                for (MemberDescription m : g.members()) {
                    if (m.assignment().topicPartitions().contains(tp)) holders.add(m.clientId());
                }
            }
            // one Streams task per partition number reads that partition of all four input topics
            return holders.size() == 4 && holders.stream().allMatch(c -> c.startsWith("freightline-engine-" + name + "-"));
        }
    }
}
