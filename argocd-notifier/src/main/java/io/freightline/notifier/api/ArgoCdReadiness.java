package io.freightline.notifier.api;

import io.freightline.notifier.client.ArgoCdServers;
import io.freightline.notifier.config.NotifierConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unready while a configured Argo CD server does not answer {@code GET /api/version}. No server configured: nothing
 * to check (stages without Argo CD are verified on push). Probe results are cached briefly so frequent readiness
 * probes do not hammer Argo CD. Kafka readiness comes from the messaging extension.
 */
@Readiness
@ApplicationScoped
public class ArgoCdReadiness implements HealthCheck {
    @Inject
    ArgoCdServers servers;

    @Inject
    NotifierConfig config;

    private final Map<String, Probe> cache = new ConcurrentHashMap<>();

    private record Probe(long at, Optional<String> problem) {
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("argocd").up();
        long ttl = config.argocd().healthCacheTtl().toMillis();
        for (String name : servers.names()) {
            long now = System.currentTimeMillis();
            Probe p = cache.get(name);
            if (p == null || now - p.at() > ttl) {
                p = new Probe(now, servers.unreachable(name));
                cache.put(name, p);
            }
            if (p.problem().isPresent()) {
                b.down().withData(name, "unreachable: " + p.problem().get());
            } else {
                b.withData(name, "reachable");
            }
        }
        return b.build();
    }
}
