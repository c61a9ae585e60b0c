package io.freightline.notifier.domain;

import io.freightline.events.VerificationCompleted;

import java.time.Duration;

/** Observes verifications, for metrics. */
public interface VerificationListener {
    void synced(String project, String stage, Duration sinceStart);

    void healthy(String project, String stage, Duration sinceStart);

    void completed(VerificationCompleted result);

    VerificationListener NONE = new VerificationListener() {
        @Override
        public void synced(String project, String stage, Duration sinceStart) {
        }

        @Override
        public void healthy(String project, String stage, Duration sinceStart) {
        }

        @Override
        public void completed(VerificationCompleted result) {
        }
    };
}
