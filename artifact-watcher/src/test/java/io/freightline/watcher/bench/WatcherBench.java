package io.freightline.watcher.bench;

import com.sun.net.httpserver.HttpServer;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.EventCodec;
import io.freightline.events.Subscription;
import io.freightline.events.Topics;
import io.freightline.events.WarehouseUpdated;
import io.freightline.testsupport.EmbeddedKafkaBroker;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.TestBroker;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test. Starts a broker, the packaged watcher as a process, and a fake 5,000-tag registry, then prints:
 * webhook → artifact event latency p50/p99 over 1,000 pushes, and the calls and time of the first and second
 * poll of the 5,000-tag repository. Run (after {@code package}):
 * <pre>
 * ./mvnw -o -q -pl artifact-watcher test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.freightline.watcher.bench.WatcherBench
 * </pre>
 */
public final class WatcherBench {
    static final String SECRET = "bench-secret";

    public static void main(String[] args) throws Exception {
        int pushes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int tags = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0, Files.createTempDirectory("bench-kafka-"), true);
        TestBroker.createTopics(broker.bootstrapServers(), 2);
        Registry registry = new Registry(tags);
        int port = io.freightline.testsupport.Ports.freePort();
        File jar = new File("artifact-watcher/target/quarkus-app/quarkus-run.jar");
        if (!jar.exists()) jar = new File("target/quarkus-app/quarkus-run.jar");
        Process watcher = new ProcessBuilder("java", "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.log.level=WARN", "-Dfreightline.watcher.poll.min-interval=PT1S",
                "-Dfreightline.watcher.poll.rate-limit-per-second=1000", "-Dfreightline.watcher.webhook-secret=" + SECRET,
                "-jar", jar.getAbsolutePath()).inheritIO().start();
        HttpClient http = HttpClient.newHttpClient();
        try (KafkaProbe probe = new KafkaProbe(broker.bootstrapServers())) {
            KafkaProbe.Recording artifacts = probe.record(Topics.ARTIFACTS);
            publish(probe, "bench", "hook", 0, new Subscription("app", ArtifactKind.IMAGE, "127.0.0.1:5000/bench/app", null,
                    "SemVer", null, null, null, null, 20, null, null, null, "webhook"));
            awaitReady(http, port);
            // warm-up until the spec is followed
            while (!post(http, port, push("0.0.1")).contains("\"matched\":1")) Thread.sleep(100);

            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < pushes; i++) {
                String tag = "1." + i + ".0";
                int before = artifacts.records().size();
                long t0 = System.nanoTime();
                post(http, port, push(tag));
                while (artifacts.records().size() <= before) Thread.onSpinWait();
                latencies.add(System.nanoTime() - t0);
            }
            Collections.sort(latencies);
            System.out.printf("webhook -> artifact event over %d pushes: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", pushes,
                    latencies.get(pushes / 2) / 1e6, latencies.get(Math.min(pushes - 1, (int) Math.ceil(pushes * 0.99) - 1)) / 1e6,
                    latencies.get(pushes - 1) / 1e6);

