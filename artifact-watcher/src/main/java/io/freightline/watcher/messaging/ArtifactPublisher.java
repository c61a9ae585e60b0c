package io.freightline.watcher.messaging;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.Channels;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.Topics;
import io.freightline.watcher.domain.DeliveryLedger;
import io.freightline.watcher.domain.Discovery;
import io.freightline.watcher.domain.EmittedLedger;
import io.freightline.watcher.domain.Watched;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Emits each version once: it skips versions the ledger already holds, then writes the artifact events, the
 * subscription's new state record and (for a webhook) the delivery's record in ONE Kafka transaction, so after a
 * crash either all are there or none.
 */
@ApplicationScoped
public class ArtifactPublisher {
    private static final Logger LOG = Logger.getLogger(ArtifactPublisher.class);
    static final String SOURCE = "/freightline/artifact-watcher";

    @Inject
    @Channel(Channels.ARTIFACTS_OUT)
    KafkaTransactions<Object> transactions; // String payloads, and Record for keyed tombstones
    @Inject
    EmittedLedger ledger;
    @Inject
    DeliveryLedger deliveries;
    @Inject
    MeterRegistry meters;

    /**
     * Publishes the discoveries not emitted before, in the given order; blocks until the transaction commits.
     *
     * @return the ones emitted now
     */
    public List<Discovery> publish(List<Discovery> discoveries) {
        return publish(discoveries, null);
    }

    /**
     * As {@link #publish(List)}, and marks a webhook delivery as handled in the same transaction (even when it
     * emits nothing), tombstoning the delivery ids that fall out of the replay window.
     *
     * @param delivery the delivery, or null
     */
    public synchronized List<Discovery> publish(List<Discovery> discoveries, DeliveryRecord delivery) {
        Map<String, Discovery> fresh = new LinkedHashMap<>();
        for (Discovery d : discoveries) {
            String id = d.watched().key() + "\n" + d.versionKey();
            if (!ledger.contains(d.watched().key(), d.versionKey()) && !fresh.containsKey(id)) {
                fresh.put(id, d);
            }
        }
        if (fresh.isEmpty() && delivery == null) {
            return List.of();
        }
        List<Discovery> toEmit = List.copyOf(fresh.values());
        Map<String, Watched> touched = new LinkedHashMap<>();
        Map<String, List<String>> newVersions = new LinkedHashMap<>();
        for (Discovery d : toEmit) {
            touched.put(d.watched().key(), d.watched());
            newVersions.computeIfAbsent(d.watched().key(), k -> new ArrayList<>()).add(d.versionKey());
        }
        List<String> evicted = delivery == null ? List.of() : deliveries.evictedByOneMore();
        Instant now = Instant.now();
        transactions.withTransaction(tx -> {
            for (Discovery d : toEmit) {
                Watched w = d.watched();
                ArtifactDiscovered event = new ArtifactDiscovered(w.project(), w.warehouse(), w.name(), d.artifact(),
                        d.createdAt(), now, d.discoveredBy());
                tx.send(Message.of(EventCodec.toJson(event)).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(w.project()).build())
                        .addMetadata(OutgoingCloudEventMetadata.builder()
                                .withId(eventId(w.key(), d.versionKey()))
                                .withType(EventTypes.ARTIFACT_DISCOVERED)
                                .withSource(java.net.URI.create(SOURCE))
                                .withSubject(w.key())
                                .withTimestamp(now.atZone(java.time.ZoneOffset.UTC))
                                .build()));
            }
            for (Map.Entry<String, Watched> e : touched.entrySet()) {
                Watched w = e.getValue();
                List<String> all = new ArrayList<>(new LinkedHashSet<>(ledger.versions(w.key())));
                all.addAll(newVersions.get(e.getKey()));
                StateRecord state = new StateRecord(w.project(), w.warehouse(), w.name(), tail(all));
                tx.send(Message.of(EventCodec.toJson(state)).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withTopic(Topics.WATCHER_STATE).withKey(w.key()).build())
                        .addMetadata(OutgoingCloudEventMetadata.builder()
                                .withId(UUID.randomUUID().toString())
                                .withType(StateRecord.TYPE)
                                .withSource(java.net.URI.create(SOURCE))
                                .build()));
            }
            if (delivery != null) {
                tx.send(stateMessage(delivery.key(), EventCodec.toJson(delivery), DeliveryRecord.TYPE));
                for (String old : evicted) {
                    tx.send(stateMessage(old, null, DeliveryRecord.TYPE));
                }
            }
            return Uni.createFrom().voidItem();
        }).await().atMost(Duration.ofSeconds(60));
        newVersions.forEach(ledger::add);
        if (delivery != null) {
            evicted.forEach(deliveries::remove);
            deliveries.add(delivery.key());
        }
        for (Discovery d : toEmit) {
            Watched w = d.watched();
            meters.counter("freightline.artifacts.discovered", "project", w.project(), "warehouse", w.warehouse(),
                    "kind", w.kind().json(), "source", d.discoveredBy().startsWith("webhook") ? "webhook" : "poll").increment();
            LOG.infof("emitted %s for %s (%s)", d.artifact().canonical(), w.key(), d.discoveredBy());
        }
        return toEmit;
    }

    /** A record of the state topic; a null value is a tombstone (it keeps the type header, so readers can route it). */
    private static Message<Record<String, String>> stateMessage(String key, String value, String type) {
        return Message.of(Record.of(key, value))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withTopic(Topics.WATCHER_STATE).withKey(key).build())
                .addMetadata(OutgoingCloudEventMetadata.builder()
                        .withId(UUID.randomUUID().toString())
                        .withType(type)
                        .withSource(java.net.URI.create(SOURCE))
                        .build());
    }

    private static List<String> tail(List<String> all) {
        int max = EmittedLedger.MAX_PER_SUBSCRIPTION;
        return all.size() > max ? all.subList(all.size() - max, all.size()) : all;
    }

    /** Content-derived CloudEvent id: a redelivery of the same version has the same id. */
    static String eventId(String subscriptionKey, String versionKey) {
        return UUID.nameUUIDFromBytes((subscriptionKey + "\n" + versionKey).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
