package io.freightline.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * One promotion step of a Kargo promotion template: which step runs ({@code uses}, e.g. {@code kustomize-set-image})
 * and its config. The engine renders every expression it can at dispatch time; expressions that read what only the
 * running steps know ({@code outputs}, {@code task.outputs}, {@code success()}, secrets, ...) stay as written for the
 * step runtime to evaluate just before the step runs.
 *
 * @param as              the step's alias; a step inflated from a PromotionTask is {@code <task alias>::<step alias>}
 * @param ifCondition     Kargo's {@code if}: run only when true (null: only when no earlier step failed)
 * @param continueOnError a failure of this step neither fails the promotion nor counts for {@code failure()}
 * @param retry           Kargo's {@code retry} (errorThreshold, timeout), or null for the step's defaults
 * @param vars            step variables, in order; values may be expressions (over outputs, too)
 */
public record PromotionStep(String uses, String as, Map<String, Object> config,
                            @JsonProperty("if") String ifCondition, Boolean continueOnError, StepRetry retry,
                            Map<String, Object> vars) {

    /** The plain shape: a step with a config and no control flow. */
    public PromotionStep(String uses, String as, Map<String, Object> config) {
        this(uses, as, config, null, null, null, null);
    }

    /** Kargo's {@code retry}: consecutive errors before giving up (default 1), and a time limit like {@code 48h}. */
    public record StepRetry(Integer errorThreshold, String timeout) {
    }
}
