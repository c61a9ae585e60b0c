package io.freightline.notifier;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventTypes;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.Topics;
import io.freightline.events.VerificationCheck;
import io.freightline.events.VerificationCompleted;
import io.freightline.events.VerificationCompleted.Outcome;
import io.freightline.notifier.sim.FakeArgoCd;
import io.freightline.notifier.sim.FakeArgoCdResource;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.freightline.testsupport.TestBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.freightline.notifier.Fixtures.PROJECT;
import static io.freightline.notifier.Fixtures.apps;
import static io.freightline.notifier.Fixtures.commit;
import static io.freightline.notifier.Fixtures.id;
import static io.freightline.notifier.Fixtures.sha;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notifier against the real (embedded) Kafka broker and a simulated Argo CD: commit events in, verification
 * events out, and the exact requests Argo CD received.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(FakeArgoCdResource.class)
class NotifierFlowTest {
    private static KafkaProbe probe;
    private static KafkaProbe.Recording verifications;
    private static KafkaProbe.Recording dlq;

    @BeforeAll
    static void startProbe() {
        probe = new KafkaProbe(TestBroker.bootstrapServers());
        verifications = probe.record(Topics.VERIFICATIONS);
        dlq = probe.record(Topics.dlq(Topics.COMMITS));
    }

    @AfterAll
    static void stopProbe() {
        probe.close();
    }

    @AfterEach
    void everyRequestFollowedTheSwaggerContract() {
        assertEquals(List.of(), argocd().violations());
    }

    private static FakeArgoCd argocd() {
        return FakeArgoCdResource.argocd();
    }

    private static VerificationCompleted awaitVerification(String promotionId) {
        return awaitVerification(promotionId, Duration.ofSeconds(45));
    }

    private static VerificationCompleted awaitVerification(String promotionId, Duration atMost) {
        await().atMost(atMost).until(() -> !verifications.events(VerificationCompleted.class,
                v -> v.promotionId().equals(promotionId)).isEmpty());
        return verifications.events(VerificationCompleted.class, v -> v.promotionId().equals(promotionId)).get(0);
    }

    private static void publish(PromotionCommitted c) {
        probe.publish(Topics.COMMITS, c.project(), c);
    }

    // ---- walking skeleton ----

