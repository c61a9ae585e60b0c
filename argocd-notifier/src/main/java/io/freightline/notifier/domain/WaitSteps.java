package io.freightline.notifier.domain;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.StepResult;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kargo's {@code argocd-wait} steps of a promotion. The git-writer decides on them in template order (their
 * {@code if} conditions, their expressions) and hands each one it reached on as a {@code Skipped} result whose
 * {@code outputs.config} is the rendered config; the notifier carries them out after {@code argocd-update}.
 */
public final class WaitSteps {
    /** Kargo's default, the same as {@code argocd app wait} without flags. */
    public static final Set<String> DEFAULT_WAIT_FOR = Set.of("health", "sync", "operation");
    private static final Set<String> WAIT_FOR = Set.of("health", "sync", "operation", "suspended", "degraded");
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private WaitSteps() {
    }

    /** One {@code argocd-wait} step. */
    public record Step(String alias, List<Selection> apps) {
    }

    /**
     * One {@code apps[]} entry: an application by name, or the applications a label selector matches.
     *
     * @param labelSelector the Kubernetes label selector built from {@code selector} ({@code k=v,k in (a,b),!k}),
     *                      or null when {@code name} is set
     */
    public record Selection(String name, String namespace, String labelSelector, Set<String> waitFor) {
    }

    /** The config of an {@code argocd-wait} step is not Kargo's; names the step and the field. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** The steps handed on by the git-writer, in order; an empty list when there are none. */
    public static List<Step> of(PromotionCommitted commit) {
        List<Step> out = new ArrayList<>();
        if (commit.steps() == null) {
            return out;
        }
        for (StepResult r : commit.steps()) {
            if (!"argocd-wait".equals(r.uses()) || r.outputs() == null || !(r.outputs().get("config") instanceof Map<?, ?> cfg)) {
                continue; // not reached (if: false, an earlier failure): not ours to run
            }
            out.add(parse(r.as(), cfg));
        }
        return out;
    }

    static Step parse(String alias, Map<?, ?> cfg) {
        String where = "argocd-wait step '" + alias + "': config";
        if (!(cfg.get("apps") instanceof List<?> apps) || apps.isEmpty()) {
            throw new Invalid(where + ".apps: required, at least one application");
        }
        List<Selection> out = new ArrayList<>();
        for (int i = 0; i < apps.size(); i++) {
            String at = where + ".apps[" + i + "]";
            if (!(apps.get(i) instanceof Map<?, ?> a)) {
                throw new Invalid(at + ": must be an object");
            }
            for (Object k : a.keySet()) {
                if (!Set.of("name", "namespace", "selector", "waitFor").contains(String.valueOf(k))) {
                    throw new Invalid(at + "." + k + ": unknown field (name, namespace, selector, waitFor)");
                }
            }
            String name = text(a.get("name"));
            String namespace = text(a.get("namespace"));
            Object selector = a.get("selector");
            if ((name == null) == (selector == null)) {
                throw new Invalid(at + ": set exactly one of name and selector");
            }
            Set<String> waitFor = DEFAULT_WAIT_FOR;
            if (a.get("waitFor") != null) {
                if (!(a.get("waitFor") instanceof List<?> w) || w.isEmpty()) {
                    throw new Invalid(at + ".waitFor: must be a non-empty list of " + WAIT_FOR);
                }
                waitFor = new LinkedHashSet<>();
                for (Object v : w) {
                    if (!WAIT_FOR.contains(String.valueOf(v))) {
                        throw new Invalid(at + ".waitFor: '" + v + "' is not one of health, sync, operation, suspended, degraded");
                    }
                    waitFor.add(String.valueOf(v));
                }
                waitFor = Set.copyOf(waitFor);
            }
            out.add(new Selection(name, namespace == null ? "argocd" : namespace,
                    selector == null ? null : labelSelector(selector, at + ".selector"), waitFor));
        }
        return new Step(alias, List.copyOf(out));
    }

