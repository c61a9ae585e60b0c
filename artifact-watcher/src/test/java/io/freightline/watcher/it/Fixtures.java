package io.freightline.watcher.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.EventCodec;
import io.freightline.events.Subscription;
import io.freightline.events.Topics;
import io.freightline.events.WarehouseUpdated;
import io.freightline.testsupport.Contracts;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.TestBroker;

import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/** Shared helpers: one probe per test JVM, warehouse specs, Distribution envelopes from the contract file. */
final class Fixtures {
    static final String SECRET = "test-secret";
    private static KafkaProbe probe;

    static synchronized KafkaProbe probe() {
        if (probe == null) {
            probe = new KafkaProbe(TestBroker.bootstrapServers());
        }
        return probe;
    }

    static Subscription image(String repoURL, String strategy, String constraint, String discovery) {
        return new Subscription(null, ArtifactKind.IMAGE, repoURL, null, strategy, constraint, null, null, null, 20,
                null, null, null, discovery);
    }

    static void warehouse(String project, String warehouse, long intervalSeconds, Subscription... subs) {
        WarehouseUpdated spec = new WarehouseUpdated(project, warehouse, intervalSeconds, List.of(subs), System.nanoTime(), Instant.now());
        probe().publish(Topics.WAREHOUSES, spec.key(), spec);
    }

    /** The contract's push envelope, its manifest event re-aimed at host/repository:tag with the given media type. */
    static String distributionPush(String host, String repository, String tag, String mediaType) {
        ObjectNode root = (ObjectNode) EventCodec.parse(Contracts.read("webhooks/distribution-notification.push-envelope.json"));
        ArrayNode events = (ArrayNode) root.get("events");
        for (var e : events) {
            ObjectNode target = (ObjectNode) e.get("target");
            target.put("repository", repository);
            ((ObjectNode) e.get("request")).put("host", host);
            ((ObjectNode) e).put("id", e.get("id").asText() + "-" + repository + "-" + tag);
        }
        ObjectNode manifest = (ObjectNode) events.get(0).get("target");
        manifest.put("mediaType", mediaType);
        if (tag != null) manifest.put("tag", tag);
        return root.toString();
    }

    static Predicate<ArtifactDiscovered> tagged(String project, String tag) {
        return a -> a.project().equals(project) && tag.equals(a.artifact().tag());
    }

    private Fixtures() {
    }
}
