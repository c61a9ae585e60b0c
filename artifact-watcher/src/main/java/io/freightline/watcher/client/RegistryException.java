package io.freightline.watcher.client;

/** A registry/repository request failed; {@code retryable} for 429, 5xx and I/O errors, terminal otherwise. */
public class RegistryException extends RuntimeException {
    private final int status;
    private final boolean retryable;

    public RegistryException(String message, int status, boolean retryable) {
        super(message);
        this.status = status;
        this.retryable = retryable;
    }

    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }
}
