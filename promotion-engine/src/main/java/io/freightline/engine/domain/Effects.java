package io.freightline.engine.domain;

import io.freightline.events.PromotionRequested;
import io.freightline.events.WarehouseUpdated;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one engine step decided: events to publish, state keys to write, metric observations. The caller makes
 * them durable in this order (events, then state) before it acknowledges the input.
 */
public final class Effects {
    public final List<PromotionRequested> promotions = new ArrayList<>();
    public final List<WarehouseUpdated> warehouses = new ArrayList<>();
    /** State keys ({@code project/kind/name}) whose entity changed. */
    public final Set<String> dirty = new LinkedHashSet<>();
    /** State keys whose entity was removed (tombstones). */
    public final Set<String> deleted = new LinkedHashSet<>();
    public final List<Observation> observations = new ArrayList<>();

    /** Metric observations; bounded labels only. */
    public sealed interface Observation {
    }

    public record FreightCreated(String project, String warehouse) implements Observation {
    }

    public record Transition(String project, String stage, String state) implements Observation {
    }

    public record LeadTime(String project, String stage, double seconds) implements Observation {
    }

    public record Waited(String project, String stage, String reason, double seconds) implements Observation {
    }

    public boolean isEmpty() {
        return promotions.isEmpty() && warehouses.isEmpty() && dirty.isEmpty() && deleted.isEmpty();
    }
}
