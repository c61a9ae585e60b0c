package io.freightline.template.run;

import io.freightline.events.PromotionStep;
import io.freightline.events.StepResult;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.expr.ExpressionException;
import io.freightline.template.expr.Expressions;
import io.freightline.template.expr.Scope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a promotion's steps as Kargo does: in order, each under its alias; {@code if} (by default a step runs only
 * when no earlier step failed; {@code always()}, {@code failure()}, {@code success()}, {@code status()});
 * {@code continueOnError}; {@code retry.errorThreshold} consecutive errors and {@code retry.timeout}; step
 * variables; {@code outputs.<alias>} and, inside a PromotionTask, {@code task.outputs.<alias>}, with a task's
 * {@code compose-output} also published under the task's alias. Each step's config is rendered just before it runs
 * and checked against the {@link StepCatalog}.
 * <p>
 * A step this service has no executor for, but that the catalog gives to another service, stops the run
 * ({@link Progress.Phase#HandedOff}); that service resumes it with the same steps and the returned progress.
 */
public final class TemplateRuntime {
    /** Separates a task's alias from its steps' aliases, as Kargo does. */
    public static final String TASK_SEPARATOR = "::";

    /**
     * @param retryBackoff wait between a step's retries after an error
     * @param pollInterval wait before calling a {@link StepStatus#Running} step again
     * @param suspend      instead of waiting for a {@link StepStatus#Running} step, return at once with phase
     *                     {@link Progress.Phase#Running}: the caller calls {@link #run} again later with the returned
     *                     progress (its last result is the waiting step's, {@code Running}, and the step's time limit
     *                     still counts from that result's {@code startedAt})
     */
    public record Options(Duration retryBackoff, Duration pollInterval, Clock clock, boolean suspend) {
        public Options(Duration retryBackoff, Duration pollInterval, Clock clock) {
            this(retryBackoff, pollInterval, clock, false);
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC());
        }
    }

    private final Map<String, StepExecutor> executors = new LinkedHashMap<>();
    private final StepCatalog catalog;
    private final Options options;
    private final ExecutorService timed = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "template-step");
        t.setDaemon(true);
        return t;
    });

    public TemplateRuntime(Collection<? extends StepExecutor> local, StepCatalog catalog, Options options) {
        this.catalog = catalog;
        this.options = options;
        for (StepExecutor e : BuiltinSteps.all()) executors.put(e.name(), e);
        for (StepExecutor e : local) executors.put(e.name(), e);
    }

    /** A step's alias: its {@code as}, or Kargo's default {@code step-<index>}. */
    public static String alias(PromotionStep step, int index) {
        return step.as() == null || step.as().isBlank() ? "step-" + index : step.as();
    }

    /**
     * Runs steps from {@code from.next()} until the end, a handoff, or a failure that ends the promotion.
     *
     * @param base the promotion's scope: ctx, the rendered template vars, the freight collection, lookups
     */
    public Progress run(List<PromotionStep> steps, Scope base, Progress from) {
        List<StepResult> results = new ArrayList<>(from.results());
        Instant waitingSince = null;
        if (results.size() == from.next() + 1 && StepStatus.Running.name().equals(results.get(from.next()).status())) {
            // a suspended step: its time limit goes on counting from when it started
            waitingSince = results.remove(from.next()).startedAt();
        }
        for (int i = from.next(); i < steps.size(); i++) {
            PromotionStep step = steps.get(i);
            String alias = alias(step, i);
            Instant start = i == from.next() && waitingSince != null ? waitingSince : options.clock().instant();
            Scope scope;
            try {
                scope = scopeFor(steps, results, base, alias);
            } catch (ExpressionException e) {
                results.add(result(step, alias, StepStatus.Errored, "vars: " + e.getMessage(), start, null));
                continue;
            }
            boolean run;
            try {
                run = step.ifCondition() == null || step.ifCondition().isBlank()
                        ? !scope.steps().anyFailed()
                        : Expressions.condition(step.ifCondition(), scope);
            } catch (ExpressionException e) {
                results.add(result(step, alias, StepStatus.Errored, "if: " + e.getMessage(), start, null));
                continue;
            }
            if (!run) {
                results.add(result(step, alias, StepStatus.Skipped, null, start, null));
                continue;
            }
            StepExecutor executor = executors.get(step.uses());
            if (executor == null) {
                StepCatalog.Runner runner = catalog.runner(step.uses());
                if (runner != null) {
                    return new Progress(results, i, Progress.Phase.HandedOff, runner.service(), null);
                }
                results.add(result(step, alias, StepStatus.Errored, "unknown step '" + step.uses() + "'", start, null));
                continue;
            }
            StepResult r = execute(step, alias, executor, scope, start);
            results.add(r);
            if (StepStatus.Running.name().equals(r.status())) {
                return new Progress(results, i, Progress.Phase.Running, null, r.message());
            }
        }
        return finish(steps, results);
    }

    private Progress finish(List<PromotionStep> steps, List<StepResult> results) {
        for (int i = 0; i < results.size(); i++) {
            StepResult r = results.get(i);
            if (counts(steps.get(i), r)) {
                StepStatus s = StepStatus.valueOf(r.status());
                String why = "step '" + r.as() + "' (" + r.uses() + ") " + s.name().toLowerCase() + (r.message() == null ? "" : ": " + r.message());
                return new Progress(results, results.size(),
                        s == StepStatus.Failed ? Progress.Phase.Failed : Progress.Phase.Errored, null, why);
            }
        }
        return new Progress(results, results.size(), Progress.Phase.Succeeded, null, null);
    }

    private static boolean counts(PromotionStep step, StepResult r) {
        return StepStatus.valueOf(r.status()).bad() && !Boolean.TRUE.equals(step.continueOnError());
    }

    private StepResult execute(PromotionStep step, String alias, StepExecutor executor, Scope scope, Instant start) {
        Map<String, Object> config;
        try {
            config = render(step.config(), scope);
        } catch (ExpressionException e) {
            return result(step, alias, StepStatus.Errored, e.getMessage(), start, null);
        }
        if (!executor.validatesConfig() && catalog.knows(step.uses())) {
            List<StepCatalog.Violation> v = catalog.validate(step.uses(), config, "config");
            if (!v.isEmpty()) {
                return result(step, alias, StepStatus.Errored, "invalid config: " + String.join("; ", v.stream().map(Object::toString).toList()), start, null);
            }
        }
        int threshold = step.retry() != null && step.retry().errorThreshold() != null
                ? Math.max(1, step.retry().errorThreshold()) : Math.max(1, executor.defaultErrorThreshold());
        Duration timeout;
        try {
            timeout = step.retry() != null && step.retry().timeout() != null && !step.retry().timeout().isBlank()
                    ? GoDurations.parse(step.retry().timeout()) : executor.defaultTimeout();
        } catch (IllegalArgumentException e) {
            return result(step, alias, StepStatus.Errored, "retry.timeout: " + e.getMessage(), start, null);
        }
        Instant deadline = timeout == null ? null : start.plus(timeout);
        String timedOut = "timed out after " + (step.retry() != null && step.retry().timeout() != null && !step.retry().timeout().isBlank()
                ? step.retry().timeout().strip() : String.valueOf(timeout));
        int errors = 0;
        for (int attempt = 1; ; attempt++) {
            StepExecutor.Outcome o = attempt(executor, new StepExecutor.Call(alias, step.uses(), config, scope, deadline, attempt), timedOut);
            switch (o.status()) {
                case Running -> {
                    errors = 0;
                    if (options.suspend() && (deadline == null || options.clock().instant().isBefore(deadline))) {
                        return result(step, alias, StepStatus.Running, o.message(), start, null);
                    }
                }
                case Errored -> {
                    errors++;
                    if (o.terminal() || errors >= threshold) {
                        String m = errors > 1 ? o.message() + " (after " + errors + " consecutive errors)" : o.message();
                        return result(step, alias, StepStatus.Errored, m, start, null);
                    }
                }
                default -> {
                    return result(step, alias, o.status(), o.message(), start, o.outputs());
                }
            }
            if (deadline != null && !options.clock().instant().isBefore(deadline)) {
                return result(step, alias, StepStatus.Errored, timedOut + (o.message() == null ? "" : ": " + o.message()), start, null);
            }
            pause(o.status() == StepStatus.Running ? options.pollInterval() : options.retryBackoff(), deadline);
        }
    }

    private StepExecutor.Outcome attempt(StepExecutor executor, StepExecutor.Call call, String timedOut) {
        if (call.deadline() == null || executor.enforcesDeadline()) {
            if (call.deadline() != null && !options.clock().instant().isBefore(call.deadline())) {
                return StepExecutor.Outcome.errored(timedOut, true);
            }
            return guarded(executor, call);
        }
        long left = Duration.between(options.clock().instant(), call.deadline()).toMillis();
        if (left <= 0) return StepExecutor.Outcome.errored(timedOut, true);
        Future<StepExecutor.Outcome> f = timed.submit(() -> guarded(executor, call));
        try {
            return f.get(left, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return StepExecutor.Outcome.errored(timedOut, true);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            return StepExecutor.Outcome.errored("interrupted", true);
        } catch (ExecutionException e) {
            return StepExecutor.Outcome.errored(String.valueOf(e.getCause()), false);
        }
    }

    private static StepExecutor.Outcome guarded(StepExecutor executor, StepExecutor.Call call) {
        try {
            StepExecutor.Outcome o = executor.run(call);
            return o == null ? StepExecutor.Outcome.errored("the step returned no outcome", true) : o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StepExecutor.Outcome.errored("interrupted", true);
        } catch (Exception e) {
            return StepExecutor.Outcome.errored(e.getMessage() == null ? e.toString() : e.getMessage(), false);
        }
    }

    private void pause(Duration d, Instant deadline) {
        long ms = d.toMillis();
        if (deadline != null) ms = Math.min(ms, Math.max(0, Duration.between(options.clock().instant(), deadline).toMillis()));
        if (ms <= 0) return;
        try {
            Thread.sleep(ms); // backoff between a step's attempts, by design
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private StepResult result(PromotionStep step, String alias, StepStatus status, String message, Instant start,
                              Map<String, Object> outputs) {
        long ms = Duration.between(start, options.clock().instant()).toMillis();
        return new StepResult(step.uses(), alias, status.name(), message, ms, outputs == null || outputs.isEmpty() ? null : outputs, start);
    }

    // ------------------------------------------------------------------ scope of one step

    private Scope scopeFor(List<PromotionStep> steps, List<StepResult> results, Scope base, String alias) {
        String task = task(alias);
        Map<String, Object> outputs = new LinkedHashMap<>();
        Map<String, Object> taskOutputs = task == null ? null : new LinkedHashMap<>();
        Map<String, String> statuses = new LinkedHashMap<>();
        boolean anyFailed = false;
        for (int i = 0; i < results.size(); i++) {
            StepResult r = results.get(i);
            statuses.put(r.as(), r.status());
            if (counts(steps.get(i), r)) anyFailed = true;
            Map<String, Object> out = r.outputs() == null ? Map.of() : r.outputs();
            outputs.put(r.as(), out);
            String t = task(r.as());
            if (t != null) {
                if (r.uses().equals("compose-output")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> composed = outputs.get(t) instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
                    composed.putAll(out);
                    outputs.put(t, composed);
                }
                if (t.equals(task)) taskOutputs.put(local(r.as()), out);
            }
        }
        boolean failed = anyFailed;
        Scope.StepStates states = new Scope.StepStates() {
            @Override
            public boolean anyFailed() {
                return failed;
            }

            @Override
            public String status(String a) {
                String s = statuses.get(a);
                return s == null && task != null ? statuses.get(task + TASK_SEPARATOR + a) : s;
            }
        };
        Map<String, Object> ctx = new LinkedHashMap<>(base.ctx());
        Map<String, Object> meta = ctx.get("meta") instanceof Map<?, ?> m ? new LinkedHashMap<>(castMap(m)) : new LinkedHashMap<>();
        meta.put("step", Map.of("alias", alias));
        ctx.put("meta", meta);
        Scope scope = new Scope(ctx, base.vars(), outputs, taskOutputs, base.freight(), base.lookups(), states);
        PromotionStep step = steps.get(results.size());
        if (step.vars() != null && !step.vars().isEmpty()) {
            Map<String, Object> vars = new LinkedHashMap<>(base.vars());
            for (Map.Entry<String, Object> v : step.vars().entrySet()) {
                vars.put(v.getKey(), Expressions.render(v.getValue(), scope.withVars(vars)));
            }
            scope = scope.withVars(vars);
        }
        return scope;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** The task alias of a namespaced step alias, or null. */
    static String task(String alias) {
        int i = alias.indexOf(TASK_SEPARATOR);
        return i < 0 ? null : alias.substring(0, i);
    }

    private static String local(String alias) {
        int i = alias.indexOf(TASK_SEPARATOR);
        return i < 0 ? alias : alias.substring(i + TASK_SEPARATOR.length());
    }

    /** Renders a config, an error naming the field that holds the failing expression. */
    private static Map<String, Object> render(Map<String, Object> config, Scope scope) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) renderAt(config == null ? Map.of() : config, "config", scope);
        return out;
    }

    private static Object renderAt(Object v, String path, Scope scope) {
        if (v instanceof String s) {
            if (!Expressions.hasExpression(s)) return s;
            try {
                return Expressions.render(s, scope);
            } catch (ExpressionException e) {
                throw new ExpressionException(e.expression(), e.reason()) {
                    @Override
                    public String getMessage() {
                        return path + ": " + super.getMessage();
                    }
                };
            }
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), renderAt(x, path + "." + k, scope)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) out.add(renderAt(l.get(i), path + "[" + i + "]", scope));
            return out;
        }
        return v;
    }
}
