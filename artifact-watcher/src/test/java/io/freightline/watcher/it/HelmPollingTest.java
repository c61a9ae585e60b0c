package io.freightline.watcher.it;

import com.sun.net.httpserver.HttpServer;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Helm HTTP repository served locally with the contract index files, answering If-None-Match with 304. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class HelmPollingTest {
    static HttpServer server;
    static final AtomicInteger notModified = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serve("/docs/index.yaml", Contracts.bytes("helm/index.yaml"));
        serve("/testing/index.yaml", Contracts.bytes("helm/index.helm-testdata-testing-index.yaml"));
        server.start();
    }

    static void serve(String path, byte[] body) {
        String etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "\"";
        server.createContext(path, ex -> {
            if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                notModified.incrementAndGet();
                ex.sendResponseHeaders(304, -1);
            } else {
                ex.getResponseHeaders().add("ETag", etag);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static Subscription chart(String subscription, String url, String name, String constraint) {
        return new Subscription(subscription, ArtifactKind.CHART, url, name, "SemVer", constraint, null, null, null, 10, null, null, null, null);
    }

    @Test
    void chartVersionsFromIndexYamlOnceEach() {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Fixtures.warehouse("helm", "charts", 1, chart("docs", base + "/docs", "alpine", ">=0.1.0"), chart("testing", base + "/testing", "alpine", ">=0.1.0"));

        await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("helm")).size() >= 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> notModified.get() >= 2);
        List<ArtifactDiscovered> docs = artifacts.events(ArtifactDiscovered.class,
                a -> a.project().equals("helm") && a.artifact().repoURL().endsWith("/docs"));
        // newest-first in the file, emitted oldest first; nanosecond `created` read as written
        assertEquals(List.of("0.1.0", "0.2.0"), docs.stream().map(a -> a.artifact().tag()).toList());
        assertEquals("alpine", docs.get(1).artifact().name());
        assertEquals(ArtifactKind.CHART, docs.get(1).artifact().kind());
        assertEquals(Instant.parse("2016-10-06T22:23:20.499814565Z"), docs.get(1).createdAt());
        List<String> testing = artifacts.events(ArtifactDiscovered.class,
                a -> a.project().equals("helm") && a.artifact().repoURL().endsWith("/testing")).stream().map(a -> a.artifact().tag()).toList();
        // the prerelease 0.3.0-rc.1 does not satisfy >=0.1.0 (as in Kargo/Masterminds)
        assertTrue(testing.contains("0.2.0") && !testing.contains("0.3.0-rc.1"), testing.toString());
        assertEquals(testing.size(), testing.stream().distinct().count());
    }
}
