package io.freightline.template.run;

/** Kargo's step statuses, spelled as {@code status('alias')} returns them. */
public enum StepStatus {
    Succeeded, Failed, Errored, Skipped, Running, Aborted;

    /** Failed or Errored: counts for {@code failure()} unless the step had {@code continueOnError}. */
    public boolean bad() {
        return this == Failed || this == Errored || this == Aborted;
    }
}
