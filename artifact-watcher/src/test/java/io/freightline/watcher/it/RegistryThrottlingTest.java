package io.freightline.watcher.it;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.Topics;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
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
 * Being a good client of registries (WireMock stands in for them, counting what it receives): a 429 with
 * {@code Retry-After} is retried after that long, not after the (short) configured backoff; and the per-registry
 * rate limit holds, counted as requests per second on each registry while two are scanned at once.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(RegistryThrottlingTest.Throttled.class)
class RegistryThrottlingTest {
    static final int LIMIT = 10;
    static WireMockServer limited1, limited2, busy;

    /** 10 requests per second per registry, pages of 5 tags (so a scan makes dozens of requests). */
    public static class Throttled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("freightline.watcher.poll.rate-limit-per-second", String.valueOf(LIMIT),
                    "freightline.watcher.poll.page-size", "5");
        }
    }

    @BeforeAll
    static void start() {
        limited1 = registry(60);
        limited2 = registry(60);
        busy = registry(3);
        // the first tags/list is refused with 429 Retry-After: 2; the configured backoff is 50 ms
        busy.stubFor(get(urlEqualTo("/v2/team/app/tags/list?n=5")).atPriority(1)
                .inScenario("busy").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("calm")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")
                        .withBody("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}")));
    }

    @AfterAll
    static void stop() {
        for (WireMockServer s : new WireMockServer[]{limited1, limited2, busy}) {
            if (s != null) s.stop();
        }
    }

    /** A registry with tags 1.0.0 … 1.(n-1).0 under team/app, pages of 5 with Link headers, HEAD digests. */
    static WireMockServer registry(int n) {
        WireMockServer s = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        s.start();
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < n; i++) tags.add("1." + i + ".0");
        for (int p = 0; p * 5 < n; p++) {
            String url = "/v2/team/app/tags/list?n=5" + (p == 0 ? "" : "&last=" + tags.get(p * 5 - 1));
            var response = aResponse().withHeader("Content-Type", "application/json")
                    .withBody(OciPollingTest.tagsJson("team/app", tags.subList(p * 5, Math.min(n, p * 5 + 5))));
            if (p * 5 + 5 < n) {
                response.withHeader("Link", "</v2/team/app/tags/list?n=5&last=" + tags.get(p * 5 + 4) + ">; rel=\"next\"");
            }
            s.stubFor(get(urlEqualTo(url)).atPriority(5).willReturn(response));
        }
        s.stubFor(get(urlPathEqualTo("/v2/team/app/tags/list")).atPriority(10)
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"tags\":[]}")));
        s.stubFor(head(urlPathMatching("/v2/team/app/manifests/.*")).willReturn(aResponse()
                .withHeader("Docker-Content-Digest", "sha256:" + "c".repeat(64))));
        return s;
    }

    @Test
    void retryAfterOfA429IsHonoured() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        Fixtures.warehouse("throttle429", "app", 3600, Fixtures.image("127.0.0.1:" + busy.port() + "/team/app", "SemVer", null, null));
        await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class,
                a -> a.project().equals("throttle429")).size() >= 3);
        List<LoggedRequest> firstPage = busy.findAll(getRequestedFor(urlEqualTo("/v2/team/app/tags/list?n=5")));
        assertEquals(2, firstPage.size(), "one 429, one retry");
        long gap = firstPage.get(1).getLoggedDate().getTime() - firstPage.get(0).getLoggedDate().getTime();
        assertTrue(gap >= 1900, "retried after " + gap + " ms, Retry-After said 2 s");
        assertEquals(List.of("1.0.0", "1.1.0", "1.2.0"), artifacts.events(ArtifactDiscovered.class,
                a -> a.project().equals("throttle429")).stream().map(a -> a.artifact().tag()).toList());
    }

    @Test
    void eachRegistryIsHeldToItsRateLimit() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        // two registries in one warehouse: scanned at the same time, each with its own limit
        Fixtures.warehouse("throttlerate", "app", 3600,
                Fixtures.image("127.0.0.1:" + limited1.port() + "/team/app", "SemVer", null, null),
                Fixtures.image("127.0.0.1:" + limited2.port() + "/team/app", "SemVer", null, null));
        await().atMost(Duration.ofSeconds(120)).until(() -> artifacts.events(ArtifactDiscovered.class,
                a -> a.project().equals("throttlerate")).size() >= 40);

        List<Long> one = times(limited1), two = times(limited2);
        // 12 pages + the empty page after the last full one + 20 HEADs
        assertTrue(one.size() >= 33 && two.size() >= 33, one.size() + " / " + two.size() + " requests");
        for (List<Long> t : List.of(one, two)) {
            double perSecond = (t.size() - 1) * 1000.0 / (t.get(t.size() - 1) - t.get(0));
            assertTrue(perSecond <= LIMIT * 1.1, "average " + perSecond + " requests/s");
            // requests leave at most 100 ms apart; a late send may bunch up with the next, hence + 2
            assertTrue(peakPerSecond(t) <= LIMIT + 2, "peak " + peakPerSecond(t) + " requests in one second");
        }
        List<Long> both = new ArrayList<>(one);
        both.addAll(two);
        both.sort(null);
        System.out.printf("rate limit %d/s: peaks per second %d and %d, both together %d%n", LIMIT, peakPerSecond(one),
                peakPerSecond(two), peakPerSecond(both));
        // a global limit would hold both together to LIMIT + 2: the limit is per registry
        assertTrue(peakPerSecond(both) > LIMIT + 2, "peak of both registries together: " + peakPerSecond(both));
    }

    static List<Long> times(WireMockServer s) {
        return s.findAll(anyRequestedFor(anyUrl())).stream().map(r -> r.getLoggedDate().getTime()).sorted().toList();
    }

    /** The most requests within any 1,000 ms window. */
    static int peakPerSecond(List<Long> sorted) {
        int peak = 0;
        for (int i = 0, j = 0; i < sorted.size(); i++) {
            while (sorted.get(i) - sorted.get(j) >= 1000) j++;
            peak = Math.max(peak, i - j + 1);
        }
        return peak;
    }
}
