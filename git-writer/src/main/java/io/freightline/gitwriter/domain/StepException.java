package io.freightline.gitwriter.domain;

/**
 * Why a step could not do its work. Terminal errors (bad config, path escape, a file the step needs is missing or
 * unparseable) fail the promotion at once; retryable ones are retried with backoff.
 */
public final class StepException extends Exception {
    private final boolean retryable;
    private final String file;

    private StepException(String message, String file, boolean retryable, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.retryable = retryable;
    }

    public static StepException terminal(String message) {
        return new StepException(message, null, false, null);
    }

    /** A terminal error about one file of the repository. */
    public static StepException terminal(String file, String message) {
        return new StepException(file + ": " + message, file, false, null);
    }

    public static StepException retryable(String message, Throwable cause) {
        return new StepException(message, null, true, cause);
    }

    public boolean retryable() {
        return retryable;
    }

    /** The repository file the error is about, or null. */
    public String file() {
        return file;
    }
}
