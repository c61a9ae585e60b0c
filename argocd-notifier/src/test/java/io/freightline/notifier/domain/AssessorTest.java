package io.freightline.notifier.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freightline.testsupport.Contracts;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "Done" exactly as argocd app wait means it, on the real Application JSON from the contracts. */
class AssessorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA = "ea8759964626a583667a2bfd08f334ec2070040a";
    private static final String NEW = "0123456789abcdef0123456789abcdef01234567";

    private static ObjectNode example() throws Exception {
        return (ObjectNode) JSON.readTree(Contracts.read("argocd/application-example.json"));
    }

    private static ObjectNode status(ObjectNode app) {
        return (ObjectNode) app.path("status");
    }

    private static Assessment assess(ObjectNode app, String rev, boolean requested) {
        return Assessor.assess(AppSnapshot.from(app), rev, -1, "p1", requested);
    }

    @Test
    void exampleAsStoredIsNotDoneBecauseSyncRevisionIsRev1() throws Exception {
        // the fixture's status.sync.revision is "rev1" while the operation ran ea87599…: not Synced at the commit
        Assessment a = assess(example(), SHA, true);
        assertInstanceOf(Assessment.Wait.class, a);
        assertTrue(a.reason().contains("rev1"), a.reason());
    }

    @Test
    void doneWhenOperationSucceededSyncedAndHealthyAtTheRevision() throws Exception {
        ObjectNode app = example();
        ((ObjectNode) status(app).path("sync")).put("revision", SHA);
        assertInstanceOf(Assessment.Done.class, assess(app, SHA, false));
        assertInstanceOf(Assessment.Done.class, assess(app, SHA.substring(0, 7), false), "abbreviated SHA");
    }

    @Test
    void anotherRevisionNeedsASync() throws Exception {
        ObjectNode app = example();
        ((ObjectNode) status(app).path("sync")).put("revision", NEW).put("status", "OutOfSync");
        assertInstanceOf(Assessment.NeedsSync.class, assess(app, NEW, false));
        assertInstanceOf(Assessment.Wait.class, assess(app, NEW, true), "after our request: wait for it");
    }

    @Test
    void progressingAndSuspendedWaitDegradedAndMissingFail() throws Exception {
        for (String health : new String[]{"Progressing", "Suspended", "Unknown"}) {
            ObjectNode app = example();
            ((ObjectNode) status(app).path("sync")).put("revision", SHA);
            ((ObjectNode) status(app).path("health")).put("status", health);
            assertInstanceOf(Assessment.Wait.class, assess(app, SHA, true), health);
        }
        for (String health : new String[]{"Degraded", "Missing"}) {
            ObjectNode app = example();
            ((ObjectNode) status(app).path("sync")).put("revision", SHA);
            ((ObjectNode) status(app).path("health")).put("status", health).put("message", "Back-off pulling image");
            Assessment a = assess(app, SHA, true);
            assertInstanceOf(Assessment.Failed.class, a, health);
            assertTrue(a.reason().contains(health) && a.reason().contains("Back-off pulling image"));
        }
    }

    @Test
    void degradedWithoutAnAppMessageTakesTheControllersWordsFromTheResource() throws Exception {
        // Argo CD 3 leaves status.health.message empty; the Deployment's health carries the message
        ObjectNode app = example();
        ((ObjectNode) status(app).path("sync")).put("revision", SHA);
        ((ObjectNode) status(app).path("health")).put("status", "Degraded");
        ((ObjectNode) status(app).path("resources").path(1)).putObject("health").put("status", "Degraded")
                .put("message", "Deployment \"test-lla\" exceeded its progress deadline");
        Assessment a = assess(app, SHA, true);
        assertInstanceOf(Assessment.Failed.class, a);
        assertEquals("health Degraded: Deployment test-lla: Deployment \"test-lla\" exceeded its progress deadline",
                a.reason());
    }

    @Test
    void degradedBeforeOurRevisionRanIsNotOurFailure() throws Exception {
        ObjectNode app = example();
        ((ObjectNode) status(app).path("health")).put("status", "Degraded");
        assertInstanceOf(Assessment.NeedsSync.class, assess(app, NEW, false));
    }

    @Test
    void pendingOrRunningOperationOfSomeoneElseIsWaitedFor() throws Exception {
        ObjectNode app = example();
        app.set("operation", status(app).path("operationState").path("operation").deepCopy());
        Assessment a = assess(app, NEW, false);
        assertInstanceOf(Assessment.OtherOperation.class, a);
        assertTrue(a.reason().contains("foo@example.com"), a.reason());

        ObjectNode running = example();
        ((ObjectNode) status(running).path("operationState")).put("phase", "Running");
        assertInstanceOf(Assessment.OtherOperation.class, assess(running, NEW, false));
    }

    @Test
    void ourOwnOperationIsRecognizedByItsInfoAfterARestart() throws Exception {
        ObjectNode app = example();
        ObjectNode op = (ObjectNode) status(app).path("operationState").path("operation");
        op.putArray("info").addObject().put("name", Assessor.INFO_PROMOTION).put("value", "p1");
        ((ObjectNode) op.path("sync")).put("revision", NEW);
        ((ObjectNode) status(app).path("operationState")).put("phase", "Running");
        assertInstanceOf(Assessment.Wait.class, assess(app, NEW, false));
        ((ObjectNode) status(app).path("operationState")).put("phase", "Failed").put("message", "hook failed");
        ((ObjectNode) status(app).path("operationState").path("syncResult")).put("revision", NEW);
        Assessment a = assess(app, NEW, false);
        assertInstanceOf(Assessment.Failed.class, a);
        assertTrue(a.reason().contains("hook failed"));
    }

    @Test
    void operationSucceededButStillOutOfSyncWaits() throws Exception {
        ObjectNode app = example();
        ((ObjectNode) status(app).path("sync")).put("revision", SHA).put("status", "OutOfSync");
        assertInstanceOf(Assessment.Wait.class, assess(app, SHA, true));
    }

    @Test
    void neverSyncedAppNeedsASync() throws Exception {
        ObjectNode app = example();
        status(app).remove("operationState");
        assertInstanceOf(Assessment.NeedsSync.class, assess(app, NEW, false));
    }

    @Test
    void multiSourceUsesTheSourceOfTheRepo() throws Exception {
        ObjectNode app = example();
        ObjectNode spec = (ObjectNode) app.path("spec");
        var source = spec.remove("source");
        var sources = spec.putArray("sources");
        sources.add(((ObjectNode) source.deepCopy()).put("repoURL", "https://charts.example.com"));
        sources.add(((ObjectNode) source.deepCopy()).put("repoURL", "git@github.com:foo/gitops.git"));
        AppSnapshot s = AppSnapshot.from(app);
        assertEquals(1, Assessor.sourceIndex(s, null, "https://github.com/foo/gitops").getAsInt());
        assertEquals(0, Assessor.sourceIndex(s, 0, "whatever").getAsInt());
        assertTrue(Assessor.sourceIndex(s, null, "https://github.com/other/repo").isEmpty());
        ObjectNode sync = (ObjectNode) status(app).path("sync");
        sync.putArray("revisions").add("1.2.3").add(NEW);
        ObjectNode result = (ObjectNode) status(app).path("operationState").path("syncResult");
        result.putArray("revisions").add("1.2.3").add(NEW);
        assertInstanceOf(Assessment.Done.class, Assessor.assess(AppSnapshot.from(app), NEW, 1, "p1", true));
    }
}
