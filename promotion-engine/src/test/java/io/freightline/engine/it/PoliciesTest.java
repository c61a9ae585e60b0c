package io.freightline.engine.it;

import io.freightline.engine.domain.Engine;
import io.freightline.engine.domain.Model;
import io.freightline.engine.domain.StateCodec;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.Topics;
import io.freightline.events.VerificationCompleted;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.freightline.engine.it.Harness.stage;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One project per policy, driven over the real broker as the git-writer and notifier would. */
@QuarkusTest
@TestProfile(EngineTestProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
class PoliciesTest {
    static final String AUTO = "{autoPromotion: true}";
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

    static String repo(String p) {
        return "reg.test/" + p + "/app";
    }

    /** Engine steps around the git-writer's, and every step's result and the metadata through the API. */
    @Test
    void engineStepsAndStepResultsAreVisibleInTheApi() {
        String p = "steps";
        String doc = stage("a", null, "{autoPromotion: true}").replace("      steps:\n", "      steps:\n"
                + "        - uses: set-metadata\n"
                + "          as: tag\n"
                + "          config: {updates: [{kind: Freight, name: \"${{ ctx.targetFreight.name }}\", values: {tier: gold}}]}\n")
                + "        - uses: set-metadata\n"
                + "          as: note\n"
                + "          config: {updates: [{kind: Stage, name: a, values: {lastCommit: \"${{ outputs['step-1'].commit }}\"}}]}\n";
        Harness.apply(Harness.project(p, doc));
        h.artifact(p, repo(p), "1.0.0");
        PromotionRequested r = h.awaitRequest(p, "a", 1);
        h.probe.publish(Topics.COMMITS, p, new PromotionCommitted(r.promotionId(), p, "a", r.freight().id(), r.git().repoURL(),
                "main", PromotionCommitted.Outcome.PUSHED, "c0ffee1", null, List.of(
                new io.freightline.events.StepResult("set-metadata", "tag", "Skipped", "carried out by promotion-engine", 0),
                new io.freightline.events.StepResult("kustomize-set-image", "step-1", "Succeeded", null, 7, Map.of("commit", "c0ffee1")),
                new io.freightline.events.StepResult("set-metadata", "note", "Skipped", "carried out by promotion-engine", 0)),
                null, null, null, r.requestedAt(), Instant.now()));
        h.verify(r, VerificationCompleted.Outcome.VERIFIED);
        await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/{p}/promotions/{id}", p, r.promotionId()).then().extract().path("state")));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/promotions/{id}", p, r.promotionId()).then()
                .body("steps.as", equalTo(List.of("tag", "step-1", "note")))
                .body("steps.status", equalTo(List.of("Succeeded", "Succeeded", "Succeeded")))
                .body("steps[1].durationMillis", equalTo(7));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/freight/{f}", p, r.freight().id()).then()
                .body("metadata.tier", equalTo("gold"));
        assertEquals(Map.of("lastCommit", "c0ffee1"), Harness.stageView(p, "a").get("metadata"));
    }

    /** Fan-out to two stages, fan-in with All (needs both) and OneOf (needs either). */
    @Test
    void fanOutAndFanInAllVersusOneOf() {
        String p = "fan";
        Harness.apply(Harness.project(p, stage("a", null, AUTO) + stage("b1", "a", AUTO) + stage("b2", "a", AUTO)
                + stage("call", "b1, b2", AUTO).replace("{stages: [b1, b2]}", "{stages: [b1, b2], availabilityStrategy: All}") + stage("cone", "b1, b2", AUTO).replace("{stages: [b1, b2]}",
                "{stages: [b1, b2], availabilityStrategy: OneOf}")));
        h.artifact(p, repo(p), "1.0.0");
        h.land(h.awaitRequest(p, "a", 1));
        PromotionRequested b1 = h.awaitRequest(p, "b1", 1);
        h.awaitRequest(p, "b2", 1); // fan-out: both downstream stages got it
        h.land(b1);
        PromotionRequested one = h.awaitRequest(p, "cone", 1);
        assertEquals(b1.freight().id(), one.freight().id());
        assertEquals(0, h.requested(p, "call").size()); // All: still waits for b2
        h.land(h.requested(p, "b2").get(0));
        assertEquals(b1.freight().id(), h.awaitRequest(p, "call", 1).freight().id());
    }

    @Test
    void approvalGatesAutoPromotion() {
        String p = "approval";
        Harness.apply(Harness.project(p, stage("a", null, AUTO) + stage("b", "a", "{autoPromotion: true, approvalRequired: true}")));
        h.artifact(p, repo(p), "1.0.0");
        PromotionRequested a = h.awaitRequest(p, "a", 1);
        h.land(a);
        await().atMost(Duration.ofSeconds(30)).until(() -> ((Map<?, ?>) Harness.stageView(p, "b").get("waitingSince")).containsKey("approval"));
        assertEquals(0, h.requested(p, "b").size());
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/freight/{f}/approve", Map.of("stage", "b"), p, a.freight().alias())
                .then().statusCode(200);
        assertEquals(a.freight().id(), h.awaitRequest(p, "b", 1).freight().id());
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/freight/{f}", p, a.freight().id())
                .then().body("approvedFor.b.actor", org.hamcrest.Matchers.startsWith("promoter#"));
    }

    @Test
    void denyWindowBlocksAutoPromotionButNotAHuman() {
        String p = "window";
        Harness.apply(Harness.project(p, stage("a", null,
                "{autoPromotion: true, promotionWindows: [{kind: deny, schedule: '* * * * *', duration: 2m, timeZone: Europe/Berlin}]}")));
        h.artifact(p, repo(p), "1.0.0");
        await().atMost(Duration.ofSeconds(30)).until(() -> ((Map<?, ?>) Harness.stageView(p, "a").get("waitingSince")).containsKey("window"));
        assertEquals(0, h.requested(p, "a").size());
        String freight = given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/freight", p)
                .then().extract().jsonPath().getString("[0].id");
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/a/promotions", Map.of("freight", freight), p)
                .then().statusCode(201);
        h.awaitRequest(p, "a", 1);
    }

    @Test
    void pausedStageRefusesPromotionsUntilResumed() {
        String p = "pause";
        Harness.apply(Harness.project(p, stage("a", null, AUTO)));
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/a/pause", null, p).then().statusCode(403);
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/stages/a/pause", Map.of("reason", "freeze"), p).then().statusCode(200);
        h.artifact(p, repo(p), "1.0.0");
        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/{p}/freight", p).then().extract().jsonPath().getList("").size() == 1);
        String freight = given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/freight", p)
                .then().extract().jsonPath().getString("[0].alias");
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/a/promotions", Map.of("freight", freight), p)
                .then().statusCode(409).body("error", equalTo("stage 'a' is paused"));
        assertEquals(0, h.requested(p, "a").size());
        Harness.post(EngineTestProfile.ADMIN, "/api/v1/projects/{p}/stages/a/resume", null, p).then().statusCode(200);
        h.awaitRequest(p, "a", 1);
    }

    @Test
    void soakTimeHoldsFreightUpstreamUntilTheClockMoves() {
        String p = "soak";
        Harness.apply(Harness.project(p, stage("a", null, AUTO) + stage("b", "a", AUTO)
                .replace("{stages: [a]}", "{stages: [a], requiredSoakTime: 1h}")));
        h.artifact(p, repo(p), "1.0.0");
        h.land(h.awaitRequest(p, "a", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> ((Map<?, ?>) Harness.stageView(p, "b").get("waitingSince")).containsKey("soak"));
        assertEquals(0, h.requested(p, "b").size());
        TestClock.advance(Duration.ofMinutes(61));
        h.awaitRequest(p, "b", 1); // the ticker saw the soak end
    }

    /** Promoting older freight by hand is a rollback: it holds auto-promotion until newer freight goes in by hand. */
    @Test
    void manualRollbackHoldsAutoPromotion() {
        String p = "rollback";
        Harness.apply(Harness.project(p, stage("a", null, AUTO)));
        h.artifact(p, repo(p), "1.0.0");
        PromotionRequested first = h.awaitRequest(p, "a", 1);
        h.land(first);
        h.artifact(p, repo(p), "1.1.0");
        PromotionRequested second = h.awaitRequest(p, "a", 2);
        h.land(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> "Healthy".equals(Harness.stageView(p, "a").get("health"))
                && ((List<?>) Harness.stageView(p, "a").get("recentPromotions")).size() == 2);
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/a/rollback", Map.of("reason", "bad build"), p)
                .then().statusCode(201).body("promotion.kind", equalTo("rollback"));
        PromotionRequested back = h.awaitRequest(p, "a", 3);
        assertEquals(first.freight().id(), back.freight().id());
        h.land(back);
        h.artifact(p, repo(p), "1.2.0"); // newer freight does not auto-promote while held
        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/{p}/freight", p).then().extract().jsonPath().getList("").size() == 3);
        assertNotNull(Harness.stageView(p, "a").get("hold"));
        assertEquals(3, h.requested(p, "a").size());
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/stages/a/clear-hold", null, p).then().statusCode(200);
        assertEquals("1.2.0", h.awaitRequest(p, "a", 4).freight().artifacts().get(0).tag());
        // the audit trail says who rolled back and why
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/audit", p).then().statusCode(200)
                .body("entries.find { it.action == 'rollback' }.reason", equalTo("bad build"))
                .body("entries.find { it.action == 'rollback' }.actor", org.hamcrest.Matchers.startsWith("promoter#"));
    }

    @Test
    void failedVerificationRollsBackAutomaticallyAndIsNotRetried() {
        String p = "autorollback";
        Harness.apply(Harness.project(p, stage("a", null, "{autoPromotion: true, autoRollback: true}")));
        h.artifact(p, repo(p), "1.0.0");
        PromotionRequested good = h.awaitRequest(p, "a", 1);
        h.land(good);
        h.artifact(p, repo(p), "1.1.0");
        PromotionRequested bad = h.awaitRequest(p, "a", 2);
        h.commit(bad, PromotionCommitted.Outcome.PUSHED);
        h.verify(bad, VerificationCompleted.Outcome.FAILED);
        PromotionRequested back = h.awaitRequest(p, "a", 3);
        assertEquals(good.freight().id(), back.freight().id());
        h.land(back);
        await().atMost(Duration.ofSeconds(30)).until(() -> "Healthy".equals(Harness.stageView(p, "a").get("health")));
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/promotions/{id}", p, bad.promotionId())
                .then().body("state", equalTo("Failed"));
        assertEquals(3, h.requested(p, "a").size()); // the failed freight is never auto-promoted again
    }

    @Test
    void commitFailureIsTerminalAndNewerFreightSupersedesQueuedAutoPromotions() {
        String p = "queue";
        Harness.apply(Harness.project(p, stage("a", null, AUTO)));
        h.artifact(p, repo(p), "1.0.0");
        PromotionRequested running = h.awaitRequest(p, "a", 1);
        h.artifact(p, repo(p), "1.1.0"); // queued behind the running one
        h.artifact(p, repo(p), "1.2.0"); // supersedes the queued 1.1.0
        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(EngineTestProfile.VIEWER)
                .get("/api/v1/projects/{p}/promotions?stage=a", p).then().extract().jsonPath().getList("state").contains("Superseded"));
        assertEquals(1, h.requested(p, "a").size()); // one running per stage
        h.commit(running, PromotionCommitted.Outcome.FAILED);
        PromotionRequested next = h.awaitRequest(p, "a", 2);
        assertEquals("1.2.0", next.freight().artifacts().get(0).tag());
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/projects/{p}/promotions/{id}", p, running.promotionId())
                .then().body("state", equalTo("Failed")).body("message", org.hamcrest.Matchers.containsString("merge conflict"));
        // abort the running one: the stage is free again, and nothing re-issues the aborted freight
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/promotions/{id}/abort", null, p, next.promotionId())
                .then().statusCode(200);
        Harness.post(EngineTestProfile.PROMOTER, "/api/v1/projects/{p}/promotions/{id}/abort", null, p, next.promotionId())
                .then().statusCode(409);
        assertEquals(2, h.requested(p, "a").size());
    }

    /** A new engine reading the state topic in the middle of a promotion continues it and re-issues nothing. */
    @Test
    void stateRebuiltFromTheTopicContinuesARunningPromotion() {
        String p = "restart";
        Harness.apply(Harness.project(p, stage("a", null, AUTO) + stage("b", "a", AUTO)));
        h.artifact(p, repo(p), "1.0.0");
        PromotionRequested a = h.awaitRequest(p, "a", 1);
        h.commit(a, PromotionCommitted.Outcome.PUSHED);
        await().atMost(Duration.ofSeconds(30)).until(() -> "Progressing".equals(Harness.stageView(p, "a").get("health")));

        Engine fresh = new Engine(10_000, 100);
        Harness.readAll(Topics.STATE).forEach(r -> StateCodec.read(fresh, r.key(), r.value()));
        StateCodec.finishRebuild(fresh);
        Model.Promotion rebuilt = fresh.project(p).promotions.get(a.promotionId());
        assertEquals(Model.PromotionState.Syncing, rebuilt.state);
        assertEquals(a.freight().id(), fresh.project(p).stageStates.get("a").current.get("app"));
        // a replay of the decision tick issues nothing new
        assertTrue(fresh.tick(p, Instant.now()).promotions.isEmpty());
        var fx = fresh.onVerification(new VerificationCompleted(a.promotionId(), p, "a", a.freight().id(), "x",
                VerificationCompleted.Outcome.VERIFIED, null, "none", List.of(), List.of(), Instant.now(), Instant.now()), Instant.now());
        assertEquals(1, fx.promotions.size());
        assertEquals("b", fx.promotions.get(0).stage());
        // and the live engine makes the same decision with the same id
        h.verify(a, VerificationCompleted.Outcome.VERIFIED);
        assertEquals(fx.promotions.get(0).promotionId(), h.awaitRequest(p, "b", 1).promotionId());
        assertNotEquals(a.promotionId(), fx.promotions.get(0).promotionId());
    }
}
