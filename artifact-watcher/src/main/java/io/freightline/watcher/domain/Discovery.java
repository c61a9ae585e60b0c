package io.freightline.watcher.domain;

import io.freightline.events.ArtifactRef;

import java.time.Instant;

/**
 * A version found for a subscription, to emit unless its {@code versionKey} was emitted before.
 *
 * @param versionKey what identifies the version in the ledger: the tag, the digest (Digest), the commit (Git)
 * @param createdAt  the build time when known
 * @param discoveredBy {@code poll} or {@code webhook/<provider>}
 */
public record Discovery(Watched watched, ArtifactRef artifact, String versionKey, Instant createdAt, String discoveredBy) {
}
