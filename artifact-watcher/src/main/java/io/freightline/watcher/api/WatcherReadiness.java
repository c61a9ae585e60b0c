package io.freightline.watcher.api;

import io.freightline.watcher.messaging.StateFollower;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the warehouse specs and the emitted-versions ledger were read from Kafka: before that a webhook
 * could emit a duplicate. (Kafka connectivity itself is reported by the Kafka and messaging health checks.)
 */
@Readiness
@ApplicationScoped
public class WatcherReadiness implements HealthCheck {
    @Inject
    StateFollower follower;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("watcher-state").status(follower.caughtUp()).build();
    }
}
