package io.freightline.events;

import java.util.Map;

/**
 * What one promotion step did. {@code status}: SUCCEEDED, SKIPPED or FAILED from the implied-steps writer, or Kargo's
 * step statuses from the template runtime (Succeeded, Failed, Errored, Skipped, Running, Aborted).
 *
 * @param outputs what the step produced for later steps ({@code outputs.<alias>.<key>}), or null
 */
public record StepResult(String uses, String as, String status, String message, long durationMillis,
                         Map<String, Object> outputs) {

    public StepResult(String uses, String as, String status, String message, long durationMillis) {
        this(uses, as, status, message, durationMillis, null);
    }
}
