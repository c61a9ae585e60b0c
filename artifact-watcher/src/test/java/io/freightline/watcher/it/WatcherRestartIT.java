package io.freightline.watcher.it;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.Subscription;
import io.freightline.events.Topics;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged watcher ({@code target/quarkus-app/quarkus-run.jar}) as a child process on the shared test broker,
 * killed with SIGKILL in the middle of a scan and started again (as another instance): every version is emitted
 * exactly once, and a webhook delivery handled before the kill is recognised as a replay after it.
 * <p>
 * The registry (WireMock) serves a fast repository (10 tags) and a slow one (40 tags in pages of 5) whose third
 * page stalls until the first watcher is killed, so the kill lands mid-scan by construction, not by timing.
 */
class WatcherRestartIT {
    static final String PROJECT = "restart-it";
    static final int FAST_TAGS = 10, SLOW_TAGS = 40, PAGE = 5;
    static WireMockServer registry;
    static String host;
    static Path logs;
    static final List<Process> started = new ArrayList<>();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        registry = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(20));
        registry.start();
        host = "127.0.0.1:" + registry.port();
        stubRepository("restart/fast", tags(FAST_TAGS));
        stubRepository("restart/slow", tags(SLOW_TAGS));
        // phase 1: the third page of the slow repository answers only after the watcher is long dead
        registry.stubFor(get(urlEqualTo(pageUrl("restart/slow", tags(SLOW_TAGS), 2))).atPriority(1)
                .willReturn(aResponse().withFixedDelay(30_000).withBody("{\"tags\":[]}")));
        logs = Path.of("target", "restart-it");
        Files.createDirectories(logs);
    }

    @AfterAll
    static void stop() {
        started.forEach(Process::destroyForcibly);
        if (registry != null) registry.stop();
    }

    @Test
    void killedMidScanAndRestartedEmitsEveryVersionExactlyOnce() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Fixtures.warehouse(PROJECT, "fast", 1, sub("fast", host + "/restart/fast", FAST_TAGS, null));
        Fixtures.warehouse(PROJECT, "slow", 1, sub("slow", host + "/restart/slow", SLOW_TAGS, null));
        Fixtures.warehouse(PROJECT, "hooked", 0, sub("hooked", "127.0.0.1:5999/restart/hooked", 20, "webhook"));

        int port1 = io.freightline.testsupport.Ports.freePort();
        Process first = startWatcher("restart-it-1", port1);
        awaitReady(first, port1);
        String delivery = Fixtures.distributionPush("127.0.0.1:5999", "restart/hooked", "1.0.0",
                "application/vnd.oci.image.manifest.v1+json");
        // ready = the specs published before the start were read, so the first POST already matches
        HttpResponse<String> accepted = post(port1, delivery);
        assertTrue(accepted.body().contains("\"emitted\":1"), accepted.body());

        // the fast repository is done and the slow scan waits on its stalled third page: kill -9 now
        await().atMost(Duration.ofSeconds(90)).until(() -> events(artifacts, "fast").size() == FAST_TAGS
                && requests(pageUrl("restart/slow", tags(SLOW_TAGS), 2)) >= 1);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no transaction abort, no flush
        first.waitFor();
        assertEquals(List.of(), events(artifacts, "slow"), "nothing of the interrupted scan was emitted");
        assertEquals(0, requests(pageUrl("restart/slow", tags(SLOW_TAGS), 3)), "the kill landed mid-scan");

        // phase 2: the registry answers again; another instance (new process, new transactional id) takes over
        registry.stubFor(get(urlEqualTo(pageUrl("restart/slow", tags(SLOW_TAGS), 2))).atPriority(1)
                .willReturn(page("restart/slow", tags(SLOW_TAGS), 2)));
        int port2 = io.freightline.testsupport.Ports.freePort();
        Process second = startWatcher("restart-it-2", port2);
        awaitReady(second, port2);
        // a delivery handled by the killed instance is a replay for the new one: it answers without re-doing it
        HttpResponse<String> replay = post(port2, delivery);
        assertEquals(202, replay.statusCode());
        assertTrue(replay.body().contains("\"outcome\":\"replayed\""), replay.body());
        assertTrue(post(port2, Fixtures.distributionPush("127.0.0.1:5999", "restart/hooked", "1.1.0",
                "application/vnd.oci.image.manifest.v1+json")).body().contains("\"emitted\":1"));

        await().atMost(Duration.ofSeconds(120)).until(() -> events(artifacts, "slow").size() >= SLOW_TAGS);
        // two more complete scans of the slow repository (and so of the fast one) find nothing new
        int firstPages = requests(pageUrl("restart/slow", tags(SLOW_TAGS), 0));
        await().atMost(Duration.ofSeconds(120)).until(() -> requests(pageUrl("restart/slow", tags(SLOW_TAGS), 7)) >= 2
                && requests(pageUrl("restart/slow", tags(SLOW_TAGS), 0)) >= firstPages + 2);

        assertExactlyOnce(events(artifacts, "fast"), tags(FAST_TAGS));
        assertExactlyOnce(events(artifacts, "slow"), tags(SLOW_TAGS));
        assertExactlyOnce(events(artifacts, "hooked"), List.of("1.0.0", "1.1.0"));
        events(artifacts, "slow").forEach(a -> assertEquals(digest(a.artifact().tag()), a.artifact().digest()));
        second.destroy();
        second.waitFor();
    }

    static void assertExactlyOnce(List<ArtifactDiscovered> events, List<String> expected) {
        Map<String, Long> counts = events.stream().collect(Collectors.groupingBy(a -> a.artifact().tag(), TreeMap::new, Collectors.counting()));
        Map<String, Long> once = expected.stream().collect(Collectors.toMap(Function.identity(), t -> 1L, (a, b) -> a, TreeMap::new));
        assertEquals(once, counts);
    }

    static List<ArtifactDiscovered> events(KafkaProbe.Recording artifacts, String warehouse) {
        return artifacts.events(ArtifactDiscovered.class, a -> a.project().equals(PROJECT) && a.warehouse().equals(warehouse));
    }

    static Subscription sub(String name, String repoURL, int limit, String discovery) {
        return new Subscription(name, ArtifactKind.IMAGE, repoURL, null, "SemVer", null, null, null, null, limit,
                null, null, null, discovery);
    }

    static List<String> tags(int n) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < n; i++) tags.add("1." + i + ".0");
        return tags;
    }

    /** The URL of page {@code p}: the first is {@code ?n=5}, the next ones what the previous Link said. */
    static String pageUrl(String repo, List<String> tags, int p) {
        return "/v2/" + repo + "/tags/list?n=" + PAGE + (p == 0 ? "" : "&last=" + tags.get(p * PAGE - 1));
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder page(String repo, List<String> tags, int p) {
        List<String> slice = tags.subList(p * PAGE, Math.min(tags.size(), (p + 1) * PAGE));
        var response = aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"name\":\"" + repo + "\",\"tags\":[" + slice.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(",")) + "]}");
        if ((p + 1) * PAGE < tags.size()) {
            response.withHeader("Link", "<" + pageUrl(repo, tags, p + 1) + ">; rel=\"next\"");
        }
        return response;
    }

    /** Pages with Link headers, an empty page after the last full one, and a HEAD per tag with its digest. */
    static void stubRepository(String repo, List<String> tags) {
        for (int p = 0; p * PAGE < tags.size(); p++) {
            registry.stubFor(get(urlEqualTo(pageUrl(repo, tags, p))).atPriority(5).willReturn(page(repo, tags, p)));
        }
        registry.stubFor(get(urlPathEqualTo("/v2/" + repo + "/tags/list")).atPriority(10)
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"tags\":[]}")));
        for (String tag : tags) {
            registry.stubFor(head(urlEqualTo("/v2/" + repo + "/manifests/" + tag))
                    .willReturn(aResponse().withHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                            .withHeader("Docker-Content-Digest", digest(tag))));
        }
    }

    static String digest(String tag) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tag.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int requests(String url) {
        return registry.countRequestsMatching(getRequestedFor(urlEqualTo(url)).build()).getCount();
    }

    static Process startWatcher(String instanceId, int port) throws IOException {
        return startWatcher(logs, instanceId, port, "-Dfreightline.watcher.instance-id=" + instanceId);
    }

    /** The packaged watcher on the test broker, its output in {@code logDir/<name>.log}, with extra -D settings. */
    static Process startWatcher(Path logDir, String name, int port, String... settings) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.exists(jar), jar + " missing: run the IT through `verify`, after `package`");
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dkafka.bootstrap.servers=" + TestBroker.bootstrapServers(),
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dfreightline.watcher.webhook-secret=" + Fixtures.SECRET,
                "-Dfreightline.watcher.poll.min-interval=PT1S",
                "-Dfreightline.watcher.poll.page-size=" + PAGE, "-Dfreightline.watcher.poll.rate-limit-per-second=1000",
                "-Dfreightline.watcher.poll.backoff=PT0.05S", "-Dfreightline.watcher.poll.http-timeout=PT60S"));
        command.addAll(List.of(settings));
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        started.add(p);
        return p;
    }

    static void awaitReady(Process p, int port) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertTrue(p.isAlive(), "the watcher exited, see target/restart-it/*.log");
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    static HttpResponse<String> post(int port, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/distribution"))
                .header("Authorization", "Bearer " + Fixtures.SECRET)
                .header("Content-Type", "application/vnd.docker.distribution.events.v2+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
