package io.freightline.versions;

import io.freightline.events.Subscription;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTableTest {

    /** The library itself, straight from a subscription. */
    static final SelectionTable.Subject LIBRARY = new SelectionTable.Subject() {
        @Override
        public boolean accepts(Subscription s, String tag) {
            return Policy.of(s).accepts(tag);
        }

        @Override
        public List<String> select(Subscription s, List<SelectionTable.Item> items) {
            return Policy.of(s).select(items, SelectionTable.Item::tag, SelectionTable.Item::time).stream()
                    .map(SelectionTable.Item::tag).toList();
        }
    };

    @Test
    void tableHasEnoughCases() {
        assertTrue(SelectionTable.rows().size() >= 300, "rows: " + SelectionTable.rows().size());
    }

    @Test
    void libraryGivesTheTableAnswer() {
        List<String> failures = SelectionTable.failures(LIBRARY);
        assertEquals(List.of(), failures, failures.size() + " of " + SelectionTable.rows().size() + " rows differ");
    }
}
