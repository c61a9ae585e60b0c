package io.freightline.engine.domain;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.CommandIssued;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.VerificationCompleted;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stop the line: pausing a whole project holds every stage, queued promotions included, until it is resumed. */
class ProjectPauseTest {
    final Engine engine = new Engine(1000, 20);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    int commands;

    ProjectPauseTest() {
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("shop.yaml", ManualFreightTest.MANIFESTS)), engine.catalog());
        engine.apply("shop", m.only("shop"), "admin", null, now);
    }

    @Test
    void aPausedProjectStartsNothingAndResumingStartsWhatWasQueued() {
        var ps = engine.project("shop");
        discovered("backend", ArtifactRef.git("https://github.com/example/config.git", "1111111", "main", null));
        discovered("backend", ArtifactRef.image("ghcr.io/example/backend", "1.0.0", null));
        discovered("backend", ArtifactRef.image("ghcr.io/example/backend", "1.1.0", null));
        List<Model.Freight> freight = ps.freight.values().stream().sorted(java.util.Comparator.comparingLong(f -> f.seq)).toList();
        assertEquals(2, freight.size());
        assertEquals(201, command("promote", Map.of("stage", "test", "freight", freight.get(0).id)).status());
        assertEquals(201, command("promote", Map.of("stage", "test", "freight", freight.get(1).id)).status());
        String running = ps.stage("test").running;
        assertNotNull(running);
        assertEquals(1, ps.stage("test").queue.size());

        assertEquals(200, command("pause-project", Map.of()).status());
        assertTrue(ps.stages.keySet().stream().allMatch(ps::paused));
        assertEquals(409, command("pause-project", Map.of()).status());
        Engine.CommandResult refused = command("promote", Map.of("stage", "uat", "freight", freight.get(0).id));
        assertEquals(409, refused.status());
        assertTrue(refused.message().startsWith("project 'shop' is paused (by alice: freeze)"), refused.message());
        assertEquals(409, command("resume", Map.of("stage", "test")).status(), "a stage cannot be resumed alone");

        // the running promotion finishes; the queued one waits
        land(ps.promotions.get(running).request);
        assertNull(ps.stage("test").running);
        assertEquals(1, ps.stage("test").queue.size());
        assertTrue(engine.tick("shop", now.plusSeconds(3600)).promotions.isEmpty());

        // the pause survives a rebuild from the state topic
        Engine rebuilt = new Engine(1000, 20);
        StateCodec.read(rebuilt, "shop/project", StateCodec.write(engine, "shop/project"));
        assertEquals("alice", rebuilt.project("shop").lineStop.actor());
        assertEquals("freeze", rebuilt.project("shop").lineStop.reason());

        assertEquals(200, command("resume-project", Map.of()).status());
        assertEquals(409, command("resume-project", Map.of()).status());
        assertNotNull(ps.stage("test").running, "the queued promotion started");
        assertTrue(ps.stage("test").queue.isEmpty());
        assertTrue(ps.audit.stream().anyMatch(e -> e.action().equals("pause-project") && e.detail().contains("1 queued promotions held")));
    }

    private Engine.CommandResult command(String action, Map<String, String> args) {
        now = now.plusSeconds(1);
        Engine.CommandResult[] result = new Engine.CommandResult[1];
        engine.onCommand(new CommandIssued("c" + (++commands), "shop", action, args, "alice", "freeze", now), now, result);
        return result[0];
    }

    private void discovered(String warehouse, ArtifactRef ref) {
        now = now.plusSeconds(1);
        engine.onArtifact(new ArtifactDiscovered("shop", warehouse, null, ref, null, now, "test"), now);
    }

    private void land(PromotionRequested r) {
        now = now.plusSeconds(1);
        engine.onCommitted(new PromotionCommitted(r.promotionId(), r.project(), r.stage(), r.freight().id(), r.git().repoURL(),
                "main", PromotionCommitted.Outcome.PUSHED, "abc", null, List.of(), null, null, null, now, now), now);
        engine.onVerification(new VerificationCompleted(r.promotionId(), r.project(), r.stage(), r.freight().id(), "abc",
                VerificationCompleted.Outcome.VERIFIED, null, "none", List.of(), List.of(), now, now), now);
    }
}
