package io.freightline.engine.domain;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.CommandIssued;
import io.freightline.events.EventCodec;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.VerificationCompleted;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freight made by hand ({@code freightline create freight}, Kargo's {@code freightCreationPolicy: Manual}) and
 * {@code freightline promote --source-stage S --stage T --all}, which promotes every freight verified in S.
 */
class ManualFreightTest {
    static final String MANIFESTS = """
            apiVersion: kargo.akuity.io/v1alpha1
            kind: Project
            metadata: {name: shop}
            ---
            apiVersion: kargo.akuity.io/v1alpha1
            kind: Warehouse
            metadata: {name: frontend, namespace: shop}
            spec:
              freightCreationPolicy: Manual
              subscriptions:
              - image:
                  repoURL: ghcr.io/example/frontend
                  allowTagsRegexes: ["^v"]
            ---
            apiVersion: kargo.akuity.io/v1alpha1
            kind: Warehouse
            metadata: {name: backend, namespace: shop}
            spec:
              subscriptions:
              - image: {repoURL: ghcr.io/example/backend}
              - git: {repoURL: "https://github.com/example/config.git", branch: main}
            ---
            apiVersion: kargo.akuity.io/v1alpha1
            kind: Stage
            metadata: {name: test, namespace: shop}
            spec:
              requestedFreight:
              - origin: {kind: Warehouse, name: frontend}
                sources: {direct: true}
              - origin: {kind: Warehouse, name: backend}
                sources: {direct: true}
              git: {repoURL: "git://repo/shop.git", branch: main}
              promotionTemplate:
                spec:
                  steps:
                  - uses: kustomize-set-image
                    config: {path: envs/test}
            ---
            apiVersion: kargo.akuity.io/v1alpha1
            kind: Stage
            metadata: {name: uat, namespace: shop}
            spec:
              requestedFreight:
              - origin: {kind: Warehouse, name: frontend}
                sources: {stages: [test]}
              - origin: {kind: Warehouse, name: backend}
                sources: {stages: [test]}
              git: {repoURL: "git://repo/shop.git", branch: main}
              promotionTemplate:
                spec:
                  steps:
                  - uses: kustomize-set-image
                    config: {path: envs/uat}
            ---
            apiVersion: kargo.akuity.io/v1alpha1
            kind: Stage
            metadata: {name: hotfix, namespace: shop}
            spec:
              requestedFreight:
              - origin: {kind: Warehouse, name: frontend}
                sources: {stages: [test]}
              - origin: {kind: Warehouse, name: backend}
                sources: {stages: [uat]}
            """;

    final Engine engine = new Engine(1000, 20);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    int commands;

    ManualFreightTest() {
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("shop.yaml", MANIFESTS)), engine.catalog());
        engine.apply("shop", m.only("shop"), "admin", null, now);
    }

    @Test
    void aManualWarehouseGetsFreightOnlyByHandAndTheSameArtifactsMakeTheSameFreight() throws Exception {
        discovered("frontend", ArtifactRef.image("ghcr.io/example/frontend", "v1.0.0", "sha256:" + "a".repeat(64)));
        assertTrue(engine.project("shop").freight.isEmpty(), "Manual: discovery mints nothing");

        Engine.CommandResult r = createFreight("frontend", List.of(ArtifactRef.image("ghcr.io/example/frontend", "v1.0.0", null)));
        assertEquals(201, r.status(), r.message());
        var f = engine.project("shop").freight.values().iterator().next();
        assertTrue(r.message().contains(f.id) && r.message().contains(f.alias), r.message());
        assertEquals("sha256:" + "a".repeat(64), f.artifacts.get(0).digest(), "the discovered artifact, digest included");
        assertEquals("frontend", f.warehouse);
        assertTrue(engine.project("shop").audit.stream().anyMatch(e -> e.action().equals("freight-created") && e.actor().equals("alice")));

        Engine.CommandResult again = createFreight("frontend", List.of(ArtifactRef.image("ghcr.io/example/frontend", "v1.0.0", null)));
        assertEquals(200, again.status());
        assertTrue(again.message().contains("already exists"), again.message());
        assertEquals(1, engine.project("shop").freight.size());
    }

    @Test
    void aSubscriptionWithoutAGivenArtifactTakesItsNewestDiscoveredOne() throws Exception {
        discovered("backend", ArtifactRef.git("https://github.com/example/config.git", "1111111", "main", null));
        Engine.CommandResult r = createFreight("backend", List.of(ArtifactRef.image("ghcr.io/example/backend", "2.0.0", null)));
        assertEquals(201, r.status(), r.message());
        var f = engine.project("shop").freight.values().iterator().next();
        assertEquals(List.of("git:https://github.com/example/config.git@1111111", "image:ghcr.io/example/backend:2.0.0@"),
                f.artifacts.stream().map(ArtifactRef::canonical).toList());
    }

    @Test
    void badManualFreightIsRefusedWithTheReasonAndCreatesNothing() throws Exception {
        assertRefused(400, "artifacts[0]: image:ghcr.io/example/frontend:1.0.0@ is not eligible for subscription 'ghcr.io/example/frontend'",
                createFreight("frontend", List.of(ArtifactRef.image("ghcr.io/example/frontend", "1.0.0", null))));
        assertRefused(400, "artifacts[0]: image:docker.io/other:v1@ belongs to no subscription of warehouse 'frontend'",
                createFreight("frontend", List.of(ArtifactRef.image("docker.io/other", "v1", null))));
        assertRefused(400, "a second artifact for subscription 'ghcr.io/example/frontend'",
                createFreight("frontend", List.of(ArtifactRef.image("ghcr.io/example/frontend", "v1.0.0", null),
                        ArtifactRef.image("ghcr.io/example/frontend", "v2.0.0", null))));
        assertRefused(400, "artifacts: none given for subscription 'https://github.com/example/config.git' and none discovered yet",
                createFreight("backend", List.of(ArtifactRef.image("ghcr.io/example/backend", "2.0.0", null))));
        assertRefused(400, "artifacts[0]: ", createFreight("frontend", List.of(ArtifactRef.image("ghcr.io/example/frontend", "v 1", null))));
        assertRefused(404, "warehouse 'nope' not found", createFreight("nope", List.of(ArtifactRef.image("ghcr.io/example/frontend", "v1.0.0", null))));
        assertTrue(engine.project("shop").freight.isEmpty());
    }

    @Test
    void promoteAllFromASourceStageMovesEveryFreightVerifiedThereAndOnlyOnce() throws Exception {
        createFreight("frontend", List.of(ArtifactRef.image("ghcr.io/example/frontend", "v1.0.0", null)));
        discovered("backend", ArtifactRef.git("https://github.com/example/config.git", "2222222", "main", null));
        discovered("backend", ArtifactRef.image("ghcr.io/example/backend", "3.0.0", null));
        var ps = engine.project("shop");
        assertEquals(2, ps.freight.size());
        for (var f : List.copyOf(ps.freight.values())) {
            var r = command("promote", Map.of("stage", "test", "freight", f.id));
            assertEquals(201, r.status(), r.message());
        }
        // one promotion at a time per stage: land them in turn
        land(running("test"));
        land(running("test"));
        assertEquals(2, ps.stage("test").current.size());

        // hotfix takes the backend freight only once verified in uat: all or nothing, the frontend is not promoted alone
        assertRefused(409, "is not available to stage 'hotfix'", command("promote", Map.of("stage", "hotfix", "sourceStage", "test")));
        assertTrue(ps.promotions.values().stream().noneMatch(p -> p.stage.equals("hotfix")));

        var r = command("promote", Map.of("stage", "uat", "sourceStage", "test"));
        assertEquals(201, r.status(), r.message());
        assertTrue(r.message().startsWith("2 promotions queued"), r.message());
        assertEquals(List.of("backend", "frontend"), uatPromotions());

        var again = command("promote", Map.of("stage", "uat", "sourceStage", "test"));
        assertEquals(200, again.status(), again.message());
        assertTrue(again.message().contains("already holds (or has queued)"), again.message());
        assertEquals(List.of("backend", "frontend"), uatPromotions());

        assertRefused(409, "stage 'uat' holds no verified freight that stage 'test' takes",
                command("promote", Map.of("stage", "test", "sourceStage", "uat")));
        assertRefused(404, "stage 'nope' not found", command("promote", Map.of("stage", "uat", "sourceStage", "nope")));
    }

    /** The warehouses of the freight promoted into uat, sorted. */
    private List<String> uatPromotions() {
        return engine.project("shop").promotions.values().stream().filter(p -> p.stage.equals("uat")).map(p -> p.warehouse).sorted().toList();
    }

    private static void assertRefused(int status, String message, Engine.CommandResult r) {
        assertEquals(status, r.status(), r.message());
        assertTrue(r.message().contains(message), r.message());
    }

    private Engine.CommandResult createFreight(String warehouse, List<ArtifactRef> artifacts) throws Exception {
        return command("create-freight", Map.of("warehouse", warehouse, "artifacts", EventCodec.mapper().writeValueAsString(artifacts)));
    }

    private Engine.CommandResult command(String action, Map<String, String> args) {
        now = now.plusSeconds(1);
        Engine.CommandResult[] result = new Engine.CommandResult[1];
        engine.onCommand(new CommandIssued("c" + (++commands), "shop", action, args, "alice", null, now), now, result);
        return result[0];
    }

    private void discovered(String warehouse, ArtifactRef ref) {
        now = now.plusSeconds(1);
        engine.onArtifact(new ArtifactDiscovered("shop", warehouse, null, ref, null, now, "test"), now);
    }

    private PromotionRequested running(String stage) {
        var ps = engine.project("shop");
        Effects fx = engine.tick("shop", now);
        return fx.promotions.stream().filter(p -> p.stage().equals(stage)).findFirst()
                .orElseGet(() -> {
                    String id = ps.stage(stage).running;
                    assertNotNull(id, "a running promotion in " + stage);
                    return ps.promotions.get(id).request;
                });
    }

    private void land(PromotionRequested r) {
        now = now.plusSeconds(1);
        engine.onCommitted(new PromotionCommitted(r.promotionId(), r.project(), r.stage(), r.freight().id(), r.git().repoURL(),
                "main", PromotionCommitted.Outcome.PUSHED, "abc", null, List.of(), null, null, null, now, now), now);
        engine.onVerification(new VerificationCompleted(r.promotionId(), r.project(), r.stage(), r.freight().id(), "abc",
                VerificationCompleted.Outcome.VERIFIED, null, "none", List.of(), List.of(), now, now), now);
    }
}
