package io.freightline.reliability;

import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Kafka as the campaigns see it: whole topics, raw and poison records, consumer-group lag. */
public final class KafkaTools implements AutoCloseable {
    /** Header that marks a record the campaign poisoned on purpose (the DLQ keeps the original headers). */
    public static final String POISON_HEADER = "x-freightline-poison";

    private final Supplier<String> bootstrap;
    private KafkaProducer<String, String> producer;
    private String producerBootstrap;

    /** @param bootstrap the broker's address now (it can change port? no; but it is re-read after a restart) */
    public KafkaTools(Supplier<String> bootstrap) {
        this.bootstrap = bootstrap;
    }

    private synchronized KafkaProducer<String, String> producer() {
        String b = bootstrap.get();
        if (producer == null || !b.equals(producerBootstrap)) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(2));
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producer = new KafkaProducer<>(p);
            producerBootstrap = b;
        }
        return producer;
    }

    /**
     * Publishes a record: {@code ceType} null means no CloudEvent headers at all; {@code extra} headers are added.
     * Returns where it landed.
     */
    public RecordMetadata send(String topic, String key, String ceType, String value, Map<String, String> extra) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
        if (ceType != null) {
            header(r, CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_1_0);
            header(r, CloudEventHeaders.TYPE, ceType);
            header(r, CloudEventHeaders.SOURCE, "/freightline/reliability");
            header(r, CloudEventHeaders.ID, UUID.randomUUID().toString());
            header(r, CloudEventHeaders.TIME, Instant.now().toString());
            header(r, CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON);
        }
        extra.forEach((k, v) -> header(r, k, v));
        try {
            return producer().send(r).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    /** Publishes an event payload as a binary-mode CloudEvent of its type. */
    public RecordMetadata publish(String topic, String key, Object payload) {
        return send(topic, key, EventTypes.typeOf(payload.getClass()), EventCodec.toJson(payload), Map.of());
    }

    private static void header(ProducerRecord<String, String> r, String name, String value) {
        r.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    public static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private KafkaConsumer<String, String> consumer(IsolationLevel isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Every committed record of a topic, from its beginning to its end now. */
    public List<ConsumerRecord<String, String>> readAll(String topic) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer(IsolationLevel.READ_COMMITTED)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Consumer groups of the system ({@code freightline-*}). */
    public List<String> groups() {
        try (Admin admin = admin()) {
            return admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(g -> g.startsWith("freightline")).sorted().toList();
        } catch (Exception e) {
            throw new IllegalStateException("cannot list consumer groups", e);
        }
    }

    /** Committed offsets of a group. */
    public Map<TopicPartition, Long> committed(String group) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            m.forEach((tp, o) -> {
                if (o != null) {
                    out.put(tp, o.offset());
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read offsets of " + group, e);
        }
    }

    /**
     * Records not yet processed per group and partition: end offset minus committed offset, except that the gap is
     * checked by reading it, because transaction markers take offsets too and never count as records.
     * Only partitions with a real backlog are returned.
     */
    public Map<String, Long> lag() {
        Map<String, Long> lag = new LinkedHashMap<>();
        try (Admin admin = admin(); KafkaConsumer<String, String> reader = consumer(IsolationLevel.READ_COMMITTED)) {
            for (String group : groups()) {
                Map<TopicPartition, Long> committed = committed(group);
                if (committed.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
                committed.keySet().forEach(tp -> specs.put(tp, OffsetSpec.latest()));
                var ends = admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS);
                for (var e : committed.entrySet()) {
                    long end = ends.get(e.getKey()).offset();
                    long gap = end - e.getValue();
                    if (gap > 0) {
                        long records = recordsBetween(reader, e.getKey(), e.getValue(), end);
                        if (records > 0) {
                            lag.put(group + " " + e.getKey(), records);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot compute lag", e);
        }
        return lag;
    }

    private static long recordsBetween(KafkaConsumer<String, String> c, TopicPartition tp, long from, long to) {
        c.assign(List.of(tp));
        c.seek(tp, from);
        long n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (c.position(tp) < to && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                if (r.offset() < to) {
                    n++;
                }
            }
        }
        return c.position(tp) < to ? Math.max(n, to - c.position(tp)) : n;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 40_000));
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
