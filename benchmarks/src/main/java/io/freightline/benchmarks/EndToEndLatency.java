package io.freightline.benchmarks;

import io.freightline.devstack.DevStack;
import io.freightline.devstack.RegistryPush;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.Topics;
import io.freightline.events.VerificationCompleted;
import io.freightline.testsupport.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Figure 1: registry webhook received → promotion commit pushed, for the auto-promoting dev stage and for staging
 * (after dev is verified), through the full four-service stack on the real broker. Closed loop: one artifact at
 * a time, so each figure is the latency of one promotion, not of a queue.
 *
 * <p>Every hop is timed from the Kafka timestamps of the events on the way (each service stamps its event when it
 * sends it), so the report also says where the time goes: watcher, engine, git-writer, notifier, and the Kafka
 * deliveries between them.
 *
 * <p>Usage: {@code EndToEndLatency [artifacts=1000] [warmup=50] [commit intervals, ms]}. With a comma-separated list
 * of {@code freightline.engine.commit-interval-ms} values the same run is repeated on a fresh stack for each and
 * printed side by side with the engine's exactly-once commits per second: the latency/transaction-rate trade-off.
 */
public final class EndToEndLatency {

    /** The hops of one artifact, in order; each is the time from the previous mark to this one. */
    static final List<String> MARKS = List.of(
            "webhook → artifact event (watcher)",
            "artifact event → dev promotion event (Kafka + engine)",
            "dev promotion event → dev commit event (Kafka + git-writer)",
            "dev commit event → dev verification event (Kafka + notifier)",
            "dev verification → staging promotion event (Kafka + engine)",
            "staging promotion event → staging commit event (Kafka + git-writer)");

