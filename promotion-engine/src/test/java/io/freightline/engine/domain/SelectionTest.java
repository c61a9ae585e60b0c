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

    @Test
    void subscriptionAcceptsOnlyMatchingTags() {
        Subscription s = new Subscription("app", ArtifactKind.IMAGE, "reg/app", null, "SemVer", "^1.0.0", false,
                "^v?\\d.*", List.of("1.0.1"), 20, null, null, null, "poll");
        assertEquals(null, Selection.rejection(s, ArtifactRef.image("reg/app", "1.2.0", null)));
        assertTrue(Selection.rejection(s, ArtifactRef.image("reg/app", "2.0.0", null)).contains("does not satisfy"));
        assertTrue(Selection.rejection(s, ArtifactRef.image("reg/app", "1.0.1", null)).contains("ignoreTags"));
        assertTrue(Selection.rejection(s, ArtifactRef.image("reg/app", "latest", null)).contains("allowTagsRegexes"));
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
