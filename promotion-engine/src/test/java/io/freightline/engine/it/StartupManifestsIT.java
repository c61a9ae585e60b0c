package io.freightline.engine.it;

import io.freightline.engine.it.EngineScaleIT.Engine;
import io.freightline.events.PromotionRequested;
import io.freightline.testsupport.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up manifests folder is applied by intent: an engine started with folder A, then B, then A again (each
 * stopped with SIGTERM) ends with A's pipeline, although A was applied before. A's dev stage has an Argo CD step,
 * B's has none; the promotions issued after each start show which one is in force. Each SIGTERM leaves the
 * consumer group at once.
 */
class StartupManifestsIT {
    static final Duration LONG = Duration.ofSeconds(120);
    static Harness h;
    static Engine engine;
    static final String P = "startup";

    @BeforeAll
    static void start() {
        h = new Harness();
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null && engine.process().isAlive()) engine.kill();
        if (h != null) h.close();
    }

    @Test
    void aThenBThenAEndsWithA() throws Exception {
        Path a = folder("a", true), b = folder("b", false);
        run(a, "1.0.0", 1, true);
        run(b, "1.1.0", 2, false);
        run(a, "1.2.0", 3, true);
    }

    /** Starts the engine with the folder, checks the next dev promotion, and stops the engine with SIGTERM. */
    private static void run(Path folder, String tag, int n, boolean argocd) throws Exception {
        engine = Engine.start("startup", "-Dfreightline.engine.manifests-dir=" + folder);
        await().atMost(LONG).until(engine::ready);
        h.artifact(P, "reg.test/" + P + "/app", tag);
        await().atMost(LONG).until(() -> h.requested(P, "dev").size() >= n);
        PromotionRequested r = h.requested(P, "dev").get(n - 1);
        assertEquals(tag, r.freight().artifacts().get(0).tag());
        if (argocd) {
            assertNotNull(r.argocd(), "folder " + folder.getFileName() + " has an Argo CD step: " + r);
        } else {
            assertNull(r.argocd(), "folder " + folder.getFileName() + " has no Argo CD step: " + r);
        }
        h.land(r); // the stage is free for the next run's promotion
        engine.process().destroy(); // SIGTERM
        assertTrue(engine.process().waitFor(30, TimeUnit.SECONDS), "the engine did not stop on SIGTERM");
        // it left the consumer group on its way out: its static membership is not kept for the session timeout (6 s)
        await().atMost(Duration.ofSeconds(2)).until(() -> members().isEmpty());
    }

    private static java.util.Collection<?> members() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            return admin.describeConsumerGroups(List.of("freightline-engine")).all().get(30, TimeUnit.SECONDS)
                    .get("freightline-engine").members();
        }
    }

    private static Path folder(String name, boolean argocd) throws Exception {
        String stage = Harness.stage("dev", null, "{autoPromotion: true}");
        if (argocd) {
            stage += "        - uses: argocd-update\n          config: {apps: [{name: startup-dev, namespace: argocd}]}\n";
        }
        Path dir = Files.createTempDirectory("engine-startup-" + name + "-");
        Files.writeString(dir.resolve("pipeline.yaml"), Harness.project(P, stage));
        return dir;
    }
}
