package io.freightline.watcher.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.Subscription;
import io.freightline.versions.Policy;

import java.util.Locale;

/**
 * One subscription the watcher follows, with its warehouse's coordinates.
 *
 * @param intervalSeconds the warehouse's poll interval (0 = webhooks only)
 */
public record Watched(String project, String warehouse, long intervalSeconds, long generation, Subscription subscription) {

    /** The subscription's name, defaulting to its repoURL as Kargo does. */
    public String name() {
        return subscription.name() == null || subscription.name().isBlank() ? subscription.repoURL() : subscription.name();
    }

    /** The key of this subscription's state: {@code project/warehouse/subscription}. */
    public String key() {
        return project + "/" + warehouse + "/" + name();
    }

    public ArtifactKind kind() {
        return subscription.kind() == null ? ArtifactKind.IMAGE : subscription.kind();
    }

    /**
     * Which versions of the subscription count and in which order (the shared version-selection rules).
     *
     * @throws IllegalArgumentException naming the invalid field (strategy, constraint, regex)
     */
    public Policy policy() {
        return Policy.of(subscription);
    }

    /** Trust authenticated webhook payloads instead of re-reading the registry. */
    public boolean trustsWebhooks() {
        return subscription.discovery() != null && subscription.discovery().toLowerCase(Locale.ROOT).equals("webhook");
    }

    /** Is this an OCI chart repository (oci://)? */
    public boolean isOciChart() {
        return kind() == ArtifactKind.CHART && subscription.repoURL() != null
                && subscription.repoURL().toLowerCase(Locale.ROOT).startsWith("oci://");
    }

    /** The canonical repository name webhooks are matched on. */
    public String matchKey() {
        return switch (kind()) {
            case IMAGE -> RepoUrls.image(subscription.repoURL());
            case CHART -> isOciChart() ? RepoUrls.image(subscription.repoURL()) : subscription.repoURL();
            case GIT -> RepoUrls.git(subscription.repoURL());
        };
    }
}
