package io.freightline.watcher.domain;

/** A webhook body that is not valid JSON or lacks the fields its provider always sends: HTTP 400. */
public class MalformedPayloadException extends RuntimeException {
    public MalformedPayloadException(String message) {
        super(message);
    }

    public MalformedPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
