package io.freightline.engine.it;

import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.PromotionRequested;
import io.freightline.events.Topics;
import io.freightline.events.WarehouseUpdated;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo pipeline: artifact → dev → staging automatically; prod waits for a human. */
@QuarkusTest
@TestProfile(EngineTestProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
class WalkingSkeletonTest {
    static final String IMAGE = "127.0.0.1:5000/demo/app";
    static Harness h;

    @BeforeAll
    static void start() {
        h = new Harness();
    }

    @org.junit.jupiter.api.BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void warehouseIsPublishedForTheWatcher() {
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.readAll(Topics.WAREHOUSES).stream()
                .anyMatch(r -> r.key().equals("demo/app")));
        ConsumerRecord<String, String> r = Harness.readAll(Topics.WAREHOUSES).stream()
                .filter(x -> x.key().equals("demo/app")).reduce((a, b) -> b).orElseThrow();
        assertEquals(EventTypes.WAREHOUSE_UPDATED, Harness.header(r, CloudEventHeaders.TYPE).orElseThrow());
        WarehouseUpdated w = EventCodec.decode(EventTypes.WAREHOUSE_UPDATED, r.value(), WarehouseUpdated.class);
        assertEquals(300, w.intervalSeconds());
        assertEquals(IMAGE, w.subscriptions().get(0).repoURL());
        assertEquals("SemVer", w.subscriptions().get(0).strategy());
        assertEquals(">=0.1.0", w.subscriptions().get(0).constraint());
        assertEquals("webhook", w.subscriptions().get(0).discovery());
    }

    @Test
    void artifactTravelsDevThenStagingAndProdWaitsForAHuman() {
        h.artifact("demo", IMAGE, "1.4.0");
        PromotionRequested dev = h.awaitRequest("demo", "dev", 1);
        assertEquals(EngineTestProfile.REPO, dev.git().repoURL());
        assertEquals("main", dev.git().branch());
        assertEquals("kustomize-set-image", dev.steps().get(0).uses());
        @SuppressWarnings("unchecked")
        Map<String, Object> img = ((List<Map<String, Object>>) dev.steps().get(0).config().get("images")).get(0);
        assertEquals("1.4.0", img.get("tag"));
        assertEquals("envs/dev", dev.steps().get(0).config().get("path"));
        assertEquals("demo-dev", dev.argocd().apps().get(0).name());
        assertEquals(IMAGE, dev.freight().artifacts().get(0).repoURL());
        assertTrue(dev.freight().alias().matches("[a-z]+-[a-z]+"));
        // the record is keyed by the Git repository and is a binary-mode CloudEvent
        ConsumerRecord<String, String> rec = h.promotions.records().stream()
                .filter(r -> r.value().contains(dev.promotionId())).findFirst().orElseThrow();
        assertEquals(EngineTestProfile.REPO, rec.key());
        assertEquals(EventTypes.PROMOTION_REQUESTED, Harness.header(rec, CloudEventHeaders.TYPE).orElseThrow());

        // the same artifact again (a replayed webhook): no new freight, no new promotion
        h.artifact("demo", IMAGE, "1.4.0");
        h.land(dev);
        PromotionRequested staging = h.awaitRequest("demo", "staging", 1);
        assertEquals(dev.freight().id(), staging.freight().id());
        assertEquals("envs/staging", staging.steps().get(0).config().get("path"));
        assertEquals(null, staging.argocd());
        h.land(staging);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/demo/freight/{f}", dev.freight().alias()).then().statusCode(200)
                .body("verifiedIn.staging", org.hamcrest.Matchers.notNullValue()));
        assertEquals(1, h.requested("demo", "dev").size());
        assertEquals(0, h.requested("demo", "prod").size());
        Map<String, Object> prod = Harness.stageView("demo", "prod");
        assertEquals(List.of(), prod.get("currentFreight"));

        // prod moves only when someone with the promoter role asks
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/demo/stages/prod/promotions",
                Map.of("freight", dev.freight().alias(), "reason", "release 1.4.0")).then().statusCode(201)
                .body("promotion.stage", equalTo("prod")).body("promotion.kind", equalTo("manual"));
        PromotionRequested prodReq = h.awaitRequest("demo", "prod", 1);
        assertEquals(dev.freight().id(), prodReq.freight().id());
        assertNotNull(prodReq.requestedBy());
        assertTrue(prodReq.requestedBy().startsWith("promoter#"));
    }

    @Test
    void artifactsOutsideTheConstraintMakeNoFreight() {
        Harness.apply(Harness.project("constraints", "").replace("imageSelectionStrategy: SemVer",
                "imageSelectionStrategy: SemVer, constraint: '^1.0.0'"));
        String repo = "reg.test/constraints/app";
        h.artifact("constraints", repo, "0.0.1");
        h.artifact("constraints", repo, "2.0.0");
        h.artifact("constraints", repo, "not-a-version");
        h.artifact("constraints", "reg.test/other/app", "1.0.5");
        // a matching one last: once it is freight, the ones before it were seen (same partition, in order)
        h.artifact("constraints", repo, "1.2.0");
        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/constraints/freight").then().extract().jsonPath().getList("").size() > 0);
        List<String> tags = given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/constraints/freight")
                .then().extract().jsonPath().getList("artifacts[0].tag");
        assertEquals(List.of("1.2.0"), tags);
    }

    @Test
    void invalidEventsGoToTheDeadLetterTopicAndThePartitionKeepsFlowing() {
        var dlq = h.probe.record(Topics.dlq(Topics.ARTIFACTS));
        h.probe.publishRaw(Topics.ARTIFACTS, "demo", EventTypes.ARTIFACT_DISCOVERED, "{not json");
        h.probe.publishRaw(Topics.ARTIFACTS, "demo", EventTypes.ARTIFACT_DISCOVERED, "{\"project\":\"Demo!\"}");
        await().atMost(Duration.ofSeconds(60)).until(() -> dlq.records().size() >= 2);
        assertTrue(Harness.header(dlq.records().get(0), CloudEventHeaders.DLQ_REASON).orElseThrow().contains("malformed JSON"));
        assertTrue(Harness.header(dlq.records().get(1), CloudEventHeaders.DLQ_REASON).orElseThrow().contains("invalid"));
        assertEquals("{not json", dlq.records().get(0).value());
    }

    @Test
    void aCiTagThatIsNotAnOciTagIsDeadLetteredWithTheFieldAndNeverBecomesFreight() {
        Harness.apply(Harness.project("lexical", "").replace("imageSelectionStrategy: SemVer", "imageSelectionStrategy: Lexical"));
        var dlq = h.probe.record(Topics.dlq(Topics.ARTIFACTS));
        String repo = "reg.test/lexical/app";
        // lexically greater than the valid tag sent after it, so it would be the newest if it were accepted
        h.artifact("lexical", repo, "zz\nresources:\n- https://evil.example.com/x.yaml");
        h.artifact("lexical", repo, "v2");
        await().atMost(Duration.ofSeconds(60)).until(() -> dlq.records().stream().anyMatch(r -> r.value().contains("evil.example.com")));
        var dead = dlq.records().stream().filter(r -> r.value().contains("evil.example.com")).findFirst().orElseThrow();
        String reason = Harness.header(dead, CloudEventHeaders.DLQ_REASON).orElseThrow();
        assertTrue(reason.contains("artifact.tag") || reason.contains("$.artifact.tag"), reason);
        // the valid tag, sent after it on the same partition, is the barrier: once it is freight, the bad one was seen
        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/lexical/freight").then().extract().jsonPath().getList("").size() > 0);
        List<String> tags = given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/lexical/freight")
                .then().extract().jsonPath().getList("artifacts[0].tag");
        assertEquals(List.of("v2"), tags);
    }
}
