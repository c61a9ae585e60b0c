package io.freightline.testsupport;

import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Produces CloudEvents the way any Kafka client would (binary mode headers), and records what is published on a
 * topic, so tests assert the events users would see.
 */
public final class KafkaProbe implements AutoCloseable {
    private final String bootstrap;
    private final KafkaProducer<String, String> producer;
    private final List<Thread> readers = new ArrayList<>();
    private volatile boolean closed;

    public KafkaProbe(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    /** Publishes a payload record as a binary-mode CloudEvent of its type. */
    public void publish(String topic, String key, Object payload) {
        publishRaw(topic, key, EventTypes.typeOf(payload.getClass()), EventCodec.toJson(payload));
    }

    /** Publishes any bytes with CloudEvent headers of the given type (null type: no CloudEvent headers at all). */
    public void publishRaw(String topic, String key, String type, String value) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        if (type != null) {
            header(record, CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_1_0);
            header(record, CloudEventHeaders.TYPE, type);
            header(record, CloudEventHeaders.SOURCE, "/test");
            header(record, CloudEventHeaders.ID, UUID.randomUUID().toString());
            header(record, CloudEventHeaders.TIME, Instant.now().toString());
            header(record, CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON);
        }
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    /** Starts recording every record published on the topic from now on (from its current end). */
    public Recording record(String topic) {
        Recording recording = new Recording(topic);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread reader = new Thread(() -> {
            try (consumer) {
                while (!closed) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        recording.records.add(r);
                    }
                }
            }
        }, "probe-" + topic);
        reader.setDaemon(true);
        reader.start();
        readers.add(reader);
        return recording;
    }

    private static void header(ProducerRecord<String, String> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        closed = true;
        producer.close();
        readers.forEach(t -> {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** What was published on a topic since {@link #record(String)}. */
    public static final class Recording {
        private final String topic;
        private final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();

        Recording(String topic) {
            this.topic = topic;
        }

        public List<ConsumerRecord<String, String>> records() {
            return List.copyOf(records);
        }

        /** Payloads of the records whose CloudEvent type decodes to the given record class. */
        public <T> List<T> events(Class<T> type) {
            String ceType = EventTypes.typeOf(type);
            return records.stream().filter(r -> ceType.equals(header(r, CloudEventHeaders.TYPE)))
                    .map(r -> EventCodec.decode(ceType, r.value(), type)).toList();
        }

        public <T> List<T> events(Class<T> type, Predicate<T> filter) {
            return events(type).stream().filter(filter).toList();
        }

        public String topic() {
            return topic;
        }

        public static String header(ConsumerRecord<?, ?> record, String name) {
            Header h = record.headers().lastHeader(name);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    }
}
