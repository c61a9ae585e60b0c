package io.freightline.notifier.messaging;

import io.freightline.notifier.client.ArgoCdServers;
import io.freightline.notifier.client.CheckClients;
import io.freightline.notifier.config.NotifierConfig;
import io.freightline.notifier.domain.Verifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Builds the one {@link Verifier} of the service from config and the adapters, and stops it on shutdown. */
@ApplicationScoped
public class VerifierLifecycle {
    private Verifier verifier;

    @Produces
    @Singleton
    Verifier verifier(NotifierConfig config, ArgoCdServers argocd, CheckClients checks, VerificationPublisher publisher,
                      NotifierMetrics metrics) {
        NotifierConfig.Verification v = config.verification();
        verifier = new Verifier(argocd, checks, publisher, metrics, new Verifier.Settings(v.defaultTimeout(),
                v.maxTimeout(), v.pollInterval(), v.syncWindowRetry(), v.initialBackoff(), v.maxBackoff(), v.workers(),
                v.completedCacheSize(), config.prometheus().url().orElse(null)), Clock.systemUTC());
        return verifier;
    }

    @PreDestroy
    void stop() {
        if (verifier != null) {
            verifier.close();
        }
    }
}
