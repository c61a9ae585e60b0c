package io.freightline.gitwriter.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/** The git-writer's metrics, names as in docs/architecture.md; labels are bounded (no ids, tags or SHAs). */
@ApplicationScoped
public class WriterMetrics {
    private final MeterRegistry registry;
    private final Timer commit;
    private final Timer push;
    private final Counter retries;
    private final Counter conflicts;
    private final DistributionSummary batch;

    @Inject
    public WriterMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.commit = Timer.builder("freightline.git.commit.duration").description("Time to apply a promotion's steps and write its commit")
                .publishPercentileHistogram().register(registry);
        this.push = Timer.builder("freightline.git.push.duration").description("Time of one push")
                .publishPercentileHistogram().register(registry);
        this.retries = Counter.builder("freightline.git.push.retries").description("Pushes retried (remote moved or unreachable)")
                .register(registry);
        this.conflicts = Counter.builder("freightline.git.push.conflicts").description("Promotions that no longer apply after the remote moved")
                .register(registry);
        this.batch = DistributionSummary.builder("freightline.git.push.batch.size").description("Promotions per push")
                .publishPercentileHistogram().register(registry);
    }

    public void step(String step, Duration d) {
        Timer.builder("freightline.step.duration").description("Time of one promotion step").tag("step", step)
                .publishPercentileHistogram().register(registry).record(d);
    }

    public void commit(Duration d) {
        commit.record(d);
    }

    public void push(Duration d, int promotions) {
        push.record(d);
        batch.record(promotions);
    }

    public void retry() {
        retries.increment();
    }

    public void conflict() {
        conflicts.increment();
    }

    public void outcome(String project, String stage, String outcome) {
        Counter.builder("freightline.promotion.commits").description("Promotion outcomes")
                .tags("project", project, "stage", stage, "outcome", outcome).register(registry).increment();
    }
}
