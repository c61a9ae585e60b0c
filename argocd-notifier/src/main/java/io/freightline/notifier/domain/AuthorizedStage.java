package io.freightline.notifier.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Kargo's consent rule for {@code argocd-update}: an Application is updated (patched, synced) only when its
 * {@code kargo.akuity.io/authorized-stage} annotation names the promotion's stage as {@code <project>:<stage>} (several
 * entries separated by commas; glob patterns are refused, as Kargo no longer supports them). Someone allowed to change
 * the Application consented so; the notifier's own Argo CD token alone is not that consent.
 */
public final class AuthorizedStage {
    public static final String ANNOTATION = "kargo.akuity.io/authorized-stage";

    private AuthorizedStage() {
    }

    /** The Application does not permit the update: a terminal error, nothing was patched or synced. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * @param value the annotation's value, null when the Application has none
     * @throws Refused naming the application, the annotation and the value expected
     */
    public static void check(String value, AppRef app, String project, String stage) {
        String expected = project + ":" + stage;
        String refused = "Argo CD application " + app.display() + " does not permit updates by stage " + expected
                + ": ";
        if (value == null) {
            throw new Refused(refused + "it has no annotation " + ANNOTATION + "; annotate it " + ANNOTATION + ": \""
                    + expected + "\"");
        }
        List<String> entries;
        try {
            entries = parse(value);
        } catch (IllegalArgumentException e) {
            throw new Refused(refused + "its annotation " + ANNOTATION + " \"" + value + "\" is invalid: "
                    + e.getMessage() + "; expected " + ANNOTATION + ": \"" + expected + "\"");
        }
        if (!entries.contains(expected)) {
            throw new Refused(refused + "its annotation " + ANNOTATION + " is \"" + value + "\"; add \"" + expected
                    + "\" to it");
        }
    }

    /** The {@code <project>:<stage>} entries of the annotation, trimmed. */
    static List<String> parse(String value) {
        List<String> out = new ArrayList<>();
        for (String entry : value.split(",")) {
            entry = entry.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String project = colon < 0 ? "" : entry.substring(0, colon).strip();
            String stage = colon < 0 ? "" : entry.substring(colon + 1).strip();
            if (project.isEmpty() || stage.isEmpty()) {
                throw new IllegalArgumentException("\"" + entry + "\" is not <project>:<stage>");
            }
            if (project.contains("*") || stage.contains("*")) {
                throw new IllegalArgumentException("\"" + entry + "\": glob patterns are not supported");
            }
            out.add(project + ":" + stage);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no <project>:<stage> entry");
        }
        return out;
    }
}
