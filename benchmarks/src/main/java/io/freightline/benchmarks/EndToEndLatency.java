package io.freightline.benchmarks;

import io.freightline.devstack.DevStack;
import io.freightline.devstack.RegistryPush;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.Topics;
import io.freightline.testsupport.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Figure 1: registry webhook received → promotion commit pushed, for the auto-promoting dev stage and for staging
 * (after dev is verified), through the full four-service stack on the real broker. Closed loop: one artifact at
 * a time, so each figure is the latency of one promotion, not of a queue.
 *
 * <p>Usage: {@code EndToEndLatency [artifacts=1000] [warmup=50]}. The pushed-at time is the Kafka timestamp of
 * the git-writer's commit event, which it sends right after the push returns.
 */
public final class EndToEndLatency {

    public static void main(String[] args) throws Exception {
        int artifacts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path root = Path.of(System.getProperty("freightline.root", ".")).toAbsolutePath().normalize();
        Path home = Files.createTempDirectory("freightline-bench-e2e-");
        try (DevStack stack = DevStack.start(DevStack.Settings.forTest(root, home));
             KafkaProbe probe = new KafkaProbe(stack.bootstrapServers())) {
            KafkaProbe.Recording commits = probe.record(Topics.COMMITS);
            HttpClient http = HttpClient.newHttpClient();
            String url = stack.url(DevStack.WATCHER) + "/webhooks/distribution";
            List<Double> dev = new ArrayList<>();
            List<Double> staging = new ArrayList<>();
            for (int i = 0; i < warmup + artifacts; i++) {
                String tag = "2." + (i / 1000) + "." + (i % 1000);
                HttpRequest push = HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + stack.webhookSecret())
                        .header("Content-Type", RegistryPush.MEDIA_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofString(RegistryPush.envelope("127.0.0.1:5000", "demo/app", tag)))
                        .build();
                long sent = System.currentTimeMillis();
                HttpResponse<String> response = http.send(push, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 202) {
                    throw new IllegalStateException("webhook answered " + response.statusCode() + ": " + response.body());
                }
                long devAt = awaitCommit(commits, "dev", i + 1);
                long stagingAt = awaitCommit(commits, "staging", i + 1);
                if (i >= warmup) {
                    dev.add((double) (devAt - sent));
                    staging.add((double) (stagingAt - sent));
                }
            }
            System.out.println(report(artifacts, Stats.of(dev), Stats.of(staging)));
        }
    }

    /** The Kafka timestamp of the n-th pushed commit event of a stage, waiting up to 60 s for it. */
    static long awaitCommit(KafkaProbe.Recording commits, String stage, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, String>> records = commits.records();
            int seen = 0;
            for (ConsumerRecord<String, String> r : records) {
                PromotionCommitted c = io.freightline.events.EventCodec.decode(
                        io.freightline.events.EventTypes.PROMOTION_COMMITTED, r.value(), PromotionCommitted.class);
                if (stage.equals(c.stage()) && c.outcome() == PromotionCommitted.Outcome.PUSHED && ++seen == n) {
                    return r.timestamp();
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("no pushed commit #" + n + " for " + stage + " within 60 s");
    }

    static String report(int n, Stats dev, Stats staging) {
        return String.format(Locale.ROOT, """
                | path (%d artifacts, one at a time) | p50 ms | p90 ms | p99 ms | max ms |
                |---|---|---|---|---|
                | webhook → dev commit pushed | %.0f | %.0f | %.0f | %.0f |
                | webhook → staging commit pushed (after dev verified) | %.0f | %.0f | %.0f | %.0f |""",
                n, dev.median(), dev.percentile(90), dev.percentile(99), dev.max(),
                staging.median(), staging.percentile(90), staging.percentile(99), staging.max());
    }

    private EndToEndLatency() {
    }
}
