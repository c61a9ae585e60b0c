package io.freightline.engine.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's consumer group's rebalance listener (SmallRye finds it by the group id). It runs on each consumer's
 * polling thread, so blocking here holds back the records of the assigned partitions until the state replica has
 * caught up, and holds back the revoke until the step in flight for a revoked project has finished.
 */
@ApplicationScoped
@Identifier("freightline-engine")
public class Rebalance implements KafkaConsumerRebalanceListener {
    private final EngineService service;

    public Rebalance(EngineService service) {
        this.service = service;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        byTopic(partitions).forEach((topic, ps) -> service.onAssigned(topic, consumer.partitionsFor(topic).size(), ps));
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        byTopic(partitions).forEach(service::onRevoked);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        byTopic(partitions).forEach(service::onRevoked);
    }

    private static Map<String, List<Integer>> byTopic(Collection<TopicPartition> partitions) {
        Map<String, List<Integer>> out = new TreeMap<>();
        partitions.forEach(tp -> out.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
        return out;
    }
}
