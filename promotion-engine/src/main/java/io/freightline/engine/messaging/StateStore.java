package io.freightline.engine.messaging;

import io.freightline.events.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/** The compacted state topic: written entity by entity, read from the beginning to rebuild. */
@ApplicationScoped
public class StateStore {
    private final String bootstrap;
    private volatile KafkaProducer<String, String> producer;

    public StateStore(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.bootstrap = bootstrap;
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                            ProducerConfig.LINGER_MS_CONFIG, 1,
                            ProducerConfig.CLIENT_ID_CONFIG, "freightline-engine-state",
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
                }
            }
        }
        return producer;
    }

    /** Writes records (null value = delete) and waits until the broker has them all. */
    public void write(Map<String, String> records) {
        if (records.isEmpty()) return;
        List<Future<?>> sent = new ArrayList<>(records.size());
        records.forEach((k, v) -> sent.add(producer().send(new ProducerRecord<>(Topics.STATE, k, v))));
        try {
            for (Future<?> f : sent) f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing state", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write engine state: " + e.getMessage(), e);
        }
    }

    /** Reads every record of the state topic, from the beginning to the end as of now. Returns the count. */
    public long rebuild(BiConsumer<String, String> apply, Duration timeout) {
        long count = 0;
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.CLIENT_ID_CONFIG, "freightline-engine-rebuild",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.STATE, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(Topics.STATE, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("state rebuild did not finish within " + timeout);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null) {
                        apply.accept(r.key(), r.value());
                        count++;
                    }
                }
            }
        }
        return count;
    }

    @PreDestroy
    void close() {
        if (producer != null) producer.close(Duration.ofSeconds(5));
    }
}
