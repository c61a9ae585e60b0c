package io.freightline.engine.domain;

import io.freightline.engine.domain.Selection.Candidate;
import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.Subscription;
import io.freightline.versions.SelectionTable;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared selection table, answered the way the engine answers: each tag arrives as an artifact event's
 * {@link ArtifactRef}, is checked by {@link Selection#rejection}, and accepted ones are kept per subscription by
 * {@link Selection#keep} (newest last, trimmed to the discovery limit), as {@code Engine.onArtifact} does.
 */
class SelectionTableTest {

    private static ArtifactRef ref(Subscription s, String tag, int n) {
        String digest = "sha256:" + String.format("%064x", n);
        return switch (s.kind()) {
            case IMAGE -> ArtifactRef.image(s.repoURL(), tag, digest);
            case CHART -> ArtifactRef.chart(s.repoURL(), s.chartName(), tag);
            case GIT -> s.strategy() == null || s.strategy().equals("NewestFromBranch")
                    ? ArtifactRef.git(s.repoURL(), String.format("%040x", n), s.branch(), null)
                    : ArtifactRef.git(s.repoURL(), String.format("%040x", n), null, tag);
        };
    }

    @Test
    void engineGivesTheTableAnswer() {
        List<String> failures = SelectionTable.failures(new SelectionTable.Subject() {
            @Override
            public boolean accepts(Subscription s, String tag) {
                String invalid = Selection.invalid(s);
                if (invalid != null) throw new IllegalArgumentException(invalid);
                return Selection.rejection(s, ref(s, tag, 1)) == null;
            }

            @Override
            public List<String> select(Subscription s, List<SelectionTable.Item> items) {
                String invalid = Selection.invalid(s);
                if (invalid != null) throw new IllegalArgumentException(invalid);
                List<Candidate> kept = new ArrayList<>();
                int n = 0;
                for (SelectionTable.Item item : items) {
                    // the same tag seen again is the same artifact, unless it was pushed again (another time)
                    int id = s.kind() == ArtifactKind.IMAGE ? (item.tag() + "@" + item.time()).hashCode() & 0xffff
                            : item.tag().hashCode() & 0xffff;
                    ArtifactRef a = ref(s, item.tag(), id);
                    if (Selection.rejection(s, a) != null) continue;
                    Selection.keep(s, kept, new Candidate(a, item.time(), Instant.EPOCH.plusSeconds(++n)));
                }
                List<String> newestFirst = new ArrayList<>();
                for (Candidate c : kept) newestFirst.add(label(c, items, s));
                Collections.reverse(newestFirst);
                return newestFirst;
            }
        });
        assertEquals(List.of(), failures, failures.size() + " of " + SelectionTable.rows().size() + " rows differ");
    }

    private static String label(Candidate c, List<SelectionTable.Item> items, Subscription s) {
        if (c.artifact().tag() != null) return c.artifact().tag();
        for (SelectionTable.Item i : items) { // NewestFromBranch: commits carry no tag, the table names them
            if (c.artifact().commit().equals(String.format("%040x", i.tag().hashCode() & 0xffff))) return i.tag();
        }
        throw new AssertionError("unknown commit " + c.artifact().commit());
    }
}
