package io.freightline.engine.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectionTest {

    @ParameterizedTest(name = "{0} satisfies {1}: {2}")
    @CsvSource(delimiter = ';', textBlock = """
            1.2.3        ; >=0.1.0          ; true
            0.0.9        ; >=0.1.0          ; false
            v1.2.3       ; ^1.2.0           ; true
            2.0.0        ; ^1.2.0           ; false
            0.2.5        ; ^0.2.1           ; true
            0.3.0        ; ^0.2.1           ; false
            1.2.9        ; ~1.2.3           ; true
            1.3.0        ; ~1.2.3           ; false
            1.4.0        ; >=1.0.0 <2.0.0   ; true
            1.4.0        ; >= 1.0, < 1.4    ; false
            1.2.7        ; 1.2.x            ; true
            1.3.0        ; 1.2.x            ; false
            3.1.0        ; 1.x || 3.x       ; true
            1.2.3-rc.1   ; >=1.0.0          ; false
            1.2.3-rc.1   ; >=1.2.3-rc.0     ; true
            1.0.0        ; *                ; true
            """)
    void constraints(String version, String constraint, boolean expected) {
        assertEquals(expected, SemVer.Constraint.parse(constraint).matches(SemVer.parse(version, false)));
    }

    @Test
    void orderingFollowsSemVer() {
        assertTrue(SemVer.parse("1.10.0", true).compareTo(SemVer.parse("1.9.0", true)) > 0);
        assertTrue(SemVer.parse("1.0.0", true).compareTo(SemVer.parse("1.0.0-rc.1", true)) > 0);
        assertTrue(SemVer.parse("1.0.0-rc.10", true).compareTo(SemVer.parse("1.0.0-rc.2", true)) > 0);
        assertEquals(null, SemVer.parse("1.2", true));
    }

    @Test
    void subscriptionAcceptsOnlyMatchingTags() {
        Subscription s = new Subscription("app", ArtifactKind.IMAGE, "reg/app", null, "SemVer", "^1.0.0", false,
                "^v?\\d.*", List.of("1.0.1"), 20, null, null, null, "poll");
        assertEquals(null, Selection.rejection(s, ArtifactRef.image("reg/app", "1.2.0", null)));
        assertTrue(Selection.rejection(s, ArtifactRef.image("reg/app", "2.0.0", null)).contains("does not satisfy"));
        assertTrue(Selection.rejection(s, ArtifactRef.image("reg/app", "1.0.1", null)).contains("ignored"));
        assertTrue(Selection.rejection(s, ArtifactRef.image("reg/app", "latest", null)).contains("not allowed"));
        assertFalse(Selection.subscribes(s, ArtifactRef.image("reg/other", "1.2.0", null)));
    }

    @Test
    void freightIdIsOrderIndependentAndAliasDeterministic() {
        ArtifactRef a = ArtifactRef.image("reg/a", "1.0.0", null);
        ArtifactRef b = ArtifactRef.chart("https://charts", "b", "2.0.0");
        String id = FreightIds.freightId(List.of(a, b));
        assertEquals(id, FreightIds.freightId(List.of(b, a)));
        assertEquals(FreightIds.sha1(b.canonical() + "\n" + a.canonical()), id); // "chart:" sorts before "image:"
        assertEquals(FreightIds.alias(id), FreightIds.alias(id));
        assertTrue(FreightIds.alias(id).matches("[a-z]+-[a-z]+"));
        assertNotEquals(id, FreightIds.freightId(List.of(a)));
    }

    @ParameterizedTest(name = "{0} at {1} in {2} for {3}: {4}")
    @CsvSource(delimiter = '|', textBlock = """
            0 9 * * 1-5    | 2024-05-06T10:30:00Z | UTC           | 2h  | true
            0 9 * * 1-5    | 2024-05-06T11:30:00Z | UTC           | 2h  | false
            0 9 * * 1-5    | 2024-05-05T10:00:00Z | UTC           | 2h  | false
            0 9 * * mon-fri| 2024-05-06T07:30:00Z | Europe/Berlin | 1h  | true
            */15 * * * *   | 2024-05-06T10:16:00Z | UTC           | 5m  | true
            */15 * * * *   | 2024-05-06T10:21:00Z | UTC           | 5m  | false
            0 0 1 jan *    | 2024-01-01T05:00:00Z | UTC           | 1d  | true
            """)
    void cronWindows(String cron, String at, String zone, String duration, boolean open) {
        assertEquals(open, Cron.parse(cron).within(Instant.parse(at), Durations.parse(duration), ZoneId.of(zone)));
    }

    @Test
    void badCronAndDurationsNameTheProblem() {
        assertThrows(IllegalArgumentException.class, () -> Cron.parse("* * *"));
        assertThrows(IllegalArgumentException.class, () -> Cron.parse("61 * * * *"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 minutes"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    }
}
