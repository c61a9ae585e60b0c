package io.freightline.events;

import java.util.List;

/** Kafka topic names. Code and tests use these constants, never literals. */
public final class Topics {
    /** New artifact versions, from the watcher or straight from CI. Key: project. */
    public static final String ARTIFACTS = "freightline.artifacts";
    /** Operator commands (promote, approve, abort, ...). Key: project. */
    public static final String COMMANDS = "freightline.commands";
    /** Self-contained promotions for the git-writer. Key: Git repository URL. */
    public static final String PROMOTIONS = "freightline.promotions";
    /** The outcome of each promotion's commit. Key: project. */
    public static final String COMMITS = "freightline.commits";
    /** Sync/health outcome of a stage at a revision. Key: project. */
    public static final String VERIFICATIONS = "freightline.verifications";
    /** Compacted: the warehouse specs the watcher follows. Key: project/warehouse. */
    public static final String WAREHOUSES = "freightline.warehouses";
    /** Compacted: the engine's durable state. Key: project/... */
    public static final String STATE = "freightline.state";
    /** Compacted: what the watcher has already emitted, per subscription. Key: project/warehouse/subscription. */
    public static final String WATCHER_STATE = "freightline.watcher.state";

    /** Topics whose records are kept by key (log compaction). */
    public static final List<String> COMPACTED = List.of(WAREHOUSES, STATE, WATCHER_STATE);

    /** Every topic the system uses, dead-letter topics included. */
    public static List<String> all() {
        return List.of(ARTIFACTS, COMMANDS, PROMOTIONS, COMMITS, VERIFICATIONS, WAREHOUSES, STATE, WATCHER_STATE,
                dlq(ARTIFACTS), dlq(COMMANDS), dlq(PROMOTIONS), dlq(COMMITS), dlq(VERIFICATIONS), dlq(WAREHOUSES));
    }

    /** The dead-letter topic of a topic. */
    public static String dlq(String topic) {
        return topic + ".dlq";
    }

    private Topics() {
    }
}
