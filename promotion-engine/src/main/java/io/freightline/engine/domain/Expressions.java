package io.freightline.engine.domain;

import io.freightline.events.FreightRef;
import io.freightline.template.expr.ExpressionException;
import io.freightline.template.expr.Scope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's side of Kargo's expression language (the language itself is {@code promotion-template}'s): renders
 * what is known when a promotion is dispatched (ctx, vars, the freight collection) and leaves every expression that
 * reads something only the running steps know ({@code outputs}, {@code task}, step outcomes, secrets, config maps,
 * metadata that an earlier step may set) as written, for the step executor to evaluate just in time.
 */
public final class Expressions {
    /** Variables and functions whose values exist only while the steps run. */
    public static final Set<String> RUNTIME_ONLY = Set.of("outputs", "task", "success", "failure", "always", "status",
            "secret", "sharedSecret", "configMap", "sharedConfigMap", "freightMetadata", "freightStatus", "stageMetadata");
    /**
     * The same when the scope can read the project's metadata: at dispatch the engine has already run the engine
     * steps that come first, so {@code freightMetadata()} and {@code stageMetadata()} are final for the git-writer's
     * steps and are rendered then.
     */
    private static final Set<String> RUNTIME_ONLY_WITH_METADATA = Set.of("outputs", "task", "success", "failure",
            "always", "status", "secret", "sharedSecret", "configMap", "sharedConfigMap", "freightStatus");

    /**
     * What expressions can read at dispatch time.
     *
     * @param freight the target freight first, then the freight the stage holds from its other origins
     * @param vars    the template's variables, unrendered, in declaration order
     */
    public record Context(String project, String stage, String promotion, String actor, List<FreightRef> freight,
                          Map<String, String> vars) {
    }

    /** An expression that cannot be evaluated (unknown function, artifact not in the freight). */
    public static class RenderException extends RuntimeException {
        public RenderException(String message) {
            super(message);
        }
    }

    /** The scope for a context: ctx as Kargo defines it, and the template vars rendered in declaration order. */
    public static Scope scope(Context c) {
        FreightRef target = c.freight().isEmpty() ? null : c.freight().get(0);
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("project", c.project());
        ctx.put("stage", c.stage());
        ctx.put("promotion", c.promotion());
        if (target != null) {
            Map<String, Object> tf = new LinkedHashMap<>();
            tf.put("name", target.id());
            tf.put("alias", target.alias());
            tf.put("origin", Map.of("name", target.warehouse() == null ? "" : target.warehouse()));
            ctx.put("targetFreight", tf);
        }
        Map<String, Object> promo = new LinkedHashMap<>();
        promo.put("actor", c.actor());
        promo.put("rollback", false);
        ctx.put("meta", Map.of("promotion", promo));
        Map<String, Object> vars = new LinkedHashMap<>();
        Scope scope = new Scope(ctx, vars, null, null, c.freight(), null, null);
        for (Map.Entry<String, String> v : (c.vars() == null ? Map.<String, String>of() : c.vars()).entrySet()) {
            try {
                vars.put(v.getKey(), io.freightline.template.expr.Expressions.render(v.getValue(), scope));
            } catch (ExpressionException e) {
                throw new RenderException("vars." + v.getKey() + ": " + e.getMessage());
            }
        }
        return scope;
    }

    /** Renders a step config at dispatch time; values that need the running steps are kept as written. */
    public static Map<String, Object> render(Map<String, Object> config, Context ctx) {
        return render(config, scope(ctx));
    }

    /**
     * Renders a step's config at dispatch time with its step vars on top of the template's. When a step var can only
     * be known while the steps run, every value that reads {@code vars} is left to the step runtime as well.
     */
    public static Map<String, Object> renderStep(Map<String, Object> config, Map<String, Object> stepVars, Scope scope) {
        if (stepVars == null || stepVars.isEmpty()) return render(config, scope);
        Map<String, Object> vars = new LinkedHashMap<>(scope.vars());
        for (Map.Entry<String, Object> v : stepVars.entrySet()) {
            if (v.getValue() instanceof String s && io.freightline.template.expr.Expressions.hasExpression(s)
                    && io.freightline.template.expr.Expressions.uses(s).any(scope.lookups() == Scope.Lookups.NONE ? RUNTIME_ONLY : RUNTIME_ONLY_WITH_METADATA)) {
                return render(config, scope, Set.of("vars"));
            }
            try {
                vars.put(v.getKey(), io.freightline.template.expr.Expressions.render(v.getValue(), scope.withVars(vars)));
            } catch (ExpressionException e) {
                throw new RenderException("vars." + v.getKey() + ": " + e.getMessage());
            }
        }
        return render(config, scope.withVars(vars));
    }

    public static Map<String, Object> render(Map<String, Object> config, Scope scope) {
        return render(config, scope, Set.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> render(Map<String, Object> config, Scope scope, Set<String> alsoDeferred) {
        try {
            return (Map<String, Object>) renderValue(config == null ? Map.of() : config, scope, alsoDeferred);
        } catch (ExpressionException e) {
            throw new RenderException(e.getMessage());
        }
    }

    private static Object renderValue(Object v, Scope scope, Set<String> alsoDeferred) {
        if (v instanceof String s) {
            Set<String> deferred = scope.lookups() == Scope.Lookups.NONE ? RUNTIME_ONLY : RUNTIME_ONLY_WITH_METADATA;
            if (!io.freightline.template.expr.Expressions.hasExpression(s) || io.freightline.template.expr.Expressions.uses(s).any(deferred)
                    || io.freightline.template.expr.Expressions.uses(s).any(alsoDeferred)) {
                return s;
            }
            return io.freightline.template.expr.Expressions.render(s, scope);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), renderValue(x, scope, alsoDeferred)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(renderValue(x, scope, alsoDeferred)));
            return out;
        }
        return v;
    }

    /** Whether a string's expressions read something only the running steps know. */
    public static boolean runtimeOnly(String s) {
        return io.freightline.template.expr.Expressions.uses(s).any(RUNTIME_ONLY);
    }

    /** Every expression in a config tree that does not parse (for manifest validation), with its field path. */
    public static List<io.freightline.template.expr.Expressions.Problem> check(Object v, String base) {
        return io.freightline.template.expr.Expressions.check(v, base);
    }

    private Expressions() {
    }
}
