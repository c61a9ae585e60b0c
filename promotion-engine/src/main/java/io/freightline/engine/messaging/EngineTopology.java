package io.freightline.engine.messaging;

import io.freightline.engine.config.EngineConfig;
import io.freightline.events.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

import java.util.List;

/**
 * The engine's Kafka Streams topology: one source for the four inputs (all keyed by project and equally partitioned,
 * so partition N of every input belongs to one task), the engine processor, and sinks for everything it writes. Run
 * with {@code processing.guarantee=exactly_once_v2}, the outputs, the state records and the input offsets of a task
 * are committed in one transaction.
 */
@ApplicationScoped
public class EngineTopology {
    static final String SOURCE = "inputs", PROCESSOR = "engine";
    static final String PROMOTIONS = "promotions", WAREHOUSES = "warehouses", STATE = "state";
    static final List<String> INPUTS = List.of(Topics.ARTIFACTS, Topics.COMMITS, Topics.VERIFICATIONS, Topics.COMMANDS);

    /** The sink of an input's dead-letter topic. */
    static String dlq(String topic) {
        return "dlq:" + topic;
    }

    /** A singleton, not a client proxy: Kafka Streams reads the topology's fields directly. */
    @Produces
    @Singleton
    Topology topology(EngineService service, EngineConfig config) {
        var str = Serdes.String();
        Topology t = new Topology();
        t.addSource(SOURCE, str.deserializer(), str.deserializer(), INPUTS.toArray(String[]::new));
        t.addProcessor(PROCESSOR, () -> new EngineProcessor(service, config), SOURCE);
        t.addSink(PROMOTIONS, Topics.PROMOTIONS, str.serializer(), str.serializer(), PROCESSOR);
        t.addSink(WAREHOUSES, Topics.WAREHOUSES, str.serializer(), str.serializer(), PROCESSOR);
        t.addSink(STATE, Topics.STATE, str.serializer(), str.serializer(), PROCESSOR);
        for (String in : INPUTS) t.addSink(dlq(in), in + ".dlq", str.serializer(), str.serializer(), PROCESSOR);
        return t;
    }
}
