package io.freightline.engine.domain;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.GitTarget;
import io.freightline.events.Subscription;
import io.freightline.events.VerificationCheck;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The parsed, validated pipeline manifests (Kargo's shapes plus Freightline's additions). */
public final class Specs {

    /** A manifest document's identity, for error messages and the apply summary. */
    public record Ref(String kind, String project, String name) {
        @Override
        public String toString() {
            return kind + " " + (project == null ? name : project + "/" + name);
        }
    }

    public record ProjectSpec(String name) {
    }

    /** @param intervalSeconds how often the watcher polls (Kargo's {@code interval}) */
    public record WarehouseSpec(String project, String name, long intervalSeconds, List<Subscription> subscriptions) {
    }

    /**
     * One {@code requestedFreight} entry: freight of {@code warehouse}, directly from it and/or once verified in
     * the upstream {@code stages} (All or OneOf of them), soaked there for {@code requiredSoakTime}.
     */
    public record FreightRequest(String warehouse, boolean direct, List<String> stages, Availability availability,
                                 Duration requiredSoakTime) {
    }

    public enum Availability { All, OneOf }

    public enum SelectionPolicy { NewestFreight, MatchUpstream }

    /** A time window: {@code allow} windows are the only times auto-promotion may happen, {@code deny} ones forbid it. */
    public record PromotionWindow(String kind, String schedule, Duration duration, String timeZone) {
    }

    public record StagePolicy(boolean autoPromotion, boolean approvalRequired, List<PromotionWindow> promotionWindows,
                              boolean paused, boolean autoRollback, SelectionPolicy selectionPolicy) {
    }

    /** A step of the promotion template (PromotionTasks already inflated), not yet rendered. */
    public record StepTemplate(String uses, String as, Map<String, Object> config, String ifCondition,
                               Boolean continueOnError, io.freightline.events.PromotionStep.StepRetry retry,
                               Map<String, Object> vars) {
        public StepTemplate(String uses, String as, Map<String, Object> config) {
            this(uses, as, config, null, null, null, null);
        }
    }

    /**
     * @param steps        the steps for the git-writer (argocd-update steps are moved into {@code argocd})
     * @param argocd       the stage's Argo CD applications, or null
     * @param vars         promotion template variables ({@code ${{ vars.x }}})
     */
    public record StageSpec(String project, String name, List<FreightRequest> requestedFreight, StagePolicy policy,
                            GitTarget git, List<StepTemplate> steps, ArgoCDTarget argocd,
                            List<VerificationCheck> verification, Map<String, String> vars) {

        /** The warehouses this stage takes freight of. */
        public List<String> origins() {
            return requestedFreight.stream().map(FreightRequest::warehouse).distinct().toList();
        }

        public FreightRequest request(String warehouse) {
            return requestedFreight.stream().filter(r -> r.warehouse().equals(warehouse)).findFirst().orElse(null);
        }
    }

    private Specs() {
    }
}
