package io.freightline.events;

import java.time.Instant;

/**
 * A new artifact version was discovered, by the watcher or published straight by CI.
 *
 * @param project      the project whose warehouse(s) subscribe to the artifact (the Kafka key)
 * @param warehouse    the warehouse, or null for every warehouse of the project subscribed to {@code artifact.repoURL}
 * @param subscription the subscription's name within the warehouse, when known
 * @param artifact     the version
 * @param createdAt    when the artifact was built, when known (NewestBuild)
 * @param discoveredAt when it was discovered
 * @param discoveredBy how: a webhook provider ({@code webhook/distribution}), {@code poll}, {@code ci}
 */
public record ArtifactDiscovered(
        String project,
        String warehouse,
        String subscription,
        ArtifactRef artifact,
        Instant createdAt,
        Instant discoveredAt,
        String discoveredBy) {
}
