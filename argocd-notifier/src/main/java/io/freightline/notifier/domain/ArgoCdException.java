package io.freightline.notifier.domain;

/**
 * An Argo CD API failure, classified once so the verification knows what to do with it: wait, retry later, or give
 * up with a message a user can act on.
 */
public abstract sealed class ArgoCdException extends RuntimeException {

    protected ArgoCdException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether trying again later can help. */
    public abstract boolean retryable();

    /** 401: missing, expired or invalid token. Terminal. */
    public static final class Unauthorized extends ArgoCdException {
        public Unauthorized(String message) {
            super(message, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 403 (not a sync window): the account lacks the RBAC permission. Terminal. */
    public static final class Forbidden extends ArgoCdException {
        public Forbidden(String message) {
            super(message, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 404: no such application (or no such server path). Terminal. */
    public static final class NotFound extends ArgoCdException {
        public NotFound(String message) {
            super(message, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 400 FailedPrecondition "another operation is already in progress": wait for it. */
    public static final class OperationInProgress extends ArgoCdException {
        public OperationInProgress(String message) {
            super(message, null);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** 403 "cannot sync: blocked by sync window": retry when the window opens. */
    public static final class SyncWindowBlocked extends ArgoCdException {
        public SyncWindowBlocked(String message) {
            super(message, null);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** Other 4xx: the request is wrong for this app (e.g. a bad source position). Terminal. */
    public static final class Rejected extends ArgoCdException {
        public Rejected(String message) {
            super(message, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 5xx, 429, timeouts, connection failures, an open circuit breaker: retry with backoff. */
    public static final class Unavailable extends ArgoCdException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }
}
