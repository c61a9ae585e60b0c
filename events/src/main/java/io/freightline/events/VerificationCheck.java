package io.freightline.events;

import java.util.Map;

/** A check run after the stage's applications are healthy: {@code http} or {@code prometheus}, with its config. */
public record VerificationCheck(String name, String kind, Map<String, Object> config) {
}
