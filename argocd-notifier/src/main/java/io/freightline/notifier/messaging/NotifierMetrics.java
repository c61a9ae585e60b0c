package io.freightline.notifier.messaging;

import io.freightline.events.VerificationCompleted;
import io.freightline.notifier.domain.VerificationListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * The notifier's metrics (docs/architecture.md): time to Synced and to Healthy per stage, verification outcomes.
 * Labels are bounded: project, stage, outcome.
 */
@ApplicationScoped
public class NotifierMetrics implements VerificationListener {
    private final MeterRegistry meters;

    public NotifierMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void synced(String project, String stage, Duration sinceStart) {
        timer("freightline.argocd.time.to.synced", "Commit event to all apps Synced at the revision", project, stage)
                .record(sinceStart);
    }

    @Override
    public void healthy(String project, String stage, Duration sinceStart) {
        timer("freightline.argocd.time.to.healthy", "Commit event to all apps Healthy at the revision", project, stage)
                .record(sinceStart);
    }

    @Override
    public void completed(VerificationCompleted result) {
        Counter.builder("freightline.verifications").description("Verifications published, by outcome")
                .tags("project", result.project(), "stage", result.stage(), "outcome", result.outcome().name())
                .register(meters).increment();
    }

    private Timer timer(String name, String description, String project, String stage) {
        return Timer.builder(name).description(description).tags("project", project, "stage", stage)
                .publishPercentileHistogram().register(meters);
    }
}
