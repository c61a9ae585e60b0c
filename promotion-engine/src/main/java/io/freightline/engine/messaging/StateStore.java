package io.freightline.engine.messaging;

import io.freightline.events.KafkaSettings;
import io.freightline.events.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The compacted state topic, read committed: the engine's processor writes it in its exactly-once transactions, and
 * every instance's replica follows it from the beginning.
 */
@ApplicationScoped
public class StateStore {
    private final Map<String, Object> kafka;
    private static final Logger LOG = Logger.getLogger(StateStore.class);
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

    /** Settings of a consumer of the committed state: records of aborted transactions are never seen. */
    private Map<String, Object> consumer(String clientId, int maxPoll) {
        return KafkaSettings.of(kafka, ConsumerConfig.configNames(), Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPoll,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
    }

    /** The partition count of a topic. */
    public int partitionCount(String topic, Duration timeout) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumer("freightline-engine-metadata", 1))) {
            return c.partitionsFor(topic, timeout).size();
        }
    }

    /**
     * Reads the committed state topic from the beginning to its end as of this call, handing the records whose key
     * matches to {@code apply}; returns how many it handed over.
     */
    public long readCommitted(Predicate<String> keys, BiConsumer<String, String> apply, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long n = 0;
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumer("freightline-engine-reload", 5000))) {
            List<TopicPartition> parts = c.partitionsFor(Topics.STATE, timeout).stream()
                    .map(p -> new TopicPartition(Topics.STATE, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the state topic was not read within " + timeout);
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || !keys.test(r.key())) continue;
                    apply.accept(r.key(), r.value());
                    n++;
                }
            }
        }
        return n;
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
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumer("freightline-engine-replica", 5000))) {
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
                // read_committed: the end offsets are the last stable offsets, after every committed transaction
                offsets = new KafkaConsumer<>(consumer("freightline-engine-state-offsets", 1));
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
        synchronized (offsetsLock) {
            if (offsets != null) offsets.close(Duration.ofSeconds(5));
        }
    }
}
