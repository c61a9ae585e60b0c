package io.freightline.watcher.it;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventTypes;
import io.freightline.events.Topics;
import io.freightline.testsupport.Contracts;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The walking-skeleton flow: a Distribution push notification becomes one artifact event on the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DistributionWebhookTest {
    static final String EVENTS_V2 = "application/vnd.docker.distribution.events.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private static Response post(String body, String auth, String contentType) {
        var req = given().contentType(contentType).body(body);
        if (auth != null) req = req.header("Authorization", auth);
        return req.post("/webhooks/distribution");
    }

    @Test
    void demoPushIsEmittedOnceAndWrongSecretEmitsNothing() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Fixtures.warehouse("demo", "app", 300, Fixtures.image("127.0.0.1:5000/demo/app", "SemVer", ">=0.1.0", "webhook"));
        String push = Fixtures.distributionPush("127.0.0.1:5000", "demo/app", "1.0.0", OCI_MANIFEST);

        // a wrong or missing secret: 401 with a JSON message, and nothing emitted
        post(push, "Bearer wrong", EVENTS_V2).then().statusCode(401).body("message", containsString("authentication"));
        post(push, null, EVENTS_V2).then().statusCode(401);

        // the watcher follows the spec asynchronously: post until the subscription matches
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                post(push, "Bearer " + Fixtures.SECRET, EVENTS_V2).then().statusCode(202).body("matched", equalTo(1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("demo", "1.0.0")).isEmpty());

        ArtifactDiscovered event = artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("demo", "1.0.0")).get(0);
        assertEquals("app", event.warehouse());
        assertEquals("127.0.0.1:5000/demo/app", event.subscription());
        assertEquals(ArtifactKind.IMAGE, event.artifact().kind());
        assertEquals("127.0.0.1:5000/demo/app", event.artifact().repoURL());
        assertEquals("sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf", event.artifact().digest());
        assertEquals("webhook/distribution", event.discoveredBy());
        ConsumerRecord<String, String> record = artifacts.records().stream()
                .filter(r -> r.value().contains("\"1.0.0\"")).findFirst().orElseThrow();
        assertEquals("demo", record.key());
        assertEquals(EventTypes.ARTIFACT_DISCOVERED, KafkaProbe.Recording.header(record, CloudEventHeaders.TYPE));
        assertEquals("1.0", KafkaProbe.Recording.header(record, CloudEventHeaders.SPEC_VERSION));
        assertTrue(KafkaProbe.Recording.header(record, CloudEventHeaders.SOURCE).contains("artifact-watcher"));

        // the same delivery again: nothing new; plain application/json is accepted too
        post(push, "Bearer " + Fixtures.SECRET, "application/json").then().statusCode(202).body("emitted", equalTo(0));
        // a marker push proves the topic moved on without a second 1.0.0
        post(Fixtures.distributionPush("127.0.0.1:5000", "demo/app", "1.0.1", OCI_MANIFEST), "Bearer " + Fixtures.SECRET, EVENTS_V2)
                .then().statusCode(202).body("emitted", equalTo(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> !artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("demo", "1.0.1")).isEmpty());
        assertEquals(1, artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("demo", "1.0.0")).size());
    }

    @Test
    void pullsBlobsTaglessAndFilteredPushesEmitNothing() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Fixtures.warehouse("skel", "filters", 0, Fixtures.image("registry.example.com:5000/team/svc", "SemVer", "^2.0.0", "webhook"));
        String auth = "Bearer " + Fixtures.SECRET;
        String marker = Fixtures.distributionPush("REGISTRY.example.com:5000", "team/svc", "2.1.0",
                "application/vnd.docker.distribution.manifest.list.v2+json");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                post(Fixtures.distributionPush("registry.example.com:5000", "team/svc", "1.9.0", OCI_MANIFEST), auth, EVENTS_V2)
                        .then().statusCode(202).body("matched", equalTo(1)).body("emitted", equalTo(0)));

        String pull = Contracts.read("webhooks/distribution-notification.pull-envelope.json");
        post(pull, auth, EVENTS_V2).then().statusCode(202).body("outcome", equalTo("ignored"));
        // the docs' own push example: a manifest without tag plus two blobs
        post(Contracts.read("webhooks/distribution-notification.push-envelope.json"), auth, EVENTS_V2)
                .then().statusCode(202).body("outcome", equalTo("ignored"));
        post(Fixtures.distributionPush("registry.example.com:5000", "team/svc", null, OCI_MANIFEST), auth, EVENTS_V2)
                .then().statusCode(202).body("outcome", equalTo("ignored"));
        post(Fixtures.distributionPush("registry.example.com:5000", "team/svc", "latest", OCI_MANIFEST), auth, EVENTS_V2)
                .then().statusCode(202).body("emitted", equalTo(0));

        post("{\"events\": [", auth, EVENTS_V2).then().statusCode(400).body("message", containsString("malformed"));
        post("x".repeat(1024 * 1024 + 1), auth, EVENTS_V2).then().statusCode(413);

        post(marker, auth, EVENTS_V2).then().statusCode(202).body("emitted", equalTo(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> !artifacts.events(ArtifactDiscovered.class, Fixtures.tagged("skel", "2.1.0")).isEmpty());
        List<ArtifactDiscovered> skel = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("skel"));
        assertEquals(1, skel.size(), "only the marker: " + skel);
        assertEquals("registry.example.com:5000/team/svc", skel.get(0).artifact().repoURL());
    }
}
