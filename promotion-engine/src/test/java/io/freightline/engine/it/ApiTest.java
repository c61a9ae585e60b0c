package io.freightline.engine.it;

import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static io.freightline.engine.it.Harness.stage;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/** Every status code of the API, manifest validation, OpenAPI and metrics. */
@QuarkusTest
@TestProfile(EngineTestProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
class ApiTest {
    static Harness h;

    @BeforeAll
    static void start() {
        h = new Harness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    void tokensAndRoles() {
        given().get("/api/v1/projects").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        given().auth().oauth2("wrong").get("/api/v1/projects/demo/stages").then().statusCode(401);
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects").then().statusCode(200)
                .body("name", hasItem("demo"));
        // a project-scoped admin sees only its project
        given().auth().oauth2(EngineTestProfile.OTHER).get("/api/v1/projects").then().statusCode(200)
                .body("name", not(hasItem("demo")));
        given().auth().oauth2(EngineTestProfile.OTHER).get("/api/v1/projects/demo/stages").then().statusCode(403);
        Harness.post(EngineTestProfile.VIEWER, "/api/v1/projects/demo/stages/prod/promotions", Map.of("freight", "x"))
                .then().statusCode(403);
        given().auth().oauth2(EngineTestProfile.PROMOTER).contentType("application/yaml")
                .body(Harness.project("nope", "").getBytes(StandardCharsets.UTF_8)).post("/api/v1/manifests").then().statusCode(403);
    }

    @Test
    void notFoundBadRequestAndConflict() {
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/ghost/stages").then().statusCode(404);
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/demo/stages/ghost").then().statusCode(404);
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/demo/freight/ghost").then().statusCode(404);
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/demo/promotions/ghost").then().statusCode(404);
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/demo/stages/prod/promotions", Map.of())
                .then().statusCode(400).body("error", equalTo("freight: required"));
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/demo/stages/prod/promotions", Map.of("freight", "ghost"))
                .then().statusCode(404);
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/demo/promotions/ghost/abort", null).then().statusCode(404);
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/demo/stages/prod/resume", null)
                .then().statusCode(409).body("error", equalTo("stage 'prod' is not paused"));
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/demo/stages/prod/rollback", null).then().statusCode(409);
    }

    @Test
    void invalidManifestsNameFileAndFieldAndChangeNothing() {
        String p = "validation";
        Harness.apply(Harness.project(p, stage("a", null, "{autoPromotion: true}")));
        String broken = Harness.project(p, stage("a", null, "{autoPromotion: true}") + stage("b", "ghost", "{autoPromotion: yes-please}"));
        given().auth().oauth2(EngineTestProfile.ADMIN).contentType("application/yaml").queryParam("file", "team.yaml")
                .body(broken.getBytes(StandardCharsets.UTF_8)).post("/api/v1/manifests").then().statusCode(400)
                .body("problems.file", hasItem("team.yaml"))
                .body("problems.field", hasItem("spec.requestedFreight[0].sources.stages"))
                .body("problems.field", hasItem("spec.policy.autoPromotion"))
                .body("problems.document", hasItem("#4 Stage validation/b"));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/stages", p).then().statusCode(200)
                .body("name", equalTo(java.util.List.of("a")));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/audit", p).then().statusCode(200)
                .body("entries[0].action", equalTo("apply")).body("entries[0].actor", containsString("admin#"));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/warehouses", p).then().statusCode(200)
                .body("[0].subscriptions[0].repoURL", equalTo("reg.test/validation/app"));
    }

    @Test
    void freightCreatedByHandThenPromotedFromItsSourceStage() {
        String p = "manual";
        Harness.apply(Harness.project(p, stage("a", null, "{}") + stage("b", "a", "{}")));
        Map<String, Object> body = Map.of("warehouse", "app", "artifacts",
                java.util.List.of(Map.of("kind", "image", "repoURL", "reg.test/manual/app", "tag", "1.0.0")), "reason", "hotfix");
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/freight", body, p).then().statusCode(403);
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/freight",
                        Map.of("warehouse", "app", "artifacts", java.util.List.of(Map.of("kind", "image", "repoURL", "reg.test/manual/app", "tag", "x y"))), p)
                .then().statusCode(400).body("error", containsString("artifacts[0]: "));
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/freight", body, p).then().statusCode(201)
                .body("message", containsString("created"));
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/freight", body, p).then().statusCode(200)
                .body("message", containsString("already exists"));
        String id = given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/freight", p).then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].artifacts[0].tag", equalTo("1.0.0")).extract().path("[0].id");

        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/b/promotions", Map.of("sourceStage", "a"), p)
                .then().statusCode(409).body("error", equalTo("stage 'a' holds no verified freight that stage 'b' takes"));
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/a/promotions", Map.of("freight", id), p).then().statusCode(201);
        h.land(h.awaitRequest(p, "a", 1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/{p}/freight/{f}", p, id).then().body("verifiedIn.a", org.hamcrest.Matchers.notNullValue()));
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/b/promotions", Map.of("sourceStage", "a", "freight", id), p)
                .then().statusCode(400);
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/b/promotions", Map.of("sourceStage", "a"), p)
                .then().statusCode(201).body("promotion.freight", equalTo(id)).body("promotion.stage", equalTo("b"));
        h.awaitRequest(p, "b", 1);
    }

    @Test
    void aWholeProjectPausesAndResumes() {
        String p = "stopline";
        Harness.apply(Harness.project(p, stage("a", null, "{}")));
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/pause", Map.of("reason", "incident"), p).then().statusCode(403);
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/pause", Map.of("reason", "incident"), p).then().statusCode(200);
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects").then().statusCode(200)
                .body("find { it.name == 'stopline' }.paused.reason", equalTo("incident"));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/stages/a", p).then().body("paused", equalTo(true));
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/pause", null, p).then().statusCode(409);
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/resume", null, p).then().statusCode(200);
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/stages/a", p).then().body("paused", equalTo(false));
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/resume", null, p).then().statusCode(409)
                .body("error", equalTo("project 'stopline' is not paused"));
    }

    @Test
    void aCredentialsSecretIsSkippedWithANoteAndNeverReachesATopic() {
        String p = "creds";
        String yaml = Harness.project(p, stage("a", null, "{}")) + """
                ---
                apiVersion: v1
                kind: Secret
                type: Opaque
                metadata:
                  name: repo
                  namespace: creds
                  labels: {kargo.akuity.io/cred-type: git}
                stringData: {repoURL: "git://repo/creds.git", username: ci, password: api-s3cr3t-t0ken}
                """;
        given().auth().oauth2(EngineTestProfile.ADMIN).contentType("application/yaml").queryParam("file", "creds.yaml")
                .body(yaml.getBytes(StandardCharsets.UTF_8)).post("/api/v1/manifests").then().statusCode(200)
                .body("skipped[0].resource", equalTo("v1 Secret repo"))
                .body("skipped[0].why", containsString("credentials are not taken from manifests"))
                .body(not(containsString("api-s3cr3t-t0ken")));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/stages", p).then().statusCode(200)
                .body("name", equalTo(java.util.List.of("a")));
        for (String topic : java.util.List.of(io.freightline.events.Topics.COMMANDS, io.freightline.events.Topics.STATE)) {
            var leaks = Harness.readAll(topic).stream().filter(r -> r.value() != null && r.value().contains("api-s3cr3t-t0ken")).toList();
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), leaks, topic);
        }
    }

    @Test
    void openApiMetricsAndHealth() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/projects/{project}/stages/{stage}/promotions"));
        String p = "metrics";
        Harness.apply(Harness.project(p, stage("a", null, "{autoPromotion: true}")));
        h.artifact(p, "reg.test/metrics/app", "1.0.0");
        h.land(h.awaitRequest(p, "a", 1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("freightline_freight_created_total{project=\"metrics\",warehouse=\"app\"}"))
                .body(containsString("freightline_promotions_total{project=\"metrics\",stage=\"a\",state=\"Succeeded\"}"))
                .body(containsString("freightline_promotion_lead_time_seconds_count{project=\"metrics\",stage=\"a\"}"))
                .body(containsString("freightline_promotion_queue_depth{project=\"metrics\",stage=\"a\"}"))
                .body(containsString("freightline_stages{health=\"Healthy\",project=\"metrics\"} 1.0")));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("engine-state"));
    }
}
