package io.freightline.watcher.messaging;

import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.InvalidEventException;
import io.freightline.events.KafkaSettings;
import io.freightline.events.Topics;
import io.freightline.events.WarehouseUpdated;
import io.freightline.watcher.domain.DeliveryLedger;
import io.freightline.watcher.domain.EmittedLedger;
import io.freightline.watcher.domain.WarehouseDirectory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Follows the compacted warehouses and watcher-state topics from the beginning, on every partition, in every
 * instance: a plain consumer with {@code assign()} (no group), so each watcher knows every warehouse, every
 * version any watcher emitted and every webhook delivery any watcher handled. The watcher is ready once both
 * topics are read up to where they ended at start.
 */
@ApplicationScoped
public class StateFollower {
    private static final Logger LOG = Logger.getLogger(StateFollower.class);

    @Inject
    WarehouseDirectory directory;
    @Inject
    EmittedLedger ledger;
    @Inject
    DeliveryLedger deliveries;
    /** Every {@code kafka.*} key: the address and the TLS/SASL settings the channels use reach these clients too. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    void start(@Observes StartupEvent ev) {
        thread = new Thread(this::loop, "watcher-state-follower");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) c.wakeup();
    }

    /** Both compacted topics were read up to their end offsets as of start-up. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void loop() {
        while (running) {
            try {
                follow();
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("state follower failed, restarting in 2 s: %s", e.toString());
                caughtUp = false;
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void follow() {
        Map<String, Object> props = KafkaSettings.of(kafka, ConsumerConfig.configNames(), Map.of());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // only versions whose artifact event was committed count as emitted
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "freightline-watcher-state");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.WAREHOUSES, Topics.WATCHER_STATE)) {
                var infos = c.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist");
                }
                infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(30));
            while (running) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    apply(r);
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.infof("caught up: %d warehouse(s) followed", directory.size());
                }
            }
        }
    }

    private void apply(ConsumerRecord<String, String> r) {
        if (r.key() == null) {
            return;
        }
        if (r.topic().equals(Topics.WATCHER_STATE)) {
            if (DeliveryRecord.TYPE.equals(header(r, CloudEventHeaders.TYPE))) {
                // a handled webhook delivery (a tombstone carries the type too)
                if (r.value() == null) deliveries.remove(r.key());
                else deliveries.add(r.key());
                return;
            }
            if (r.value() == null) {
                ledger.merge(r.key(), null);
                return;
            }
            try {
                StateRecord state = EventCodec.mapper().readValue(r.value(), StateRecord.class);
                ledger.merge(r.key(), state.emitted() == null ? List.of() : state.emitted());
            } catch (Exception e) {
                LOG.warnf("unreadable watcher state record %s at %s-%d@%d: %s", r.key(), r.topic(), r.partition(), r.offset(), e.getMessage());
            }
            return;
        }
        if (r.value() == null) {
            directory.apply(r.key(), null);
            LOG.infof("warehouse %s deleted", r.key());
            return;
        }
        String type = header(r, CloudEventHeaders.TYPE);
        if (type == null) {
            deadLetter(r, "not a CloudEvent: no " + CloudEventHeaders.TYPE + " header");
            return;
        }
        try {
            WarehouseUpdated spec = EventCodec.decode(type, r.value(), WarehouseUpdated.class);
            directory.apply(r.key(), spec);
            LOG.infof("following warehouse %s generation %d (%d subscription(s))", r.key(), spec.generation(),
                    spec.subscriptions() == null ? 0 : spec.subscriptions().size());
        } catch (InvalidEventException e) {
            deadLetter(r, e.getMessage());
        }
    }

    private void deadLetter(ConsumerRecord<String, String> r, String reason) {
        LOG.warnf("warehouse record %s at %s-%d@%d is invalid, dead-lettered: %s", r.key(), r.topic(), r.partition(), r.offset(), reason);
        // only the instance that has not seen it before would ideally do this; every instance does (duplicates in the DLQ)
        try (KafkaProducer<String, String> p = new KafkaProducer<>(KafkaSettings.of(kafka, ProducerConfig.configNames(), Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName())))) {
            ProducerRecord<String, String> dl = new ProducerRecord<>(Topics.dlq(r.topic()), r.key(), r.value());
            for (Header h : r.headers()) {
                dl.headers().add(h);
            }
            dl.headers().add(CloudEventHeaders.DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8));
            p.send(dl).get();
        } catch (Exception e) {
            LOG.warnf("cannot dead-letter %s: %s", r.key(), e.toString());
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
