package io.freightline.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.reliability.FakeArgoCD.Health;
import org.awaitility.core.ConditionFactory;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verification gates promotion, through the whole stack: the real broker, the four service processes, the GitOps
 * repository over git://, and a simulated Argo CD whose {@code demo-dev} app is scripted to stay Progressing or turn
 * Degraded at the revision the notifier syncs. Staging (auto-promoted from dev) gets a commit only for freight
 * verified in dev; a Degraded dev fails the promotion and, with {@code autoRollback: true}, the engine commits dev's
 * last verified freight back into dev's folder.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class VerificationGateIT {
    private static final String PROJECT = Harness.PROJECT;
    private static final String DEV_APP = "demo-dev";
    private static final String STAGING_APP = "demo-staging";
    private static final String DEV = "envs/dev";
    private static final String STAGING = "envs/staging";
    private static final String DEGRADED = "Deployment \"test-lla\" exceeded its progress deadline";
    private static final Duration PROMPT = Duration.ofSeconds(90);
    private static final Duration POLL = Duration.ofMillis(250);

    /** Waits for what the stack should do promptly, polling every {@link #POLL} for up to {@link #PROMPT}. */
    private static ConditionFactory prompt(String what) {
        return await(what).atMost(PROMPT).pollInterval(POLL);
    }

    static Harness h;
    static String viewer;
    /** Freight of 1.0.0 (verified in dev, then staging) and 1.1.0 (Degraded in dev). */
    static String good;
    static String bad;
    /** Dev's commit of 1.0.0 and staging's. */
    static String goodDevCommit;
    static String goodStagingCommit;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        h = Harness.start(tmp.resolve("demo"), true);
        viewer = h.token("viewer");
        // each app is Synced at the next GET after its sync: the notifier's poll interval (5 s) paces the test
        h.argocd.walkSteps(0);
        enableAutoRollbackInDev();
        System.out.printf("stack up, dev's autoRollback applied: %d s%n", seconds(t0));
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.keepLogs(Path.of("target/reliability-logs/verification-gate"));
            h.close();
        }
    }

    /** Re-applies the demo pipeline through the API with {@code autoRollback: true} in dev's policy. */
    private static void enableAutoRollbackInDev() throws Exception {
        String pipeline = Files.readString(h.home.resolve("pipeline/pipeline.yaml"), StandardCharsets.UTF_8);
        String[] docs = pipeline.split("\n---\n");
        boolean changed = false;
        for (int i = 0; i < docs.length; i++) {
            if (docs[i].contains("kind: Stage") && docs[i].contains("\n  name: dev\n")) {
                String edited = docs[i].replace("    autoPromotion: true\n", "    autoPromotion: true\n    autoRollback: true\n");
                changed = !edited.equals(docs[i]);
                docs[i] = edited;
            }
        }
        assertTrue(changed, "dev's policy in the demo pipeline:\n" + pipeline);
        Http.Reply r = Http.send("POST", h.api.base() + "/api/v1/manifests", h.token("admin"), "application/yaml",
                String.join("\n---\n", docs).getBytes(StandardCharsets.UTF_8), Map.of());
        assertTrue(r.is2xx(), "apply: " + r);
        prompt("dev's autoRollback applied").ignoreExceptions()
                .until(() -> h.api.stage(PROJECT, "dev", viewer).path("policy").path("autoRollback").asBoolean());
    }

    @Test
    @Order(1)
    void stagingIsPromotedOnlyOnceDevIsVerified() {
        long t0 = System.nanoTime();
        String seedStaging = h.repo.newTag(STAGING);
        h.argocd.onNextSync(DEV_APP, Health.progressing("Waiting for rollout to finish: 0 of 1 updated replicas are available..."));

        good = freight("1.0.0");
        prompt("1.0.0 committed to dev").until(() -> "1.0.0".equals(h.repo.newTag(DEV)));
        goodDevCommit = only(h.repo.commitsSetting(DEV, "1.0.0"), "commits setting dev to 1.0.0");
        // the notifier synced dev's app at the commit and has seen it Synced there but still Progressing, twice
        prompt("demo-dev seen Progressing at " + goodDevCommit)
                .until(() -> h.argocd.shown(DEV_APP, goodDevCommit, "Progressing") >= 2);

        assertEquals(List.of(goodDevCommit), h.argocd.syncedRevisions(DEV_APP));
        assertEquals(goodDevCommit, h.repo.head(), "nothing committed after dev's commit");
        assertEquals(seedStaging, h.repo.newTag(STAGING));
        assertTrue(promotions("staging").isEmpty(), "no promotion to staging: " + promotions("staging"));
        JsonNode devStage = h.api.stage(PROJECT, "dev", viewer);
        assertTrue(EngineApi.currentFreight(devStage).contains(good), devStage.toString());
        assertTrue(EngineApi.verifiedFreight(devStage).isEmpty(), "not verified while Progressing: " + devStage);
        assertEquals(List.of(), h.argocd.syncedRevisions(STAGING_APP));

        h.argocd.health(DEV_APP, Health.healthy());
        prompt("1.0.0 committed to staging")
                .until(() -> "1.0.0".equals(h.repo.newTag(STAGING)));
        goodStagingCommit = only(h.repo.commitsSetting(STAGING, "1.0.0"), "commits setting staging to 1.0.0");
        List<String> log = h.repo.log().stream().map(RevCommit::name).toList();
        assertTrue(log.indexOf(goodStagingCommit) < log.indexOf(goodDevCommit), "staging's commit comes after dev's");
        assertEquals("1.0.0", h.repo.newTagAt(goodStagingCommit, DEV), "dev's folder untouched by staging's commit");
        assertTrue(verifiedIn(good).has("dev"), "1.0.0 verified in dev before staging moved");
        prompt("1.0.0 verified in staging")
                .until(() -> EngineApi.verifiedFreight(h.api.stage(PROJECT, "staging", viewer)).contains(good));
        assertEquals(List.of(goodStagingCommit), h.argocd.syncedRevisions(STAGING_APP));
        System.out.printf("staging waited for dev's verification: %d s%n", seconds(t0));
    }

    @Test
    @Order(2)
    void degradedDevFailsVerificationAndStagingGetsNoCommit() {
        long t0 = System.nanoTime();
        assertNotNull(goodStagingCommit, "needs the first test");
        h.argocd.onNextSync(DEV_APP, Health.degraded(DEGRADED));

        bad = freight("1.1.0");
        prompt("1.1.0 failed in dev")
                .until(() -> "Failed".equals(EngineApi.state(promotion("dev", bad))));
        JsonNode failed = promotion("dev", bad);
        assertTrue(failed.path("message").asText().contains(DEGRADED), failed.toString());
        String badDevCommit = only(h.repo.commitsSetting(DEV, "1.1.0"), "commits setting dev to 1.1.0");
        assertEquals(badDevCommit, failed.path("commitSha").asText());
        assertTrue(h.argocd.shown(DEV_APP, badDevCommit, "Degraded") >= 1);
        assertEquals(List.of(goodDevCommit, badDevCommit), h.argocd.syncedRevisions(DEV_APP).subList(0, 2));

        // the failure and the engine's answer to it (the auto-rollback) are one step of the engine: once the
        // rollback exists, staging's chance to take 1.1.0 has come and gone
        prompt("auto-rollback of dev decided").until(() -> autoRollback() != null);
        assertStagingNeverGot("1.1.0");
        assertFalse(verifiedIn(bad).has("dev"), "1.1.0 is not verified in dev: " + verifiedIn(bad));
        System.out.printf("degraded dev failed, staging untouched: %d s%n", seconds(t0));
    }

    @Test
    @Order(3)
    void autoRollbackCommitsDevsLastVerifiedFreightBackAndVerifiesIt() {
        long t0 = System.nanoTime();
        assertNotNull(bad, "needs the second test");
        prompt("auto-rollback of dev succeeded")
                .until(() -> "Succeeded".equals(EngineApi.state(autoRollback())));
        JsonNode rollback = autoRollback();
        assertEquals(good, rollback.path("freight").asText());

        // a new commit in dev's folder restores 1.0.0, byte for byte as dev had it when 1.0.0 was verified
        String rollbackCommit = h.repo.commitsSetting(DEV, "1.0.0").get(0);
        assertNotEquals(goodDevCommit, rollbackCommit, "a new commit, not the old one");
        assertEquals(rollback.path("commitSha").asText(), rollbackCommit);
        RevCommit commit = h.repo.log().stream().filter(c -> c.name().equals(rollbackCommit)).findFirst().orElseThrow();
        assertEquals("1.1.0", h.repo.newTagAt(commit.getParent(0).name(), DEV), "it undoes 1.1.0");
        assertEquals(h.repo.readAt(goodDevCommit, DEV + "/kustomization.yaml"), h.repo.read(DEV + "/kustomization.yaml"));
        assertEquals(List.of(rollback.path("id").asText()),
                commit.getFooterLines("Freightline-Promotion").stream().map(String::trim).toList());
        List<String> synced = h.argocd.syncedRevisions(DEV_APP);
        assertEquals(rollbackCommit, synced.get(synced.size() - 1), "Argo CD synced dev at the rollback commit");
        assertTrue(h.argocd.shown(DEV_APP, rollbackCommit, "Healthy") >= 1);

        // the engine: dev's current freight is the old one again, and verified
        JsonNode devStage = h.api.stage(PROJECT, "dev", viewer);
        assertEquals(Set.of(good), EngineApi.currentFreight(devStage), devStage.toString());
        assertTrue(EngineApi.verifiedFreight(devStage).contains(good), devStage.toString());
        assertEquals("Healthy", devStage.path("health").asText(), devStage.toString());
        JsonNode stagingStage = h.api.stage(PROJECT, "staging", viewer);
        assertEquals(Set.of(good), EngineApi.currentFreight(stagingStage), stagingStage.toString());
        assertStagingNeverGot("1.1.0");
        List<JsonNode> badInDev = promotions("dev").stream().filter(p -> bad.equals(p.path("freight").asText())).toList();
        assertEquals(1, badInDev.size(), "1.1.0 is not promoted to dev again: " + badInDev);
        assertEquals("Failed", EngineApi.state(badInDev.get(0)));
        System.out.printf("dev rolled back to its last verified freight: %d s%n", seconds(t0));
    }

    /** No commit ever set staging to the tag, no promotion took its freight there, Argo CD synced nothing new. */
    private static void assertStagingNeverGot(String tag) {
        assertEquals(List.of(), h.repo.commitsSetting(STAGING, tag));
        assertEquals("1.0.0", h.repo.newTag(STAGING));
        assertTrue(promotions("staging").stream().noneMatch(p -> p.path("freight").asText().equals(bad)),
                "no promotion of " + tag + " to staging: " + promotions("staging"));
        assertEquals(List.of(goodStagingCommit), h.argocd.syncedRevisions(STAGING_APP));
    }

    /** The id of the freight of {@code demo/app:tag}, pushing the tag (again) until the engine has minted it. */
    private static String freight(String tag) {
        String[] id = new String[1];
        await("freight of " + tag).atMost(PROMPT).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
            id[0] = freightId(tag);
            if (id[0] == null) {
                h.pushOnce(tag);
                id[0] = freightId(tag);
            }
            return id[0] != null;
        });
        return id[0];
    }

    private static String freightId(String tag) {
        for (JsonNode f : h.api.freight(PROJECT, viewer)) {
            for (JsonNode a : f.path("artifacts")) {
                if (tag.equals(a.path("tag").asText())) {
                    return f.path("id").asText();
                }
            }
        }
        return null;
    }

    private static JsonNode verifiedIn(String freight) {
        return h.api.get("/api/v1/projects/" + PROJECT + "/freight/" + freight, viewer).json().path("verifiedIn");
    }

    private static List<JsonNode> promotions(String stage) {
        return h.api.promotions(PROJECT, viewer).stream().filter(p -> stage.equals(p.path("stage").asText())).toList();
    }

    /** The newest promotion of a freight into a stage, or null. */
    private static JsonNode promotion(String stage, String freight) {
        return promotions(stage).stream().filter(p -> freight.equals(p.path("freight").asText())).findFirst().orElse(null);
    }

    private static JsonNode autoRollback() {
        return promotions("dev").stream().filter(p -> "auto-rollback".equals(p.path("kind").asText())).findFirst()
                .orElse(null);
    }

    private static String only(List<String> commits, String what) {
        assertEquals(1, commits.size(), what + ": " + commits);
        return commits.get(0);
    }

    private static long seconds(long t0) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    }
}
