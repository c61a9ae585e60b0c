package io.freightline.events;

import java.time.Instant;
import java.util.Map;

/**
 * What one promotion step did. {@code status}: SUCCEEDED, SKIPPED or FAILED from the implied-steps writer, or Kargo's
 * step statuses from the template runtime (Succeeded, Failed, Errored, Skipped, Running, Aborted).
 *
 * @param as        the step's alias ({@code step-<index>} when the template gives none; {@code <task>::<step>} inside
 *                  a PromotionTask)
 * @param message   what the step did, or why it failed (names the field and expression of an expression error)
 * @param outputs   what the step produced for later steps ({@code outputs.<alias>.<key>}), small JSON values, or null
 * @param startedAt when the step was decided on (started, or skipped), or null in events written before this field
 */
public record StepResult(String uses, String as, String status, String message, long durationMillis,
                         Map<String, Object> outputs, Instant startedAt) {

    public StepResult(String uses, String as, String status, String message, long durationMillis) {
        this(uses, as, status, message, durationMillis, null, null);
    }

    public StepResult(String uses, String as, String status, String message, long durationMillis,
                      Map<String, Object> outputs) {
        this(uses, as, status, message, durationMillis, outputs, null);
    }
}
