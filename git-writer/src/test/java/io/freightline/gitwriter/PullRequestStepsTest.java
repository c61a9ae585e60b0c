package io.freightline.gitwriter;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.gitwriter.steps.gitmergepr.GitMergePrStep;
import io.freightline.gitwriter.steps.gitopenpr.GitOpenPrStep;
import io.freightline.gitwriter.steps.gitwaitforpr.GitWaitForPrStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kargo's pull-request pattern in a template (git-clone, file-write, git-commit, git-push to a generated branch,
 * git-open-pr, git-wait-for-pr / git-merge-pr, argocd-update) through the real writer on a real repository, with
 * Gitea's API simulated by WireMock: the branch is pushed before the pull request is opened, PR_OPENED is reported
 * while it waits, the repository's other promotions are not held meanwhile, and the merge ends it as PUSHED with
 * the merge commit.
 */
class PullRequestStepsTest {
    static final String MERGE = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path tmp;
    WireMockServer api;
    Path bare;

    @BeforeEach
    void start() throws Exception {
        api = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        bare = TestRepos.bare(Files.createDirectories(tmp.resolve("served")), "gitops", Map.of(
                "envs/dev/version.txt", "1.0.0\n".getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() {
        api.stop();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private PromotionRequested request(String id, List<PromotionStep> prSteps) {
        List<PromotionStep> steps = new java.util.ArrayList<>(List.of(
                new PromotionStep("git-clone", "clone", Map.of("repoURL", TestRepos.url(bare),
                        "checkout", List.of(Map.of("branch", "main", "path", "./out")))),
                new PromotionStep("file-write", null, Map.of("path", "./out/envs/dev/version.txt", "contents", "2.0.0\n")),
                new PromotionStep("git-commit", "commit", Map.of("path", "./out", "message", "Roll out 2.0.0")),
                new PromotionStep("git-push", "push", Map.of("path", "./out", "generateTargetBranch", true))));
        steps.addAll(prSteps);
        steps.add(new PromotionStep("argocd-update", null, Map.of("apps", List.of(Map.of("name", "demo-dev")))));
        return Promotions.request(id, TestRepos.url(bare), "dev", "2.0.0", null, steps);
    }

    private String apiRepo() {
        return "http://127.0.0.1:" + api.port() + "/org/gitops.git";
    }

    @Test
    void openThenWaitReportsPrOpenedDoesNotHoldTheRepositoryAndEndsWithTheMergeCommit() throws Exception {
        api.stubFor(post(urlEqualTo("/api/v1/repos/org/gitops/pulls")).willReturn(json(201, """
                {"id": 51, "number": 5, "state": "open", "merged": false, "html_url": "https://gitea.example/org/gitops/pulls/5"}""")));
        api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/5")).willReturn(json(200, """
                {"number": 5, "state": "open", "merged": false, "html_url": "https://gitea.example/org/gitops/pulls/5"}""")));
        var settings = new TestWriters.Settings(tmp.resolve("wd"));
        try (var h = TestWriters.start(settings, new GitOpenPrStep("pr-token"), new GitWaitForPrStep("pr-token"))) {
            // as Kargo's docs write them: the branch from git-push's outputs, the number from git-open-pr's, rendered
            // by the pull-request flow just before each step runs
            PromotionRequested r = request("prs1", List.of(
                    new PromotionStep("git-open-pr", "open-pr", Map.of("repoURL", apiRepo(), "provider", "gitea",
                            "sourceBranch", "${{ outputs.push.branch }}", "targetBranch", "main")),
                    new PromotionStep("git-wait-for-pr", "wait-for-pr", Map.of("repoURL", apiRepo(), "provider", "gitea",
                            "prNumber", "${{ outputs['open-pr'].pr.id }}", "pollInterval", "100ms"))));
            PromotionCommitted opened = h.writer().submit(r).toCompletableFuture().get(60, TimeUnit.SECONDS);

            assertThat(opened.outcome()).as(opened.reason()).isEqualTo(Outcome.PR_OPENED);
            assertThat(opened.pullRequestURL()).isEqualTo("https://gitea.example/org/gitops/pulls/5");
            String pushed = TestRepos.head(bare, "freightline/promotion/prs1");
            assertThat(opened.commitSha()).isEqualTo(pushed);
            assertThat(new String(TestRepos.file(bare, "freightline/promotion/prs1", "envs/dev/version.txt"), StandardCharsets.UTF_8))
                    .isEqualTo("2.0.0\n");
            assertThat(TestRepos.log(bare, "main")).hasSize(1);
            assertThat(opened.steps()).extracting(s -> s.status())
                    .containsExactly("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded", "Running");
            api.verify(postRequestedFor(urlEqualTo("/api/v1/repos/org/gitops/pulls")).withRequestBody(equalToJson(
                    "{\"head\": \"freightline/promotion/prs1\", \"base\": \"main\"}", true, true)));
            assertThat(Files.list(tmp.resolve("wd/pull-requests")).map(p -> p.getFileName().toString()))
                    .containsExactly("prs1.steps.json");

            // while the pull request waits, another promotion of the same repository goes through
            PromotionCommitted other = h.writer().submit(Promotions.request("other", TestRepos.url(bare), "dev", "3.0.0", null,
                    List.of(new PromotionStep("file-write", null, Map.of("path", "envs/dev/other.txt", "contents", "x\n")))))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(other.outcome()).as(other.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(h.events()).noneMatch(e -> e.promotionId().equals("prs1") && e.outcome() != Outcome.PR_OPENED);

            api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/5")).willReturn(json(200, """
                    {"number": 5, "state": "closed", "merged": true, "merge_commit_sha": "%s",
                     "html_url": "https://gitea.example/org/gitops/pulls/5"}""".formatted(MERGE))));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.events().stream()
                    .anyMatch(e -> e.promotionId().equals("prs1") && e.outcome() == Outcome.PUSHED));
            PromotionCommitted merged = h.events().stream()
                    .filter(e -> e.promotionId().equals("prs1") && e.outcome() == Outcome.PUSHED).findFirst().orElseThrow();
            assertThat(merged.commitSha()).isEqualTo(MERGE);
            assertThat(merged.pullRequestURL()).isEqualTo(opened.pullRequestURL());
            assertThat(merged.steps()).extracting(s -> s.uses() + ":" + s.status()).containsExactly("git-clone:Succeeded",
                    "file-write:Succeeded", "git-commit:Succeeded", "git-push:Succeeded", "git-open-pr:Succeeded",
                    "git-wait-for-pr:Succeeded", "argocd-update:Skipped");
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(tmp.resolve("wd/pull-requests/prs1.steps.json")));
        }
    }

    @Test
    void mergeStepEndsAtOnceAndAClosedPullRequestFailsWithTheStep() throws Exception {
        api.stubFor(post(urlEqualTo("/api/v1/repos/org/gitops/pulls")).willReturn(json(201, """
                {"id": 61, "number": 6, "state": "open", "merged": false, "html_url": "https://gitea.example/org/gitops/pulls/6"}""")));
        api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/6")).inScenario("m").whenScenarioStateIs(
                com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willReturn(json(200, """
                {"number": 6, "state": "open", "merged": false, "mergeable": true, "html_url": "https://gitea.example/org/gitops/pulls/6"}""")));
        api.stubFor(post(urlEqualTo("/api/v1/repos/org/gitops/pulls/6/merge")).inScenario("m").willSetStateTo("merged")
                .willReturn(aResponse().withStatus(200)));
        api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/6")).inScenario("m").whenScenarioStateIs("merged")
                .willReturn(json(200, """
                {"number": 6, "state": "closed", "merged": true, "merge_commit_sha": "%s", "html_url": "https://gitea.example/org/gitops/pulls/6"}"""
                        .formatted(MERGE))));
        api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/7")).willReturn(json(200, """
                {"number": 7, "state": "closed", "merged": false, "html_url": "https://gitea.example/org/gitops/pulls/7"}""")));
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")), new GitOpenPrStep("pr-token"),
                new GitWaitForPrStep("pr-token"), new GitMergePrStep("pr-token"))) {
            PromotionCommitted merged = h.writer().submit(request("prs2", List.of(
                    new PromotionStep("git-open-pr", "open-pr", Map.of("repoURL", apiRepo(), "provider", "gitea",
                            "sourceBranch", "freightline/promotion/prs2", "targetBranch", "main")),
                    new PromotionStep("git-merge-pr", "merge", Map.of("repoURL", apiRepo(), "provider", "gitea", "prNumber", 6)))))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(merged.outcome()).as(merged.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(merged.commitSha()).isEqualTo(MERGE);

            PromotionCommitted closed = h.writer().submit(request("prs3", List.of(
                    new PromotionStep("git-wait-for-pr", "wait", Map.of("repoURL", apiRepo(), "provider", "gitea", "prNumber", 7)))))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(closed.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(closed.reason()).contains("pull request 7").contains("was closed without being merged");
            assertThat(TestRepos.head(bare, "freightline/promotion/prs3")).isNotNull(); // the push before it stays

            // a step that needs files cannot follow the pull-request steps: said plainly, not half-run
            PromotionCommitted refused = h.writer().submit(request("prs4", List.of(
                    new PromotionStep("git-merge-pr", "merge", Map.of("repoURL", apiRepo(), "provider", "gitea", "prNumber", 6)),
                    new PromotionStep("file-write", null, Map.of("path", "./out/x", "contents", "y")))))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(refused.reason()).contains("step 'step-5' (file-write) errored: file-write follows a pull-request step");
        }
    }

    @Test
    void withoutGitCloneAPullRequestStepIsATerminalError() throws Exception {
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")), new GitOpenPrStep("pr-token"))) {
            PromotionCommitted e = h.writer().submit(Promotions.request("prs5", TestRepos.url(bare), "dev", "2.0.0", null, List.of(
                    new PromotionStep("file-write", null, Map.of("path", "envs/dev/x.txt", "contents", "x\n")),
                    new PromotionStep("git-open-pr", null, Map.of("repoURL", apiRepo(), "provider", "gitea",
                            "sourceBranch", "a", "targetBranch", "main"))))).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(e.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(e.reason()).contains("git-open-pr needs the branch a git-push of this template pushed");
            assertThat(TestRepos.log(bare, "main")).hasSize(1);
        }
    }

    @Test
    void aWaitRememberedWithTheOlderStatusSpellingResumesAfterARestart() throws Exception {
        api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/8")).willReturn(json(200, """
                {"number": 8, "state": "closed", "merged": true, "merge_commit_sha": "%s", "html_url": "https://gitea.example/org/gitops/pulls/8"}"""
                .formatted(MERGE))));
        PromotionRequested r = request("prs9", List.of(new PromotionStep("git-wait-for-pr", "wait", Map.of("repoURL", apiRepo(),
                "provider", "gitea", "prNumber", "${{ outputs.push.number }}", "pollInterval", "100ms"))));
        // what a writer of the previous version remembered while the pull request waited: upper-case statuses, no
        // alias for steps without "as"
        List<io.freightline.events.StepResult> before = List.of(
                new io.freightline.events.StepResult("git-clone", "clone", "SUCCEEDED", "checked out", 3),
                new io.freightline.events.StepResult("file-write", null, "SUCCEEDED", "wrote", 1),
                new io.freightline.events.StepResult("git-commit", "commit", "SUCCEEDED", "committed", 2),
                new io.freightline.events.StepResult("git-push", "push", "SUCCEEDED", "pushed", 4, Map.of("number", 8)));
        var waiting = new io.freightline.gitwriter.client.PullRequestFlow.Continuation(r, 4,
                Map.of("push", Map.of("number", 8)), before, Outcome.PUSHED, "freightline/promotion/prs9",
                "89abcdef0123456789abcdef0123456789abcdef", null, java.time.Instant.now());
        Path remembered = Files.createDirectories(tmp.resolve("wd/pull-requests")).resolve("prs9.steps.json");
        Files.writeString(remembered, io.freightline.events.EventCodec.toJson(waiting));
        try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")), new GitWaitForPrStep("pr-token"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> h.events().stream().anyMatch(e -> e.promotionId().equals("prs9")));
            PromotionCommitted done = h.events().stream().filter(e -> e.promotionId().equals("prs9")).findFirst().orElseThrow();
            assertThat(done.outcome()).as(done.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(done.commitSha()).isEqualTo(MERGE);
            assertThat(done.steps()).extracting(x -> x.as() + ":" + x.status()).containsExactly("clone:Succeeded",
                    "step-1:Succeeded", "commit:Succeeded", "push:Succeeded", "wait:Succeeded", "step-5:Skipped");
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(remembered));
        }
    }
}
