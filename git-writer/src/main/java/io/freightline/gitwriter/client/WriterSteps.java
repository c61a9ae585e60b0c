package io.freightline.gitwriter.client;

import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.events.StepResult;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.StepRegistry;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.expr.Scope;
import io.freightline.template.run.Progress;
import io.freightline.template.run.RequestScope;
import io.freightline.template.run.StepExecutor;
import io.freightline.template.run.StepStatus;
import io.freightline.template.run.TemplateRuntime;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The git-writer's steps as the {@link TemplateRuntime} runs them: every {@link StepRegistry} step becomes a
 * {@link StepExecutor}, so {@code if}, {@code continueOnError}, {@code retry}, aliases, {@code outputs} and
 * {@code task.outputs} mean exactly what they mean in the engine and the notifier. Configs are rendered just before
 * each step with the outputs of the steps before it.
 */
final class WriterSteps {
    /** Steps whose side effect another service owns: recorded as Skipped here, carried out there. */
    static final Set<String> OTHER_SERVICES = Set.of("argocd-update", "argocd-wait", "set-metadata", "set-freight-alias");

    private WriterSteps() {
    }

    /** The scope of a promotion's run-time expressions. */
    static Scope scope(PromotionRequested r) {
        return RequestScope.of(r, Scope.Lookups.NONE);
    }

    /**
     * One registry step. It keeps to the runtime's deadline itself: the registry runs it behind a fence that is closed
     * before this returns, so a step cut off by its {@code retry.timeout} can never write into the workspace the
     * writer goes on using (nor into the next promotion).
     */
    static final class Registered implements StepExecutor {
        private final String name;
        private final StepRegistry registry;
        private final StepContext context;
        private final Clock clock;
        private final Map<String, StepException> lastErrors;
        private final BiConsumer<String, Duration> timing;
        private final boolean runningWhileRetryable;
        private final Duration defaultTimeout;

        /**
         * @param lastErrors            the last error of each step alias, for the writer to tell retryable from
         *                              terminal failures
         * @param runningWhileRetryable a retryable error means "not yet" (the pull-request steps): the step is
         *                              Running and is called again after the poll interval
         */
        Registered(String name, StepRegistry registry, StepContext context, Clock clock,
                   Map<String, StepException> lastErrors, BiConsumer<String, Duration> timing,
                   boolean runningWhileRetryable, Duration defaultTimeout) {
            this.name = name;
            this.registry = registry;
            this.context = context;
            this.clock = clock;
            this.lastErrors = lastErrors;
            this.timing = timing;
            this.runningWhileRetryable = runningWhileRetryable;
            this.defaultTimeout = defaultTimeout;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean enforcesDeadline() {
            return true;
        }

        @Override
        public boolean validatesConfig() {
            return true; // the registry checks the step's own schema (Kargo's fields and Freightline's additions)
        }

        @Override
        public Duration defaultTimeout() {
            return defaultTimeout;
        }

        @Override
        public Outcome run(Call call) {
            Duration limit = call.deadline() == null ? null : Duration.between(clock.instant(), call.deadline());
            long t0 = System.nanoTime();
            try {
                StepRegistry.Ran ran = registry.run(name, call.config(), context, limit);
                lastErrors.remove(call.alias());
                return Outcome.succeeded(ran.outputs(), ran.message());
            } catch (StepException e) {
                lastErrors.put(call.alias(), e);
                String message = Redact.text(e.getMessage());
                if (runningWhileRetryable && e.retryable()) {
                    return Outcome.running(message);
                }
                return Outcome.errored(message, !e.retryable());
            } finally {
                timing.accept(name, Duration.ofNanos(System.nanoTime() - t0));
            }
        }
    }

    /** A step of the argocd-notifier or the engine: the promotion carries on, that service runs it. */
    record Elsewhere(String name) implements StepExecutor {
        @Override
        public boolean validatesConfig() {
            return true; // the service that runs it checks it
        }

        @Override
        public Outcome run(Call call) {
            // argocd-wait: the rendered config goes on to the notifier in the result's outputs ("config")
            return new Outcome(StepStatus.Skipped, name.equals("argocd-wait") ? Map.of("config", call.config()) : Map.of(), "carried out by "
                    + (name.startsWith("argocd-") ? "the argocd-notifier" : "the promotion-engine"), false);
        }
    }

    /** A step that cannot run at this point of the template: an error naming why. */
    record Refused(String name, String why) implements StepExecutor {
        @Override
        public Outcome run(Call call) {
            return Outcome.errored(why, true);
        }
    }

    static List<StepExecutor> elsewhere() {
        List<StepExecutor> out = new ArrayList<>();
        for (String s : OTHER_SERVICES) out.add(new Elsewhere(s));
        return out;
    }

    /** A result with its status in Kargo's spelling ({@code SUCCEEDED} → {@code Succeeded}; {@code FAILED} → {@code Errored}). */
    static StepResult kargoStatus(StepResult r) {
        String s = r.status() == null ? "Skipped" : r.status();
        for (StepStatus k : StepStatus.values()) {
            if (k.name().equals(s)) return r;
        }
        String kargo = switch (s.toUpperCase(java.util.Locale.ROOT)) {
            case "SUCCEEDED" -> "Succeeded";
            case "RUNNING" -> "Running";
            case "FAILED", "ERRORED" -> "Errored";
            default -> "Skipped";
        };
        return new StepResult(r.uses(), r.as(), kargo, r.message(), r.durationMillis(), r.outputs(), r.startedAt());
    }

    /** Each step's outputs by alias, as later steps read them. */
    static Map<String, Map<String, Object>> outputs(List<StepResult> results) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (StepResult r : results) {
            out.put(r.as(), r.outputs() == null ? Map.of() : r.outputs());
        }
        return out;
    }

    /**
     * The result that ended the run (the first Failed or Errored step without continueOnError), or null.
     */
    static StepResult failing(List<PromotionStep> steps, List<StepResult> results) {
        for (int i = 0; i < results.size() && i < steps.size(); i++) {
            StepResult r = results.get(i);
            StepStatus s;
            try {
                s = StepStatus.valueOf(r.status());
            } catch (IllegalArgumentException | NullPointerException e) {
                continue;
            }
            if (s.bad() && !Boolean.TRUE.equals(steps.get(i).continueOnError())) return r;
        }
        return null;
    }

    /**
     * Whether a failed run may succeed when the whole batch is tried again (fetch, re-apply): the failing step's last
     * error was retryable (a network error of git-clone or git-push, a blob that could not be stored) and the
     * template left the step's retries to the writer (no {@code retry}).
     */
    static boolean retryableFailure(List<PromotionStep> steps, Progress p, Map<String, StepException> lastErrors) {
        if (p.phase() != Progress.Phase.Errored) return false;
        for (int i = 0; i < p.results().size(); i++) {
            StepResult r = p.results().get(i);
            PromotionStep s = steps.get(i);
            if (StepStatus.valueOf(r.status()).bad() && !Boolean.TRUE.equals(s.continueOnError())) {
                StepException e = lastErrors.get(r.as());
                return e != null && e.retryable() && s.retry() == null;
            }
        }
        return false;
    }

    static Map<String, StepException> errors() {
        return new ConcurrentHashMap<>();
    }
}
