package io.freightline.engine.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The promotion-engine's settings ({@code freightline.engine.*}; env {@code FREIGHTLINE_ENGINE_*}). */
@ConfigMapping(prefix = "freightline.engine")
public interface EngineConfig {

    /** Folder of pipeline manifests (*.yaml, *.yml) applied at start-up; none when unset. */
    Optional<String> manifestsDir();

    /** How often time-based gates (soak time, promotion windows) are re-evaluated. */
    @WithDefault("5s")
    Duration tickInterval();

    /** How long an API command waits for the engine to apply it before answering 202 Accepted. */
    @WithDefault("10s")
    Duration commandTimeout();

    /** Audit entries kept per project (older ones are removed from the state topic). */
    @WithDefault("10000")
    int auditRetention();

    /** Finished promotions kept per stage. */
    @WithDefault("100")
    int historyRetention();

    /**
     * Freight kept per warehouse; older freight is removed unless it is in a stage, verified there last, a rollback
     * target, approved for a stage or part of an unfinished promotion. 0 keeps all freight.
     */
    @WithDefault("500")
    int freightRetention();

    /** How long start-up waits for the state topic to be read before giving up. */
    @WithDefault("5m")
    Duration rebuildTimeout();

    /** How often the pipeline web view at {@code /} polls the API for changes. */
    @WithDefault("3s")
    Duration uiPollInterval();

    /**
     * This instance's name, unique in the consumer group: its static membership ({@code group.instance.id}), the
     * prefix of its Kafka client ids and its Streams state directory. Keep it stable across restarts (a StatefulSet
     * pod name) so a restarted instance takes its partitions back at once. Default: host name and pid.
     */
    String instanceId();

    /**
     * How often the processor commits its exactly-once transaction (Kafka Streams {@code commit.interval.ms}): the
     * events and state of an input are visible to read-committed readers only after it. Lower: faster promotions,
     * more transactions.
     */
    @WithDefault("10")
    int commitIntervalMs();

    /** The consumer session timeout: how long a killed instance keeps its partitions (the broker's minimum applies). */
    @WithDefault("6000")
    int sessionTimeoutMs();

    /**
     * The consumer heartbeat interval (at most a third of the session timeout): a survivor learns of a dead
     * member's expired session at its next heartbeat, so this adds up to one interval to a failover.
     */
    @WithDefault("1000")
    int heartbeatIntervalMs();

    /**
     * The producer's transaction timeout: a killed instance's open transaction blocks read-committed readers of the
     * partitions it wrote until the broker aborts it after this time.
     */
    @WithDefault("5000")
    int transactionTimeoutMs();

    /** How long SIGTERM waits for the Streams instance to commit, close and leave the consumer group. */
    @WithDefault("10s")
    Duration shutdownTimeout();

    Auth auth();

    interface Auth {
        /** File of {@code role=token} or {@code role@project=token} lines (roles: viewer, promoter, admin). */
        Optional<String> tokensFile();

        /** Inline tokens, comma-separated, in the same form as the file's lines. */
        Optional<String> tokens();
    }
}
