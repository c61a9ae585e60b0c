package io.freightline.notifier;

import io.freightline.events.Topics;
import io.freightline.events.VerificationCompleted;
import io.freightline.notifier.sim.FakeArgoCd;
import io.freightline.notifier.sim.FakeArgoCdResource;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.freightline.testsupport.TestBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.freightline.notifier.Fixtures.apps;
import static io.freightline.notifier.Fixtures.commit;
import static io.freightline.notifier.Fixtures.id;
import static io.freightline.notifier.Fixtures.sha;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With a poll interval far longer than the test, only Argo CD notification webhooks can move a verification along:
 * it finishes because the webhooks woke it. Also: the webhook's authentication, and readiness with a configured
 * Argo CD server that is down.
 */
@QuarkusTest
@TestProfile(WebhookWakeTest.SlowPolling.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(FakeArgoCdResource.class)
class WebhookWakeTest {
    public static class SlowPolling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("freightline.notifier.verification.poll-interval", "5M",
                    "freightline.notifier.argocd.servers.gone.url", "http://127.0.0.1:1");
        }
    }

    private static KafkaProbe probe;
    private static KafkaProbe.Recording verifications;

    @BeforeAll
    static void startProbe() {
        probe = new KafkaProbe(TestBroker.bootstrapServers());
        verifications = probe.record(Topics.VERIFICATIONS);
    }

    @AfterAll
    static void stopProbe() {
        probe.close();
    }

    @Test
    void notificationsWakeTheWaitingVerification() {
        FakeArgoCd argocd = FakeArgoCdResource.argocd();
        String app = "hooked-" + id("a");
        argocd.app(app);
        String pid = id("hooked");
        probe.publish(Topics.COMMITS, Fixtures.PROJECT, commit(pid, "dev", sha(), apps(null, null, app), null));
        await().atMost(Duration.ofSeconds(30)).until(() -> argocd.get(app).syncBodies.size() == 1);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            given().header("Authorization", "Bearer test-webhook-token").contentType("application/json")
                    .body("{\"app\":\"" + app + "\",\"namespace\":\"argocd\",\"trigger\":\"on-sync-status-unknown\"}")
                    .post("/webhooks/argocd").then().statusCode(202);
            return !verifications.events(VerificationCompleted.class, v -> v.promotionId().equals(pid)).isEmpty();
        });
        VerificationCompleted v = verifications.events(VerificationCompleted.class, e -> e.promotionId().equals(pid)).get(0);
        assertEquals(VerificationCompleted.Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals(List.of(), argocd.violations());
    }

    @Test
    void webhookNeedsTheTokenAndAnAppName() {
        given().contentType("application/json").body("{\"app\":\"x\"}").post("/webhooks/argocd")
                .then().statusCode(401);
        given().header("Authorization", "Bearer test-webhook-tokeX").contentType("application/json")
                .body("{\"app\":\"x\"}").post("/webhooks/argocd").then().statusCode(401);
        given().header("Authorization", "Bearer test-webhook-token").contentType("application/json")
                .body("{\"trigger\":\"on-deployed\"}").post("/webhooks/argocd").then().statusCode(400);
        // the whole Application, as {{toJson .app}} sends it
        given().header("Authorization", "Bearer test-webhook-token").contentType("application/json")
                .body("{\"metadata\":{\"name\":\"nobody-waits\",\"namespace\":\"argocd\"}}").post("/webhooks/argocd")
                .then().statusCode(202).body("woken", is(0));
    }

    @Test
    void unreadyWhileAConfiguredArgoCdServerIsUnreachable() {
        given().get("/q/health/ready").then().statusCode(503).body(containsString("gone"))
                .body(containsString("unreachable"));
    }
}
