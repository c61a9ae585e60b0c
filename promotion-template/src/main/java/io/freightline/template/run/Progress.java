package io.freightline.template.run;

import io.freightline.events.StepResult;

import java.util.List;

/**
 * Where a promotion's steps stand: one result per step already decided (index = step index), the next step to run,
 * and what the run came to. It travels with the promotion's events, so the service that owns the next step resumes
 * exactly where the previous one stopped.
 *
 * @param results   results of steps 0..next-1
 * @param next      the index of the next step to decide
 * @param phase     the promotion's step phase
 * @param handoffTo when {@code phase} is {@link Phase#HandedOff}: the service that runs step {@code next}
 * @param message   why the promotion failed (naming the step alias), or null
 */
public record Progress(List<StepResult> results, int next, Phase phase, String handoffTo, String message) {

    public enum Phase {
        /** Not started or in progress. */
        Running,
        /** Stopped at a step another service runs. */
        HandedOff,
        Succeeded,
        Failed,
        Errored
    }

    public static Progress start() {
        return new Progress(List.of(), 0, Phase.Running, null, null);
    }

    public boolean finished() {
        return phase == Phase.Succeeded || phase == Phase.Failed || phase == Phase.Errored;
    }
}
