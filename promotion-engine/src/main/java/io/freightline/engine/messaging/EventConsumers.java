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
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The engine's inputs. Each handler decodes (an {@link InvalidEventException} nacks the record, which SmallRye
 * sends to the topic's DLQ with the reason), waits for the state rebuild, and acknowledges only once the effects are
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
    public CompletionStage<Void> onArtifact(Message<ConsumerRecord<String, String>> message) {
        return handle(message, record -> {
            ArtifactDiscovered e = EventCodec.decode(type(record), record.value(), ArtifactDiscovered.class);
            service.awaitRebuilt();
            service.decide(record.topic(), record.partition(), e.project(), engine -> Step.of(engine.onArtifact(e, service.now())));
        });
    }

    @Incoming(Channels.COMMITS_IN)
    @Blocking
    public CompletionStage<Void> onCommit(Message<ConsumerRecord<String, String>> message) {
        return handle(message, record -> {
            PromotionCommitted e = EventCodec.decode(type(record), record.value(), PromotionCommitted.class);
            service.awaitRebuilt();
            service.decide(record.topic(), record.partition(), e.project(), engine -> Step.of(engine.onCommitted(e, service.now())));
        });
    }

    @Incoming(Channels.VERIFICATIONS_IN)
    @Blocking
    public CompletionStage<Void> onVerification(Message<ConsumerRecord<String, String>> message) {
        return handle(message, record -> {
            VerificationCompleted e = EventCodec.decode(type(record), record.value(), VerificationCompleted.class);
            service.awaitRebuilt();
            service.decide(record.topic(), record.partition(), e.project(), engine -> Step.of(engine.onVerification(e, service.now())));
        });
    }

    @Incoming(Channels.COMMANDS_IN)
    @Blocking
    public CompletionStage<Void> onCommand(Message<ConsumerRecord<String, String>> message) {
        return handle(message, record -> {
            CommandIssued c = EventCodec.decode(type(record), record.value(), CommandIssued.class);
            service.awaitRebuilt();
            LOG.infof("command %s %s in project %s by %s", c.id(), c.action(), c.project(), c.actor());
            service.handle(record.topic(), record.partition(), c);
        });
    }

    /**
     * Runs a handler and acknowledges the record once its effects are durable. A failure nacks it, which sends it to
     * the topic's DLQ with the reason: an invalid event is expected input and gets one warning line; anything else is
     * a fault of ours and is logged with its stack trace.
     */
    private static CompletionStage<Void> handle(Message<ConsumerRecord<String, String>> message,
                                                Consumer<ConsumerRecord<String, String>> handler) {
        ConsumerRecord<String, String> record = message.getPayload();
        try {
            handler.accept(record);
        } catch (InvalidEventException e) {
            LOG.warnf("%s-%d@%d is not a valid event, dead-lettered: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return message.nack(e);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s-%d@%d failed, dead-lettered", record.topic(), record.partition(), record.offset());
            return message.nack(e);
        }
        return message.ack();
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