    /** Kubernetes' {@code LabelSelector} as the selector string of Argo CD's list API. */
    static String labelSelector(Object selector, String at) {
        if (!(selector instanceof Map<?, ?> s)) {
            throw new Invalid(at + ": must be an object with matchLabels and/or matchExpressions");
        }
        List<String> terms = new ArrayList<>();
        if (s.get("matchLabels") instanceof Map<?, ?> labels) {
            labels.forEach((k, v) -> terms.add(k + "=" + v));
        } else if (s.get("matchLabels") != null) {
            throw new Invalid(at + ".matchLabels: must be a map of label to value");
        }
        if (s.get("matchExpressions") instanceof List<?> exprs) {
            for (int i = 0; i < exprs.size(); i++) {
                String e = at + ".matchExpressions[" + i + "]";
                if (!(exprs.get(i) instanceof Map<?, ?> x) || text(x.get("key")) == null) {
                    throw new Invalid(e + ".key: required");
                }
                String key = text(x.get("key"));
                String op = text(x.get("operator"));
                if (op == null || !OPERATORS.contains(op)) {
                    throw new Invalid(e + ".operator: '" + op + "' is not one of In, NotIn, Exists, DoesNotExist");
                }
                List<?> values = x.get("values") instanceof List<?> l ? l : List.of();
                boolean set = op.equals("In") || op.equals("NotIn");
                if (set == values.isEmpty()) {
                    throw new Invalid(e + ".values: " + (set ? "required for " : "must be empty for ") + op);
                }
                terms.add(switch (op) {
                    case "In" -> key + " in (" + String.join(",", values.stream().map(String::valueOf).toList()) + ")";
                    case "NotIn" -> key + " notin (" + String.join(",", values.stream().map(String::valueOf).toList()) + ")";
                    case "Exists" -> key;
                    default -> "!" + key;
                });
            }
        } else if (s.get("matchExpressions") != null) {
            throw new Invalid(at + ".matchExpressions: must be a list");
        }
        if (terms.isEmpty()) {
            throw new Invalid(at + ": needs matchLabels or matchExpressions");
        }
        return String.join(",", terms);
    }

    /**
     * Whether an application meets the step's conditions, as Kargo's {@code argocd-wait} decides it: {@code operation}
     * (no operation requested or running), the health conditions OR'd ({@code health} = Healthy, {@code suspended},
     * {@code degraded}), {@code sync} (Synced), all AND'd.
     *
     * @param previousHealth the health seen at the previous look, or null
     * @return null when ready, else why not
     * @throws Regressed when waiting for {@code health} and the app went Degraded (the step errors at once)
     */
    public static String notReady(AppSnapshot s, Set<String> waitFor, String previousHealth) {
        if (waitFor.contains("operation") && (s.pendingOperation() != null || (s.operationState() != null
                && ("Running".equals(s.operationState().phase()) || "Terminating".equals(s.operationState().phase()))))) {
            return "operation in progress";
        }
        boolean healthChecked = waitFor.contains("health") || waitFor.contains("suspended") || waitFor.contains("degraded");
        if (healthChecked) {
            String h = s.healthStatus();
            if (waitFor.contains("health") && "Degraded".equals(h) && previousHealth != null
                    && !"Degraded".equals(previousHealth) && !"Unknown".equals(previousHealth)) {
                throw new Regressed("health regressed from " + previousHealth + " to Degraded"
                        + (s.healthMessage() == null ? "" : ": " + s.healthMessage()));
            }
            boolean ok = (waitFor.contains("health") && "Healthy".equals(h))
                    || (waitFor.contains("suspended") && "Suspended".equals(h))
                    || (waitFor.contains("degraded") && "Degraded".equals(h));
            if (!ok) {
                return "health " + h + ", waiting for " + String.join(" or ", waitFor.stream()
                        .filter(w -> Set.of("health", "suspended", "degraded").contains(w)).sorted()
                        .map(w -> w.equals("health") ? "Healthy" : w.equals("suspended") ? "Suspended" : "Degraded")
                        .toList());
            }
        }
        if (waitFor.contains("sync") && !"Synced".equals(s.syncStatus())) {
            return "sync " + s.syncStatus() + ", waiting for Synced";
        }
        return null;
    }

    /** An application waited for with {@code health} went Degraded from a state that was neither Degraded nor Unknown. */
    public static final class Regressed extends RuntimeException {
        public Regressed(String message) {
            super(message);
        }
    }

    private static String text(Object o) {
        return o == null || String.valueOf(o).isBlank() ? null : String.valueOf(o);
    }
}
