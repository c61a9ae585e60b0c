package io.freightline.reliability;

import io.freightline.devstack.DevStack;
import io.freightline.devstack.RegistryPush;
import io.freightline.events.ArgoCDTarget;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.CommandIssued;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.FreightRef;
import io.freightline.events.GitTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.events.Topics;
import io.freightline.events.VerificationCompleted;
import io.freightline.events.WarehouseUpdated;
import io.freightline.testsupport.Contracts;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * Bad input against a running stack: webhook deliveries that must be refused, poison records on every input topic,
 * invalid manifests, and repository content that must not be touched.
 *
 * <pre>java -cp 'reliability/target/reliability-0.1.0-SNAPSHOT.jar:reliability/target/lib/*' \
 *   io.freightline.reliability.BadInputCampaign 10000</pre>
 */
public final class BadInputCampaign {
    /** Every webhook endpoint of the artifact-watcher. */
    public static final List<String> ENDPOINTS = List.of("distribution", "github", "gitea", "gitlab", "harbor", "dockerhub", "quay");
    /** Input topics: each has a consumer that must dead-letter poison and keep going. */
    public static final List<String> INPUT_TOPICS = List.of(Topics.ARTIFACTS, Topics.COMMANDS, Topics.PROMOTIONS,
            Topics.COMMITS, Topics.VERIFICATIONS, Topics.WAREHOUSES);
    static final Pattern STACK_LINE = Pattern.compile("(?m)^\\s+at [\\w$.<>/]+\\(.*\\)\\s*$");
    static final Pattern ERROR_LINE = Pattern.compile("(?m)^.{0,40}\\bERROR\\b.*$");

    /**
     * @param perEndpoint webhook deliveries per endpoint
     * @param hugePerEndpoint at most this many of them are over 1 MiB (the rest of that category is deeply nested)
     */
    public record Options(int perEndpoint, int hugePerEndpoint, long seed) {
        public static Options ci() {
            return new Options(240, 6, 42);
        }
    }

    enum Category {
        NO_AUTH, WRONG_SIGNATURE, TAMPERED, TRUNCATED, MALFORMED, HUGE, NESTED, WRONG_CONTENT_TYPE, UNKNOWN_REPO,
        REPLAY, EMPTY, INVALID_UTF8;

        /** Whether a 2xx (ignored, replayed) is a correct answer: the sender was authenticated and the payload harmless. */
        boolean mayBeIgnored() {
            return this == WRONG_CONTENT_TYPE || this == UNKNOWN_REPO || this == REPLAY || this == INVALID_UTF8;
        }

        /** Deliveries whose authentication is wrong: only 401/403/404 will do. */
        boolean unauthenticated(String endpoint) {
            return this == NO_AUTH || this == WRONG_SIGNATURE || (this == TAMPERED && signsBody(endpoint));
        }
    }

    private final Harness h;
    private final Options o;
    private final Report report = new Report("bad-input");
    private final Random random;
    private final String secret;

    public BadInputCampaign(Harness h, Options o) {
        this.h = h;
        this.o = o;
        this.random = new Random(o.seed());
        this.secret = h.stack.webhookSecret();
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Options o = new Options(n, Math.max(5, n / 100), args.length > 1 ? Long.parseLong(args[1]) : 42);
        Path home = Files.createTempDirectory("freightline-badinput-");
        Report r;
        try (Harness h = Harness.start(home.resolve("demo"), true)) {
            r = new BadInputCampaign(h, o).run();
        }
        System.out.println(r.summary());
        System.out.println("state and logs kept in " + home);
        System.exit(r.violations().isEmpty() ? 0 : 1);
    }

    public Report run() throws Exception {
        report.line("seed %d, %d deliveries per webhook endpoint", o.seed(), o.perEndpoint());
        settleFirstPromotion();
        webhooks();
        manifests();
        poison();
        repositoryContent();
        return report;
    }

    public Report report() {
        return report;
    }

    // ---------------------------------------------------------------------------------------------------------
    // setup

