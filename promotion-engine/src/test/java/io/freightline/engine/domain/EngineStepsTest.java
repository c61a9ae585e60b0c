package io.freightline.engine.domain;

import io.freightline.engine.domain.Model.Freight;
import io.freightline.engine.domain.Model.Promotion;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.CommandIssued;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.StepResult;
import io.freightline.events.VerificationCompleted;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * set-metadata and set-freight-alias in a template that mixes them with git-writer steps: the engine's steps before
 * the first git-writer step run at dispatch, the ones after the last once the commit is verified.
 */
class EngineStepsTest {
    static final String P = "meta";
    Instant now = Instant.parse("2025-01-01T00:00:00Z");
    final Engine engine = new Engine(1000, 20);

    static final String MIXED = """
            - uses: set-freight-alias
              as: alias
              config: {name: "${{ ctx.targetFreight.name }}", alias: "${{ 'app-' + imageFrom('reg.test/meta/app').Tag }}"}
            - uses: set-metadata
              as: tier
              config:
                updates: [{kind: Freight, name: "${{ ctx.targetFreight.name }}", values: {tier: gold, checks: [1, 2]}}]
            - uses: kustomize-set-image
              as: image
              config: {path: "envs/${{ freightMetadata(ctx.targetFreight.name).tier }}"}
            - uses: set-metadata
              as: record
              config:
                updates:
                  - kind: Stage
                    name: dev
                    values: {message: "${{ outputs.image.commitMessage }}", alias: "${{ ctx.targetFreight.alias }}"}
            """;

    @Test
    void engineStepsRunBeforeAndAfterTheGitWriterInTemplateOrder() {
        apply(MIXED);
        Freight f = artifact("1.0.0");
        PromotionRequested r = promote(f);

        // before the git-writer: the alias and the freight metadata are set, and the writer's steps see them
        assertEquals("app-1.0.0", f.alias);
        assertEquals(Map.of("tier", "gold", "checks", List.of(1, 2)), f.metadata);
        assertEquals("app-1.0.0", r.freight().alias());
        assertEquals("envs/gold", r.steps().get(2).config().get("path"));
        Promotion p = engine.project(P).promotions.get(r.promotionId());
        assertEquals(List.of("Succeeded", "Succeeded"), p.steps.stream().map(StepResult::status).toList());
        assertTrue(engine.project(P).stage("dev").metadata.isEmpty(), "the last step waits for the verification");

        // the git-writer's results: the engine's steps are skipped there
        engine.onCommitted(committed(r, List.of(
                new StepResult("set-freight-alias", "alias", "Skipped", "carried out by promotion-engine", 0),
                new StepResult("set-metadata", "tier", "Skipped", "carried out by promotion-engine", 0),
                new StepResult("kustomize-set-image", "image", "Succeeded", null, 12, Map.of("commitMessage", "Updated envs/gold to 1.0.0")),
                new StepResult("set-metadata", "record", "Skipped", "carried out by promotion-engine", 0))), now);
        assertEquals(List.of("Succeeded", "Succeeded", "Succeeded", "Skipped"), p.steps.stream().map(StepResult::status).toList());
        assertEquals(Model.PromotionState.Syncing, p.state);

        engine.onVerification(verified(r, List.of(new StepResult("argocd-update", "sync", "Succeeded", null, 900))), now);
        assertEquals(Model.PromotionState.Succeeded, p.state, p.message);
        assertEquals(Map.of("message", "Updated envs/gold to 1.0.0", "alias", "app-1.0.0"), engine.project(P).stage("dev").metadata);
        assertEquals(List.of("alias", "tier", "image", "record", "sync"), p.steps.stream().map(StepResult::as).toList());
        assertEquals(List.of("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded"), p.steps.stream().map(StepResult::status).toList());
        assertTrue(engine.project(P).audit.stream().anyMatch(a -> a.action().equals("promotion-steps") && a.detail().contains("alias")));

        // durable: metadata and the alias survive a rebuild from the state topic
        Engine rebuilt = new Engine(1000, 20);
        for (String key : List.of(Engine.key(P, "freight", f.id), Engine.key(P, "stage", "dev"), Engine.key(P, "promotion", p.id))) {
            StateCodec.read(rebuilt, key, StateCodec.write(engine, key));
        }
        assertEquals("app-1.0.0", rebuilt.project(P).freight.get(f.id).alias);
        assertEquals("gold", rebuilt.project(P).freight.get(f.id).metadata.get("tier"));
        assertEquals("app-1.0.0", rebuilt.project(P).stageStates.get("dev").metadata.get("alias"));
        assertEquals(5, rebuilt.project(P).promotions.get(p.id).steps.size());
    }

    @Test
    void anAliasInUseFailsThePromotionBeforeDispatch() {
        apply("""
                - uses: set-freight-alias
                  as: name-it
                  config: {name: "${{ ctx.targetFreight.name }}", alias: fixed}
                - uses: kustomize-set-image
                  config: {path: envs/dev}
                """);
        Freight first = artifact("1.0.0");
        land(promote(first));
        assertEquals("fixed", first.alias);

        Freight second = artifact("2.0.0");
        Effects fx = command(Map.of("stage", "dev", "freight", second.id));
        assertTrue(fx.promotions.isEmpty(), "nothing is sent to the git-writer");
        Promotion p = engine.project(P).promotions.values().stream().filter(x -> x.freight.equals(second.id)).findFirst().orElseThrow();
        assertEquals(Model.PromotionState.Failed, p.state);
        assertTrue(p.message.contains("step 'name-it' (set-freight-alias) errored: alias 'fixed' is already used by freight " + first.id), p.message);
        assertFalse(second.alias.equals("fixed"));
        assertEquals("Errored", p.steps.get(0).status());
    }

