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

    /**
     * @param promotionPolicies Kargo's {@code ProjectConfig.spec.promotionPolicies}, in order (the first policy that
     *                          selects a stage decides); null when no ProjectConfig was applied
     */
    public record ProjectSpec(String name, List<PromotionPolicy> promotionPolicies) {
        public ProjectSpec(String name) {
            this(name, null);
        }

        /** The first policy that selects the stage, or null. */
        public PromotionPolicy policyFor(String stage, Map<String, String> labels) {
            if (promotionPolicies == null) return null;
            for (PromotionPolicy p : promotionPolicies) {
                if (p.stageSelector().matches(stage, labels)) return p;
            }
            return null;
        }
    }

    /** One {@code ProjectConfig.spec.promotionPolicies[]} entry. */
    public record PromotionPolicy(StageSelector stageSelector, boolean autoPromotionEnabled) {
    }

    /**
     * Kargo's stage selector: a name (exact, {@code glob:}, {@code regex:}/{@code regexp:}) and/or Kubernetes label
     * selector ({@code matchLabels}, {@code matchExpressions} with In, NotIn, Exists, DoesNotExist); a stage must
     * match every part that is given.
     */
    public record StageSelector(String name, Map<String, String> matchLabels, List<LabelRequirement> matchExpressions) {
        public boolean matches(String stage, Map<String, String> labels) {
            Map<String, String> l = labels == null ? Map.of() : labels;
            if (name != null && !name.isEmpty() && !NamePattern.matches(name, stage)) return false;
            if (matchLabels != null) {
                for (Map.Entry<String, String> e : matchLabels.entrySet()) {
                    if (!e.getValue().equals(l.get(e.getKey()))) return false;
                }
            }
            if (matchExpressions != null) {
                for (LabelRequirement r : matchExpressions) {
                    if (!r.matches(l)) return false;
                }
            }
            return true;
        }
    }

    /** A {@code matchExpressions} entry of a Kubernetes label selector. */
    public record LabelRequirement(String key, String operator, List<String> values) {
        public static final java.util.Set<String> OPERATORS = java.util.Set.of("In", "NotIn", "Exists", "DoesNotExist");

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case "In" -> v != null && values != null && values.contains(v);
                case "NotIn" -> v == null || values == null || !values.contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> false;
            };
        }
    }

    /** Kargo's {@code freightCreationPolicy}. */
    public enum FreightCreationPolicy { Automatic, Manual }

    /**
     * @param intervalSeconds        how often the watcher polls (Kargo's {@code interval})
     * @param freightCreationPolicy  Automatic (new artifacts mint freight) or Manual (only created freight); null = Automatic
     * @param freightCreationCriteria an expression over the candidate freight ({@code imageFrom(...)}, ...) that must
     *                               be true for it to be created; null = always
     */
    public record WarehouseSpec(String project, String name, long intervalSeconds, List<Subscription> subscriptions,
                                FreightCreationPolicy freightCreationPolicy, String freightCreationCriteria) {
        public WarehouseSpec(String project, String name, long intervalSeconds, List<Subscription> subscriptions) {
            this(project, name, intervalSeconds, subscriptions, null, null);
        }

        public boolean manual() {
            return freightCreationPolicy == FreightCreationPolicy.Manual;
        }
    }

    /**
     * One {@code requestedFreight} entry: freight of {@code warehouse}, directly from it and/or once verified in
     * the upstream {@code stages} (All or OneOf of them), soaked there for {@code requiredSoakTime}.
     */
    public record FreightRequest(String warehouse, boolean direct, List<String> stages, Availability availability,
                                 Duration requiredSoakTime, SelectionPolicy selectionPolicy) {
        public FreightRequest(String warehouse, boolean direct, List<String> stages, Availability availability,
                              Duration requiredSoakTime) {
            this(warehouse, direct, stages, availability, requiredSoakTime, null);
        }
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
     * @param vars         variables ({@code ${{ vars.x }}}): the Stage's {@code spec.vars}, overridden by the
     *                     promotion template's
     * @param labels       the manifest's {@code metadata.labels} (ProjectConfig's stage selectors read them)
     */
    public record StageSpec(String project, String name, List<FreightRequest> requestedFreight, StagePolicy policy,
                            GitTarget git, List<StepTemplate> steps, ArgoCDTarget argocd,
                            List<VerificationCheck> verification, Map<String, String> vars,
                            Map<String, String> labels) {
        public StageSpec(String project, String name, List<FreightRequest> requestedFreight, StagePolicy policy,
                         GitTarget git, List<StepTemplate> steps, ArgoCDTarget argocd,
                         List<VerificationCheck> verification, Map<String, String> vars) {
            this(project, name, requestedFreight, policy, git, steps, argocd, verification, vars, Map.of());
        }

        /** The selection policy of one freight request: its own {@code autoPromotionOptions}, else the stage's. */
        public SelectionPolicy selectionPolicy(FreightRequest r) {
            return r != null && r.selectionPolicy() != null ? r.selectionPolicy() : policy.selectionPolicy();
        }

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
