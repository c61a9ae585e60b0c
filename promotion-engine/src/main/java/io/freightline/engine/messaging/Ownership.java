package io.freightline.engine.messaging;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which input partitions this instance's consumers hold right now. Inputs are keyed by project, so a project
 * belongs to the instance that holds its partition (Kafka's default partitioner: murmur2 of the key).
 */
final class Ownership {
    private final Map<String, Set<Integer>> held = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitionCounts = new ConcurrentHashMap<>();

    void assign(String topic, int partitionCount, Collection<Integer> partitions) {
        partitionCounts.put(topic, partitionCount);
        held.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).addAll(partitions);
    }

    void revoke(String topic, Collection<Integer> partitions) {
        Set<Integer> s = held.get(topic);
        if (s != null) s.removeAll(partitions);
    }

    /** Whether this instance holds the partition of the topic. */
    boolean holds(String topic, int partition) {
        Set<Integer> s = held.get(topic);
        return s != null && s.contains(partition);
    }

    /** Whether the project's records of the topic are on one of the partitions. */
    boolean on(String topic, String project, Collection<Integer> partitions) {
        Integer n = partitionCounts.get(topic);
        return n != null && partitions.contains(partition(project, n));
    }

    /** Whether any of this instance's consumers holds the project's partition: then this instance writes its state. */
    boolean owns(String project) {
        for (var e : held.entrySet()) {
            Integer n = partitionCounts.get(e.getKey());
            if (n != null && e.getValue().contains(partition(project, n))) return true;
        }
        return false;
    }

    /** The partition Kafka's default partitioner picks for a record keyed by the project. */
    static int partition(String project, int partitionCount) {
        return Utils.toPositive(Utils.murmur2(project.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }
}