    public static void main(String[] args) throws Exception {
        int artifacts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        List<Integer> intervals = new ArrayList<>();
        for (String ms : (args.length > 2 ? args[2] : "").split(",")) {
            if (!ms.isBlank()) {
                intervals.add(Integer.parseInt(ms.strip()));
            }
        }
        Path root = Path.of(System.getProperty("freightline.root", ".")).toAbsolutePath().normalize();
        if (intervals.isEmpty()) { // the engine's own default
            Run run = run(root, artifacts, warmup, Map.of());
            System.out.println(report(artifacts, Stats.of(run.dev()), Stats.of(run.staging())));
            System.out.println();
            System.out.println(breakdown(run.hops()));
            System.out.println();
            System.out.println(transactions(run));
            return;
        }
        // the exactly-once trade-off: one fresh stack per commit interval, the same closed loop on each
        List<String> rows = new ArrayList<>();
        for (int ms : intervals) {
            Run run = run(root, artifacts, warmup, Map.of("freightline.engine.commit-interval-ms", Integer.toString(ms)));
            Stats dev = Stats.of(run.dev());
            Stats staging = Stats.of(run.staging());
            String row = String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %s |",
                    ms, dev.median(), dev.percentile(99), staging.median(), staging.percentile(99),
                    run.artifactsPerSecond(), fmt(run.commitsPerSecond()), fmt(run.commitsPerArtifact()));
            System.out.println(row); // as soon as it is known: a long sweep shows progress
            rows.add(row);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, """
                | commit-interval-ms (%d artifacts, one at a time) | dev p50 ms | dev p99 ms | staging p50 ms | staging p99 ms | artifacts/s | engine commits/s | engine commits per artifact |
                |---|---|---|---|---|---|---|---|
                %s
                """, artifacts, String.join("\n", rows));
    }

    /** One closed-loop run on a fresh stack: latencies of the measured artifacts and the engine's commit count. */
    record Run(List<Double> dev, List<Double> staging, Map<String, List<Double>> hops, double seconds,
               double engineCommits) {
        double artifactsPerSecond() {
            return dev.size() / seconds;
        }

        double commitsPerSecond() {
            return engineCommits / seconds;
        }

        double commitsPerArtifact() {
            return engineCommits / dev.size();
        }
    }

    static Run run(Path root, int artifacts, int warmup, Map<String, String> engineProperties) throws Exception {
        Path home = Files.createTempDirectory("freightline-bench-e2e-");
        try (DevStack stack = DevStack.start(DevStack.Settings.forTest(root, home), 1, engineProperties);
             KafkaProbe probe = new KafkaProbe(stack.bootstrapServers())) {
            Feed<ArtifactDiscovered> found = new Feed<>(probe.record(Topics.ARTIFACTS), ArtifactDiscovered.class);
            Feed<PromotionRequested> promotions = new Feed<>(probe.record(Topics.PROMOTIONS), PromotionRequested.class);
            Feed<PromotionCommitted> commits = new Feed<>(probe.record(Topics.COMMITS), PromotionCommitted.class);
            Feed<VerificationCompleted> verified = new Feed<>(probe.record(Topics.VERIFICATIONS), VerificationCompleted.class);
            HttpClient http = HttpClient.newHttpClient();
            String url = stack.url(DevStack.WATCHER) + "/webhooks/distribution";
            String metrics = stack.url(DevStack.ENGINE) + "/q/metrics";
            List<Double> dev = new ArrayList<>();
            List<Double> staging = new ArrayList<>();
            Map<String, List<Double>> hops = new LinkedHashMap<>();
            MARKS.forEach(m -> hops.put(m, new ArrayList<>()));
            double commitsBefore = 0;
            long t0 = 0;
            for (int i = 0; i < warmup + artifacts; i++) {
                if (i == warmup) {
                    commitsBefore = engineCommits(http, metrics);
                    t0 = System.nanoTime();
                }
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
                int n = i + 1;
                long[] at = {
                        sent,
                        found.awaitNth(e -> tag.equals(e.artifact().tag()), 1),
                        promotions.awaitNth(p -> "dev".equals(p.stage()), n),
                        commits.awaitNth(c -> "dev".equals(c.stage()) && c.outcome() == PromotionCommitted.Outcome.PUSHED, n),
                        verified.awaitNth(v -> "dev".equals(v.stage()), n),
                        promotions.awaitNth(p -> "staging".equals(p.stage()), n),
                        commits.awaitNth(c -> "staging".equals(c.stage()) && c.outcome() == PromotionCommitted.Outcome.PUSHED, n)};
                if (i >= warmup) {
                    dev.add((double) (at[3] - sent));
                    staging.add((double) (at[6] - sent));
                    for (int h = 0; h < MARKS.size(); h++) {
                        hops.get(MARKS.get(h)).add((double) (at[h + 1] - at[h]));
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Run(dev, staging, hops, seconds, engineCommits(http, metrics) - commitsBefore);
        }
    }

    /**
     * The engine's Kafka Streams commits so far ({@code kafka_stream_thread_commit_total} on /q/metrics, summed over
     * its stream threads): with exactly_once_v2 each is one transaction commit. NaN when the engine does not export it.
     */
    static double engineCommits(HttpClient http, String metricsURL) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metricsURL)).build(),
                HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        boolean found = false;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("kafka_stream_thread_commit_total")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    static String transactions(Run run) {
        return String.format(Locale.ROOT, "%d artifacts in %.1f s (%.1f/s); engine exactly-once commits: %s/s, %s per artifact",
                run.dev().size(), run.seconds(), run.artifactsPerSecond(), fmt(run.commitsPerSecond()),
                fmt(run.commitsPerArtifact()));
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    /**
     * The events of one type on a recorded topic, decoded once each, in order. Waiting scans only what arrived
     * since the last look, so the driver stays off the two cores the stack runs on.
     */
    static final class Feed<T> {
        private final KafkaProbe.Recording recording;
        private final Class<T> type;
        private final String ceType;
        private final List<T> events = new ArrayList<>();
        private final List<Long> timestamps = new ArrayList<>();
        private int read;

        Feed(KafkaProbe.Recording recording, Class<T> type) {
            this.recording = recording;
            this.type = type;
            this.ceType = EventTypes.typeOf(type);
        }

        /** The Kafka timestamp of the n-th event matching the filter, waiting up to 60 s for it. */
        long awaitNth(Predicate<T> filter, int n) throws InterruptedException {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                List<ConsumerRecord<String, String>> records = recording.records();
                for (; read < records.size(); read++) {
                    ConsumerRecord<String, String> r = records.get(read);
                    Header h = r.headers().lastHeader(CloudEventHeaders.TYPE);
                    if (h != null && ceType.equals(new String(h.value(), StandardCharsets.UTF_8))) {
                        events.add(EventCodec.decode(ceType, r.value(), type));
                        timestamps.add(r.timestamp());
                    }
                }
                int seen = 0;
                for (int i = 0; i < events.size(); i++) {
                    if (filter.test(events.get(i)) && ++seen == n) {
                        return timestamps.get(i);
                    }
                }
                Thread.sleep(1);
            }
            throw new IllegalStateException("no event #" + n + " on " + recording.topic() + " within 60 s");
        }
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

    static String breakdown(Map<String, List<Double>> hops) {
        StringBuilder out = new StringBuilder("""
                | hop (Kafka timestamps of each event) | p50 ms | p90 ms | p99 ms | max ms |
                |---|---|---|---|---|
                """);
        hops.forEach((hop, values) -> {
            Stats s = Stats.of(values);
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.0f |%n",
                    hop, s.median(), s.percentile(90), s.percentile(99), s.max()));
        });
        return out.toString().stripTrailing();
    }

    private EndToEndLatency() {
    }
}
