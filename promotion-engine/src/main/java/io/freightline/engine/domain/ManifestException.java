package io.freightline.engine.domain;

import java.util.List;

/** Invalid manifests: every problem names the file, the field and the reason. Nothing was applied. */
public class ManifestException extends RuntimeException {
    private final List<Problem> problems;

    public ManifestException(List<Problem> problems) {
        super(problems.size() + " manifest error(s): "
                + String.join("; ", problems.stream().map(Problem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /** @param document the 1-based document index in the file and the object it describes, e.g. "#3 Stage demo/dev" */
    public record Problem(String file, String document, String field, String reason) {
        @Override
        public String toString() {
            return file + " " + document + ": " + field + ": " + reason;
        }
    }
}
