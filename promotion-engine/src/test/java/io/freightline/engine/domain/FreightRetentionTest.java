package io.freightline.engine.domain;

import io.freightline.engine.domain.Model.Freight;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.CommandIssued;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.VerificationCompleted;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Freight retention: the newest N per warehouse plus whatever is still in use; the rest gets a tombstone. */
class FreightRetentionTest {
    static final String P = "ret";
    Instant now = Instant.parse("2025-01-01T00:00:00Z");
    final Engine engine = new Engine(1000, 20, 3);
    final Set<String> tombstones = new HashSet<>();

    @Test
    void keepsTheNewestAndEverythingInUse() {
        apply();
        Freight inDev = artifact("1.0.0");
        PromotionRequested r = promote("dev", inDev);
        land(r);
        Freight approved = artifact("1.1.0");
        command("approve", Map.of("stage", "prod", "freight", approved.id));
        Freight running = artifact("1.2.0");
        promote("dev", running); // dispatched: running in dev, not finished
        List<String> tags = new ArrayList<>();
        for (int i = 3; i <= 9; i++) tags.add(artifact("1." + i + ".0").artifacts.get(0).tag());

        Set<String> kept = new TreeSet<>();
        engine.project(P).freight.values().forEach(f -> kept.add(f.artifacts.get(0).tag()));
        assertEquals(new TreeSet<>(List.of("1.0.0", "1.1.0", "1.2.0", "1.7.0", "1.8.0", "1.9.0")), kept);
        for (String gone : List.of("1.3.0", "1.4.0", "1.5.0", "1.6.0")) {
            String id = FreightIds.freightId(List.of(ref(gone)));
            assertTrue(tombstones.contains(Engine.key(P, "freight", id)), "tombstone for " + gone);
            assertNull(StateCodec.write(engine, Engine.key(P, "freight", id)));
        }
        assertTrue(engine.project(P).audit.stream().anyMatch(a -> a.action().equals("freight-collected")));

        // once the running promotion is finished and dev moved on, 1.2.0 is the rollback target; 1.0.0 becomes free
        land(r2(running));
        artifact("1.10.0");
        kept.clear();
        engine.project(P).freight.values().forEach(f -> kept.add(f.artifacts.get(0).tag()));
        assertEquals(new TreeSet<>(List.of("1.0.0", "1.1.0", "1.2.0", "1.8.0", "1.9.0", "1.10.0")), kept,
                "1.0.0 stays as dev's rollback target, 1.2.0 is in dev, 1.1.0 is approved");
    }

    @Test
    void zeroKeepsAllFreight() {
        Engine all = new Engine(1000, 20);
        all.apply(P, ManifestParser.parse(List.of(new ManifestParser.Source("r.yaml", yaml())), all.catalog()).only(P), "t", null, now);
        for (int i = 0; i < 10; i++) all.onArtifact(event("1." + i + ".0"), now);
        assertEquals(10, all.project(P).freight.size());
    }

    private PromotionRequested lastRequest;

    private PromotionRequested r2(Freight f) {
        assertEquals(f.id, lastRequest.freight().id());
        return lastRequest;
    }

    private void apply() {
        Effects fx = engine.apply(P, ManifestParser.parse(List.of(new ManifestParser.Source("r.yaml", yaml())), engine.catalog()).only(P),
                "t", null, now);
        tombstones.addAll(fx.deleted);
    }

    private Freight artifact(String tag) {
        now = now.plusSeconds(1);
        Effects fx = engine.onArtifact(event(tag), now);
        tombstones.addAll(fx.deleted);
        return engine.project(P).freight.get(FreightIds.freightId(List.of(ref(tag))));
    }

    private PromotionRequested promote(String stage, Freight f) {
        Effects fx = command("promote", Map.of("stage", stage, "freight", f.id));
        assertEquals(1, fx.promotions.size());
        lastRequest = fx.promotions.get(0);
        return lastRequest;
    }

    private Effects command(String action, Map<String, String> args) {
        Engine.CommandResult[] r = new Engine.CommandResult[1];
        Effects fx = engine.onCommand(new CommandIssued(java.util.UUID.randomUUID().toString(), P, action, args, "tester", null, now), now, r);
        assertTrue(r[0].succeeded(), r[0].message());
        tombstones.addAll(fx.deleted);
        return fx;
    }

    private void land(PromotionRequested r) {
        tombstones.addAll(engine.onCommitted(new PromotionCommitted(r.promotionId(), P, r.stage(), r.freight().id(), r.git().repoURL(),
                "main", PromotionCommitted.Outcome.PUSHED, "abc", null, List.of(), null, null, null, now, now), now).deleted);
        tombstones.addAll(engine.onVerification(new VerificationCompleted(r.promotionId(), P, r.stage(), r.freight().id(), "abc",
                VerificationCompleted.Outcome.VERIFIED, null, "none", List.of(), List.of(), now, now), now).deleted);
    }

    static ArtifactRef ref(String tag) {
        return ArtifactRef.image("reg.test/ret/app", tag, null);
    }

    static ArtifactDiscovered event(String tag) {
        return new ArtifactDiscovered(P, null, null, ref(tag), null, Instant.parse("2025-01-01T00:00:00Z"), "test");
    }

    static String yaml() {
        return """
                apiVersion: freightline.io/v1alpha1
                kind: Project
                metadata: {name: ret}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Warehouse
                metadata: {name: app, namespace: ret}
                spec:
                  subscriptions:
                    - image: {repoURL: reg.test/ret/app, imageSelectionStrategy: SemVer, discoveryLimit: 50}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Stage
                metadata: {name: dev, namespace: ret}
                spec:
                  requestedFreight:
                    - origin: {kind: Warehouse, name: app}
                      sources: {direct: true}
                  git: {repoURL: "git://repo/ret.git", branch: main}
                  promotionTemplate:
                    spec:
                      steps:
                        - uses: kustomize-set-image
                          config: {path: envs/dev}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Stage
                metadata: {name: prod, namespace: ret}
                spec:
                  requestedFreight:
                    - origin: {kind: Warehouse, name: app}
                      sources: {stages: [dev]}
                  git: {repoURL: "git://repo/ret.git", branch: main}
                  promotionTemplate:
                    spec:
                      steps:
                        - uses: kustomize-set-image
                          config: {path: envs/prod}
                """;
    }
}
