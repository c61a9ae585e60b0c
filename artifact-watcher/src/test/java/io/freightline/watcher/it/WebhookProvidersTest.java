package io.freightline.watcher.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.EventCodec;
import io.freightline.events.Subscription;
import io.freightline.events.Topics;
import io.freightline.testsupport.Contracts;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every provider with its contract payload and its real signature scheme (HMACs from
 * signature-test-vectors.json). Image pushes go to {@code discovery: webhook} subscriptions, so the effect is the
 * event on the topic; Git pushes trigger a re-scan, reported in the response.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class WebhookProvidersTest {
    static final String VECTORS = "webhooks/signature-test-vectors.json";
    static JsonNode vectors;

    @BeforeEach
    void specs() {
        if (vectors != null) return;
        vectors = EventCodec.parse(Contracts.read(VECTORS)).get("computed_over_fixture_files");
        Fixtures.warehouse("hooks", "images", 0,
                sub("harbor", "hub.harbor.com/test-webhook/debian"),
                sub("harbor-replica", "localhost/harbor/alpine"),
                sub("dockerhub", "svendowideit/testhook"),
                sub("quay", "quay.io/dgangaia/test"),
                sub("ghcr", "ghcr.io/codertocat/hello-world"));
        // interval 0: only webhooks trigger scans (the hosts in the fixtures are not reachable here)
        Fixtures.warehouse("hooks", "sources", 0,
                git("gh", "https://github.com/jessesuen/test-repo.git"),
                git("gitea", "ssh://gitea@localhost:2222/gitea/webhooks.git"),
                git("gitlab", "git@example.com:mike/diaspora.git"),
                git("gitlab-tags", "http://example.com/jsmith/example"));
        // wait until the watcher follows both warehouses
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().contentType("application/json")
                .header("X-Gitlab-Token", Fixtures.SECRET).body(Contracts.bytes("webhooks/gitlab-tag_push_hook.json"))
                .post("/webhooks/gitlab").then().statusCode(202).body("matched", equalTo(1)));
        // a replication push (digest only) matches the image warehouse without emitting anything
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().contentType("application/json")
                .header("Authorization", Fixtures.SECRET).body(Contracts.bytes("webhooks/harbor-push_artifact.default.json"))
                .post("/webhooks/harbor").then().statusCode(202).body("matched", equalTo(1)).body("emitted", equalTo(0)));
    }

    static Subscription sub(String name, String repo) {
        return new Subscription(name, ArtifactKind.IMAGE, repo, null, "Lexical", null, null, null, null, 5, null, null, null, "webhook");
    }

    static Subscription git(String name, String url) {
        return new Subscription(name, ArtifactKind.GIT, url, null, null, null, null, null, null, null, "master", null, null, null);
    }

    static io.restassured.response.Response quay(String token) {
        return given().contentType("application/json").body(Contracts.bytes("webhooks/quay-repo_push.json")).post("/webhooks/quay/" + token);
    }

    static RequestSpecification signed(String file, String... headerNames) {
        RequestSpecification req = given().contentType("application/json").body(Contracts.bytes("webhooks/" + file));
        for (String h : headerNames) {
            req = req.header(h, vectors.get(file).get("headers").get(h).asText());
        }
        return req;
    }

    static List<ArtifactDiscovered> of(KafkaProbe.Recording r, String subscription) {
        return r.events(ArtifactDiscovered.class, a -> a.project().equals("hooks") && subscription.equals(a.subscription()));
    }

    @Test
    void registryPushesFromEveryProviderAreEmittedOnce() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        given().contentType("application/json").header("Authorization", Fixtures.SECRET)
                .body(Contracts.bytes("webhooks/harbor-push_artifact.default.tagged.json"))
                .post("/webhooks/harbor").then().statusCode(202).body("emitted", equalTo(1));
        // a replication push carries a digest in `tag`: no version to emit
        given().contentType("application/cloudevents+json").header("Authorization", "Bearer " + Fixtures.SECRET)
                .body(Contracts.bytes("webhooks/harbor-push_artifact.cloudevents.json"))
                .post("/webhooks/harbor").then().statusCode(202).body("matched", equalTo(1)).body("emitted", equalTo(0));
        given().contentType("application/json").header("Authorization", "wrong")
                .body(Contracts.bytes("webhooks/harbor-push_artifact.default.tagged.json")).post("/webhooks/harbor").then().statusCode(401);

        given().contentType("application/json").body(Contracts.bytes("webhooks/dockerhub-push.json"))
                .post("/webhooks/dockerhub/" + Fixtures.SECRET).then().statusCode(202).body("emitted", equalTo(1));
        given().contentType("application/json").body(Contracts.bytes("webhooks/dockerhub-push.json"))
                .post("/webhooks/dockerhub/guess").then().statusCode(401);
        given().contentType("application/json").body(Contracts.bytes("webhooks/dockerhub-push.json"))
                .post("/webhooks/dockerhub").then().statusCode(401);

        quay(Fixtures.SECRET).then().statusCode(202).body("emitted", equalTo(1));
        quay(Fixtures.SECRET).then().statusCode(202).body("emitted", equalTo(0));

        // GHCR via GitHub: the octokit example has an empty tag name, so it names no version
        signed("github-package.published.container.json", "X-Hub-Signature-256").header("X-GitHub-Event", "package")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .post("/webhooks/github").then().statusCode(202).body("matched", equalTo(1)).body("emitted", equalTo(0));
        signed("github-registry_package.published.container.json", "X-Hub-Signature-256").header("X-GitHub-Event", "registry_package")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .post("/webhooks/github").then().statusCode(202).body("matched", equalTo(1));

        await().atMost(Duration.ofSeconds(30)).until(() -> !of(artifacts, "quay").isEmpty());
        ArtifactDiscovered harbor = of(artifacts, "harbor").get(0);
        assertEquals("latest", harbor.artifact().tag());
        assertEquals("sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8", harbor.artifact().digest());
        assertEquals("webhook/harbor", harbor.discoveredBy());
        assertEquals("latest", of(artifacts, "dockerhub").get(0).artifact().tag());
        assertEquals(1, of(artifacts, "quay").size());
        assertEquals(1, of(artifacts, "harbor").size());
        assertEquals(0, of(artifacts, "harbor-replica").size());
        assertEquals(0, of(artifacts, "ghcr").size());
    }

    @Test
    void gitPushesTriggerRescansAndBadInputIsRefused() {
        String delivery = UUID.randomUUID().toString();
        signed("github-push.branch-commit.json", "X-Hub-Signature-256").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", delivery)
                .post("/webhooks/github").then().statusCode(202).body("scansTriggered", equalTo(1));
        // GitHub redelivers with the same delivery id
        signed("github-push.branch-commit.json", "X-Hub-Signature-256").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", delivery)
                .post("/webhooks/github").then().statusCode(202).body("outcome", equalTo("replayed"));
        // the legacy SHA-1 header alone is not enough; a signature over other bytes neither
        signed("github-push.branch-commit.json", "X-Hub-Signature").header("X-GitHub-Event", "push")
                .post("/webhooks/github").then().statusCode(401);
        given().contentType("application/json").body(Contracts.bytes("webhooks/github-push.branch-created.json"))
                .header("X-Hub-Signature-256", vectors.get("github-push.branch-commit.json").get("headers").get("X-Hub-Signature-256").asText())
                .header("X-GitHub-Event", "push").post("/webhooks/github").then().statusCode(401);

        given().contentType("application/json").body(Contracts.bytes("webhooks/github-ping.json"))
                .header("X-Hub-Signature-256", "sha256=" + io.freightline.watcher.domain.Signatures.hmacHex("HmacSHA256",
                        "It's a Secret to Everybody", Contracts.bytes("webhooks/github-ping.json")))
                .header("X-GitHub-Event", "ping").post("/webhooks/github").then().statusCode(200).body("outcome", equalTo("pong"));
        given().contentType("application/json").body(Contracts.bytes("webhooks/github-push.branch-commit.json"))
                .header("X-Hub-Signature-256", vectors.get("github-push.branch-commit.json").get("headers").get("X-Hub-Signature-256").asText())
                .header("X-GitHub-Event", "issues").post("/webhooks/github").then().statusCode(202).body("outcome", equalTo("ignored"));

        signed("gitea-push.json", "X-Gitea-Signature").header("X-Gitea-Event", "push").header("X-Gitea-Delivery", UUID.randomUUID().toString())
                .post("/webhooks/gitea").then().statusCode(202).body("scansTriggered", equalTo(1));
        signed("gitea-push.json", "X-Hub-Signature-256").header("X-Gitea-Event", "push")
                .post("/webhooks/gitea").then().statusCode(202).body("scansTriggered", equalTo(1));

        given().contentType("application/json").header("X-Gitlab-Token", Fixtures.SECRET).header("X-Gitlab-Event", "Push Hook")
                .body(Contracts.bytes("webhooks/gitlab-push_hook.json")).post("/webhooks/gitlab").then().statusCode(202).body("scansTriggered", equalTo(1));
        given().contentType("application/json").header("X-Gitlab-Token", Fixtures.SECRET).header("X-Gitlab-Event", "Tag Push Hook")
                .body(Contracts.bytes("webhooks/gitlab-tag_push_hook.json")).post("/webhooks/gitlab").then().statusCode(202).body("scansTriggered", equalTo(1));
        given().contentType("application/json").header("X-Gitlab-Token", "nope")
                .body(Contracts.bytes("webhooks/gitlab-push_hook.json")).post("/webhooks/gitlab").then().statusCode(401);
        // a signed but malformed body is 400; a deleted tag is ignored
        given().contentType("application/json").header("X-Gitlab-Token", Fixtures.SECRET).body("{not json")
                .post("/webhooks/gitlab").then().statusCode(400);
        signed("github-push.tag-deleted.json").header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", "sha256=" + io.freightline.watcher.domain.Signatures.hmacHex("HmacSHA256",
                        "It's a Secret to Everybody", Contracts.bytes("webhooks/github-push.tag-deleted.json")))
                .post("/webhooks/github").then().statusCode(202).body("outcome", equalTo("ignored"));
        given().contentType("application/json").body("{}").post("/webhooks/nosuch").then().statusCode(404);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains("freightline_webhook_deliveries_total{outcome=\"replayed\",provider=\"github\"}"), metrics.lines()
                .filter(l -> l.startsWith("freightline_")).toList().toString());
    }
}
