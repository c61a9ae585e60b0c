package io.freightline.watcher.it;

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

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * {@code skopeo} or plain Distribution API calls ({@link OciPush}): polling finds them with their real digests
 * (SemVer, NewestBuild by config date, Digest of a re-pushed tag, an OCI Helm chart), and a push notification
 * triggers a re-scan.
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
        return push(repo, tag, tag);
    }

    /** Pushes the layout built for {@code contentTag} (its label differs per tag, so its digest does) as {@code tag}. */
    static String push(String repo, String contentTag, String tag) throws Exception {
        Path layout = dir.resolve("layout-" + contentTag);
        Path script = Contracts.root().resolve("../recipes/build_oci.py").normalize();
        Process build = new ProcessBuilder("python3", script.toString(), layout.toString(), contentTag).redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes());
        assertEquals(0, build.waitFor(), out);
        String digest = out.lines().filter(l -> l.startsWith("manifest ")).findFirst().orElseThrow().substring(9).trim();
        Process copy = new ProcessBuilder("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":" + contentTag,
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

    @Test
    void newestBuildOrdersByTheConfigCreatedDate() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        OciPush oci = new OciPush("127.0.0.1:" + port);
        // names and build dates disagree on the order: only the config's `created` counts
        String alpha = oci.image("demo/builds", "alpha", "2026-03-01T00:00:00Z");
        oci.image("demo/builds", "beta", "2026-01-01T00:00:00Z");
        String gamma = oci.image("demo/builds", "gamma", "2026-02-01T00:00:00Z");
        oci.image("demo/builds", "delta", "2025-06-01T00:00:00Z");
        Subscription newest = new Subscription("builds", ArtifactKind.IMAGE, "127.0.0.1:" + port + "/demo/builds", null,
                "NewestBuild", null, null, null, null, 2, null, null, null, null);
        Fixtures.warehouse("realbuild", "app", 1, newest);
        await().atMost(Duration.ofSeconds(60)).until(() -> events(artifacts, "realbuild").size() >= 2);
        List<ArtifactDiscovered> events = events(artifacts, "realbuild");
        // the two newest builds, oldest first
        assertEquals(List.of("gamma", "alpha"), events.stream().map(a -> a.artifact().tag()).toList());
        assertEquals(List.of(gamma, alpha), events.stream().map(a -> a.artifact().digest()).toList());
        assertEquals(Instant.parse("2026-03-01T00:00:00Z"), events.get(1).createdAt());

        // a newer build under an older-sounding name is the next version; nothing else is emitted again
        String aardvark = oci.image("demo/builds", "aardvark", "2026-04-01T00:00:00Z");
        await().atMost(Duration.ofSeconds(60)).until(() -> events(artifacts, "realbuild").size() >= 3);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> events(artifacts, "realbuild").size() == 3);
        ArtifactDiscovered third = events(artifacts, "realbuild").get(2);
        assertEquals("aardvark", third.artifact().tag());
        assertEquals(aardvark, third.artifact().digest());
    }

    @Test
    void platformKeepsOnlyImagesAndIndexesThatRunOnIt() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        OciPush oci = new OciPush("127.0.0.1:" + port);
        String repo = "demo/multiarch";
        oci.image(repo, "1.0.0", "linux", "amd64");
        String arm = oci.image(repo, "1.1.0", "linux", "arm64").digest();
        String both = oci.index(repo, "1.2.0", oci.image(repo, "build-a", "linux", "amd64"), oci.image(repo, "build-b", "linux", "arm64"));
        oci.index(repo, "1.3.0", oci.image(repo, "build-c", "linux", "amd64"), oci.image(repo, "build-d", "windows", "arm64"));
        Subscription armOnly = new Subscription("arm", ArtifactKind.IMAGE, "127.0.0.1:" + port + "/" + repo, null, "SemVer",
                null, null, null, null, 10, null, null, null, null, null, null, "linux/arm64", null);
        Fixtures.warehouse("realplatform", "app", 1, armOnly);
        // without platform, every version of the repository is eligible
        Subscription any = new Subscription("any", ArtifactKind.IMAGE, "127.0.0.1:" + port + "/" + repo, null, "SemVer",
                null, null, null, null, 10, null, null, null, null);
        Fixtures.warehouse("realplatform-any", "app", 1, any);
        await().atMost(Duration.ofSeconds(60)).until(() -> events(artifacts, "realplatform-any").size() >= 4);
        // a barrier: a later scan of the arm warehouse finds the new 1.4.0, so every earlier scan was published before
        await().atMost(Duration.ofSeconds(60)).until(() -> events(artifacts, "realplatform").size() >= 2);
        String later = oci.image(repo, "1.4.0", "linux", "arm64").digest();
        await().atMost(Duration.ofSeconds(60)).until(() -> events(artifacts, "realplatform").stream().anyMatch(a -> a.artifact().tag().equals("1.4.0")));
        List<ArtifactDiscovered> events = events(artifacts, "realplatform");
        assertEquals(List.of("1.1.0", "1.2.0", "1.4.0"), events.stream().map(a -> a.artifact().tag()).toList(),
                "1.0.0 is amd64 only, 1.3.0 has no linux/arm64 entry");
        assertEquals(List.of(arm, both, later), events.stream().map(a -> a.artifact().digest()).toList(), "an index keeps its own digest");
    }

    @Test
    void newestBuildWithAPlatformDatesAnIndexByThatPlatformsImage() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        OciPush oci = new OciPush("127.0.0.1:" + port);
        String repo = "demo/multibuild";
        // by their amd64 images "old" is the newer build; by their arm64 images "new" is
        oci.index(repo, "old", oci.image(repo, "x1", "linux", "amd64", "2026-05-01T00:00:00Z"),
                oci.image(repo, "x2", "linux", "arm64", "2026-01-01T00:00:00Z"));
        String newest = oci.index(repo, "new", oci.image(repo, "x3", "linux", "amd64", "2026-02-01T00:00:00Z"),
                oci.image(repo, "x4", "linux", "arm64", "2026-04-01T00:00:00Z"));
        Subscription arm = new Subscription("arm", ArtifactKind.IMAGE, "127.0.0.1:" + port + "/" + repo, null, "NewestBuild",
                null, null, null, null, 1, null, null, null, null, null, List.of("^x"), "linux/arm64", null);
        Fixtures.warehouse("realplatformbuild", "app", 1, arm);
        await().atMost(Duration.ofSeconds(60)).until(() -> !events(artifacts, "realplatformbuild").isEmpty());
        ArtifactDiscovered first = events(artifacts, "realplatformbuild").get(0);
        assertEquals("new", first.artifact().tag());
        assertEquals(newest, first.artifact().digest());
        assertEquals(Instant.parse("2026-04-01T00:00:00Z"), first.createdAt());
    }

    @Test
    void digestStrategyEmitsEachNewContentOfAMutableTagOnce() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        String d1 = push("demo/pinned", "build-1", "stable");
        Subscription pinned = new Subscription("pinned", ArtifactKind.IMAGE, "127.0.0.1:" + port + "/demo/pinned", null,
                "Digest", "stable", null, null, null, null, null, null, null, null);
        Fixtures.warehouse("realdigest", "app", 1, pinned);
        await().atMost(Duration.ofSeconds(60)).until(() -> !events(artifacts, "realdigest").isEmpty());

        // the same tag re-pushed with new content: a new version, emitted once however often it is polled
        String d2 = push("demo/pinned", "build-2", "stable");
        assertTrue(!d1.equals(d2));
        await().atMost(Duration.ofSeconds(60)).until(() -> events(artifacts, "realdigest").size() >= 2);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> events(artifacts, "realdigest").size() == 2);
        List<ArtifactDiscovered> events = events(artifacts, "realdigest");
        assertEquals(List.of(d1, d2), events.stream().map(a -> a.artifact().digest()).toList());
        assertEquals(List.of("stable", "stable"), events.stream().map(a -> a.artifact().tag()).toList());
    }

    @Test
    void findsAnOciHelmChartPushedToTheRegistry() throws Exception {
        KafkaProbe.Recording artifacts = Fixtures.probe().record(Topics.ARTIFACTS);
        OciPush oci = new OciPush("127.0.0.1:" + port);
        for (String v : List.of("6.0.0", "6.1.0", "6.1.1+build.7", "6.2.0-rc.1", "5.9.0")) {
            oci.chart("charts/podinfo", "podinfo", v);
        }
        String repoURL = "oci://127.0.0.1:" + port + "/charts/podinfo";
        Subscription chart = new Subscription("podinfo", ArtifactKind.CHART, repoURL, null, "SemVer", "^6.0.0",
                null, null, null, null, null, null, null, null);
        Fixtures.warehouse("realchart", "app", 1, chart);
        await().atMost(Duration.ofSeconds(60)).until(() -> events(artifacts, "realchart").size() >= 3);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> events(artifacts, "realchart").size() == 3);
        List<ArtifactDiscovered> events = events(artifacts, "realchart");
        // the tag 6.1.1_build.7 is read as 6.1.1+build.7; the prerelease and 5.x do not match ^6.0.0
        assertEquals(List.of("6.0.0", "6.1.0", "6.1.1+build.7"), events.stream().map(a -> a.artifact().tag()).toList());
        events.forEach(a -> {
            assertEquals(ArtifactKind.CHART, a.artifact().kind());
            assertEquals("podinfo", a.artifact().name());
            assertEquals(repoURL, a.artifact().repoURL());
        });
    }

    static List<ArtifactDiscovered> events(KafkaProbe.Recording artifacts, String project) {
        return artifacts.events(ArtifactDiscovered.class, a -> a.project().equals(project));
    }
}
