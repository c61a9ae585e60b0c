package io.freightline.events;

import java.time.Instant;
import java.util.List;

/**
 * The current spec of a warehouse, on the compacted warehouses topic (key {@code project/warehouse}; a null
 * value deletes it). The watcher keeps no pipeline config of its own: this is all it follows.
 *
 * @param intervalSeconds how often to poll its subscriptions (0 = webhooks only)
 * @param generation      increases with every change of the spec
 */
public record WarehouseUpdated(
        String project,
        String warehouse,
        long intervalSeconds,
        List<Subscription> subscriptions,
        long generation,
        Instant updatedAt) {

    public String key() {
        return project + "/" + warehouse;
    }
}
