package io.freightline.watcher.it;

import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.Topics;
import io.freightline.testsupport.Contracts;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real CNCF Distribution registry (Debian's {@code docker-registry}) on 127.0.0.1 with images pushed by
 * {@code skopeo}: polling finds them with their real digests, and a push notification triggers a re-scan.
 * Needs {@code apt-get install -y docker-registry skopeo}; fails, never skips, when they are missing.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class DockerRegistryTest {
    static Process registry;
    static Path dir;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        for (String bin : List.of("docker-registry", "skopeo", "python3")) {
            if (!new ProcessBuilder("sh", "-c", "command -v " + bin).start().waitFor(10, TimeUnit.SECONDS)
                    || new ProcessBuilder("sh", "-c", "command -v " + bin).start().waitFor() != 0) {
                fail(bin + " is not installed: run `apt-get update && apt-get install -y docker-registry skopeo` (CI does it in .ci/run)");
            }
        }
        dir = Files.createTempDirectory("watcher-registry-");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port));
        registry = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.destroy();
    }

    /** Builds an OCI layout with the recipe script and pushes it; returns the manifest digest. */
    static String push(String repo, String tag) throws Exception {
        Path layout = dir.resolve("layout-" + tag);
        Path script = Contracts.root().resolve("../recipes/build_oci.py").normalize();
        Process build = new ProcessBuilder("python3", script.toString(), layout.toString(), tag).redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes());
        assertEquals(0, build.waitFor(), out);
        String digest = out.lines().filter(l -> l.startsWith("manifest ")).findFirst().orElseThrow().substring(9).trim();
        Process copy = new ProcessBuilder("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":" + tag,
                "docker://127.0.0.1:" + port + "/" + repo + ":" + tag).redirectErrorStream(true).start();
        String log = new String(copy.getInputStream().readAllBytes());
        assertEquals(0, copy.waitFor(), log);
        return digest;
    }

    @Test
    void pollsARealRegistryAndRescansOnANotification() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        String d1 = push("demo/real", "1.0.0");
        push("demo/real", "0.9.0");
        String repoURL = "127.0.0.1:" + port + "/demo/real";
        // a long interval: after the first scan only the webhook triggers a re-read
        Fixtures.warehouse("realreg", "app", 3600, Fixtures.image(repoURL, "SemVer", ">=1.0.0", null));
        await().atMost(Duration.ofSeconds(60)).until(() -> !artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("realreg")).isEmpty());
        ArtifactDiscovered first = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("realreg")).get(0);
        assertEquals("1.0.0", first.artifact().tag());
        assertEquals(d1, first.artifact().digest());

        String d2 = push("demo/real", "1.1.0");
        // the notification is only a hint for a poll subscription: the watcher re-reads the registry
        given().contentType("application/vnd.docker.distribution.events.v2+json").header("Authorization", "Bearer " + Fixtures.SECRET)
                .body(Fixtures.distributionPush("127.0.0.1:" + port, "demo/real", "1.1.0", "application/vnd.oci.image.manifest.v1+json"))
                .post("/webhooks/distribution").then().statusCode(202).body("scansTriggered", equalTo(1)).body("emitted", equalTo(0));
        await().atMost(Duration.ofSeconds(60)).until(() -> artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("realreg")).size() >= 2);
        List<ArtifactDiscovered> events = artifacts.events(ArtifactDiscovered.class, a -> a.project().equals("realreg"));
        assertEquals(2, events.size());
        assertEquals("1.1.0", events.get(1).artifact().tag());
        assertEquals(d2, events.get(1).artifact().digest());
        assertTrue(events.stream().noneMatch(a -> a.artifact().tag().equals("0.9.0")));
    }
}
