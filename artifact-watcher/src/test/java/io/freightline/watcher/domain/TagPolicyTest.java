package io.freightline.watcher.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.Subscription;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TagPolicyTest {
    static TagPolicy policy(String strategy, String constraint, String allow, List<String> ignore, Integer limit, Boolean strict) {
        return TagPolicy.of(new Subscription(null, ArtifactKind.IMAGE, "r/x", null, strategy, constraint, strict, allow, ignore,
                limit, null, null, null, null));
    }

    @Test
    void semverNewestFirstWithinConstraintFiltersAndLimit() {
        TagPolicy p = policy(null, "^1.0.0", null, List.of("1.3.0"), 2, null);
        assertEquals(List.of("1.10.0", "1.2.0"), p.select(List.of("1.0.0", "1.2.0", "1.10.0", "1.3.0", "2.0.0", "latest"), Map.of()));
    }

    @Test
    void strictSemverAndAllowIgnoreRegexes() {
        assertFalse(policy("SemVer", null, null, null, null, true).accepts("v1.2"));
        assertTrue(policy("SemVer", null, null, null, null, false).accepts("v1.2"));
        TagPolicy p = policy("Lexical", null, "^main-.*", List.of("main-bad.*"), 10, null);
        assertEquals(List.of("main-c", "main-a"), p.select(List.of("main-a", "feature-z", "main-c", "main-bad1"), Map.of()));
    }

    @Test
    void newestBuildOrdersByBuildTimeAndDigestFollowsOneTag() {
        TagPolicy p = policy("NewestBuild", null, null, null, 2, null);
        Map<String, Instant> built = Map.of("zzz", Instant.parse("2024-01-01T00:00:00Z"), "aaa", Instant.parse("2025-01-01T00:00:00Z"),
                "mmm", Instant.parse("2023-01-01T00:00:00Z"));
        assertEquals(List.of("aaa", "zzz"), p.select(built.keySet(), built));
        TagPolicy d = policy("Digest", "stable", null, null, null, null);
        assertTrue(d.accepts("stable"));
        assertFalse(d.accepts("1.0.0"));
    }
}
