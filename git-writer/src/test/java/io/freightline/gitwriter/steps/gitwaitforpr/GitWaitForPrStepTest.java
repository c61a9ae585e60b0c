package io.freightline.gitwriter.steps.gitwaitforpr;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.StepRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** git-wait-for-pr against WireMock in GitHub's, GitLab's and Gitea's pull-request shapes. */
class GitWaitForPrStepTest {
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    WireMockServer api;
    StepRegistry registry;
    String base;

    @BeforeEach
    void start() {
        api = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        base = "http://127.0.0.1:" + api.port();
        registry = new StepRegistry(List.of(new GitWaitForPrStep("tok")));
    }

    @AfterEach
    void stop() {
        api.stop();
    }

    private void pr(String path, String body) {
        api.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private StepRegistry.Ran run(String provider, String repo, long number) throws StepException {
        return registry.run("git-wait-for-pr", Map.of("repoURL", base + repo, "provider", provider, "prNumber", number,
                "pollInterval", "30s"), new StepContext(null, null, "demo", "uat", "promo-1"));
    }

    @Test
    void aMergedPullRequestOutputsTheMergeCommitOnEachProvider() throws Exception {
        pr("/api/v3/repos/org/gitops/pulls/3", """
                {"number": 3, "state": "closed", "merged": true, "merged_at": "2026-01-01T00:00:00Z",
                 "merge_commit_sha": "%s", "html_url": "https://github.example/org/gitops/pull/3"}""".formatted(SHA));
        pr("/api/v4/projects/org%2Fgitops/merge_requests/4", """
                {"id": 99, "iid": 4, "state": "merged", "merge_commit_sha": "%s",
                 "web_url": "https://gitlab.example/org/gitops/-/merge_requests/4"}""".formatted(SHA));
        pr("/api/v1/repos/org/gitops/pulls/5", """
                {"id": 51, "number": 5, "state": "closed", "merged": true, "merge_commit_sha": "%s",
                 "html_url": "https://gitea.example/org/gitops/pulls/5"}""".formatted(SHA));

        StepRegistry.Ran github = run("github", "/org/gitops.git", 3);
        assertThat(github.outputs()).isEqualTo(Map.of("commit", SHA, "pr", Map.of("id", 3L,
                "url", "https://github.example/org/gitops/pull/3", "open", false, "merged", true)));
        assertThat(run("gitlab", "/org/gitops", 4).outputs().get("commit")).isEqualTo(SHA);
        assertThat(run("gitea", "/org/gitops", 5).outputs().get("commit")).isEqualTo(SHA);
        api.verify(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo("/api/v4/projects/org%2Fgitops/merge_requests/4"))
                .withHeader("PRIVATE-TOKEN", equalTo("tok")));
    }

    @Test
    void anOpenPullRequestIsRetryableAndAClosedOneIsTerminal() {
        pr("/api/v1/repos/org/gitops/pulls/6", """
                {"number": 6, "state": "open", "merged": false, "html_url": "https://gitea.example/org/gitops/pulls/6"}""");
        pr("/api/v4/projects/org%2Fgitops/merge_requests/7", """
                {"iid": 7, "state": "closed", "merge_commit_sha": null, "web_url": "https://gitlab.example/org/gitops/-/merge_requests/7"}""");

        assertThatThrownBy(() -> run("gitea", "/org/gitops", 6)).isInstanceOf(StepException.class)
                .hasMessageContaining("pull request 6 is still open")
                .satisfies(e -> assertThat(((StepException) e).retryable()).isTrue());
        assertThatThrownBy(() -> run("gitlab", "/org/gitops", 7)).isInstanceOf(StepException.class)
                .hasMessageContaining("pull request 7 (https://gitlab.example/org/gitops/-/merge_requests/7) was closed without being merged")
                .satisfies(e -> assertThat(((StepException) e).retryable()).isFalse());
        assertThatThrownBy(() -> run("github", "/org/gitops", 8)).isInstanceOf(StepException.class)
                .hasMessageContaining("HTTP 404").satisfies(e -> assertThat(((StepException) e).retryable()).isFalse());
    }
}