    @Test
    void stageWithoutArgoCdIsVerifiedOnPush() {
        String pid = id("noargo");
        String sha = sha();
        publish(commit(pid, "dev", sha, null, null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome());
        assertEquals("none", v.verifier());
        assertEquals(sha, v.revision());
        assertEquals(PROJECT, v.project());
        assertEquals("dev", v.stage());
        ConsumerRecord<String, String> record = verifications.records().stream()
                .filter(r -> r.value().contains(pid)).findFirst().orElseThrow();
        assertEquals(PROJECT, record.key());
        assertEquals(EventTypes.VERIFICATION_COMPLETED, KafkaProbe.Recording.header(record, CloudEventHeaders.TYPE));
        assertEquals("/freightline/argocd-notifier", KafkaProbe.Recording.header(record, CloudEventHeaders.SOURCE));
    }

    @Test
    void replaysAndUnverifiableOutcomesPublishNothingMore() {
        String pid = id("replay");
        String failed = id("failed");
        String pr = id("pr");
        String marker = id("marker");
        PromotionCommitted c = commit(pid, "dev", sha(), null, null);
        publish(c);
        publish(c);
        publish(commit(failed, "dev", null, PromotionCommitted.Outcome.FAILED, null, null));
        publish(commit(pr, "dev", sha(), PromotionCommitted.Outcome.PR_OPENED, null, null));
        publish(commit(marker, "qa", sha(), null, null));

        // Same key, same partition, processed in order: once the marker is verified the others were handled.
        awaitVerification(marker);
        assertEquals(1, verifications.events(VerificationCompleted.class, v -> v.promotionId().equals(pid)).size());
        assertTrue(verifications.events(VerificationCompleted.class,
                v -> v.promotionId().equals(failed) || v.promotionId().equals(pr)).isEmpty());
    }

    @Test
    void invalidCommitEventGoesToTheDeadLetterQueueWithTheReason() {
        String marker = id("after-poison");
        probe.publishRaw(Topics.COMMITS, PROJECT, EventTypes.PROMOTION_COMMITTED, "{\"promotionId\": 42");
        probe.publishRaw(Topics.COMMITS, PROJECT, EventTypes.PROMOTION_COMMITTED, "{\"project\":\"shop\"}");
        publish(commit(marker, "dev", sha(), null, null));

        await().atMost(Duration.ofSeconds(30)).until(() -> dlq.records().size() >= 2);
        List<String> reasons = dlq.records().stream()
                .map(r -> KafkaProbe.Recording.header(r, CloudEventHeaders.DLQ_REASON)).toList();
        assertTrue(reasons.stream().anyMatch(r -> r != null && r.contains("malformed JSON")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r != null && r.contains("promotionId")), reasons.toString());
        // the partition keeps flowing
        assertEquals(Outcome.VERIFIED, awaitVerification(marker).outcome());
    }

    @Test
    void verifiedOnlyAfterTheAppIsSyncedAndHealthyAtTheRevision() {
        String app = "happy-" + id("a");
        argocd().app(app);
        String pid = id("happy");
        String sha = sha();
        publish(commit(pid, "staging", sha, apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals("argocd", v.verifier());
        assertEquals(sha, v.revision());
        VerificationCompleted.AppStatus status = v.apps().get(0);
        assertEquals(app, status.name());
        assertEquals("Synced", status.syncStatus());
        assertEquals("Healthy", status.healthStatus());
        assertEquals(sha, status.revision());
        assertEquals("Succeeded", status.operationPhase());
        // the app walked the whole sequence: it was Progressing before, so VERIFIED came only after Healthy
        assertEquals(argocd().get(app).script.size(), argocd().get(app).stepsWalked());

        List<FakeArgoCd.Recorded> syncs = argocd().requests("POST", "/api/v1/applications/" + app + "/sync");
        assertEquals(1, syncs.size());
        var body = io.freightline.events.EventCodec.parse(syncs.get(0).body());
        assertEquals(sha, body.path("revision").asText());
        assertEquals(app, body.path("name").asText());
        assertEquals("argocd", body.path("appNamespace").asText());
        assertEquals(pid, body.path("infos").path(0).path("value").asText());
        assertEquals("Bearer " + FakeArgoCd.TOKEN, syncs.get(0).authorization());
        List<FakeArgoCd.Recorded> gets = argocd().requests("GET", "/api/v1/applications/" + app);
        assertEquals(List.of("normal"), gets.get(0).query().get("refresh"), "refreshes first");
        assertEquals(List.of("argocd"), gets.get(0).query().get("appNamespace"));
        assertTrue(gets.get(0).atNanos() < syncs.get(0).atNanos());
    }

    @Test
    void degradedAppFailsWithArgoCdsMessage() {
        String app = "degraded-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.script = a.degraded("Deployment \"web\" exceeded its progress deadline");
        String pid = id("degraded");
        publish(commit(pid, "dev", sha(), apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.FAILED, v.outcome());
        assertTrue(v.message().contains("Degraded") && v.message().contains("exceeded its progress deadline"),
                v.message());
        assertEquals("Degraded", v.apps().get(0).healthStatus());
    }

    @Test
    void failedSyncOperationFailsWithItsMessage() {
        String app = "syncfail-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.script = a.syncFails("one or more objects failed to apply, reason: Deployment.apps \"web\" is invalid");
        String pid = id("syncfail");
        publish(commit(pid, "dev", sha(), apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.FAILED, v.outcome());
        assertTrue(v.message().contains("sync Failed") && v.message().contains("is invalid"), v.message());
    }

    @Test
    void someoneElsesOperationIsWaitedForNotOverridden() {
        String app = "busy-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.foreignOperationGets = 4;
        String pid = id("busy");
        String sha = sha();
        publish(commit(pid, "dev", sha, apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals(0, a.syncPostsDuringForeignOperation, "never asked to sync over alice's running operation");
        assertEquals(1, a.syncBodies.size());
    }

    @Test
    void syncRefusedWhileArgoCdAlreadyReportsCanSyncIsTriedAgainAtTheNextPoll() {
        // the window closed between Argo CD refusing the sync and the notifier reading the app's windows
        String app = "window-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.windowRefusals = 2;
        String pid = id("window");
        publish(commit(pid, "prod", sha(), apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals(3, a.syncBodies.size(), "two refusals, then accepted");
        assertEquals(2, argocd().requests("GET", "/api/v1/applications/" + app + "/syncwindows").size(),
                "the windows were read after each refusal");
    }

    @Test
    void syncBlockedByADenyWindowWaitsForCanSyncAndSyncsOnceTheWindowCloses() {
        String app = "deny-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        FakeArgoCd.Window deny = new FakeArgoCd.Window("deny", "0 22 * * *", "1h", false, true);
        a.windows.add(deny);
        String pid = id("deny");
        String sha = sha();
        publish(commit(pid, "prod", sha, apps(null, null, app), null));

        String windowsPath = "/api/v1/applications/" + app + "/syncwindows";
        await().atMost(Duration.ofSeconds(30)).until(() -> argocd().requests("GET", windowsPath).size() >= 3);
        assertEquals(1, a.syncBodies.size(), "while canSync is false the sync is not asked for again");
        assertTrue(verifications.events(VerificationCompleted.class, v -> v.promotionId().equals(pid)).isEmpty());

        a.windows.set(0, new FakeArgoCd.Window("deny", "0 22 * * *", "1h", false, false));
        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals(2, a.syncBodies.size(), "refused once, then accepted once canSync was true");
        assertEquals(sha, a.syncBodies.get(1).path("revision").asText());
        FakeArgoCd.Recorded firstRead = argocd().requests("GET", windowsPath).get(0);
        assertEquals(List.of("argocd"), firstRead.query().get("appNamespace"));
        assertEquals(List.of("default"), firstRead.query().get("project"));
        assertEquals("Bearer " + FakeArgoCd.TOKEN, firstRead.authorization());
        assertTrue(argocd().requests("POST", "/api/v1/applications/" + app + "/sync").get(0).atNanos()
                < firstRead.atNanos(), "the windows are read because a sync was refused");
    }

    @Test
    void syncWindowThatStaysClosedIsNamedInTheTimeoutMessage() {
        String app = "closed-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.windows.add(new FakeArgoCd.Window("allow", "0 6 * * 1-5", "10h", false, false));
        String pid = id("closed");
        publish(commit(pid, "prod", sha(), apps(null, 3L, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.TIMED_OUT, v.outcome());
        String window = "blocked by sync window allow \"0 6 * * 1-5\" for 10h (allow window not open now)";
        assertTrue(v.message().contains(window), v.message());
        assertTrue(v.apps().get(0).message().contains(window), v.apps().get(0).message());
        assertEquals(1, a.syncBodies.size(), "no blind retries: canSync never turned true");
    }

    @Test
    void unreadableSyncWindowsFallBackToRetryingTheSyncAtTheWindowRetryInterval() {
        String app = "blindretry-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.windowRefusals = 1;
        a.windowReadFailures = 3; // the call and its two quick retries
        String pid = id("blindretry");
        publish(commit(pid, "prod", sha(), apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        List<FakeArgoCd.Recorded> syncs = argocd().requests("POST", "/api/v1/applications/" + app + "/sync");
        assertEquals(2, syncs.size());
        // %test sync-window-retry is 1 s, the poll interval 150 ms: the second sync waited for the retry interval
        assertTrue(syncs.get(1).atNanos() - syncs.get(0).atNanos() >= Duration.ofMillis(900).toNanos());
    }

    @Test
    void wrongTokenIsATerminalErrorWithAClearMessage() {
        String app = "auth-" + id("a");
        argocd().app(app);
        String pid = id("auth");
        publish(commit(pid, "dev", sha(), apps("badtoken", null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.ERROR, v.outcome());
        assertTrue(v.message().contains("401") && v.message().contains("token"), v.message());
        assertTrue(argocd().get(app).syncBodies.isEmpty());
        assertFalse(v.message().contains("expired-token"), "never leaks the token");
    }

    @Test
    void sessionLoginServerAndServerErrorBursts() {
        String app = "flaky-" + id("a");
        argocd().app(app).failures = 5;
        String pid = id("flaky");
        publish(commit(pid, "dev", sha(), apps("session", null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals(0, argocd().get(app).failures, "all five 503s were served and retried");
        List<FakeArgoCd.Recorded> syncs = argocd().requests("POST", "/api/v1/applications/" + app + "/sync");
        assertFalse(syncs.isEmpty());
        assertTrue(syncs.stream().allMatch(r -> ("Bearer " + FakeArgoCd.SESSION_TOKEN).equals(r.authorization())));
        assertFalse(argocd().requests("POST", "/api/v1/session").isEmpty());
    }

    @Test
    void serverThatNeverAnswersEndsInErrorAtTheStageTimeout() {
        String app = "blackhole-" + id("a");
        argocd().app(app).blackHole = true;
        String pid = id("blackhole");
        publish(commit(pid, "dev", sha(), apps(null, 4L, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.ERROR, v.outcome());
        assertTrue(v.message().contains("unusable"), v.message());
    }

    @Test
    void unknownApplicationIsAnError() {
        String pid = id("missing");
        publish(commit(pid, "dev", sha(), apps(null, null, "no-such-app"), null));
        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.ERROR, v.outcome());
        assertTrue(v.message().contains("404") && v.message().contains("not found"), v.message());
    }

    @Test
    void labelSelectorResolvesEveryMatchingApplication() {
        String stage = "sel-" + id("s");
        FakeArgoCd.App one = argocd().app(stage + "-web");
        FakeArgoCd.App two = argocd().app(stage + "-worker");
        argocd().app(stage + "-other");
        one.labels.put("freightline.io/stage", stage);
        two.labels.put("freightline.io/stage", stage);
        String pid = id("sel");
        publish(commit(pid, "dev", sha(), new ArgoCDTarget(null, null, "freightline.io/stage=" + stage, null, true),
                null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals(2, v.apps().size());
        assertEquals(1, one.syncBodies.size());
        assertEquals(1, two.syncBodies.size());
        assertTrue(argocd().get(stage + "-other").syncBodies.isEmpty());
        assertEquals(List.of("freightline.io/stage=" + stage),
                argocd().requests("GET", "/api/v1/applications").stream()
                        .filter(r -> r.query().getOrDefault("selector", List.of()).contains("freightline.io/stage=" + stage))
                        .findFirst().orElseThrow().query().get("selector"));
        assertTrue(argocd().requests("GET", "/api/v1/applications/" + stage + "-web").get(0).query()
                .get("refresh").contains("hard"));
    }

    @Test
    void multiSourceAppSyncsTheSourceOfThePromotedRepo() {
        String app = "multi-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.sources = List.of("https://charts.example.com/helm", Fixtures.REPO.replace(".git", ""));
        String pid = id("multi");
        String sha = sha();
        publish(commit(pid, "dev", sha, apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        var body = a.syncBodies.get(0);
        assertEquals(sha, body.path("revisions").path(0).asText());
        assertEquals("2", body.path("sourcePositions").path(0).asText());
        assertNull(body.get("revision"));
        assertEquals(sha, v.apps().get(0).revision());
    }

    // ---- argocd-update source updates (Kargo's apps[].sources) ----

    @Test
    void argocdUpdateSetsTheSourceFromTheStepOutputsAndWaitsAtTheDesiredRevision() {
        String app = "update-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        String pid = id("update");
        String sha = sha();
        String repo = "https://github.com/foo/manifests-velero.git"; // the example Application's source
        var source = new ArgoCDTarget.SourceUpdate(repo, null, "${{ outputs.commit.commit }}", true,
                new ArgoCDTarget.Kustomize(List.of(new ArgoCDTarget.KustomizeImage("reg.test/shop/web", "1.4.2", null, null))), null);
        ArgoCDTarget target = new ArgoCDTarget(null, List.of(new ArgoCDTarget.App(app, "argocd", "default", null, List.of(source))),
                null, null, null, "sync");
        publish(Fixtures.withSteps(commit(pid, "dev", sha, target, null), List.of(
                new io.freightline.events.StepResult("git-commit", "commit", "Succeeded", null, 5, java.util.Map.of("commit", sha)))));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        List<FakeArgoCd.Recorded> patches = argocd().requests("PATCH", "/api/v1/applications/" + app);
        assertEquals(1, patches.size());
        var body = io.freightline.events.EventCodec.parse(patches.get(0).body());
        assertEquals("merge", body.path("patchType").asText());
        assertEquals("argocd", body.path("appNamespace").asText());
        var patch = io.freightline.events.EventCodec.parse(body.path("patch").asText());
        assertEquals(sha, patch.path("spec").path("source").path("targetRevision").asText());
        assertEquals("reg.test/shop/web:1.4.2", patch.path("spec").path("source").path("kustomize").path("images").path(0).asText());
        assertEquals("instances/test", patch.path("spec").path("source").path("path").asText(), "the rest of the source is kept");
        List<FakeArgoCd.Recorded> syncs = argocd().requests("POST", "/api/v1/applications/" + app + "/sync");
        assertTrue(patches.get(0).atNanos() < syncs.get(0).atNanos(), "updated before the sync");
        assertEquals(sha, a.syncBodies.get(0).path("revision").asText());

        assertEquals(1, v.steps().size());
        io.freightline.events.StepResult step = v.steps().get(0);
        assertEquals("argocd-update", step.uses());
        assertEquals("sync", step.as());
        assertEquals("Succeeded", step.status());
        assertEquals(List.of(java.util.Map.of("name", app, "namespace", "argocd")), step.outputs().get("apps"));
    }

    // ---- kargo.akuity.io/authorized-stage ----

    @Test
    void argocdUpdateRefusesAnAppWithoutTheAuthorizedStageAnnotation() {
        String app = "noauth-" + id("a");
        argocd().app(app).authorizedStage = null;
        String pid = id("noauth");
        publish(commit(pid, "dev", sha(), apps(null, null, app), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.ERROR, v.outcome());
        assertEquals("Argo CD application argocd/" + app + " does not permit updates by stage shop:dev: it has no "
                + "annotation kargo.akuity.io/authorized-stage; annotate it kargo.akuity.io/authorized-stage: \"shop:dev\"",
                v.message());
        assertTrue(argocd().requests("POST", "/api/v1/applications/" + app + "/sync").isEmpty(), "not synced");
        assertEquals("Errored", v.steps().get(0).status());
    }

    @Test
    void argocdUpdateRefusesToPatchAnAppAuthorizedForAnotherStage() {
        String app = "otherauth-" + id("a");
        argocd().app(app).authorizedStage = "shop:prod";
        String pid = id("otherauth");
        var source = new ArgoCDTarget.SourceUpdate("https://github.com/foo/manifests-velero.git", null, "${{ outputs.commit.commit }}",
                true, null, null);
        ArgoCDTarget target = new ArgoCDTarget(null, List.of(new ArgoCDTarget.App(app, "argocd", "default", null, List.of(source))),
                null, null, null, "sync");
        String sha = sha();
        publish(Fixtures.withSteps(commit(pid, "dev", sha, target, null), List.of(
                new io.freightline.events.StepResult("git-commit", "commit", "Succeeded", null, 5, java.util.Map.of("commit", sha)))));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.ERROR, v.outcome());
        assertTrue(v.message().contains("its annotation kargo.akuity.io/authorized-stage is \"shop:prod\"; add \"shop:dev\" to it"),
                v.message());
        assertTrue(argocd().requests("PATCH", "/api/v1/applications/" + app).isEmpty(), "not patched");
        assertTrue(argocd().requests("POST", "/api/v1/applications/" + app + "/sync").isEmpty(), "not synced");
    }

    @Test
    void argocdWaitNeedsNoAuthorizedStageAnnotation() {
        String app = "waitnoauth-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.authorizedStage = null;
        a.syncStatus = "Synced";
        String pid = id("waitnoauth");
        publish(Fixtures.withSteps(commit(pid, "dev", sha(), null, null), List.of(waitStep("wait", java.util.Map.of("name", app)))));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
    }

    // ---- argocd-wait (handed on by the git-writer as a Skipped result with outputs.config) ----

    private static io.freightline.events.StepResult waitStep(String alias, Object... apps) {
        return new io.freightline.events.StepResult("argocd-wait", alias, "Skipped", "carried out by the argocd-notifier",
                0, java.util.Map.of("config", java.util.Map.of("apps", List.of(apps))));
    }

    @Test
    void argocdWaitRunsAfterArgocdUpdateByNameAndBySelectorAndReportsItsStep() {
        String app = "waitupd-" + id("a");
        argocd().app(app);
        String other = "waitsel-" + id("a");
        FakeArgoCd.App o = argocd().app(other);
        o.labels.put("wait-group", other);
        o.syncStatus = "Synced";
        String pid = id("waitupd");
        ArgoCDTarget target = new ArgoCDTarget(null, List.of(new ArgoCDTarget.App(app, "argocd", "default", null)),
                null, null, null, "sync");
        publish(Fixtures.withSteps(commit(pid, "dev", sha(), target, null), List.of(
                new io.freightline.events.StepResult("git-push", "push", "Succeeded", null, 5),
                waitStep("wait", java.util.Map.of("name", app),
                        java.util.Map.of("selector", java.util.Map.of("matchLabels", java.util.Map.of("wait-group", other)),
                                "waitFor", List.of("health", "sync"))))));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals(List.of("sync:argocd-update:Succeeded", "wait:argocd-wait:Succeeded"),
                v.steps().stream().map(s -> s.as() + ":" + s.uses() + ":" + s.status()).toList());
        assertEquals(List.of(java.util.Map.of("name", app, "namespace", "argocd"),
                java.util.Map.of("name", other, "namespace", "argocd")), v.steps().get(1).outputs().get("apps"));
        assertTrue(argocd().requests("POST", "/api/v1/applications/" + other + "/sync").isEmpty(),
                "argocd-wait never syncs");
        assertEquals(List.of(app, other), v.apps().stream().map(VerificationCompleted.AppStatus::name).toList(),
                "one status per app");
        List<FakeArgoCd.Recorded> lists = argocd().requests("GET", "/api/v1/applications").stream()
                .filter(r -> r.query().containsKey("selector")).toList();
        assertTrue(lists.stream().anyMatch(r -> r.query().get("selector").get(0).equals("wait-group=" + other)),
                lists.toString());
    }

    @Test
    void argocdWaitAloneWaitsForAnAppSyncedBySomeoneElse() {
        String app = "waitauto-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.health = "Progressing";
        a.opPhase = "Running";
        String pid = id("waitauto");
        publish(Fixtures.withSteps(commit(pid, "dev", sha(), null, null), List.of(waitStep("wait", java.util.Map.of("name", app)))));

        // still waiting while the operation runs (auto-sync): publish nothing yet
        await().atMost(Duration.ofSeconds(30)).until(() -> argocd().requests("GET", "/api/v1/applications/" + app).size() >= 3);
        assertTrue(verifications.events(VerificationCompleted.class, v -> v.promotionId().equals(pid)).isEmpty());
        a.opPhase = "Succeeded";
        a.syncStatus = "Synced";
        a.health = "Healthy";

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        assertEquals("argocd", v.verifier());
        assertTrue(v.message().contains(app), v.message());
        assertEquals(1, v.steps().size());
        assertEquals("Succeeded", v.steps().get(0).status());
        assertTrue(argocd().requests("POST", "/api/v1/applications/" + app + "/sync").isEmpty(), "argocd-wait never syncs");
        assertTrue(argocd().requests("PATCH", "/api/v1/applications/" + app).isEmpty());
    }

    @Test
    void argocdWaitErrorsWhenHealthRegressesToDegraded() {
        String app = "waitdeg-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        a.health = "Healthy"; // OutOfSync: not ready yet
        String pid = id("waitdeg");
        publish(Fixtures.withSteps(commit(pid, "dev", sha(), null, null), List.of(waitStep("wait", java.util.Map.of("name", app)),
                waitStep("after", java.util.Map.of("name", app)))));

        await().atMost(Duration.ofSeconds(30)).until(() -> !argocd().requests("GET", "/api/v1/applications/" + app).isEmpty());
        a.health = "Degraded";
        a.healthMessage = "Deployment \"web\" exceeded its progress deadline";

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.FAILED, v.outcome(), v.message());
        assertTrue(v.message().startsWith("argocd-wait step 'wait': argocd/" + app + ": health regressed from Healthy to Degraded"),
                v.message());
        assertEquals(List.of("wait:Errored", "after:Skipped"), v.steps().stream().map(s -> s.as() + ":" + s.status()).toList());
    }

    @Test
    void invalidArgocdWaitConfigIsAnErrorBeforeAnyArgoCdCall() {
        String app = "waitbad-" + id("a");
        argocd().app(app);
        String pid = id("waitbad");
        publish(Fixtures.withSteps(commit(pid, "dev", sha(), apps(null, null, app), null), List.of(waitStep("wait",
                java.util.Map.of("name", app, "waitFor", List.of("healthy"))))));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.ERROR, v.outcome());
        assertTrue(v.message().startsWith("argocd-wait step 'wait': config.apps[0].waitFor: 'healthy' is not one of"), v.message());
        assertTrue(argocd().requests().stream().noneMatch(r -> r.path().contains(app)), "nothing synced or patched");
    }

    @Test
    void argocdUpdateOfAChartSourceInAMultiSourceApp() {
        String app = "chart-" + id("a");
        FakeArgoCd.App a = argocd().app(app);
        String charts = "https://charts.example.com";
        a.sources = List.of(Fixtures.REPO, charts);
        a.charts.put(charts, "web");
        String pid = id("chart");
        var source = new ArgoCDTarget.SourceUpdate(charts, "web", "2.0.0", true, null,
                new ArgoCDTarget.Helm(List.of(new ArgoCDTarget.HelmImage("image.tag", "1.4.2"))));
        publish(commit(pid, "dev", sha(), new ArgoCDTarget(null,
                List.of(new ArgoCDTarget.App(app, "argocd", "default", null, List.of(source))), null, null, null), null));

        VerificationCompleted v = awaitVerification(pid);
        assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
        var patch = io.freightline.events.EventCodec.parse(io.freightline.events.EventCodec.parse(
                argocd().requests("PATCH", "/api/v1/applications/" + app).get(0).body()).path("patch").asText());
        var sources = patch.path("spec").path("sources");
        assertEquals(2, sources.size(), "a merge patch carries the whole list");
        assertEquals(Fixtures.REPO, sources.path(0).path("repoURL").asText());
        assertEquals("test-lla", sources.path(0).path("targetRevision").asText(), "the other source is unchanged");
        assertEquals("2.0.0", sources.path(1).path("targetRevision").asText());
        assertEquals("image.tag", sources.path(1).path("helm").path("parameters").path(0).path("name").asText());
        assertEquals("1.4.2", sources.path(1).path("helm").path("parameters").path(0).path("value").asText());
        assertEquals("2.0.0", a.syncBodies.get(0).path("revisions").path(0).asText());
        assertEquals("2", a.syncBodies.get(0).path("sourcePositions").path(0).asText());
        assertEquals("2.0.0", v.apps().get(0).revision());
        assertEquals("argocd-update", v.steps().get(0).as(), "no alias in the template: the step's name");

        // a source the app does not have: an error naming it, and nothing is patched or synced
        String bad = id("nochart");
        String other = "nochart-" + id("a");
        argocd().app(other);
        publish(commit(bad, "qa", sha(), new ArgoCDTarget(null, List.of(new ArgoCDTarget.App(other, "argocd", "default", null,
                List.of(new ArgoCDTarget.SourceUpdate(charts, "nosuch", "1.0.0", true, null, null)))), null, null, null, "sync"), null));
        VerificationCompleted e = awaitVerification(bad);
        assertEquals(Outcome.ERROR, e.outcome());
        assertTrue(e.message().contains("has no source with repoURL " + charts + " and chart nosuch"), e.message());
        assertEquals("Errored", e.steps().get(0).status());
        assertTrue(argocd().requests("PATCH", "/api/v1/applications/" + other).isEmpty());
        assertTrue(argocd().requests("POST", "/api/v1/applications/" + other + "/sync").isEmpty());
    }

    @Test
    void replayWhileInFlightJoinsTheSameVerification() {
        String app = "dup-" + id("a");
        argocd().app(app);
        String pid = id("dup");
        PromotionCommitted c = commit(pid, "dev", sha(), apps(null, null, app), null);
        publish(c);
        publish(c);
        String marker = id("dup-marker");
        String markerApp = "dup-marker-" + id("a");
        argocd().app(markerApp);
        publish(commit(marker, "qa", sha(), apps(null, null, markerApp), null));

        awaitVerification(pid);
        awaitVerification(marker);
        assertEquals(1, verifications.events(VerificationCompleted.class, v -> v.promotionId().equals(pid)).size());
        assertEquals(1, argocd().get(app).syncBodies.size());
    }

    @Test
    void metricsAndReadiness() {
        String app = "metrics-" + id("a");
        argocd().app(app);
        String pid = id("metrics");
        publish(commit(pid, "metrics", sha(), apps(null, null, app), null));
        awaitVerification(pid);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("freightline_verifications_total{outcome=\"VERIFIED\",project=\"shop\",stage=\"metrics\"}"))
                .body(containsString("freightline_argocd_time_to_synced_seconds_count{project=\"shop\",stage=\"metrics\"}"))
                .body(containsString("freightline_argocd_time_to_healthy_seconds_count{project=\"shop\",stage=\"metrics\"}"))
                .body(containsString("freightline_argocd_request_duration_seconds_count{operation=\"sync\",outcome=\"success\",server=\"default\"}")));
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"))
                .body(containsString("argocd"));
    }

    // ---- checks after healthy ----

    @Test
    void httpAndPrometheusChecksGateTheVerification() throws Exception {
        try (CheckServers servers = new CheckServers()) {
            servers.prometheusAnswers("sum(rate(http_requests_total{code=~\"5..\"}[1m]))", "0.01");
            String app = "checked-" + id("a");
            argocd().app(app);
            String pid = id("checked");
            List<VerificationCheck> checks = List.of(
                    new VerificationCheck("smoke", "http", java.util.Map.of("url", servers.healthUrl(),
                            "headers", java.util.Map.of("X-Probe", "freightline"), "expectedStatus", 200,
                            "condition", "$.status == \"UP\"", "intervalSeconds", 0.2, "timeoutSeconds", 10)),
                    new VerificationCheck("error-rate", "prometheus", java.util.Map.of("address", servers.prometheusUrl(),
                            "query", "sum(rate(http_requests_total{code=~\"5..\"}[1m]))", "operator", "<",
                            "threshold", 0.05, "evaluations", 3, "windowSeconds", 0.4)));
            publish(commit(pid, "dev", sha(), apps(null, null, app), checks));

            VerificationCompleted v = awaitVerification(pid);
            assertEquals(Outcome.VERIFIED, v.outcome(), v.message());
            assertEquals(List.of("PASSED", "PASSED"), v.checks().stream().map(VerificationCompleted.CheckResult::outcome).toList());
            assertTrue(servers.healthCalls() >= 3, "the http check polled until UP");
            assertEquals("freightline", servers.lastProbeHeader());
            assertEquals(3, servers.prometheusQueries());
        }
    }

    @Test
    void failingPrometheusCheckFailsTheVerificationWithItsResult() throws Exception {
        try (CheckServers servers = new CheckServers()) {
            servers.prometheusAnswers("error_ratio", "0.30");
            String app = "badcheck-" + id("a");
            argocd().app(app);
            String pid = id("badcheck");
            List<VerificationCheck> checks = List.of(new VerificationCheck("error-rate", "prometheus",
                    java.util.Map.of("address", servers.prometheusUrl(), "query", "error_ratio", "operator", "<",
                            "threshold", 0.05, "evaluations", 2, "windowSeconds", 0.2)));
            publish(commit(pid, "dev", sha(), apps(null, null, app), checks));

            VerificationCompleted v = awaitVerification(pid);
            assertEquals(Outcome.FAILED, v.outcome());
            VerificationCompleted.CheckResult r = v.checks().get(0);
            assertEquals("FAILED", r.outcome());
            assertEquals("prometheus", r.kind());
            assertTrue(r.message().contains("0.3"), r.message());
            assertTrue(v.message().contains("error-rate"), v.message());
        }
    }
}
