package io.freightline.gitwriter.steps.gitmergepr;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.StepRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * git-merge-pr against WireMock in GitHub's ({@code PUT …/pulls/{n}/merge}), GitLab's ({@code PUT …/merge_requests/
 * {iid}/merge}) and Gitea's ({@code POST …/pulls/{n}/merge} with {@code Do}) shapes.
 */
class GitMergePrStepTest {
    static final String SHA = "89abcdef0123456789abcdef0123456789abcdef";
    WireMockServer api;
    StepRegistry registry;
    String base;

    @BeforeEach
    void start() {
        api = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        base = "http://127.0.0.1:" + api.port();
        registry = new StepRegistry(List.of(new GitMergePrStep("tok")));
    }

    @AfterEach
    void stop() {
        api.stop();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private StepRegistry.Ran merge(String provider, long number, Object... more) throws StepException {
        Map<String, Object> config = new HashMap<>(Map.of("repoURL", base + "/org/gitops.git", "provider", provider, "prNumber", number));
        for (int i = 0; i < more.length; i += 2) {
            config.put((String) more[i], more[i + 1]);
        }
        return registry.run("git-merge-pr", config, new StepContext(null, null, "demo", "uat", "promo-1"));
    }

    @Test
    void githubMergesWithTheMethodAndOutputsTheMergeCommit() throws Exception {
        String path = "/api/v3/repos/org/gitops/pulls/3";
        api.stubFor(get(urlEqualTo(path)).inScenario("gh").whenScenarioStateIs(STARTED).willReturn(json("""
                {"number": 3, "state": "open", "merged": false, "mergeable": true, "mergeable_state": "clean",
                 "html_url": "https://github.example/org/gitops/pull/3"}""")));
        api.stubFor(put(urlEqualTo(path + "/merge")).inScenario("gh").willSetStateTo("merged")
                .willReturn(json("{\"sha\": \"" + SHA + "\", \"merged\": true, \"message\": \"Pull Request successfully merged\"}")));
        api.stubFor(get(urlEqualTo(path)).inScenario("gh").whenScenarioStateIs("merged").willReturn(json("""
                {"number": 3, "state": "closed", "merged": true, "merged_at": "2026-01-01T00:00:00Z", "merge_commit_sha": "%s",
                 "html_url": "https://github.example/org/gitops/pull/3"}""".formatted(SHA))));

        assertThat(merge("github", 3, "mergeMethod", "squash").outputs()).isEqualTo(Map.of("commit", SHA));
        api.verify(putRequestedFor(urlEqualTo(path + "/merge")).withRequestBody(equalToJson("{\"merge_method\": \"squash\"}")));

        // merged already: the same promotion again merges nothing a second time
        assertThat(merge("github", 3).outputs()).isEqualTo(Map.of("commit", SHA));
        api.verify(1, putRequestedFor(anyUrl()));
    }

    @Test
    void gitlabSquashesAndGiteaMergesWithDo() throws Exception {
        api.stubFor(get(urlEqualTo("/api/v4/projects/org%2Fgitops/merge_requests/4")).willReturn(json("""
                {"iid": 4, "state": "opened", "draft": false, "detailed_merge_status": "mergeable",
                 "web_url": "https://gitlab.example/org/gitops/-/merge_requests/4"}""")));
        api.stubFor(put(urlEqualTo("/api/v4/projects/org%2Fgitops/merge_requests/4/merge")).willReturn(json("""
                {"iid": 4, "state": "merged", "merge_commit_sha": null, "squash_commit_sha": "%s",
                 "web_url": "https://gitlab.example/org/gitops/-/merge_requests/4"}""".formatted(SHA))));
        assertThat(merge("gitlab", 4, "mergeMethod", "squash").outputs()).isEqualTo(Map.of("commit", SHA));
        api.verify(putRequestedFor(urlEqualTo("/api/v4/projects/org%2Fgitops/merge_requests/4/merge"))
                .withRequestBody(equalToJson("{\"squash\": true}")));

        String path = "/api/v1/repos/org/gitops/pulls/5";
        api.stubFor(get(urlEqualTo(path)).inScenario("gitea").whenScenarioStateIs(STARTED).willReturn(json("""
                {"number": 5, "state": "open", "merged": false, "mergeable": true, "html_url": "https://gitea.example/org/gitops/pulls/5"}""")));
        api.stubFor(post(urlEqualTo(path + "/merge")).inScenario("gitea").willSetStateTo("merged").willReturn(aResponse().withStatus(200)));
        api.stubFor(get(urlEqualTo(path)).inScenario("gitea").whenScenarioStateIs("merged").willReturn(json("""
                {"number": 5, "state": "closed", "merged": true, "merge_commit_sha": "%s", "html_url": "https://gitea.example/org/gitops/pulls/5"}"""
                .formatted(SHA))));
        assertThat(merge("gitea", 5).outputs()).isEqualTo(Map.of("commit", SHA));
        api.verify(postRequestedFor(urlEqualTo(path + "/merge")).withRequestBody(equalToJson("{\"Do\": \"merge\"}")));
    }

    @Test
    void notMergeableFailsOrWaitsAndConflictsAndBadMethodsAreTerminal() {
        api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/6")).willReturn(json("""
                {"number": 6, "state": "open", "merged": false, "mergeable": false, "html_url": "https://gitea.example/org/gitops/pulls/6"}""")));
        api.stubFor(get(urlEqualTo("/api/v3/repos/org/gitops/pulls/7")).willReturn(json("""
                {"number": 7, "state": "open", "merged": false, "mergeable": false, "mergeable_state": "dirty",
                 "html_url": "https://github.example/org/gitops/pull/7"}""")));
        api.stubFor(get(urlEqualTo("/api/v3/repos/org/gitops/pulls/8")).willReturn(json("""
                {"number": 8, "state": "closed", "merged": false, "merged_at": null, "html_url": "https://github.example/org/gitops/pull/8"}""")));

        assertThatThrownBy(() -> merge("gitea", 6)).isInstanceOf(StepException.class)
                .hasMessageContaining("pull request 6 is not mergeable yet").hasMessageContaining("set wait: true")
                .satisfies(e -> assertThat(((StepException) e).retryable()).isFalse());
        assertThatThrownBy(() -> merge("gitea", 6, "wait", true, "pollInterval", "10s")).isInstanceOf(StepException.class)
                .hasMessageContaining("still open").satisfies(e -> assertThat(((StepException) e).retryable()).isTrue());
        assertThatThrownBy(() -> merge("github", 7, "wait", true)).isInstanceOf(StepException.class)
                .hasMessageContaining("has conflicts").satisfies(e -> assertThat(((StepException) e).retryable()).isFalse());
        assertThatThrownBy(() -> merge("github", 8)).isInstanceOf(StepException.class)
                .hasMessageContaining("closed but not merged");
        assertThatThrownBy(() -> merge("gitlab", 9, "mergeMethod", "rebase")).isInstanceOf(StepException.class)
                .hasMessageContaining("merge method 'rebase' is not one gitlab takes (one of merge, squash)");
        api.verify(0, putRequestedFor(anyUrl()));
        api.verify(0, postRequestedFor(anyUrl()));
    }
}