            // a 5,000-tag repository, polled every second
            int before = artifacts.events(ArtifactDiscovered.class).size();
            long start = System.nanoTime();
            publish(probe, "bench", "poll", 1, new Subscription("big", ArtifactKind.IMAGE, "127.0.0.1:" + registry.port() + "/big/app", null,
                    "SemVer", null, null, null, null, 20, null, null, null, null));
            while (artifacts.events(ArtifactDiscovered.class).size() < before + 20) Thread.sleep(5);
            long toEvents = System.nanoTime() - start;
            Registry.Poll first = registry.polls.get(0);
            while (registry.polls.size() < 2 || registry.polls.get(1).calls.get() < first.tagCalls()) Thread.sleep(20);
            Thread.sleep(300); // let the second poll finish its calls, if it made any beyond tags/list
            Registry.Poll second = registry.polls.get(1);
            System.out.printf("first poll of " + tags + " tags: %d calls (%d tags/list pages, %d manifest HEADs), %.1f ms in the registry, %.1f ms spec -> 20 events%n",
                    first.calls.get(), first.tagCalls(), first.calls.get() - first.tagCalls(), first.millis(), toEvents / 1e6);
            System.out.printf("second poll: %d calls, %.1f ms in the registry, new events: %d%n", second.calls.get(), second.millis(),
                    artifacts.events(ArtifactDiscovered.class).size() - before - 20);
        } finally {
            watcher.destroy();
            watcher.waitFor();
            registry.server.stop(0);
            broker.close();
        }
        System.exit(0);
    }

    static void publish(KafkaProbe probe, String project, String warehouse, long interval, Subscription s) {
        WarehouseUpdated w = new WarehouseUpdated(project, warehouse, interval, List.of(s), 1, Instant.now());
        probe.publish(Topics.WAREHOUSES, w.key(), w);
    }

    static String push(String tag) {
        return """
                {"events":[{"id":"%s","timestamp":"2026-01-01T00:00:00Z","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","repository":"bench/app","tag":"%s"},"request":{"host":"127.0.0.1:5000","method":"PUT"}}]}
                """.formatted("ev-" + tag, "0".repeat(64), tag);
    }

    static String post(HttpClient http, int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/distribution"))
                .header("Authorization", "Bearer " + SECRET)
                .header("Content-Type", "application/vnd.docker.distribution.events.v2+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static void awaitReady(HttpClient http, int port) throws Exception {
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (java.io.IOException ignored) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("watcher not ready");
    }


    /** A registry with n tags, pages of at most 1000 with a Link header; counts calls per poll (a poll starts at page 1). */
    static final class Registry {
        final HttpServer server;
        final List<String> tags = new ArrayList<>();
        final List<Poll> polls = Collections.synchronizedList(new ArrayList<>());

        static final class Poll {
            final AtomicInteger calls = new AtomicInteger();
            final AtomicInteger tagCalls = new AtomicInteger();
            final long start = System.nanoTime();
            final AtomicLong end = new AtomicLong(start);

            int tagCalls() {
                return tagCalls.get();
            }

            double millis() {
                return (end.get() - start) / 1e6;
            }
        }

        Registry(int n) throws Exception {
            for (int i = 0; i < n; i++) tags.add("1." + (i / 100) + "." + (i % 100));
            tags.sort(null);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v2/", ex -> {
                String path = ex.getRequestURI().getPath();
                String query = ex.getRequestURI().getRawQuery();
                byte[] body = new byte[0];
                if (path.endsWith("/tags/list")) {
                    String last = query != null && query.contains("last=") ? query.replaceAll(".*last=([^&]*).*", "$1") : null;
                    if (last == null) polls.add(new Poll());
                    int from = last == null ? 0 : tags.indexOf(last) + 1;
                    int to = Math.min(tags.size(), from + 1000);
                    List<String> page = tags.subList(from, to);
                    body = EventCodec.toJson(java.util.Map.of("name", "big/app", "tags", page)).getBytes(StandardCharsets.UTF_8);
                    if (to < tags.size()) {
                        ex.getResponseHeaders().add("Link", "</v2/big/app/tags/list?last=" + page.get(page.size() - 1) + "&n=1000>; rel=\"next\"");
                    }
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    current().tagCalls.incrementAndGet();
                } else {
                    ex.getResponseHeaders().add("Docker-Content-Digest", "sha256:" + "c".repeat(64));
                    ex.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                }
                Poll p = current();
                p.calls.incrementAndGet();
                ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
                if (!ex.getRequestMethod().equals("HEAD")) ex.getResponseBody().write(body);
                ex.close();
                p.end.set(System.nanoTime());
            });
            server.start();
        }

        Poll current() {
            return polls.get(polls.size() - 1);
        }

        int port() {
            return server.getAddress().getPort();
        }
    }
}
