package io.freightline.devstack;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton end to end: the four services as separate processes on one real broker and a real Git
 * repository. A registry webhook for a new tag must land as one commit in dev, then one in staging once dev is
 * verified; prod stays as it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkingSkeletonIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static DevStack stack;
    static GitOpsRepo repo;
    static Path home;
    static int kafkaPort;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        home = tmp.resolve("demo");
        kafkaPort = io.freightline.testsupport.Ports.freePort();
        stack = DevStack.start(settings());
        repo = new GitOpsRepo(stack.repository());
    }

    static DevStack.Settings settings() {
        return new DevStack.Settings(Path.of("..").toAbsolutePath().normalize(), home, kafkaPort, Map.of(),
                null, null, null, 2, null);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void anImagePushIsPromotedToDevThenStagingExactlyOnce() throws Exception {
        String prodBefore = repo.read("envs/prod/kustomization.yaml");
        String devBefore = repo.read("envs/dev/kustomization.yaml");

        assertEquals(202, push(stack.webhookSecret(), "1.0.0").statusCode());

        await().atMost(90, TimeUnit.SECONDS).until(() -> repo.promotionsOf("staging").size() == 1);
        RevCommit dev = single(repo.promotionsOf("dev"));
        RevCommit staging = single(repo.promotionsOf("staging"));
        assertEquals(1, GitOpsRepo.trailer(dev, "Freightline-Promotion").size(), dev.getFullMessage());
        assertEquals(GitOpsRepo.trailer(dev, "Freightline-Freight"), GitOpsRepo.trailer(staging, "Freightline-Freight"));
        assertTrue(staging.getCommitTime() >= dev.getCommitTime());

        // only the one value changed: every other byte of the user's file is kept
        assertEquals(devBefore.replace("newTag: \"0.1.0\"", "newTag: \"1.0.0\""), repo.read("envs/dev/kustomization.yaml"));
        assertTrue(repo.read("envs/staging/kustomization.yaml").contains("newTag: \"1.0.0\" # the version running in staging"));
        assertEquals(prodBefore, repo.read("envs/prod/kustomization.yaml"));
        assertEquals(List.of("127.0.0.1:5000/demo/app:1.0.0"), renderedImages("envs/dev"));

        // the same delivery again, and a delivery with a wrong secret, change nothing
        int commits = repo.log().size();
        assertEquals(202, push(stack.webhookSecret(), "1.0.0").statusCode());
        HttpResponse<String> forged = push("not-the-secret", "6.6.6");
        assertEquals(401, forged.statusCode(), forged.body());
        await().during(3, TimeUnit.SECONDS).atMost(20, TimeUnit.SECONDS).until(() -> repo.log().size() == commits);
        assertTrue(repo.read("envs/dev/kustomization.yaml").contains("\"1.0.0\""));
    }

    @Test
    @Order(2)
    void everyServiceExposesItsDomainMetricsWithBoundedLabels() throws Exception {
        Map<String, String> dev = Map.of("project", "demo", "stage", "dev");
        Metrics watcher = Metrics.scrape(HTTP, stack.url(DevStack.WATCHER));
        assertTrue(watcher.sum("freightline_webhook_deliveries_total", Map.of("provider", "distribution", "outcome", "accepted")) >= 1);
        assertTrue(watcher.sum("freightline_webhook_deliveries_total", Map.of("provider", "distribution")) >= 3);
        assertTrue(watcher.sum("freightline_webhook_deliveries_total", Map.of("provider", "distribution", "outcome", "unauthorized")) >= 1);
        assertEquals(1.0, watcher.sum("freightline_artifacts_discovered_total", Map.of("project", "demo", "warehouse", "app")));

        Metrics engine = Metrics.scrape(HTTP, stack.url(DevStack.ENGINE));
        assertEquals(1.0, engine.sum("freightline_freight_created_total", Map.of("project", "demo", "warehouse", "app")));
        assertTrue(engine.sum("freightline_promotions_total", Map.of("project", "demo", "stage", "staging", "state", "Succeeded")) >= 1);
        assertEquals(1.0, engine.sum("freightline_promotion_lead_time_seconds_count", dev));
        assertTrue(engine.has("freightline_promotion_queue_depth"));

        Metrics writer = Metrics.scrape(HTTP, stack.url(DevStack.GIT_WRITER));
        assertEquals(1.0, writer.sum("freightline_promotion_commits_total", Map.of("project", "demo", "stage", "dev", "outcome", "PUSHED")));
        assertTrue(writer.sum("freightline_step_duration_seconds_count", Map.of("step", "kustomize-set-image")) >= 2);
        assertTrue(writer.sum("freightline_git_push_duration_seconds_count", Map.of()) >= 2);

        Metrics notifier = Metrics.scrape(HTTP, stack.url(DevStack.NOTIFIER));
        assertTrue(notifier.sum("freightline_verifications_total", Map.of("project", "demo", "stage", "dev")) >= 1);

        RevCommit devCommit = repo.promotionsOf("dev").get(0);
        List<String> unbounded = List.of("1.0.0", GitOpsRepo.trailer(devCommit, "Freightline-Freight").get(0),
                GitOpsRepo.trailer(devCommit, "Freightline-Promotion").get(0), devCommit.name().substring(0, 7));
        for (Metrics m : List.of(engine, writer, notifier)) {
            assertTrue(m.has("kafka_consumer_fetch_manager_records_lag_max"), "consumer lag of every consumer group is exposed");
        }
        for (Metrics m : List.of(watcher, engine, writer, notifier)) {
            // bounded label sets: never a tag, freight id, promotion id or commit SHA as a label value
            m.samples().stream().filter(sample -> sample.name().startsWith("freightline_")).forEach(sample ->
                    sample.labels().forEach((k, v) -> unbounded.forEach(bad -> assertTrue(!v.contains(bad),
                            sample.name() + " has an unbounded label " + k + "=" + v))));
        }
    }

    @Test
    @Order(3)
    void theStackRestartsOnItsOwnStateWithoutLosingOrRepeatingPromotions() throws Exception {
        int commits = repo.log().size();
        String secret = stack.webhookSecret();
        stack.close();
        stack = null;

        stack = DevStack.start(settings());
        assertEquals(secret, stack.webhookSecret(), "the generated secret is kept in the demo folder");
        await().during(3, TimeUnit.SECONDS).atMost(20, TimeUnit.SECONDS).until(() -> repo.log().size() == commits);

        assertEquals(202, push(stack.webhookSecret(), "1.1.0").statusCode());
        await().atMost(90, TimeUnit.SECONDS).until(() -> repo.promotionsOf("staging").size() == 2);
        assertEquals(2, repo.promotionsOf("dev").size());
        assertTrue(repo.read("envs/staging/kustomization.yaml").contains("newTag: \"1.1.0\""));
        assertTrue(repo.read("envs/prod/kustomization.yaml").contains("newTag: \"0.1.0\""));
    }

    @Test
    @Order(4)
    void servicesTurnUnreadyWithoutTheBrokerAndRecoverWithIt() throws Exception {
        stack.stopBroker();
        for (String service : DevStack.SERVICES) {
            awaitUnready(service);
        }
        stack.startBroker();
        for (String service : DevStack.SERVICES) {
            awaitReadiness(service, 200, 120);
        }
        // and the pipeline still flows
        assertEquals(202, push(stack.webhookSecret(), "1.2.0").statusCode());
        await().atMost(120, TimeUnit.SECONDS).until(() -> repo.promotionsOf("staging").size() == 3);
    }

    @Test
    @Order(5)
    void aStartUpPipelineSwitchedAwayAndBackIsInForceAgain() throws Exception {
        // A (no Argo CD) -> B (Argo CD configured: every stage gets an argocd-update step) -> A again
        int applies = pipelineApplies();
        stack.close();
        stack = null;
        com.sun.net.httpserver.HttpServer argocd = argoCdVersionOnly();
        try {
            stack = DevStack.start(settings().withArgoCD("http://127.0.0.1:" + argocd.getAddress().getPort(), "argocd-token"));
            await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> assertEquals(applies + 1, pipelineApplies(),
                    "start-up pipeline B (with argocd-update) replaces A: " + audit()));
            stack.close();
            stack = null;
        } finally {
            argocd.stop(0);
        }

        stack = DevStack.start(settings());
        int staging = repo.promotionsOf("staging").size();
        assertEquals(202, push(stack.webhookSecret(), "1.3.0").statusCode());
        try {
            await().atMost(90, TimeUnit.SECONDS).until(() -> repo.promotionsOf("staging").size() == staging + 1);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("staging did not move after switching back to start-up pipeline A; audit: " + audit()
                    + "\nnotifier log:\n" + stack.service(DevStack.NOTIFIER).tail(20), e);
        }
        assertTrue(repo.read("envs/staging/kustomization.yaml").contains("newTag: \"1.3.0\""));
        assertEquals(applies + 2, pipelineApplies(), "A is applied again: " + audit());
    }

    @Test
    @Order(6)
    void afterAPowerCutTheFirstPushIsPromotedWithinSecondsOfReady() throws Exception {
        int dev = repo.promotionsOf("dev").size();
        stack.killAll();
        stack = null;
        stack = DevStack.start(settings()); // returns once every service, the engine included, reports ready
        long ready = System.nanoTime();
        assertEquals(202, push(stack.webhookSecret(), "1.4.0").statusCode());
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> repo.promotionsOf("dev").size() == dev + 1);
        long millis = (System.nanoTime() - ready) / 1_000_000;
        System.out.printf("power cut: every service ready -> first dev commit in %d ms%n", millis);
        assertTrue(repo.read("envs/dev/kustomization.yaml").contains("newTag: \"1.4.0\""));
        await().atMost(90, TimeUnit.SECONDS).until(() -> repo.promotionsOf("staging").size() == repo.promotionsOf("dev").size());
    }

    /**
     * An Argo CD API server that answers only {@code GET /api/version} (shape of Argo CD's {@code versionVersionMessage}):
     * the one call the notifier makes while no promotion runs, its readiness probe.
     */
    static com.sun.net.httpserver.HttpServer argoCdVersionOnly() throws IOException {
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            boolean version = exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals("/api/version");
            byte[] body = (version ? "{\"Version\":\"v3.5.1\"}" : "{\"error\":\"not found\",\"code\":5,\"message\":\"not found\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(version ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** How many times the engine applied changed stages (the audit's {@code apply} entries naming a Stage). */
    static int pipelineApplies() throws Exception {
        int n = 0;
        for (var entry : audit().path("entries")) {
            if (entry.path("action").asText().equals("apply") && entry.path("detail").asText().contains("Stage dev")) n++;
        }
        return n;
    }

    static com.fasterxml.jackson.databind.JsonNode audit() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.url(DevStack.ENGINE) + "/api/v1/projects/demo/audit?limit=1000"))
                .header("Authorization", "Bearer " + stack.tokens().get("viewer")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return io.freightline.events.EventCodec.parse(r.body());
    }

    /** Not ready: 503, or no answer within 3 s (what a Kubernetes readiness probe with timeoutSeconds: 3 sees). */
    static void awaitUnready(String service) {
        try {
            await().atMost(90, TimeUnit.SECONDS).until(() -> ready(service) != 200);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(service + " stays ready without the broker; its log ends with:\n" + stack.service(service).tail(80), e);
        }
    }

    static void awaitReadiness(String service, int status, int seconds) {
        try {
            await().atMost(seconds, TimeUnit.SECONDS).until(() -> ready(service) == status);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(service + " readiness is not " + status + " after " + seconds + " s; its log ends with:\n"
                    + stack.service(service).tail(80), e);
        }
    }

    static int ready(String service) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static RevCommit single(List<RevCommit> commits) {
        assertEquals(1, commits.size(), () -> commits.stream().map(RevCommit::getFullMessage).toList().toString());
        return commits.get(0);
    }

    static HttpResponse<String> push(String secret, String tag) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url(DevStack.WATCHER) + "/webhooks/distribution"))
                .header("Authorization", "Bearer " + secret)
                .header("Content-Type", RegistryPush.MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(RegistryPush.envelope("127.0.0.1:5000", "demo/app", tag)))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** What Argo CD would apply: the images of {@code kubectl kustomize} on a checkout of main. */
    static List<String> renderedImages(String dir) throws Exception {
        Path checkout = Files.createTempDirectory("freightline-checkout-");
        try {
            Git.cloneRepository().setURI(stack.repoURL()).setDirectory(checkout.toFile()).call().close();
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", checkout.resolve(dir).toString())
                    .redirectErrorStream(true).start();
            String out;
            try (InputStream in = kubectl.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertEquals(0, kubectl.waitFor(), out);
            return out.lines().map(String::trim).filter(l -> l.startsWith("- image:") || l.startsWith("image:"))
                    .map(l -> l.substring(l.indexOf("image:") + 6).trim()).toList();
        } finally {
            DemoRepository.deleteTree(checkout);
        }
    }
}
