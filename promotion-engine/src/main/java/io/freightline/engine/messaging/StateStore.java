package io.freightline.engine.messaging;

import io.freightline.events.KafkaSettings;
import io.freightline.events.Topics;
import io.smallrye.common.annotation.Identifier;
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
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/** The compacted state topic: written entity by entity, followed from the beginning by every instance's replica. */
@ApplicationScoped
public class StateStore {
    private final Map<String, Object> kafka;
    private static final Logger LOG = Logger.getLogger(StateStore.class);
    private volatile KafkaProducer<String, String> producer;
    private final Object offsetsLock = new Object();
    private KafkaConsumer<String, String> offsets;
    private Thread tailer;
    private volatile boolean closed;
    private volatile String failure;
    /** The replica's next offset per partition after its last poll; guarded by this. */
    private Map<TopicPartition, Long> positions = Map.of();
    private final AtomicLong applied = new AtomicLong();

    /**
     * @param kafka every {@code kafka.*} key of the configuration (Quarkus' default broker map): the address and the
     *              TLS/SASL settings the messaging channels use apply to the state clients too
     */
    public StateStore(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.kafka = Map.copyOf(kafka);
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(KafkaSettings.of(kafka, ProducerConfig.configNames(), Map.of(
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                            // an engine step waits for its state records: send them at once
                            ProducerConfig.LINGER_MS_CONFIG, 0,
                            ProducerConfig.CLIENT_ID_CONFIG, "freightline-engine-state",
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName())));
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

    /**
     * Starts the replica: a background thread that reads the whole state topic from the beginning and keeps
     * following it, handing every record to {@code apply} and calling {@code afterBatch} after each poll. Every
     * instance runs one, so it can answer for every project and take over any of them after a rebalance.
     */
    public synchronized void startTailing(BiConsumer<String, String> apply, Runnable afterBatch) {
        if (tailer != null) return;
        tailer = new Thread(() -> tail(apply, afterBatch), "engine-state-replica");
        tailer.setDaemon(true);
        tailer.start();
        notifyAll();
    }

    private void tail(BiConsumer<String, String> apply, Runnable afterBatch) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(KafkaSettings.of(kafka, ConsumerConfig.configNames(), Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.CLIENT_ID_CONFIG, "freightline-engine-replica",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName())))) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.STATE, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(Topics.STATE, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (!closed) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null) continue;
                    try {
                        apply.accept(r.key(), r.value());
                        applied.incrementAndGet();
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "state record %s at %s-%d@%d skipped", r.key(), r.topic(), r.partition(), r.offset());
                    }
                }
                Map<TopicPartition, Long> now = new HashMap<>();
                for (TopicPartition p : parts) now.put(p, consumer.position(p));
                synchronized (this) {
                    positions = now;
                    notifyAll();
                }
                afterBatch.run();
            }
        } catch (RuntimeException e) {
            if (!closed) {
                failure = e.getMessage();
                LOG.errorf(e, "the state replica stopped");
            }
        }
    }

    /** State records the replica has applied so far. */
    public long applied() {
        return applied.get();
    }

    /**
     * Waits until the replica has read the state topic up to its end offsets as of this call: everything any
     * instance wrote before is then in memory. Throws when that takes longer than {@code timeout}.
     */
    public void awaitCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end = endOffsets(timeout);
        synchronized (this) {
            while (!caughtUp(end)) {
                if (failure != null) throw new IllegalStateException("the state replica stopped: " + failure);
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IllegalStateException("the state replica did not catch up within " + timeout);
                try {
                    wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the state replica", e);
                }
            }
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        if (tailer == null || positions.isEmpty()) return false;
        for (var e : end.entrySet()) {
            Long pos = positions.get(e.getKey());
            if (pos == null || pos < e.getValue()) return false;
        }
        return true;
    }

    private Map<TopicPartition, Long> endOffsets(Duration timeout) {
        synchronized (offsetsLock) {
            if (offsets == null) {
                offsets = new KafkaConsumer<>(KafkaSettings.of(kafka, ConsumerConfig.configNames(), Map.of(
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                        ConsumerConfig.CLIENT_ID_CONFIG, "freightline-engine-state-offsets",
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName())));
            }
            List<TopicPartition> parts = offsets.partitionsFor(Topics.STATE, timeout).stream()
                    .map(p -> new TopicPartition(Topics.STATE, p.partition())).toList();
            if (!offsets.assignment().containsAll(parts)) offsets.assign(parts); // never polled; quiets the high-watermark warning
            return offsets.endOffsets(parts, timeout);
        }
    }

    @PreDestroy
    void close() {
        closed = true;
        if (producer != null) producer.close(Duration.ofSeconds(5));
        synchronized (offsetsLock) {
            if (offsets != null) offsets.close(Duration.ofSeconds(5));
        }
    }
}
