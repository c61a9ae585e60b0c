package io.freightline.watcher.messaging;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.watcher.domain.Discovery;
import io.freightline.watcher.domain.Hint;
import io.freightline.versions.Strategy;
import io.freightline.versions.Policy;
import io.freightline.watcher.domain.WarehouseDirectory;
import io.freightline.watcher.domain.Watched;
import io.freightline.watcher.config.WatcherConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Acts on webhook hints: for subscriptions with {@code discovery: webhook} the authenticated payload is the
 * version (emitted once, if it passes the subscription's filters); for the others it triggers a re-scan.
 */
@ApplicationScoped
public class HintDispatcher {
    private static final Logger LOG = Logger.getLogger(HintDispatcher.class);

    @Inject
    WarehouseDirectory directory;
    @Inject
    ScanCoordinator scans;
    @Inject
    ArtifactPublisher publisher;
    @Inject
    WatcherConfig config;

    /** What a delivery led to. */
    public record Outcome(int matched, int emitted, int scansTriggered) {
    }

    /**
     * Emits what the hints name for webhook-trusting subscriptions and marks the delivery (if it has an id and
     * matched a subscription) as handled in the same transaction, then requests the re-scans.
     */
    public Outcome dispatch(String provider, String deliveryId, List<Hint> hints) {
        List<Discovery> direct = new ArrayList<>();
        Map<String, Watched> rescan = new LinkedHashMap<>();
        int matched = 0;
        for (Hint hint : hints) {
            if (hint instanceof Hint.ImagePush push) {
                    for (Watched w : directory.byImageRepo(push.repo())) {
                        matched++;
                        if (!w.trustsWebhooks()) {
                            rescan.put(w.key(), w);
                            continue;
                        }
                        Discovery d = trusted(provider, w, push);
                        if (d != null) direct.add(d);
                    }
            } else if (hint instanceof Hint.GitPush push) {
                    for (String repo : push.repos()) {
                        for (Watched w : directory.byGitRepo(repo)) {
                            matched++;
                            rescan.put(w.key(), w);
                        }
                    }
            }
        }
        // a delivery that matched nothing costs nothing to replay: not worth a transaction
        DeliveryRecord delivery = deliveryId == null || matched == 0 ? null
                : new DeliveryRecord(provider, deliveryId, Instant.now(), config.instanceId());
        List<Discovery> emitted = direct.isEmpty() && delivery == null ? List.of() : publisher.publish(direct, delivery);
        rescan.values().forEach(w -> scans.request(w, "webhook/" + provider));
        return new Outcome(matched, emitted.size(), rescan.size());
    }

    private static Discovery trusted(String provider, Watched w, Hint.ImagePush push) {
        Policy policy;
        try {
            policy = w.policy();
        } catch (IllegalArgumentException e) {
            LOG.warnf("subscription %s has an invalid filter: %s", w.key(), e.getMessage());
            return null;
        }
        String by = "webhook/" + provider;
        if (push.tag() == null) {
            return null; // a push by digest names no version
        }
        if (w.kind() == ArtifactKind.CHART) {
            String version = push.tag().replace('_', '+');
            if (!policy.accepts(version)) return null;
            String repo = w.matchKey();
            return new Discovery(w, ArtifactRef.chart(w.subscription().repoURL(), repo.substring(repo.lastIndexOf('/') + 1), version),
                    version, null, by);
        }
        if (!policy.accepts(push.tag())) {
            return null;
        }
        if (policy.strategy() == Strategy.DIGEST) {
            if (push.digest() == null) return null;
            return new Discovery(w, ArtifactRef.image(w.subscription().repoURL(), push.tag(), push.digest()), push.digest(), null, by);
        }
        return new Discovery(w, ArtifactRef.image(w.subscription().repoURL(), push.tag(), push.digest()), push.tag(), null, by);
    }
}
