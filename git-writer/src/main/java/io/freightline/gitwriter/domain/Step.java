package io.freightline.gitwriter.domain;

import java.time.Duration;

/**
 * A promotion step plugin: one class with one config record and its JSON Schema. The registry finds every
 * implementation; adding a step adds one folder under {@code steps/}.
 *
 * @param <C> the config record, bound from the step's {@code config} after it passed {@link #schema()}
 */
public interface Step<C> {

    /** The {@code uses} name, e.g. {@code kustomize-set-image}. */
    String name();

    Class<C> configType();

    /** The JSON Schema (2020-12) the step's config must satisfy. */
    String schema();

    /** How long one run may take before the promotion fails. */
    default Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /** Whether this step's errors may go away on a retry (in-memory file edits: no). */
    default boolean retryable() {
        return false;
    }

    /** Applies the step to the workspace; returns a one-line note of what it did. */
    String run(StepContext context, C config) throws StepException;
}
