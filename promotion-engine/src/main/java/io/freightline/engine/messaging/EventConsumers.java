package io.freightline.engine.messaging;

import io.freightline.engine.messaging.EngineService.Step;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.Channels;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.CommandIssued;
import io.freightline.events.EventCodec;
import io.freightline.events.InvalidEventException;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.VerificationCompleted;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * The engine's inputs. Each handler decodes (an {@link InvalidEventException} nacks the record, which SmallRye
 * sends to the topic's DLQ with the reason), waits for the state rebuild, and returns only once the effects are
 * durable, so the throttled commit strategy commits the offset after that. A record whose partition was revoked
 * while it waited is skipped: the new owner processes it from the committed offset.
 */
@ApplicationScoped
public class EventConsumers {
    private static final Logger LOG = Logger.getLogger(EventConsumers.class);
    private final EngineService service;

    public EventConsumers(EngineService service) {
        this.service = service;
    }

    @Incoming(Channels.ARTIFACTS_IN)
    @Blocking
    public void onArtifact(ConsumerRecord<String, String> record) {
        ArtifactDiscovered e = EventCodec.decode(type(record), record.value(), ArtifactDiscovered.class);
        service.awaitRebuilt();
        service.decide(record.topic(), record.partition(), e.project(), engine -> Step.of(engine.onArtifact(e, service.now())));
    }

    @Incoming(Channels.COMMITS_IN)
    @Blocking
    public void onCommit(ConsumerRecord<String, String> record) {
        PromotionCommitted e = EventCodec.decode(type(record), record.value(), PromotionCommitted.class);
        service.awaitRebuilt();
        service.decide(record.topic(), record.partition(), e.project(), engine -> Step.of(engine.onCommitted(e, service.now())));
    }

    @Incoming(Channels.VERIFICATIONS_IN)
    @Blocking
    public void onVerification(ConsumerRecord<String, String> record) {
        VerificationCompleted e = EventCodec.decode(type(record), record.value(), VerificationCompleted.class);
        service.awaitRebuilt();
        service.decide(record.topic(), record.partition(), e.project(), engine -> Step.of(engine.onVerification(e, service.now())));
    }

    @Incoming(Channels.COMMANDS_IN)
    @Blocking
    public void onCommand(ConsumerRecord<String, String> record) {
        CommandIssued c = EventCodec.decode(type(record), record.value(), CommandIssued.class);
        service.awaitRebuilt();
        LOG.infof("command %s %s in project %s by %s", c.id(), c.action(), c.project(), c.actor());
        service.handle(record.topic(), record.partition(), c);
    }

    /** The CloudEvent type header; a record without one is not an event of ours. */
    private static String type(ConsumerRecord<String, String> record) {
        Header h = record.headers().lastHeader(CloudEventHeaders.TYPE);
        if (h == null) {
            throw new InvalidEventException("not a CloudEvent: no " + CloudEventHeaders.TYPE + " header");
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
