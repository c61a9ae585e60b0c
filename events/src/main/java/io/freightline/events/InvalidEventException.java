package io.freightline.events;

/** A message that is not a valid event: malformed JSON, a schema violation, an unknown type. Never retryable. */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
