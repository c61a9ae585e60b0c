package io.freightline.template.expr;

import io.freightline.events.FreightRef;

import java.util.List;
import java.util.Map;

/**
 * What an expression can read, as Kargo defines it for promotion steps.
 *
 * @param ctx         {@code ctx}: project, stage, promotion, targetFreight {name, alias, origin.name}, meta
 * @param vars        {@code vars}: template, task and step variables, already merged for the step
 * @param outputs     {@code outputs}: previous steps' outputs by alias
 * @param taskOutputs {@code task.outputs} inside a PromotionTask's steps (outputs by the task-local alias), or null
 * @param freight     the freight collection of the promotion: the target freight first, then the freight currently in
 *                    the stage from its other origins ({@code imageFrom} and friends look here)
 * @param lookups     metadata, secrets and config maps ({@code freightMetadata}, {@code secret}, ...)
 * @param steps       the outcome of previous steps ({@code success()}, {@code failure()}, {@code status()})
 */
public record Scope(Map<String, Object> ctx, Map<String, Object> vars, Map<String, Object> outputs,
                    Map<String, Object> taskOutputs, List<FreightRef> freight, Lookups lookups, StepStates steps) {

    public Scope {
        ctx = ctx == null ? Map.of() : ctx;
        vars = vars == null ? Map.of() : vars;
        outputs = outputs == null ? Map.of() : outputs;
        freight = freight == null ? List.of() : freight;
        lookups = lookups == null ? Lookups.NONE : lookups;
        steps = steps == null ? StepStates.NONE_YET : steps;
    }

    public Scope withVars(Map<String, Object> v) {
        return new Scope(ctx, v, outputs, taskOutputs, freight, lookups, steps);
    }

    /** Data that lives outside the promotion event: metadata, secrets, config maps. Missing entries are empty maps. */
    public interface Lookups {
        Lookups NONE = new Lookups() {
        };

        default Map<String, Object> freightMetadata(String freight) {
            return Map.of();
        }

        default Map<String, Object> freightStatus(String freight) {
            return Map.of();
        }

        default Map<String, Object> stageMetadata(String stage) {
            return Map.of();
        }

        default Map<String, String> secret(String name) {
            return Map.of();
        }

        default Map<String, String> sharedSecret(String name) {
            return Map.of();
        }

        default Map<String, String> configMap(String name) {
            return Map.of();
        }

        default Map<String, String> sharedConfigMap(String name) {
            return Map.of();
        }
    }

    /** The outcome of the steps before the one being evaluated. */
    public interface StepStates {
        StepStates NONE_YET = new StepStates() {
            @Override
            public boolean anyFailed() {
                return false;
            }

            @Override
            public String status(String alias) {
                return null;
            }
        };

        /** Whether a previous step errored or failed without {@code continueOnError}. */
        boolean anyFailed();

        /** A previous step's status name (Succeeded, Failed, Errored, Skipped, ...), or null if there is none. */
        String status(String alias);
    }
}