    @Test
    void aFailingStepAfterTheCommitFailsThePromotionAndTheFreightIsNotVerified() {
        apply("""
                - uses: kustomize-set-image
                  config: {path: envs/dev}
                - uses: set-metadata
                  as: note
                  config: {updates: [{kind: Stage, name: ghost, values: {x: 1}}]}
                """);
        Freight f = artifact("1.0.0");
        PromotionRequested r = promote(f);
        engine.onCommitted(committed(r, List.of()), now);
        engine.onVerification(verified(r, null), now);
        Promotion p = engine.project(P).promotions.get(r.promotionId());
        assertEquals(Model.PromotionState.Failed, p.state);
        assertTrue(p.message.contains("step 'note' (set-metadata) errored: updates[0]: stage 'ghost' not found"), p.message);
        assertNull(f.verifiedIn.get("dev"));
    }

    @Test
    void anEngineStepBetweenGitWriterStepsIsRefusedAtApply() {
        ManifestException e = assertThrows(ManifestException.class, () -> apply("""
                - uses: kustomize-set-image
                  config: {path: envs/dev}
                - uses: set-metadata
                  as: middle
                  config: {updates: [{kind: Stage, name: dev, values: {x: 1}}]}
                - uses: yaml-update
                  config: {path: envs/dev/values.yaml, updates: [{key: a, value: b}]}
                """));
        assertTrue(e.getMessage().contains("step 'middle' (set-metadata) runs in the promotion engine"), e.getMessage());
    }

    @Test
    void argocdUpdateSourcesTravelToTheNotifierWithWhatOnlyTheStepsKnowLeftAsWritten() {
        apply("""
                - uses: kustomize-set-image
                  as: image
                  config: {path: envs/dev}
                - uses: argocd-update
                  as: sync
                  config:
                    apps:
                      - name: "web-${{ ctx.stage }}"
                        sources:
                          - repoURL: "git://repo/${{ ctx.project }}.git"
                            desiredRevision: "${{ outputs.image.commit }}"
                            updateTargetRevision: true
                            kustomize: {images: [{repoURL: reg.test/meta/app, tag: "${{ imageFrom('reg.test/meta/app').Tag }}"}]}
                """);
        PromotionRequested r = promote(artifact("1.0.0"));
        io.freightline.events.ArgoCDTarget.App app = r.argocd().apps().get(0);
        assertEquals("sync", r.argocd().step());
        assertEquals("web-dev", app.name());
        io.freightline.events.ArgoCDTarget.SourceUpdate src = app.sources().get(0);
        assertEquals("git://repo/meta.git", src.repoURL());
        assertEquals("${{ outputs.image.commit }}", src.desiredRevision(), "evaluated by the notifier with the writer's outputs");
        assertEquals(Boolean.TRUE, src.updateTargetRevision());
        assertEquals("1.0.0", src.kustomize().images().get(0).tag());
        assertEquals(List.of("kustomize-set-image"), r.steps().stream().map(io.freightline.events.PromotionStep::uses).toList());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void apply(String steps) {
        String yaml = """
                apiVersion: freightline.io/v1alpha1
                kind: Project
                metadata: {name: meta}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Warehouse
                metadata: {name: app, namespace: meta}
                spec:
                  subscriptions:
                    - image: {repoURL: reg.test/meta/app, imageSelectionStrategy: SemVer}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Stage
                metadata: {name: dev, namespace: meta}
                spec:
                  requestedFreight:
                    - origin: {kind: Warehouse, name: app}
                      sources: {direct: true}
                  git: {repoURL: "git://repo/meta.git", branch: main}
                  promotionTemplate:
                    spec:
                      steps:
                """ + steps.indent(8);
        engine.apply(P, ManifestParser.parse(List.of(new ManifestParser.Source("meta.yaml", yaml)), engine.catalog()).only(P), "t", null, now);
    }

    private Freight artifact(String tag) {
        now = now.plusSeconds(1);
        ArtifactRef a = ArtifactRef.image("reg.test/meta/app", tag, null);
        engine.onArtifact(new ArtifactDiscovered(P, null, null, a, null, now, "test"), now);
        return engine.project(P).freight.get(FreightIds.freightId(List.of(a)));
    }

    private PromotionRequested promote(Freight f) {
        Effects fx = command(Map.of("stage", "dev", "freight", f.id));
        assertEquals(1, fx.promotions.size());
        return fx.promotions.get(0);
    }

    private Effects command(Map<String, String> args) {
        Engine.CommandResult[] r = new Engine.CommandResult[1];
        Effects fx = engine.onCommand(new CommandIssued(UUID.randomUUID().toString(), P, "promote", args, "tester", null, now), now, r);
        assertTrue(r[0].succeeded(), r[0].message());
        return fx;
    }

    private void land(PromotionRequested r) {
        engine.onCommitted(committed(r, List.of()), now);
        engine.onVerification(verified(r, null), now);
    }

    private PromotionCommitted committed(PromotionRequested r, List<StepResult> steps) {
        return new PromotionCommitted(r.promotionId(), P, r.stage(), r.freight().id(), r.git().repoURL(), "main",
                PromotionCommitted.Outcome.PUSHED, "abc1234", null, steps, null, null, null, now, now);
    }

    private VerificationCompleted verified(PromotionRequested r, List<StepResult> steps) {
        return new VerificationCompleted(r.promotionId(), P, r.stage(), r.freight().id(), "abc1234",
                VerificationCompleted.Outcome.VERIFIED, null, "argocd", List.of(), List.of(), now, now, steps);
    }
}
