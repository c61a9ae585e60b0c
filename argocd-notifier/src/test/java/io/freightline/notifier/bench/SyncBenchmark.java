package io.freightline.notifier.bench;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.Topics;
import io.freightline.events.VerificationCompleted;
import io.freightline.notifier.sim.FakeArgoCd;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.TestBroker;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Not part of the suite. Starts the embedded broker, the simulated Argo CD and the packaged notifier
 * ({@code target/quarkus-app/quarkus-run.jar}) as a separate process, then measures:
 * <ol>
 *   <li>commit event published → sync requested at Argo CD, one stage at a time (latency);</li>
 *   <li>N stages (default 500) committed at once, each walking pending → Running → Synced/Progressing → Healthy:
 *   Argo CD requests per second held, time until all are verified, and the notifier's /q/health/live latency
 *   during the load (thread starvation would show there).</li>
 * </ol>
 * Run: see argocd-notifier/README.md ("Benchmark").
 */
public final class SyncBenchmark {

    public static void main(String[] args) throws Exception {
        int stages = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int sequential = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String bootstrap = TestBroker.bootstrapServers();
        FakeArgoCd argocd = new FakeArgoCd();
        int port = 18083;
        Path log = Files.createTempFile("notifier-bench", ".log");
        Process notifier = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkafka.bootstrap.servers=" + bootstrap, "-Dquarkus.http.port=" + port,
                "-Dfreightline.notifier.argocd.url=" + argocd.url(),
                "-Dfreightline.notifier.argocd.token=" + FakeArgoCd.TOKEN,
                "-Dfreightline.notifier.verification.poll-interval=1S",
                "-Dmp.messaging.incoming.commits-in.group.id=bench-" + UUID.randomUUID(),
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            awaitReady(http, port);
            KafkaProbe.Recording verifications = probe.record(Topics.VERIFICATIONS);

            // 1. latency, one at a time
            List<Long> latencies = new ArrayList<>();
            List<Long> toFirstGet = new ArrayList<>();
            for (int i = 0; i < sequential; i++) {
                String app = "lat-" + i;
                argocd.app(app).authorizedStage = "bench:lat" + i;
                long t0 = System.nanoTime();
                probe.publish(Topics.COMMITS, "bench", commit("lat-" + i + "-" + UUID.randomUUID(), "lat" + i, app));
                long deadline = System.currentTimeMillis() + 30_000;
                List<FakeArgoCd.Recorded> syncs;
                while ((syncs = argocd.requests("POST", "/api/v1/applications/" + app + "/sync")).isEmpty()) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("no sync for " + app);
                    }
                    Thread.onSpinWait();
                }
                latencies.add((syncs.get(0).atNanos() - t0) / 1000);
                toFirstGet.add((argocd.requests("GET", "/api/v1/applications/" + app).get(0).atNanos() - t0) / 1000);
            }
            Collections.sort(latencies);
            Collections.sort(toFirstGet);
            System.out.printf("commit event -> sync requested (%d stages, one at a time): p50 %.1f ms, p90 %.1f ms,"
                    + " p99 %.1f ms, max %.1f ms%n", sequential, pct(latencies, 50), pct(latencies, 90),
                    pct(latencies, 99), latencies.get(latencies.size() - 1) / 1000.0);
            System.out.printf("  of which commit event -> first Argo CD request (Kafka hop + scheduling): p50 %.1f ms,"
                    + " p90 %.1f ms%n", pct(toFirstGet, 50), pct(toFirstGet, 90));

            // 2. N stages at once
            int before = argocd.requests().size();
            Map<String, Long> published = new ConcurrentHashMap<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < stages; i++) {
                argocd.app("load-" + i).authorizedStage = "bench:load" + i;
            }
            long start = System.nanoTime();
            for (int i = 0; i < stages; i++) {
                String pid = "load-" + i + "-" + UUID.randomUUID();
                ids.add(pid);
                published.put(pid, System.nanoTime());
                probe.publish(Topics.COMMITS, "bench", commit(pid, "load" + i, "load-" + i));
            }
            long publishedAll = System.nanoTime();
            List<Long> liveness = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 180_000;
            Map<String, VerificationCompleted> done = new HashMap<>();
            while (done.size() < stages && System.currentTimeMillis() < deadline) {
                long l0 = System.nanoTime();
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/live")).build(),
                        HttpResponse.BodyHandlers.discarding());
                liveness.add((System.nanoTime() - l0) / 1000);
                for (VerificationCompleted v : verifications.events(VerificationCompleted.class)) {
                    if (published.containsKey(v.promotionId())) {
                        done.put(v.promotionId(), v);
                    }
                }
                Thread.sleep(100);
            }
            long end = System.nanoTime();
            int requests = argocd.requests().size() - before;
            double seconds = (end - start) / 1e9;
            long verified = done.values().stream().filter(v -> v.outcome() == VerificationCompleted.Outcome.VERIFIED).count();
            List<Long> syncLatency = new ArrayList<>();
            for (int i = 0; i < stages; i++) {
                List<FakeArgoCd.Recorded> s = argocd.requests("POST", "/api/v1/applications/load-" + i + "/sync");
                if (!s.isEmpty()) {
                    syncLatency.add((s.get(0).atNanos() - published.get(ids.get(i))) / 1000);
                }
            }
            Collections.sort(syncLatency);
            Collections.sort(liveness);
            System.out.printf("%d stages at once: published in %.2f s; %d/%d VERIFIED in %.2f s; %d Argo CD requests,"
                            + " %.0f requests/s; commit -> sync requested p50 %.1f ms, p99 %.1f ms;"
                            + " /q/health/live during load p50 %.1f ms, max %.1f ms; swagger violations %d%n",
                    stages, (publishedAll - start) / 1e9, verified, stages, seconds, requests, requests / seconds,
                    pct(syncLatency, 50), pct(syncLatency, 99), pct(liveness, 50),
                    liveness.get(liveness.size() - 1) / 1000.0, argocd.violations().size());
        } finally {
            notifier.destroy();
            notifier.waitFor();
            argocd.close();
            System.out.println("notifier log: " + log);
        }
        System.exit(0);
    }

    private static PromotionCommitted commit(String promotionId, String stage, String app) {
        String sha = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "").substring(0, 40);
        return new PromotionCommitted(promotionId, "bench", stage, "f1", "https://git.example.com/bench.git", "main",
                PromotionCommitted.Outcome.PUSHED, sha, null, List.of(), null,
                new ArgoCDTarget(null, List.of(new ArgoCDTarget.App(app, "argocd", null, null)), null, 120L, null),
                null, Instant.now(), Instant.now());
    }

    private static void awaitReady(HttpClient http, int port) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("notifier not ready");
    }

    private static double pct(List<Long> sortedMicros, int p) {
        if (sortedMicros.isEmpty()) {
            return Double.NaN;
        }
        int i = Math.min(sortedMicros.size() - 1, (int) Math.ceil(p / 100.0 * sortedMicros.size()) - 1);
        return sortedMicros.get(Math.max(0, i)) / 1000.0;
    }
}
