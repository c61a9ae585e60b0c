package io.freightline.gitwriter.domain;

import java.time.Duration;

/** Kargo's duration strings in step configs ({@code 30s}, {@code 1m30s}), read by the template library's parser. */
public final class GoDurations {

    /** @param field the config field, named in the terminal error of a malformed duration */
    public static Duration parse(String field, String text) throws StepException {
        try {
            return io.freightline.template.run.GoDurations.parse(text);
        } catch (IllegalArgumentException e) {
            throw StepException.terminal(field + ": " + e.getMessage());
        }
    }

    private GoDurations() {
    }
}
