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

    private static String error(String strategy, String constraint, List<String> allow) {
        Subscription s = new Subscription("s", io.freightline.events.ArtifactKind.IMAGE, "reg/app", null, strategy, constraint,
                null, null, null, null, null, null, null, null, allow, null);
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Policy.of(s)).getMessage();
    }

    @Test
    void configurationErrorsNameTheField() {
        assertEquals("invalid SemVer constraint '>>1.2': cannot read '>>1.2'", error("SemVer", ">>1.2", null));
        assertEquals("invalid SemVer constraint '^1 || x.y': cannot read 'x.y'", error("SemVer", "^1 || x.y", null));
        assertTrue(error("Lexical", null, List.of("(")).startsWith("allowTagsRegexes: '(' is not a regular expression"));
        assertEquals("constraint: the Digest strategy needs the tag to follow", error("Digest", null, null));
        assertEquals("strategy NewestTag is not one of [SemVer, Lexical, NewestBuild, Digest]", error("NewestTag", null, null));
    }
}
