package io.freightline.gitwriter.client;

import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.CommitSink;
import io.freightline.gitwriter.steps.StepRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the framework-free writer into CDI. */
@ApplicationScoped
public class WriterProducer {

    @Produces
    @Singleton
    PullRequestFlow pullRequests(GitWriterConfig config) {
        return new PullRequestFlow(config);
    }

    @Produces
    @Singleton
    PromotionWriter writer(GitWriterConfig config, StepRegistry steps, CommitSink sink, WriterMetrics metrics,
                           PullRequestFlow pullRequests) {
        PromotionWriter w = new PromotionWriter(config, steps, sink, metrics, pullRequests);
        pullRequests.resume(w);
        return w;
    }

    void close(@Disposes PromotionWriter w) {
        w.close();
    }

    void closePr(@Disposes PullRequestFlow f) {
        f.close();
    }

    void start(@Observes StartupEvent e, PromotionWriter w) {
        // created eagerly so remembered pull requests are watched again right after a restart
    }
}
