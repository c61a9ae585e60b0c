package io.freightline.template.run;

import io.freightline.template.expr.Scope;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One promotion step implementation, as a service plugs it into the {@link TemplateRuntime}. The runtime hands it the
 * rendered, schema-checked config and takes back an outcome; {@code if}, {@code continueOnError}, {@code retry},
 * aliases, outputs and PromotionTask namespacing are the runtime's business, not the step's.
 */
public interface StepExecutor {

    /** The {@code uses} name, e.g. {@code git-clone}. */
    String name();

    /** The step's time limit when the template sets no {@code retry.timeout}; null for none. */
    default Duration defaultTimeout() {
        return null;
    }

    /** Consecutive errors before the runtime gives up when the template sets no {@code retry.errorThreshold}. */
    default int defaultErrorThreshold() {
        return 1;
    }

    /**
     * Whether the step keeps to {@link Call#deadline()} itself and has stopped touching the promotion's state when it
     * returns. Such a step is called on the runtime's thread; any other step with a deadline runs on a thread of its
     * own that is abandoned when the time is up (fine for steps that only return outputs, not for steps that write
     * into state the caller goes on using).
     */
    default boolean enforcesDeadline() {
        return false;
    }

    /**
     * Whether the step checks its rendered config against a schema of its own (which may accept fields the
     * catalog's Kargo schema does not know); then the runtime leaves the check to it.
     */
    default boolean validatesConfig() {
        return false;
    }

    /**
     * Carries the step out once. Return {@link Outcome#running} to be called again later (polling steps), and
     * {@link Outcome#errored} with {@code terminal = true} for errors a retry cannot fix. A thrown exception is a
     * retryable error.
     */
    Outcome run(Call call) throws Exception;

    /**
     * @param alias    the step's alias ({@code <task alias>::<step alias>} inside a task)
     * @param config   the rendered config; it passed the step's schema
     * @param scope    what the step's expressions could read (for steps that evaluate expressions of their own,
     *                 like {@code http}'s {@code successExpression})
     * @param deadline when the step's time limit ends, or null
     * @param attempt  1 for the first try
     */
    record Call(String alias, String uses, Map<String, Object> config, Scope scope, Instant deadline, int attempt) {
    }

    /** What one run of a step came to. */
    record Outcome(StepStatus status, Map<String, Object> outputs, String message, boolean terminal) {
        public static Outcome succeeded(Map<String, Object> outputs, String message) {
            return new Outcome(StepStatus.Succeeded, outputs == null ? Map.of() : outputs, message, false);
        }

        /** The step ran and its result is a failure (e.g. {@code fail}, an {@code http} failureExpression). */
        public static Outcome failed(String message) {
            return new Outcome(StepStatus.Failed, Map.of(), message, true);
        }

        public static Outcome errored(String message, boolean terminal) {
            return new Outcome(StepStatus.Errored, Map.of(), message, terminal);
        }

        /** Not done yet: call again after the poll interval, until the time limit. */
        public static Outcome running(String message) {
            return new Outcome(StepStatus.Running, Map.of(), message, false);
        }
    }
}
