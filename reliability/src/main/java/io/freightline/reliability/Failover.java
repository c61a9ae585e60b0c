package io.freightline.reliability;

import io.freightline.devstack.DevStack;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventTypes;
import io.freightline.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/** What failover is measured with: which engine owns a project, and when the next promotion was issued. */
public final class Failover {

    private Failover() {
    }

    /** The engines of the stack, in start order. */
    public static List<String> engines(Harness h) {
        return h.stack.services().stream().filter(n -> n.startsWith(DevStack.ENGINE)).toList();
    }

    /**
     * The engine that owns {@code project} now: the consumer-group member that has the project's partition of
     * {@code freightline.commands} (keyed by project) assigned, matched to an engine by its static membership id,
     * else by the per-partition lag metric only an assigned partition has. Empty when neither tells.
     */
    public static Optional<String> owner(Harness h, String project) throws Exception {
        List<String> engines = engines(h);
        int partition;
        try (Admin admin = h.kafka.admin()) {
            int partitions = admin.describeTopics(List.of(Topics.COMMANDS)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.COMMANDS).partitions().size();
            // Kafka's default partitioner for a keyed record
            partition = Utils.toPositive(Utils.murmur2(project.getBytes(StandardCharsets.UTF_8))) % partitions;
            TopicPartition tp = new TopicPartition(Topics.COMMANDS, partition);
            List<String> groups = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).toList();
            for (var g : admin.describeConsumerGroups(groups).all().get(30, TimeUnit.SECONDS).values()) {
                for (var m : g.members()) {
                    if (m.assignment().topicPartitions().contains(tp) && m.groupInstanceId().isPresent()) {
                        String id = m.groupInstanceId().get();
                        Optional<String> match = engines.stream().filter(id::contains).max(Comparator.comparingInt(String::length));
                        if (match.isPresent()) {
                            return match;
                        }
                    }
                }
            }
        }
        // Micrometer writes the topic both as is and with '_' for '.'; label order is not guaranteed
        Pattern lag = Pattern.compile("(?m)^kafka_consumer_fetch_manager_records_lag\\{(?=[^}]*partition=\"" + partition
                + "\")(?=[^}]*topic=\"" + Topics.COMMANDS.replace(".", "[._]") + "\")");
        for (String e : engines) {
            if (!h.stack.serving(e)) {
                continue;
            }
            Http.Reply r = Http.get(h.stack.url(e) + "/q/metrics", null);
            if (r.is2xx() && r.body() != null && lag.matcher(r.body()).find()) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * The record time of the first promotion issued at or after {@code since} (epoch ms, on
     * {@code freightline.promotions}), waiting up to {@code within}; empty if none came.
     */
    public static Optional<Long> firstPromotionSince(Harness h, long since, Duration within) {
        long[] first = {-1};
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.PROMOTIONS)) {
                    if (r.timestamp() >= since && EventTypes.PROMOTION_REQUESTED.equals(KafkaTools.header(r, CloudEventHeaders.TYPE))
                            && KafkaTools.header(r, KafkaTools.POISON_HEADER) == null) {
                        first[0] = first[0] < 0 ? r.timestamp() : Math.min(first[0], r.timestamp());
                    }
                }
                return first[0] >= 0;
            });
            return Optional.of(first[0]);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return Optional.empty();
        }
    }

    /** Whether something listens on the port of 127.0.0.1. */
    static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
    }
}