    /** One real artifact through dev and staging first, so later checks see a working pipeline. */
    void settleFirstPromotion() {
        pushKnown("7.0.0");
        await("7.0.0 promoted to staging").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> "7.0.0".equals(h.repo.newTag("envs/staging")));
    }

    /** A registry push the watcher must accept: retried until an artifact event for the tag is out. */
    void pushKnown(String tag) {
        Map<Integer, Long> from = endOffsets(Topics.ARTIFACTS);
        await("artifact event for " + tag).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(3)).until(() -> {
            Http.Reply r = h.pushOnce(tag);
            if (!r.is2xx()) {
                return false;
            }
            return artifactEventsSince(from).stream().anyMatch(a -> tag.equals(a.artifact().tag()));
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // webhooks

    record Delivery(String endpoint, Category category, String path, String contentType, byte[] body, Map<String, String> headers) {
    }

    void webhooks() throws Exception {
        String log0 = h.logs(DevStack.WATCHER);
        Map<Integer, Long> from = endOffsets(Topics.ARTIFACTS);
        Map<String, Long> statuses = new ConcurrentHashMap<>();
        List<Delivery> all = new ArrayList<>();
        for (String endpoint : ENDPOINTS) {
            int huge = 0;
            for (int i = 0; i < o.perEndpoint(); i++) {
                Category c = Category.values()[i % Category.values().length];
                if (c == Category.HUGE && huge++ >= o.hugePerEndpoint()) {
                    c = Category.NESTED;
                }
                all.add(delivery(endpoint, c, i));
            }
        }
        // the valid delivery that replays resend for distribution: a known push, which emitted already
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (Delivery d : all) {
            futures.add(pool.submit(() -> send(d, statuses)));
        }
        for (Future<?> f : futures) {
            f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        report.figure("webhook deliveries tried", all.size());
        report.figure("webhook deliveries per endpoint", o.perEndpoint());
        report.figure("webhook campaign duration ms", ms);
        report.figure("webhook answers by endpoint/category/status", new TreeMap<>(statuses));

        // still healthy: ready, live, and a fresh valid push goes through
        for (String probe : List.of("/q/health/ready", "/q/health/live")) {
            Http.Reply r = Http.get(h.stack.url(DevStack.WATCHER) + probe, null);
            if (r.status() != 200) {
                report.violation("watcher %s after the webhook campaign: %s", probe, r);
            }
        }
        pushKnown("7.0.1");
        List<ArtifactDiscovered> events = artifactEventsSince(from);
        long leaked = events.stream().filter(e -> !"7.0.1".equals(e.artifact().tag())).count();
        report.figure("artifact events emitted for refused/ignored deliveries (leaked)", leaked);
        if (leaked > 0) {
            report.violation("%d artifact events emitted for deliveries that should have emitted nothing: %s", leaked,
                    events.stream().map(e -> e.artifact().canonical()).distinct().limit(10).toList());
        }
        String log = h.logs(DevStack.WATCHER);
        String slice = log.length() > log0.length() ? log.substring(log0.length()) : log;
        long stackLines = STACK_LINE.matcher(slice).results().count();
        long errorLines = ERROR_LINE.matcher(slice).results().count();
        report.figure("watcher log: stack-trace lines during webhook campaign", stackLines);
        report.figure("watcher log: ERROR lines during webhook campaign", errorLines);
        if (stackLines > 0) {
            report.violation("watcher logged %d stack-trace lines for client errors; first: %s", stackLines,
                    firstMatch(slice, STACK_LINE));
        }
        Http.Reply metrics = Http.get(h.stack.url(DevStack.WATCHER) + "/q/metrics", null);
        if (metrics.body() != null) {
            metrics.body().lines().filter(l -> l.startsWith("freightline_webhook_deliveries_total"))
                    .forEach(l -> report.line("metric %s", l));
        }
    }

    private static String firstMatch(String text, Pattern p) {
        var m = p.matcher(text);
        if (!m.find()) {
            return "";
        }
        int start = text.lastIndexOf('\n', Math.max(0, m.start() - 2));
        int lineStart = text.lastIndexOf('\n', Math.max(0, start - 1));
        return text.substring(Math.max(0, lineStart), Math.min(text.length(), m.end())).trim();
    }

    private void send(Delivery d, Map<String, Long> statuses) {
        Http.Reply r = Http.send("POST", h.stack.url(DevStack.WATCHER) + d.path(), null, d.contentType(), d.body(), d.headers());
        statuses.merge(d.endpoint() + "/" + d.category() + "/" + r.status(), 1L, Long::sum);
        report.add("webhook answers " + (r.status() / 100) + "xx", 1);
        boolean ok;
        if (d.category().unauthenticated(d.endpoint())) {
            ok = r.status() == 401 || r.status() == 403 || r.status() == 404;
        } else if (d.category().mayBeIgnored() || d.category() == Category.TAMPERED) {
            // authenticated (a static secret does not cover the body): ignoring it is as good as refusing it
            ok = r.is4xx() || r.status() == 202 || r.status() == 200;
        } else if (d.category() == Category.MALFORMED) {
            // some of these are valid JSON of the wrong shape: "ignored" is an acceptable answer
            ok = r.is4xx() || (r.status() == 202 && "ignored".equals(r.json().path("outcome").asText()));
        } else {
            ok = r.is4xx();
        }
        if (!ok) {
            report.add("webhook deliveries answered wrongly", 1);
            if (report.count("webhook deliveries answered wrongly") <= 20) {
                report.violation("webhook %s %s (%d bytes) answered %s", d.endpoint(), d.category(), d.body().length, r);
            }
        } else if (r.is2xx() && r.json().path("emitted").asInt(0) > 0) {
            report.violation("webhook %s %s answered %s: emitted something", d.endpoint(), d.category(), r);
        } else {
            report.add("webhook deliveries rejected or ignored correctly", 1);
        }
    }

    /** A generated delivery of one category for one endpoint. */
    Delivery delivery(String endpoint, Category c, int i) {
        byte[] valid = unknownRepoBody(endpoint, i);
        String ct = contentType(endpoint);
        switch (c) {
            case NO_AUTH -> {
                return new Delivery(endpoint, c, "/webhooks/" + endpoint, ct, valid, eventHeaders(endpoint, i));
            }
            case WRONG_SIGNATURE -> {
                return signed(endpoint, c, ct, valid, "wrong-" + UUID.randomUUID(), i);
            }
            case TAMPERED -> {
                Delivery d = signed(endpoint, c, ct, valid, secret, i);
                byte[] body = valid.clone();
                int at = body.length / 2;
                body[at] = (byte) (body[at] == '1' ? '2' : '1');
                return new Delivery(endpoint, c, d.path(), ct, body, d.headers());
            }
            case TRUNCATED -> {
                byte[] body = Arrays.copyOf(valid, 1 + random.nextInt(Math.max(1, valid.length - 2)));
                return signed(endpoint, c, ct, body, secret, i);
            }
            case MALFORMED -> {
                String[] garbage = {"{\"events\": [", "not json at all", "{\"a\":1,,}", "<xml/>", "[1,2,3", "{\"events\":\"\\uZZZZ\"}",
                        "{'single': 'quotes'}", "null", "{\"events\": [null]}", "{\"events\": {\"not\": \"an array\"}}", "\u0000\u0001\u0002"};
                return signed(endpoint, c, ct, garbage[i % garbage.length].getBytes(StandardCharsets.UTF_8), secret, i);
            }
            case HUGE -> {
                StringBuilder sb = new StringBuilder(1_600_000).append("{\"events\":[{\"action\":\"push\",\"pad\":\"");
                sb.append("x".repeat(1_500_000)).append("\"}]}");
                return signed(endpoint, c, ct, sb.toString().getBytes(StandardCharsets.UTF_8), secret, i);
            }
            case NESTED -> {
                int depth = 5_000 + random.nextInt(50_000);
                String body = i % 2 == 0 ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"events\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}";
                return signed(endpoint, c, ct, body.getBytes(StandardCharsets.UTF_8), secret, i);
            }
            case WRONG_CONTENT_TYPE -> {
                String[] types = {"text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png"};
                Delivery d = signed(endpoint, c, ct, valid, secret, i);
                return new Delivery(endpoint, c, d.path(), types[i % types.length], valid, d.headers());
            }
            case UNKNOWN_REPO -> {
                return signed(endpoint, c, ct, valid, secret, i);
            }
            case REPLAY -> {
                if (endpoint.equals("distribution")) {
                    byte[] known = RegistryPush.envelope(Harness.IMAGE_HOST, Harness.IMAGE_REPO, "7.0.0").getBytes(StandardCharsets.UTF_8);
                    return signed(endpoint, c, ct, known, secret, 0);
                }
                return signed(endpoint, c, ct, unknownRepoBody(endpoint, 0), secret, 0);
            }
            case EMPTY -> {
                return signed(endpoint, c, ct, new byte[0], secret, i);
            }
            case INVALID_UTF8 -> {
                byte[] body = valid.clone();
                for (int k = 0; k < body.length; k++) {
                    if (body[k] == 'a' && k % 3 == 0) {
                        body[k] = (byte) 0xC3; // a lead byte without its continuation
                    }
                }
                return signed(endpoint, c, ct, body, secret, i);
            }
            default -> throw new IllegalArgumentException(c.toString());
        }
    }

    /** Providers that sign the body (HMAC); the others send a static secret that does not cover it. */
    static boolean signsBody(String endpoint) {
        return endpoint.equals("github") || endpoint.equals("gitea");
    }

    private static String contentType(String endpoint) {
        return endpoint.equals("distribution") ? RegistryPush.MEDIA_TYPE : "application/json";
    }

    /** A genuine-looking payload for a repository no warehouse follows (upstream samples from the contracts). */
    private byte[] unknownRepoBody(String endpoint, int i) {
        String text = switch (endpoint) {
            case "distribution" -> RegistryPush.envelope("registry.unknown.example", "nobody/app", "1.0." + i);
            case "github" -> Contracts.read("webhooks/github-package.published.container.json");
            case "gitea" -> Contracts.read("webhooks/gitea-push.json");
            case "gitlab" -> Contracts.read("webhooks/gitlab-push_hook.json");
            case "harbor" -> Contracts.read("webhooks/harbor-push_artifact.default.tagged.json");
            case "dockerhub" -> Contracts.read("webhooks/dockerhub-push.json");
            case "quay" -> Contracts.read("webhooks/quay-repo_push.json");
            default -> throw new IllegalArgumentException(endpoint);
        };
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> eventHeaders(String endpoint, int i) {
        String id = new UUID(0x5eed, i).toString();
        return switch (endpoint) {
            case "github" -> Map.of("X-GitHub-Event", "package", "X-GitHub-Delivery", id);
            case "gitea" -> Map.of("X-Gitea-Event", "push", "X-Gitea-Delivery", id);
            case "gitlab" -> Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", id);
            default -> Map.of();
        };
    }

    /** The delivery authenticated with {@code key} the way the endpoint's sender does it. */
    private static Delivery signed(String endpoint, Category c, String ct, byte[] body, String key, int i) {
        Map<String, String> headers = new LinkedHashMap<>(eventHeaders(endpoint, i));
        String path = "/webhooks/" + endpoint;
        switch (endpoint) {
            case "distribution" -> headers.put("Authorization", "Bearer " + key);
            case "github" -> headers.put("X-Hub-Signature-256", "sha256=" + hmac(key, body));
            case "gitea" -> headers.put("X-Gitea-Signature", hmac(key, body));
            case "gitlab" -> headers.put("X-Gitlab-Token", key);
            case "harbor" -> headers.put("Authorization", key);
            case "dockerhub", "quay" -> path = path + "/" + key;
            default -> throw new IllegalArgumentException(endpoint);
        }
        return new Delivery(endpoint, c, path, ct, body, headers);
    }

    static String hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Kafka poison

    enum Poison { NON_JSON, WRONG_SCHEMA, UNKNOWN_TYPE, FOREIGN_TYPE, NO_CLOUDEVENT_HEADERS, HUGE }

    void poison() {
        Map<String, String> poisonIds = new LinkedHashMap<>(); // marker -> topic
        Map<String, RecordMetadata> flow = new LinkedHashMap<>();
        Map<String, String> flowIds = new LinkedHashMap<>();
        for (String topic : INPUT_TOPICS) {
            String flowId = "rel-flow-" + UUID.randomUUID();
            Object valid = validEvent(topic, flowId);
            String type = EventTypes.typeOf(valid.getClass());
            String json = EventCodec.toJson(valid);
            EventCodec.decode(type, json); // the follow-up is valid by our own schema: a failure here is ours
            String key = keyOf(topic, valid);
            for (Poison p : Poison.values()) {
                String marker = topic + "/" + p + "/" + UUID.randomUUID();
                String value = switch (p) {
                    case NON_JSON -> "this is {not JSON \u0000";
                    case WRONG_SCHEMA -> "{\"unexpected\": true, \"project\": 42}";
                    case UNKNOWN_TYPE, NO_CLOUDEVENT_HEADERS -> json;
                    case FOREIGN_TYPE -> EventCodec.toJson(validEvent(topic.equals(Topics.ARTIFACTS) ? Topics.WAREHOUSES : Topics.ARTIFACTS, flowId));
                    case HUGE -> "{\"project\": \"" + "p".repeat(900_000) + "\"}";
                };
                String ce = switch (p) {
                    case UNKNOWN_TYPE -> "io.freightline.something.unheard-of.v1";
                    case NO_CLOUDEVENT_HEADERS -> null;
                    case FOREIGN_TYPE -> topic.equals(Topics.ARTIFACTS) ? EventTypes.WAREHOUSE_UPDATED : EventTypes.ARTIFACT_DISCOVERED;
                    default -> type;
                };
                h.kafka.send(topic, key, ce, value, Map.of(KafkaTools.POISON_HEADER, marker));
                poisonIds.put(marker, topic);
            }
            flow.put(topic, h.kafka.send(topic, key, type, json, Map.of()));
            flowIds.put(topic, flowId);
        }
        report.figure("poison records published", poisonIds.size());
        // each poison ends in its topic's DLQ with a reason: wait until all are there (bounded), then look once more
        Map<String, Integer> found = new ConcurrentHashMap<>();
        Map<String, String> reasons = new ConcurrentHashMap<>();
        List<String> unexpected = new ArrayList<>();
        awaitQuietly(Duration.ofSeconds(60), () -> scanDeadLetters(poisonIds, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ArrayList<>()));
        scanDeadLetters(poisonIds, found, reasons, unexpected);
        long dead = poisonIds.keySet().stream().filter(found::containsKey).count();
        report.figure("poison records dead-lettered", dead);
        report.figure("dead letters without a reason header", found.keySet().stream().filter(m -> !reasons.containsKey(m)).count());
        report.figure("dead letters that were not poisoned on purpose", unexpected.size());
        for (String marker : poisonIds.keySet()) {
            if (!found.containsKey(marker)) {
                report.violation("poison %s is not in %s", marker.substring(0, marker.lastIndexOf('/')), Topics.dlq(poisonIds.get(marker)));
            } else if (!reasons.containsKey(marker)) {
                report.violation("dead letter %s has no %s header", marker.substring(0, marker.lastIndexOf('/')), CloudEventHeaders.DLQ_REASON);
            }
        }
        unexpected.stream().limit(10).forEach(u -> report.violation("unexpected dead letter: %s", u));
        reasons.entrySet().stream().limit(3).forEach(e -> report.line("dead-letter reason of %s: %s",
                e.getKey().substring(0, e.getKey().lastIndexOf('/')), e.getValue()));
        // the partition keeps flowing: every group that reads the topic commits past the valid follow-up record
        for (String topic : INPUT_TOPICS) {
            RecordMetadata m = flow.get(topic);
            TopicPartition tp = new TopicPartition(topic, m.partition());
            List<String> readers = new ArrayList<>();
            boolean grouped = h.kafka.groups().stream().anyMatch(g -> h.kafka.committed(g).keySet().stream().anyMatch(p -> p.topic().equals(topic)));
            if (!grouped) {
                report.line("%s: no consumer group commits offsets on it (read without a group): flow not observable by offsets", topic);
                continue;
            }
            try {
                await(topic + " flows past its poison").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    readers.clear();
                    boolean all = true;
                    for (String g : h.kafka.groups()) {
                        Long off = h.kafka.committed(g).get(tp);
                        if (off != null) {
                            readers.add(g + "@" + off);
                            all &= off > m.offset();
                        }
                    }
                    return all && !readers.isEmpty();
                });
                report.line("%s partition %d flows past the poison: %s (valid record at %d)", topic, m.partition(), readers, m.offset());
                report.add("input topics flowing after poison", 1);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                if (readers.isEmpty()) {
                    report.line("%s: no consumer group commits offsets on partition %d (read without a group): flow not observable by offsets",
                            topic, m.partition());
                } else {
                    report.violation("%s partition %d is stuck behind its poison: committed %s, valid record at %d", topic, m.partition(), readers, m.offset());
                }
            }
        }
        // the valid follow-up through promotions was processed: the git-writer answered it
        String promotionFlow = flowIds.get(Topics.PROMOTIONS);
        boolean answered = awaitQuietly(Duration.ofSeconds(60), () -> h.kafka.readAll(Topics.COMMITS).stream()
                .anyMatch(r -> r.value() != null && r.value().contains(promotionFlow)));
        if (!answered) {
            report.violation("git-writer never answered the valid promotion sent after the poison on %s", Topics.PROMOTIONS);
        }
        String commitFlow = flowIds.get(Topics.COMMITS);
        boolean verified = awaitQuietly(Duration.ofSeconds(30), () -> h.kafka.readAll(Topics.VERIFICATIONS).stream()
                .anyMatch(r -> r.value() != null && r.value().contains(commitFlow)));
        report.line("notifier answered the valid commit event sent after the poison: %s", verified);
        responsive("after the poison");
    }

    /** Every service still answers its readiness probe, and the engine its API, promptly. */
    void responsive(String when) {
        for (String s : DevStack.SERVICES) {
            Http.Reply r = Http.get(h.stack.url(s) + "/q/health/ready", null);
            if (r.status() != 200) {
                report.violation("%s not ready %s: %s", s, when, r);
            }
        }
        long t = System.nanoTime();
        Http.Reply r = h.api.get("/api/v1/projects/" + Harness.PROJECT + "/stages", h.token("viewer"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
        if (!r.is2xx()) {
            report.violation("engine API unusable %s: %s after %d ms", when, r, ms);
        }
        Http.Reply m = Http.send("POST", h.api.base() + "/api/v1/manifests", h.token("admin"), "application/yaml",
                "kind: [unclosed\n".getBytes(StandardCharsets.UTF_8), Map.of());
        if (m.status() != 400) {
            report.violation("engine POST /api/v1/manifests (invalid YAML) %s: %s", when, m);
        }
    }

    /** Reads every input topic's DLQ; true when every poison marker is there. */
    private boolean scanDeadLetters(Map<String, String> poisonIds, Map<String, Integer> found, Map<String, String> reasons, List<String> unexpected) {
        for (String topic : INPUT_TOPICS) {
            for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.dlq(topic))) {
                String marker = KafkaTools.header(r, KafkaTools.POISON_HEADER);
                if (marker == null || !poisonIds.containsKey(marker)) {
                    unexpected.add(Topics.dlq(topic) + " " + r.key() + " reason=" + KafkaTools.header(r, CloudEventHeaders.DLQ_REASON));
                    continue;
                }
                found.merge(marker, 1, Integer::sum);
                String reason = KafkaTools.header(r, CloudEventHeaders.DLQ_REASON);
                if (reason != null) {
                    reasons.put(marker, reason);
                }
            }
        }
        return found.keySet().containsAll(poisonIds.keySet());
    }

    private Object validEvent(String topic, String id) {
        Instant now = Instant.now();
        String freight = "0000000000000000000000000000000000000000";
        FreightRef ref = new FreightRef(freight, "reliability-probe", "app",
                List.of(ArtifactRef.image(Harness.IMAGE_HOST + "/unrelated/app", "1.0.0", "sha256:" + "0".repeat(64))));
        return switch (topic) {
            case Topics.ARTIFACTS -> new ArtifactDiscovered(Harness.PROJECT, null, null,
                    ArtifactRef.image(Harness.IMAGE_HOST + "/unrelated/app", "1.0.0", "sha256:" + "1".repeat(64)), now, now, "ci");
            case Topics.COMMANDS -> new CommandIssued(id, Harness.PROJECT, "refresh", Map.of("warehouse", "app"), "reliability", "poison flow check", now);
            case Topics.PROMOTIONS -> new PromotionRequested(id, Harness.PROJECT, "dev", ref,
                    new GitTarget(h.stack.repoURL(), GitRepo.BRANCH, null),
                    List.of(new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/no-such-stage",
                            "images", List.of(Map.of("image", Harness.IMAGE_HOST + "/unrelated/app", "tag", "1.0.0"))))),
                    null, List.of(), "reliability", now);
            case Topics.COMMITS -> new PromotionCommitted(id, Harness.PROJECT, "dev", freight, h.stack.repoURL(), GitRepo.BRANCH,
                    PromotionCommitted.Outcome.NO_CHANGE, h.repo.head(), "reliability flow check", List.of(), null, (ArgoCDTarget) null, List.of(), now, now);
            case Topics.VERIFICATIONS -> new VerificationCompleted(id, Harness.PROJECT, "dev", freight, freight,
                    VerificationCompleted.Outcome.FAILED, "reliability flow check", "none", List.of(), List.of(), now, now);
            case Topics.WAREHOUSES -> new WarehouseUpdated("reliability-probe", "w", 0, List.of(), 1, now);
            default -> throw new IllegalArgumentException(topic);
        };
    }

    private String keyOf(String topic, Object event) {
        return switch (topic) {
            case Topics.PROMOTIONS -> h.stack.repoURL();
            case Topics.WAREHOUSES -> ((WarehouseUpdated) event).key();
            default -> Harness.PROJECT;
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // manifests

    record ManifestCase(String name, String yaml, List<String> mustName) {
    }

    void manifests() {
        responsive("before the manifests");
        String admin = h.token("admin");
        String before = stateSnapshot(admin);
        List<ManifestCase> cases = List.of(
                new ManifestCase("invalid YAML", header("Project", "rel-bad-1", null) + "spec: {unclosed: [1, 2\n", List.of()),
                new ManifestCase("unknown field", project("rel-bad-2") + warehouse("rel-bad-2", "w") + stage("rel-bad-2", "dev",
                        "      sources:\n        direct: true\n", "  policy:\n    autoPromotoin: true\n"), List.of("autoPromotoin")),
                new ManifestCase("cycle in the stage graph", project("rel-bad-3") + warehouse("rel-bad-3", "w")
                        + stage("rel-bad-3", "a", "      sources:\n        stages: [b]\n", "")
                        + stage("rel-bad-3", "b", "      sources:\n        stages: [a]\n", ""), List.of("cycle")),
                new ManifestCase("missing warehouse", project("rel-bad-4")
                        + stage("rel-bad-4", "dev", "      sources:\n        direct: true\n", "").replace("name: w\n", "name: no-such-warehouse\n"),
                        List.of("no-such-warehouse")),
                new ManifestCase("missing warehouse in an existing project", stage(Harness.PROJECT, "qa", "      sources:\n        direct: true\n", "")
                        .replace("name: w\n", "name: ghost-warehouse\n"), List.of("ghost-warehouse")),
                new ManifestCase("unknown kind", header("Stagee", "x", "rel-bad-5"), List.of("kind")),
                new ManifestCase("wrong type", project("rel-bad-6") + warehouse("rel-bad-6", "w")
                        + header("Stage", "dev", "rel-bad-6") + "spec:\n  requestedFreight: yes\n", List.of("requestedFreight")),
                new ManifestCase("stage from an unknown stage", project("rel-bad-7") + warehouse("rel-bad-7", "w")
                        + stage("rel-bad-7", "staging", "      sources:\n        stages: [nowhere]\n", ""), List.of("nowhere")),
                new ManifestCase("YAML alias bomb", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                        + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                        + "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", List.of()),
                new ManifestCase("huge document", project("rel-bad-8") + "# " + "x".repeat(3 * 1024 * 1024) + "\n", List.of()),
                new ManifestCase("empty body", "", List.of()),
                new ManifestCase("not UTF-8", "apiVersion: freightline.io/v1alpha1\nkind: Project\nmetadata:\n  name: caf\u00e9\n", List.of()));
        int rejected = 0;
        for (ManifestCase c : cases) {
            byte[] body = c.name().equals("not UTF-8") ? c.yaml().getBytes(StandardCharsets.ISO_8859_1) : c.yaml().getBytes(StandardCharsets.UTF_8);
            Http.Reply r = Http.send("POST", h.api.base() + "/api/v1/manifests", admin, "application/yaml", body, Map.of());
            boolean ok = r.is4xx();
            if (!ok) {
                report.violation("manifest '%s' answered %s (expected 4xx)", c.name(), r);
            } else {
                String text = r.body() == null ? "" : r.body().toLowerCase();
                for (String field : c.mustName()) {
                    if (!text.contains(field.toLowerCase())) {
                        report.violation("manifest '%s' rejected with %d but the message does not name '%s': %s", c.name(), r.status(), field, r);
                        ok = false;
                    }
                }
                if (ok) {
                    rejected++;
                }
            }
            report.line("manifest %-44s -> %s", "'" + c.name() + "'", r.status() + " " + abbreviate(r.body()));
        }
        report.figure("manifests tried", cases.size());
        report.figure("manifests rejected naming the field", rejected);
        String after = awaitStable(admin);
        if (!before.equals(after)) {
            report.violation("engine state changed after rejected manifests:%n before: %s%n after:  %s", before, after);
        }
    }

    private String awaitStable(String token) {
        return stateSnapshot(token);
    }

    /** Projects, the demo's stages and warehouses: what an invalid manifest must not change. */
    private String stateSnapshot(String token) {
        List<String> parts = new ArrayList<>();
        Http.Reply projects = h.api.get("/api/v1/projects", token);
        List<String> names = new ArrayList<>();
        EngineApi.items(projects.json()).forEach(p -> names.add(p.path("name").asText(p.path("metadata").path("name").asText(p.asText()))));
        names.sort(null);
        parts.add("projects=" + names);
        List<String> stages = new ArrayList<>();
        EngineApi.items(h.api.get("/api/v1/projects/" + Harness.PROJECT + "/stages", token).json())
                .forEach(s -> stages.add(s.path("name").asText(s.path("metadata").path("name").asText())));
        stages.sort(null);
        parts.add("demo stages=" + stages);
        List<String> whs = new ArrayList<>();
        EngineApi.items(h.api.get("/api/v1/projects/" + Harness.PROJECT + "/warehouses", token).json())
                .forEach(s -> whs.add(s.path("name").asText(s.path("metadata").path("name").asText()) + ":" + s.path("subscriptions").size()));
        whs.sort(null);
        parts.add("demo warehouses=" + whs);
        return String.join(" ", parts);
    }

    static String header(String kind, String name, String namespace) {
        return "---\napiVersion: freightline.io/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n"
                + (namespace == null ? "" : "  namespace: " + namespace + "\n");
    }

    static String project(String name) {
        return header("Project", name, null);
    }

    static String warehouse(String project, String name) {
        return header("Warehouse", name, project) + "spec:\n  subscriptions:\n    - image:\n        repoURL: 127.0.0.1:5000/rel/app\n"
                + "        imageSelectionStrategy: SemVer\n        discovery: webhook\n";
    }

    static String stage(String project, String name, String sources, String extraSpec) {
        return header("Stage", name, project) + "spec:\n  requestedFreight:\n    - origin:\n        kind: Warehouse\n        name: w\n"
                + sources + extraSpec
                + "  git:\n    repoURL: git://127.0.0.1:1/none.git\n    branch: main\n"
                + "  promotionTemplate:\n    spec:\n      steps:\n        - uses: kustomize-set-image\n          config:\n"
                + "            path: envs/" + name + "\n";
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ');
        return one.length() > 160 ? one.substring(0, 160) + "…" : one;
    }

    // ---------------------------------------------------------------------------------------------------------
    // repository content

    record RepoCase(String name, String path) {
    }

    void repositoryContent() throws IOException {
        Path outside = h.home.resolve("outside").toAbsolutePath();
        Files.createDirectories(outside);
        String sentinelText = "images:\n  - name: " + Harness.IMAGE_HOST + "/" + Harness.IMAGE_REPO + "\n    newTag: \"sentinel\"\n";
        Files.writeString(outside.resolve("kustomization.yaml"), sentinelText);
        String kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: "
                + Harness.IMAGE_HOST + "/" + Harness.IMAGE_REPO + "\n    newTag: \"0.1.0\"\n";
        GitRepo.pushExternal(h.directGitURL(), "Add tricky content (reliability campaign)", work -> {
            try {
                Files.createDirectories(work.resolve("envs"));
                Files.createSymbolicLink(work.resolve("envs/escape"), outside);
                Files.createDirectories(work.resolve("envs/linkfile"));
                Files.createSymbolicLink(work.resolve("envs/linkfile/kustomization.yaml"), outside.resolve("kustomization.yaml"));
                Files.createDirectories(work.resolve("envs/relative-escape"));
                Files.createSymbolicLink(work.resolve("envs/relative-escape/kustomization.yaml"), Path.of("../../../outside/kustomization.yaml"));
                Files.createDirectories(work.resolve("envs/latin1"));
                byte[] latin1 = ("# caf\u00e9 cr\u00e8me\n" + kustomization).getBytes(StandardCharsets.ISO_8859_1);
                Files.write(work.resolve("envs/latin1/kustomization.yaml"), latin1);
                Files.createDirectories(work.resolve("envs/huge"));
                StringBuilder huge = new StringBuilder(13 * 1024 * 1024);
                while (huge.length() < 12 * 1024 * 1024) {
                    huge.append("# padding line to make this file huge, as a runaway generator would\n");
                }
                Files.writeString(work.resolve("envs/huge/kustomization.yaml"), huge + kustomization);
                Files.createDirectories(work.resolve("envs/bomb"));
                Files.writeString(work.resolve("envs/bomb/kustomization.yaml"), "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                        + "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                        + "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nimages: [*f]\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, 5);
        String head = h.repo.head();
        List<RepoCase> cases = List.of(
                new RepoCase("parent path", "../outside"),
                new RepoCase("parent path inside a path", "envs/../../outside"),
                new RepoCase("absolute path", outside.toString()),
                new RepoCase("symlinked folder out of the repo", "envs/escape"),
                new RepoCase("symlinked file out of the repo (absolute)", "envs/linkfile"),
                new RepoCase("symlinked file out of the repo (relative)", "envs/relative-escape"),
                new RepoCase("non-UTF-8 YAML", "envs/latin1"),
                new RepoCase("huge YAML (12 MiB)", "envs/huge"),
                new RepoCase("YAML alias bomb", "envs/bomb"),
                new RepoCase(".git folder", ".git"));
        Map<String, String> ids = new LinkedHashMap<>();
        Instant now = Instant.now();
        FreightRef ref = new FreightRef("1111111111111111111111111111111111111111", "reliability-evil", "app",
                List.of(ArtifactRef.image(Harness.IMAGE_HOST + "/" + Harness.IMAGE_REPO, "6.6.6", "sha256:" + "6".repeat(64))));
        for (RepoCase c : cases) {
            String id = "rel-repo-" + UUID.randomUUID();
            ids.put(id, c.name());
            PromotionRequested p = new PromotionRequested(id, Harness.PROJECT, "dev", ref, new GitTarget(h.stack.repoURL(), GitRepo.BRANCH, null),
                    List.of(new PromotionStep("kustomize-set-image", null, Map.of("path", c.path(),
                            "images", List.of(Map.of("image", Harness.IMAGE_HOST + "/" + Harness.IMAGE_REPO, "tag", "6.6.6"))))),
                    null, List.of(), "reliability", now);
            h.kafka.publish(Topics.PROMOTIONS, h.stack.repoURL(), p);
        }
        Map<String, PromotionCommitted> outcomes = new ConcurrentHashMap<>();
        awaitQuietly(Duration.ofSeconds(120), () -> {
            for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.COMMITS)) {
                if (r.value() != null && r.value().contains("rel-repo-")) {
                    try {
                        PromotionCommitted pc = EventCodec.decode(EventTypes.PROMOTION_COMMITTED, r.value(), PromotionCommitted.class);
                        if (ids.containsKey(pc.promotionId())) {
                            outcomes.put(pc.promotionId(), pc);
                        }
                    } catch (RuntimeException ignored) {
                        // not ours
                    }
                }
            }
            return outcomes.keySet().containsAll(ids.keySet());
        });
        int refused = 0;
        Map<String, List<org.eclipse.jgit.revwalk.RevCommit>> byPromotion = h.repo.commitsByPromotion();
        for (var e : ids.entrySet()) {
            PromotionCommitted pc = outcomes.get(e.getKey());
            boolean committed = byPromotion.containsKey(e.getKey());
            if (committed) {
                report.violation("repository content '%s': a commit was made (%s)", e.getValue(), byPromotion.get(e.getKey()).get(0).name());
            } else if (pc == null) {
                report.violation("repository content '%s': the git-writer never answered", e.getValue());
            } else if (pc.outcome() != PromotionCommitted.Outcome.FAILED) {
                report.violation("repository content '%s': outcome %s, expected FAILED (%s)", e.getValue(), pc.outcome(), pc.reason());
            } else {
                refused++;
            }
            report.line("repo %-44s -> %s", "'" + e.getValue() + "'", pc == null ? "no answer" : pc.outcome() + ": " + abbreviate(pc.reason()));
        }
        report.figure("repository-content attacks tried", ids.size());
        report.figure("repository-content attacks refused", refused);
        if (!h.repo.head().equals(head)) {
            // other promotions may legitimately land meanwhile; only ours must not
            report.line("main moved from %s to %s during the repository-content checks (other promotions)", head, h.repo.head());
        }
        String sentinelNow = Files.readString(outside.resolve("kustomization.yaml"));
        try (var files = Files.list(outside)) {
            Set<String> names = new java.util.TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
            if (!sentinelNow.equals(sentinelText) || !names.equals(Set.of("kustomization.yaml"))) {
                report.violation("a file outside the repository was changed: %s %s", names, sentinelNow);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    Map<Integer, Long> endOffsets(String topic) {
        Map<Integer, Long> out = new LinkedHashMap<>();
        try (var admin = h.kafka.admin()) {
            var parts = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new LinkedHashMap<>();
            parts.forEach(p -> specs.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
            admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).forEach((tp, o) -> out.put(tp.partition(), o.offset()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    List<ArtifactDiscovered> artifactEventsSince(Map<Integer, Long> from) {
        List<ArtifactDiscovered> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.ARTIFACTS)) {
            if (r.offset() >= from.getOrDefault(r.partition(), 0L)
                    && EventTypes.ARTIFACT_DISCOVERED.equals(KafkaTools.header(r, CloudEventHeaders.TYPE))
                    && KafkaTools.header(r, KafkaTools.POISON_HEADER) == null) {
                try {
                    out.add(EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED, r.value(), ArtifactDiscovered.class));
                } catch (RuntimeException e) {
                    // not a valid event: not emitted by the watcher
                }
            }
        }
        return out;
    }

    static boolean awaitQuietly(Duration max, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(max).pollInterval(Duration.ofSeconds(1)).until(condition);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }
}
