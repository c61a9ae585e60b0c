package io.freightline.events;

import java.util.Map;

/**
 * One rendered promotion step: which step runs ({@code uses}, e.g. {@code kustomize-set-image}) and its config,
 * with every {@code ${{ }}} expression already replaced by the engine.
 */
public record PromotionStep(String uses, String as, Map<String, Object> config) {
}
