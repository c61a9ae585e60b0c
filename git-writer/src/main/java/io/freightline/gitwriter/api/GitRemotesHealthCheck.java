package io.freightline.gitwriter.api;

import io.freightline.gitwriter.client.PromotionWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Unready while the last contact with some Git remote failed (URLs are shown without credentials). */
@Readiness
@ApplicationScoped
public class GitRemotesHealthCheck implements HealthCheck {
    @Inject
    PromotionWriter writer;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("git-remotes").up();
        writer.remoteHealth().forEach((url, ok) -> {
            b.withData(url, ok ? "reachable" : "unreachable");
            if (!ok) {
                b.down();
            }
        });
        return b.build();
    }
}
