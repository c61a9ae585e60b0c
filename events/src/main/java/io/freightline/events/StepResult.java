package io.freightline.events;

/** What one promotion step did. {@code status}: SUCCEEDED, SKIPPED or FAILED. */
public record StepResult(String uses, String as, String status, String message, long durationMillis) {
}
