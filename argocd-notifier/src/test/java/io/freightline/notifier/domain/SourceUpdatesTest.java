package io.freightline.notifier.domain;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.StepResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is left of an argocd-update's {@code desiredRevision} expression, evaluated with the commit event's step outputs. */
class SourceUpdatesTest {
    private static final String REPO = "https://github.com/example/kargo-demo.git";
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static PromotionCommitted commit(String argocdStep, List<StepResult> steps) {
        ArgoCDTarget target = new ArgoCDTarget(null, List.of(), null, null, null, argocdStep);
        return new PromotionCommitted("p1", "kargo-demo", "test", "f1", REPO, "stage/test", PromotionCommitted.Outcome.PUSHED,
                SHA, null, steps, null, target, null, Instant.EPOCH, Instant.EPOCH);
    }

    private static List<ArgoCDTarget.SourceUpdate> desired(String expression) {
        return List.of(new ArgoCDTarget.SourceUpdate(REPO, null, expression, null, null, null));
    }

    @Test
    void insideAPromotionTaskTaskOutputsAreTheTasksOwnSteps() {
        // Kargo's quickstart: the PromotionTask's git-commit is "commit", called from the Stage as "promo-process"
        PromotionCommitted c = commit("promo-process::step-6", List.of(
                new StepResult("git-commit", "other::commit", "Succeeded", null, 1, Map.of("commit", "f".repeat(40))),
                new StepResult("git-commit", "promo-process::commit", "Succeeded", null, 1, Map.of("commit", SHA)),
                new StepResult("argocd-update", "promo-process::step-6", "Skipped", null, 0)));
        List<ArgoCDTarget.SourceUpdate> out = SourceUpdates.resolve(desired("${{ task.outputs.commit.commit }}"), c, "argocd/kargo-demo-test");
        assertEquals(SHA, out.get(0).desiredRevision());
        // the step's full alias stays readable through outputs
        out = SourceUpdates.resolve(desired("${{ outputs['promo-process::commit'].commit }}"), c, "argocd/kargo-demo-test");
        assertEquals(SHA, out.get(0).desiredRevision());
    }

    @Test
    void outsideATaskThereIsNoTaskOutputs() {
        PromotionCommitted c = commit("sync", List.of(
                new StepResult("git-commit", "commit", "Succeeded", null, 1, Map.of("commit", SHA))));
        assertEquals(SHA, SourceUpdates.resolve(desired("${{ outputs.commit.commit }}"), c, "argocd/app").get(0).desiredRevision());
        SourceUpdates.Invalid e = assertThrows(SourceUpdates.Invalid.class,
                () -> SourceUpdates.resolve(desired("${{ task.outputs.commit.commit }}"), c, "argocd/app"));
        assertTrue(e.getMessage().startsWith("argocd/app: sources[0]: "), e.getMessage());
    }
}
