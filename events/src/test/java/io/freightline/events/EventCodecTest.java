package io.freightline.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventCodecTest {

    @Test
    void artifactEventRoundTripsThroughItsSchema() {
        ArtifactDiscovered event = new ArtifactDiscovered("demo", "app", null,
                ArtifactRef.image("127.0.0.1:5000/demo/app", "1.2.3", null), null, Instant.parse("2026-01-01T00:00:00Z"), "ci");
        String json = EventCodec.toJson(event);
        assertEquals(event, EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED, json, ArtifactDiscovered.class));
        assertTrue(json.contains("\"kind\":\"image\""), json);
    }

    @Test
    void theDocumentedCiPayloadIsValid() {
        String ci = """
                {"project":"demo","artifact":{"kind":"image","repoURL":"127.0.0.1:5000/demo/app","tag":"1.4.0"},"discoveredBy":"ci"}""";
        ArtifactDiscovered event = EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED, ci, ArtifactDiscovered.class);
        assertEquals("1.4.0", event.artifact().tag());
    }

    @Test
    void schemaViolationsNameTheField() {
        var e = assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED,
                "{\"project\":\"demo\",\"artifact\":{\"kind\":\"image\"}}"));
        assertTrue(e.getMessage().contains("repoURL"), e.getMessage());
        var bad = assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED,
                "{\"project\":\"demo\",\"artifact\":{\"kind\":\"image\",\"repoURL\":\"r\"}}"));
        assertTrue(bad.getMessage().contains("tag") || bad.getMessage().contains("digest"), bad.getMessage());
    }

    @Test
    void malformedAndUnknownAndDeeplyNestedInputIsRefusedWithAReason() {
        assertTrue(assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED, "{\"project\":"))
                .getMessage().startsWith("malformed JSON"));
        assertTrue(assertThrows(InvalidEventException.class, () -> EventCodec.decode("io.example.nope.v1", "{}"))
                .getMessage().contains("unknown event type"));
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED, deep));
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.PROMOTION_REQUESTED, "{}", ArtifactDiscovered.class));
    }

    @Test
    void stepResultsRoundTripAndOldCommitEventsStillDecode() {
        var steps = List.of(
                new StepResult("git-clone", "clone", "Succeeded", null, 12, Map.of("commits", Map.of("src", "abc1234")),
                        Instant.parse("2026-01-01T00:00:00Z")),
                new StepResult("fail", "stop", "Failed", "not today", 0, null, Instant.parse("2026-01-01T00:00:01Z")));
        var event = new PromotionCommitted("p1", "demo", "dev", "f1", "git://h/r.git", "main",
                PromotionCommitted.Outcome.FAILED, null, "step 'stop' (fail) failed: not today", steps, null, null, null,
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:02Z"), "Failed", "stop");
        assertEquals(event, EventCodec.decode(EventTypes.PROMOTION_COMMITTED, EventCodec.toJson(event)));
        String old = "{\"promotionId\":\"p1\",\"project\":\"demo\",\"stage\":\"dev\",\"outcome\":\"PUSHED\","
                + "\"steps\":[{\"uses\":\"copy\",\"status\":\"SUCCEEDED\",\"durationMillis\":3}]}";
        PromotionCommitted decoded = EventCodec.decode(EventTypes.PROMOTION_COMMITTED, old, PromotionCommitted.class);
        assertEquals(null, decoded.phase());
        assertEquals(null, decoded.steps().get(0).startedAt());
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.PROMOTION_COMMITTED,
                old.replace("\"outcome\"", "\"phase\":\"Done\",\"outcome\"")));
    }

    @Test
    void promotionRequestedRoundTrips() {
        var freight = new FreightRef("abc", "wise-otter", "app", List.of(ArtifactRef.image("r/app", "1.0.0", "sha256:00")));
        var request = new PromotionRequested("p1", "demo", "dev", freight, new GitTarget("git://h/r.git", "main", null),
                List.of(new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/dev"))),
                null, null, "engine", Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals(request, EventCodec.decode(EventTypes.PROMOTION_REQUESTED, EventCodec.toJson(request)));
    }

    @Test
    void everyTypeHasASchema() {
        EventTypes.PAYLOADS.keySet().forEach(t -> assertTrue(EventCodec.schemaText(t).contains(t)));
    }
}
