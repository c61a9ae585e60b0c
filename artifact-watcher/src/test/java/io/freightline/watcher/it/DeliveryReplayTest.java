package io.freightline.watcher.it;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.Topics;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.freightline.watcher.domain.DeliveryLedger;
import io.freightline.watcher.domain.WebhookPayload;
import io.freightline.watcher.domain.WebhookPayloads;
import io.freightline.watcher.messaging.DeliveryRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay protection is shared and durable: handled delivery ids are records of the compacted state topic, written
 * in the transaction of what the delivery emitted, so another instance (or this one after a restart) knows them.
 * The test profile keeps only 8, so old ones are tombstoned. (A real restart: {@code WatcherRestartIT}.)
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DeliveryReplayTest {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @Inject
    DeliveryLedger deliveries;

    private static Response post(String body) {
        return given().contentType("application/vnd.docker.distribution.events.v2+json")
                .header("Authorization", "Bearer " + Fixtures.SECRET).body(body).post("/webhooks/distribution");
    }

    private static String deliveryId(String body) {
        return ((WebhookPayload.Hints) WebhookPayloads.distribution(body.getBytes(StandardCharsets.UTF_8))).deliveryId();
    }

    @Test
    void aDeliveryHandledByAnotherInstanceIsAReplayHere() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Fixtures.warehouse("sharedreplay", "app", 0, Fixtures.image("127.0.0.1:5000/shared/app", "SemVer", null, "webhook"));
        String push = Fixtures.distributionPush("127.0.0.1:5000", "shared/app", "3.0.0", OCI_MANIFEST);
        // what another watcher instance wrote on the state topic after handling this very delivery
        String id = deliveryId(push);
        Fixtures.probe().publishRaw(Topics.WATCHER_STATE, DeliveryLedger.key("distribution", id), DeliveryRecord.TYPE,
                "{\"provider\":\"distribution\",\"deliveryId\":\"" + id + "\",\"instance\":\"another\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.contains("distribution", id));

        post(push).then().statusCode(202).body("outcome", equalTo("replayed")).body("emitted", equalTo(0));
        // a marker delivery proves the topic moved on without 3.0.0 (retried until the spec is followed)
        String marker = Fixtures.distributionPush("127.0.0.1:5000", "shared/app", "3.0.1", OCI_MANIFEST);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> post(marker).then().statusCode(202).body("emitted", equalTo(1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("sharedreplay", "3.0.1")).isEmpty());
        assertEquals(List.of(), artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("sharedreplay", "3.0.0")));
    }

    @Test
    void handledDeliveriesAreRecordedWithTheirEventsAndOldOnesTombstoned() {
        KafkaProbe.Recording state = Fixtures.probe().record(Topics.WATCHER_STATE);
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Fixtures.warehouse("windowreplay", "app", 0, Fixtures.image("127.0.0.1:5000/window/app", "SemVer", null, "webhook"));
        String first = Fixtures.distributionPush("127.0.0.1:5000", "window/app", "1.0.0", OCI_MANIFEST);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> post(first).then().statusCode(202).body("emitted", equalTo(1)));
        post(first).then().statusCode(202).body("outcome", equalTo("replayed"));

        // 8 more deliveries push the first one out of the window of 8: it is tombstoned and forgotten
        for (int i = 1; i <= 8; i++) {
            post(Fixtures.distributionPush("127.0.0.1:5000", "window/app", "1." + i + ".0", OCI_MANIFEST))
                    .then().statusCode(202).body("emitted", equalTo(1));
        }
        String firstKey = DeliveryLedger.key("distribution", deliveryId(first));
        await().atMost(Duration.ofSeconds(30)).until(() -> state.records().stream()
                .anyMatch(r -> r.key().equals(firstKey) && r.value() == null));
        List<ConsumerRecord<String, String>> deliveryRecords = state.records().stream()
                .filter(r -> DeliveryRecord.TYPE.equals(KafkaProbe.Recording.header(r, CloudEventHeaders.TYPE))).toList();
        assertTrue(deliveryRecords.stream().filter(r -> r.value() != null).count() >= 9, deliveryRecords.toString());
        assertTrue(deliveryRecords.stream().filter(r -> r.key().equals(firstKey)).anyMatch(r -> r.value() != null));

        // forgotten, the old delivery is handled again: the ledger of versions still emits nothing twice
        post(first).then().statusCode(202).body("outcome", equalTo("accepted")).body("emitted", equalTo(0));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("windowreplay")).size() >= 9);
        assertEquals(1, artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("windowreplay", "1.0.0")).size());
    }
}
