package io.freightline.watcher.domain;

import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.Subscription;
import io.freightline.events.WarehouseUpdated;
import io.freightline.versions.SelectionTable;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared selection table, answered the way the watcher answers: the subscription arrives in a
 * {@code WarehouseUpdated} event (encoded, schema-checked and decoded as the state follower reads it), becomes a
 * {@link Watched}, and its policy filters webhook tags and orders polled tags.
 */
class SelectionTableTest {

    private static Watched received(Subscription s) {
        WarehouseUpdated event = new WarehouseUpdated("p", "w", 60, List.of(s), 1, Instant.EPOCH);
        WarehouseUpdated decoded = EventCodec.decode(EventTypes.typeOf(WarehouseUpdated.class), EventCodec.toJson(event),
                WarehouseUpdated.class);
        return new Watched(decoded.project(), decoded.warehouse(), decoded.intervalSeconds(), decoded.generation(),
                decoded.subscriptions().get(0));
    }

    @Test
    void watcherGivesTheTableAnswer() {
        List<String> failures = SelectionTable.failures(new SelectionTable.Subject() {
            @Override
            public boolean accepts(Subscription s, String tag) {
                return received(s).policy().accepts(tag);
            }

            @Override
            public List<String> select(Subscription s, List<SelectionTable.Item> items) {
                Map<String, Instant> times = new HashMap<>();
                items.forEach(i -> times.put(i.tag(), i.time()));
                if (!received(s).policy().strategy().tagBased()) {
                    // Digest and NewestFromBranch: the watcher asks the registry/branch for the one current artifact
                    return received(s).policy().select(items, SelectionTable.Item::tag, SelectionTable.Item::time)
                            .stream().map(SelectionTable.Item::tag).toList();
                }
                return received(s).policy().selectTags(items.stream().map(SelectionTable.Item::tag).toList(), times::get);
            }
        });
        assertEquals(List.of(), failures, failures.size() + " of " + SelectionTable.rows().size() + " rows differ");
    }
}
