package io.freightline.engine.messaging;

import io.freightline.engine.config.EngineConfig;
import io.freightline.engine.messaging.EngineService.Step;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.CommandIssued;
import io.freightline.events.EventCodec;
import io.freightline.events.InvalidEventException;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.Topics;
import io.freightline.events.VerificationCompleted;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The engine's read-decide-write step for one input partition (one Streams task): decodes an input, runs the engine
 * for its project and forwards the effects (events and state records) to the sinks, inside the task's exactly-once
 * transaction. An invalid input goes to its topic's DLQ with the reason, in the same transaction. A wall-clock
 * punctuator re-evaluates the time-based gates of the partition's projects.
 */
final class EngineProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(EngineProcessor.class);
    private static final String SOURCE = "/freightline/promotion-engine";
    private final EngineService service;
    private final EngineConfig config;
    private ProcessorContext<String, String> ctx;
    private int partition;
    private boolean started;

    EngineProcessor(EngineService service, EngineConfig config) {
        this.service = service;
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.ctx = context;
        this.partition = context.taskId().partition();
        context.schedule(config.tickInterval(), PunctuationType.WALL_CLOCK_TIME, ts -> tick());
    }

    /**
     * Before the task's first record or punctuation: by then its input offsets were fetched as stable, so the
     * previous owner's last transaction is committed or aborted, and the state replica can catch up past it.
     */
    private void start() {
        if (started) return;
        service.onTaskStarted(partition);
        started = true;
    }

    private void tick() {
        if (!service.ready()) return;
        start();
        for (String project : service.projectsOf(partition)) {
            service.withProject(project, this::send, e -> Step.of(e.tick(project, service.now())));
        }
    }

    @Override
    public void process(Record<String, String> record) {
        start();
        String topic = ctx.recordMetadata().map(RecordMetadata::topic).orElse("");
        try {
            String type = type(record.headers());
            switch (topic) {
                case Topics.ARTIFACTS -> {
                    ArtifactDiscovered e = EventCodec.decode(type, record.value(), ArtifactDiscovered.class);
                    service.withProject(e.project(), this::send, engine -> Step.of(engine.onArtifact(e, service.now())));
                }
                case Topics.COMMITS -> {
                    PromotionCommitted e = EventCodec.decode(type, record.value(), PromotionCommitted.class);
                    service.withProject(e.project(), this::send, engine -> Step.of(engine.onCommitted(e, service.now())));
                }
                case Topics.VERIFICATIONS -> {
                    VerificationCompleted e = EventCodec.decode(type, record.value(), VerificationCompleted.class);
                    service.withProject(e.project(), this::send, engine -> Step.of(engine.onVerification(e, service.now())));
                }
                case Topics.COMMANDS -> {
                    CommandIssued c = EventCodec.decode(type, record.value(), CommandIssued.class);
                    LOG.infof("command %s %s in project %s by %s", c.id(), c.action(), c.project(), c.actor());
                    service.handle(c, this::send);
                }
                default -> throw new IllegalStateException("record from an unknown topic " + topic);
            }
        } catch (InvalidEventException e) {
            LOG.warnf("%s is not a valid event, dead-lettered: %s", where(topic), e.getMessage());
            deadLetter(topic, record, e);
        } catch (StreamsException e) {
            throw e; // the transaction failed (fenced, broker gone): Streams aborts it and the input is read again
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s failed, dead-lettered", where(topic));
            deadLetter(topic, record, e);
        }
    }

    private String where(String topic) {
        return topic + "-" + partition + "@" + ctx.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    }

    /** The input as it was, with the reason and where it came from, to {@code <topic>.dlq}. */
    private void deadLetter(String topic, Record<String, String> record, RuntimeException reason) {
        Headers h = new RecordHeaders(record.headers().toArray());
        put(h, CloudEventHeaders.DLQ_REASON, String.valueOf(reason.getMessage()));
        put(h, "dead-letter-cause", reason.getClass().getName());
        put(h, "dead-letter-topic", topic);
        put(h, "dead-letter-partition", String.valueOf(partition));
        ctx.recordMetadata().ifPresent(m -> put(h, "dead-letter-offset", String.valueOf(m.offset())));
        ctx.forward(new Record<>(record.key(), record.value(), record.timestamp(), h), EngineTopology.dlq(topic));
    }

    /** An effect of the step, as a CloudEvent in binary mode (state records carry no headers). */
    private void send(String sink, String key, String json, String ceType) {
        Headers h = new RecordHeaders();
        if (ceType != null) {
            put(h, CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_1_0);
            put(h, CloudEventHeaders.TYPE, ceType);
            put(h, CloudEventHeaders.SOURCE, SOURCE);
            put(h, CloudEventHeaders.ID, UUID.randomUUID().toString());
            put(h, CloudEventHeaders.TIME, service.now().toString());
            put(h, CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON);
        }
        ctx.forward(new Record<>(key, json, System.currentTimeMillis(), h), sink);
    }

    private static void put(Headers h, String name, String value) {
        h.remove(name);
        h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The CloudEvent type header; a record without one is not an event of ours. */
    private static String type(Headers headers) {
        Header h = headers.lastHeader(CloudEventHeaders.TYPE);
        if (h == null) throw new InvalidEventException("not a CloudEvent: no " + CloudEventHeaders.TYPE + " header");
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (started) service.onTaskClosed(partition);
    }
}
