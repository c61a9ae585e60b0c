package io.freightline.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What an artifact is: a container image, a Helm chart, or a Git commit. */
public enum ArtifactKind {
    IMAGE, CHART, GIT;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ArtifactKind of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
