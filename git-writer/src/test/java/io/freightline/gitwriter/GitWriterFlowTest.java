package io.freightline.gitwriter;

import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventTypes;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.events.Topics;
import io.freightline.testsupport.KafkaProbe;
import io.freightline.testsupport.KafkaTestResource;
import io.freightline.testsupport.TestBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/** The service against the real broker and real repositories: what lands in Git and on the commits topic. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class GitWriterFlowTest {
    static final String DEV_KUSTOMIZATION = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            # the dev overlay
            resources:
            - ../../base
            images:
            - name: 127.0.0.1:5000/demo/app # set by Freightline
              newTag: "0.9.0"
            - name: other/sidecar
              newTag: keep-me
            """;

    static KafkaProbe probe;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        probe = new KafkaProbe(TestBroker.bootstrapServers());
        dir = Files.createTempDirectory("gw-flow-");
    }

    @AfterAll
    static void stop() {
        probe.close();
    }

    static Path seed(String name) throws Exception {
        return TestRepos.bare(dir, name, Map.of(
                "base/kustomization.yaml", "resources:\n- deployment.yaml\n".getBytes(StandardCharsets.UTF_8),
                "envs/dev/kustomization.yaml", DEV_KUSTOMIZATION.getBytes(StandardCharsets.UTF_8),
                "envs/staging/kustomization.yaml", DEV_KUSTOMIZATION.replace("dev overlay", "staging overlay")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    static PromotionCommitted await1(KafkaProbe.Recording rec, String promotionId, int nth) {
        List<PromotionCommitted> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            got.clear();
            got.addAll(rec.events(PromotionCommitted.class, e -> e.promotionId().equals(promotionId)));
            return got.size() >= nth;
        });
        return got.get(nth - 1);
    }

    @Test
    void promotionLandsAsOneCommitWithTrailersAndIsNotMadeTwice() throws Exception {
        Path bare = seed("skeleton");
        String url = TestRepos.url(bare);
        String id = "p-" + UUID.randomUUID();
        KafkaProbe.Recording commits = probe.record(Topics.COMMITS);
        PromotionRequested req = Promotions.setImage(id, url, "dev", "1.0.0");
        probe.publish(Topics.PROMOTIONS, url, req);

        PromotionCommitted ev = await1(commits, id, 1);
        assertThat(ev.outcome()).isEqualTo(Outcome.PUSHED);
        assertThat(ev.commitSha()).isEqualTo(TestRepos.head(bare, "main"));
        assertThat(ev.argocd()).isEqualTo(req.argocd());
        assertThat(ev.project()).isEqualTo("demo");
        assertThat(ev.steps()).extracting(s -> s.status()).containsExactly("Succeeded");
        ConsumerRecord<String, String> rec = commits.records().stream()
                .filter(r -> r.value().contains(id)).findFirst().orElseThrow();
        assertThat(rec.key()).isEqualTo("demo");
        assertThat(KafkaProbe.Recording.header(rec, CloudEventHeaders.TYPE)).isEqualTo(EventTypes.PROMOTION_COMMITTED);

        // the one scalar changed, every other byte kept
        assertThat(new String(TestRepos.file(bare, "main", "envs/dev/kustomization.yaml"), StandardCharsets.UTF_8))
                .isEqualTo(DEV_KUSTOMIZATION.replace("newTag: \"0.9.0\"", "newTag: \"1.0.0\""));
        assertThat(new String(TestRepos.file(bare, "main", "envs/staging/kustomization.yaml"), StandardCharsets.UTF_8))
                .contains("\"0.9.0\"");
        RevCommit c = TestRepos.log(bare, "main").get(0);
        assertThat(c.getShortMessage()).isEqualTo("Promote alias-1.0.0 to dev");
        assertThat(c.getFullMessage()).contains("- image:127.0.0.1:5000/demo/app:1.0.0@");
        assertThat(c.getFooterLines("Freightline-Promotion")).containsExactly(id);
        assertThat(c.getFooterLines("Freightline-Freight")).containsExactly("f-1.0.0");
        assertThat(c.getFooterLines("Freightline-Stage")).containsExactly("dev");
        assertThat(c.getAuthorIdent().getName()).isEqualTo("Freightline");

        // redelivery: no second commit, the first one reported
        probe.publish(Topics.PROMOTIONS, url, req);
        PromotionCommitted again = await1(commits, id, 2);
        assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_PRESENT);
        assertThat(again.commitSha()).isEqualTo(ev.commitSha());
        assertThat(TestRepos.commitsWithTrailer(bare, "main", id)).isEqualTo(1);
        assertThat(TestRepos.log(bare, "main")).hasSize(2);

        // the same tag by another promotion: nothing to change
        String id2 = "p-" + UUID.randomUUID();
        probe.publish(Topics.PROMOTIONS, url, Promotions.setImage(id2, url, "dev", "1.0.0"));
        PromotionCommitted none = await1(commits, id2, 1);
        assertThat(none.outcome()).isEqualTo(Outcome.NO_CHANGE);
        assertThat(none.commitSha()).isEqualTo(ev.commitSha());

        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("freightline_promotion_commits_total{outcome=\"PUSHED\",project=\"demo\",stage=\"dev\"}"))
                .body(containsString("freightline_git_push_duration_seconds"))
                .body(containsString("freightline_step_duration_seconds_count{step=\"kustomize-set-image\"}"));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("git-remotes"));
    }

    @Test
    void terminalErrorsFailThePromotionAndLeaveTheRepositoryAlone() throws Exception {
        Path bare = seed("terminal");
        String url = TestRepos.url(bare);
        String before = TestRepos.head(bare, "main");
        KafkaProbe.Recording commits = probe.record(Topics.COMMITS);

        String escape = "p-" + UUID.randomUUID();
        probe.publish(Topics.PROMOTIONS, url, Promotions.request(escape, url, "dev", "2.0.0", null, List.of(
                new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/dev")),
                new PromotionStep("file-write", null, Map.of("path", "../outside.txt", "contents", "x")))));
        PromotionCommitted e1 = await1(commits, escape, 1);
        assertThat(e1.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(e1.reason()).contains("outside the repository");
        assertThat(e1.steps()).extracting(s -> s.status()).containsExactly("Succeeded", "Errored");

        String badConfig = "p-" + UUID.randomUUID();
        probe.publish(Topics.PROMOTIONS, url, Promotions.request(badConfig, url, "dev", "2.0.0", null, List.of(
                new PromotionStep("kustomize-set-image", null, Map.of("images", List.of())))));
        PromotionCommitted e2 = await1(commits, badConfig, 1);
        assertThat(e2.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(e2.reason()).contains("kustomize-set-image").contains("invalid config").contains("path");

        String missing = "p-" + UUID.randomUUID();
        probe.publish(Topics.PROMOTIONS, url, Promotions.request(missing, url, "qa", "2.0.0", null, List.of(
                new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/qa")))));
        PromotionCommitted e3 = await1(commits, missing, 1);
        assertThat(e3.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(e3.reason()).contains("envs/qa/kustomization.yaml");

        assertThat(TestRepos.head(bare, "main")).isEqualTo(before);
    }

    @Test
    void invalidRecordsGoToTheDeadLetterTopic() {
        KafkaProbe.Recording dlq = probe.record(Topics.dlq(Topics.PROMOTIONS));
        probe.publishRaw(Topics.PROMOTIONS, "file:///nowhere", EventTypes.PROMOTION_REQUESTED, "{\"promotionId\": 42}");
        await().atMost(Duration.ofSeconds(60)).until(() -> !dlq.records().isEmpty());
        assertThat(KafkaProbe.Recording.header(dlq.records().get(0), CloudEventHeaders.DLQ_REASON)).contains("invalid");
    }
}
