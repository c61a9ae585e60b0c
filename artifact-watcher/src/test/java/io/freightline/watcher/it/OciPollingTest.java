package io.freightline.watcher.it;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.Subscription;
import io.freightline.events.Topics;
import io.freightline.testsupport.Contracts;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Polling a registry that behaves as the distribution spec says (WireMock stands in for a remote registry):
 * Bearer token challenge, paging with a relative Link header (last before n, as the reference registry writes
 * it), HEAD for digests, a 503 that is retried, and the strategies on top.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class OciPollingTest {
    static WireMockServer registry;
    static String host;

    @BeforeAll
    static void start() {
        registry = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        registry.start();
        host = "127.0.0.1:" + registry.port();
        String challenge = "Bearer realm=\"http://" + host + "/token\",service=\"wiremock\",scope=\"repository:team/api:pull\"";
        // every registry call without the token is challenged
        registry.stubFor(get(urlPathMatching("/v2/.*")).withHeader("Authorization", absent()).atPriority(1)
                .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)
                        .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));
        registry.stubFor(head(urlPathMatching("/v2/.*")).withHeader("Authorization", absent()).atPriority(1)
                .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)));
        registry.stubFor(get(urlPathEqualTo("/token")).withQueryParam("service", equalTo("wiremock"))
                .withQueryParam("scope", equalTo("repository:team/api:pull"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"token\":\"tkn-1\",\"expires_in\":300}")));
        // 60 tags over two pages of 50 (the test profile asks n=50); the first call of page 1 fails with 503
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 60; i++) tags.add("1." + i + ".0");
        tags.add("latest");
        tags.add("1.99.0+evil"); // a SemVer that would win, but not a valid OCI tag: skipped and counted
        tags.sort(null);
        List<String> page1 = tags.subList(0, 50), page2 = tags.subList(50, tags.size());
        registry.stubFor(get(urlEqualTo("/v2/team/api/tags/list?n=50")).withHeader("Authorization", equalTo("Bearer tkn-1"))
                .inScenario("flaky").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("ok")
                .willReturn(aResponse().withStatus(503)));
        registry.stubFor(get(urlEqualTo("/v2/team/api/tags/list?n=50")).withHeader("Authorization", equalTo("Bearer tkn-1"))
                .inScenario("flaky").whenScenarioStateIs("ok")
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withHeader("Link", "</v2/team/api/tags/list?last=" + page1.get(49) + "&n=50>; rel=\"next\"")
                        .withBody(tagsJson("team/api", page1))));
        registry.stubFor(get(urlEqualTo("/v2/team/api/tags/list?last=" + page1.get(49) + "&n=50"))
                .withHeader("Authorization", equalTo("Bearer tkn-1"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(tagsJson("team/api", page2))));
        registry.stubFor(head(urlPathMatching("/v2/team/api/manifests/.*")).withHeader("Authorization", equalTo("Bearer tkn-1"))
                .willReturn(aResponse().withHeader("Content-Type", "application/vnd.oci.image.index.v1+json")
                        .withHeader("Docker-Content-Digest", "sha256:" + "a".repeat(64))));
        // NewestBuild: an index whose amd64 manifest's config says when it was built
        registry.stubFor(get(urlPathMatching("/v2/team/api/manifests/.*")).withHeader("Authorization", equalTo("Bearer tkn-1"))
                .willReturn(aResponse().withHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .withHeader("Docker-Content-Digest", "sha256:" + "b".repeat(64))
                        .withBody(Contracts.read("oci/image-manifest.example.json"))));
    }

    @AfterAll
    static void stop() {
        registry.stop();
    }

    static String tagsJson(String name, List<String> tags) {
        return "{\"name\":\"" + name + "\",\"tags\":[" + String.join(",", tags.stream().map(t -> "\"" + t + "\"").toList()) + "]}";
    }

    @Test
    void pagesThroughTokenAuthAndEmitsTheNewestMatchingVersionsOnce() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Subscription sub = new Subscription("api", ArtifactKind.IMAGE, host + "/team/api", null, "SemVer", ">=1.50.0",
                null, null, List.of("1.59.0"), 3, null, null, null, null);
        Fixtures.warehouse("ocipoll", "svc", 1, sub);

        await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("ocipoll")).size() >= 3);
        List<ArtifactDiscovered> events = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("ocipoll"));
        // the three newest of page 2, 1.59.0 ignored, oldest first so the newest lands last
        assertEquals(List.of("1.56.0", "1.57.0", "1.58.0"), events.stream().map(a -> a.artifact().tag()).toList());
        events.forEach(a -> assertEquals("sha256:" + "a".repeat(64), a.artifact().digest()));
        assertEquals("api", events.get(0).subscription());
        assertEquals("poll", events.get(0).discoveredBy());
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("freightline_poll_invalid_tags_total") && l.contains("project=\"ocipoll\"")
                && !l.endsWith(" 0.0")), "invalid tags counted");

        // later polls (every second) find nothing new; a marker warehouse proves time passed
        int tagCalls = registry.countRequestsMatching(getRequestedFor(urlPathEqualTo("/v2/team/api/tags/list")).build()).getCount();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                registry.countRequestsMatching(getRequestedFor(urlPathEqualTo("/v2/team/api/tags/list")).build()).getCount() >= tagCalls + 4);
        assertEquals(3, artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("ocipoll")).size());
        assertTrue(registry.countRequestsMatching(getRequestedFor(urlPathEqualTo("/token")).build()).getCount() >= 1);
    }

    @Test
    void digestStrategyFollowsTheMutableTag() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Subscription digest = new Subscription("pinned", ArtifactKind.IMAGE, host + "/team/api", null, "Digest", "latest",
                null, null, null, null, null, null, null, null);
        Fixtures.warehouse("ocidigest", "svc", 1, digest);
        await().atMost(Duration.ofSeconds(60)).until(() -> !artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("ocidigest")).isEmpty());
        ArtifactDiscovered pinned = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("ocidigest")).get(0);
        assertEquals("latest", pinned.artifact().tag());
        assertEquals("sha256:" + "a".repeat(64), pinned.artifact().digest());
    }
}
