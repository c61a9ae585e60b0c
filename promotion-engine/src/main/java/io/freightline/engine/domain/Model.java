package io.freightline.engine.domain;

import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
import io.freightline.events.PromotionRequested;
import io.freightline.events.StepResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's state entities. They are mutable on purpose: one project is changed by one thread at a time (the
 * caller holds the project's lock), and every change is written to the compacted state topic by key.
 */
public final class Model {

    /** Promotion states, Kargo's words. */
    public enum PromotionState {
        Pending, Running, Committed, Syncing, Succeeded, Failed, Aborted, Superseded;

        public boolean terminal() {
            return this == Succeeded || this == Failed || this == Aborted || this == Superseded;
        }
    }

    public enum Health { Unknown, Progressing, Healthy, Unhealthy }

    /** Immutable artifacts plus where the freight has been. */
    public static final class Freight {
        public String id;
        public String alias;
        public String warehouse;
        public List<ArtifactRef> artifacts;
        /** Creation order within the project: "newer" means a higher seq. */
        public long seq;
        public Instant createdAt;
        /** When its newest artifact was discovered (start of the lead time). */
        public Instant discoveredAt;
        public Map<String, Instant> verifiedIn = new LinkedHashMap<>();
        public Map<String, Approval> approvedFor = new LinkedHashMap<>();
        /** Kargo's Freight metadata (key to JSON value), set by {@code set-metadata}; read by {@code freightMetadata()}. */
        public Map<String, Object> metadata = new LinkedHashMap<>();

        public FreightRef ref() {
            return new FreightRef(id, alias, warehouse, artifacts);
        }
    }

    public record Approval(String actor, Instant at) {
    }

    /** The whole project paused ("stop the line"): no promotion starts in any stage until it is resumed. */
    public record LineStop(String actor, String reason, Instant at) {
    }

    /** An auto-promotion hold set by a manual rollback. */
    public record Hold(String freight, String actor, String reason, Instant at) {
    }

    public static final class StageState {
        public String name;
        /** Freight in the stage's folder, per origin warehouse. */
        public Map<String, String> current = new LinkedHashMap<>();
        /** The last freight verified in the stage, per warehouse (the auto-rollback target). */
        public Map<String, String> lastVerified = new LinkedHashMap<>();
        public Health health = Health.Unknown;
        /** Pause/resume by command; null means the manifest's {@code policy.paused} applies. */
        public Boolean paused;
        public Hold hold;
        /** Pending promotion ids in FIFO order. */
        public List<String> queue = new ArrayList<>();
        public String running;
        /** Finished promotion ids, oldest first (bounded). */
        public List<String> history = new ArrayList<>();
        /** Freight whose promotion into this stage failed: never auto-promoted again. */
        public Set<String> failedFreight = new LinkedHashSet<>();
        /** Since when auto-promotion of the candidate has waited, per reason (approval, soak, window). */
        public Map<String, Instant> waiting = new LinkedHashMap<>();
        /** Kargo's Stage metadata (key to JSON value), set by {@code set-metadata}; read by {@code stageMetadata()}. */
        public Map<String, Object> metadata = new LinkedHashMap<>();
    }

    public static final class Promotion {
        public String id;
        public String project;
        public String stage;
        public String freight;
        public String warehouse;
        public PromotionState state;
        /** auto, manual, rollback, auto-rollback */
        public String kind;
        public String requestedBy;
        public String reason;
        public Instant createdAt;
        public Instant updatedAt;
        public String commitSha;
        public String pullRequestURL;
        public String message;
        /** Each step's result in template order: the engine's own steps, the git-writer's, the notifier's. */
        public List<StepResult> steps = List.of();
        /** The event sent to the git-writer, once the promotion ran. */
        public PromotionRequested request;
    }

    /**
     * One audit record: who did what to which object, when and why. Most of its text repeats (a promotion's
     * transitions share target and detail; actions and actors come from a small set), and audit entries are most of
     * the engine's heap, so the strings are shared: the same text is one object, whether made here or read back
     * from the state topic.
     */
    public record AuditEntry(long seq, Instant at, String actor, String action, String target, String reason,
                             String detail) {
        public AuditEntry {
            actor = share(actor);
            action = share(action);
            target = share(target);
            reason = share(reason);
            detail = share(detail);
        }
    }

    /**
     * The canonical copy of a string that repeats across many entities (repository URLs, stage and warehouse
     * names, aliases, audit texts). The JVM's string table holds them weakly: unused ones are collected.
     */
    public static String share(String s) {
        return s == null ? null : s.intern();
    }

    /** An artifact reference whose repeating parts (repository URL, chart name, branch) are shared. */
    public static ArtifactRef share(ArtifactRef a) {
        return a == null ? null : new ArtifactRef(a.kind(), share(a.repoURL()), share(a.name()), a.tag(), a.digest(),
                a.commit(), share(a.branch()));
    }

    private Model() {
    }
}
