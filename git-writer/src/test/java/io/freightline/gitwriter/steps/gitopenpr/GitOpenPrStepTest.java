package io.freightline.gitwriter.steps.gitopenpr;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
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
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * git-open-pr against WireMock answering in GitHub's, GitLab's and Gitea's documented REST shapes (the paths,
 * headers and fields Kargo's providers use), run through the registry (schema check, binding, timeout).
 */
class GitOpenPrStepTest {
    static final String TOKEN = "s3cret-pr-token";
    WireMockServer api;
    StepRegistry registry;

    @BeforeEach
    void start() {
        api = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        registry = new StepRegistry(List.of(new GitOpenPrStep(TOKEN)));
    }

    @AfterEach
    void stop() {
        api.stop();
    }

    static StepContext ctx() {
        FreightRef freight = new FreightRef("f-1", "wonky-wombat", "demo", List.of(ArtifactRef.image("demo/app", "1.2.3", null)));
        return new StepContext(null, freight, "demo", "uat", "promo-7");
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    @Test
    void githubOpensThePullRequestAddsLabelsAndOutputsIdAndUrl() throws Exception {
        api.stubFor(post(urlEqualTo("/api/v3/repos/org/gitops/pulls")).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(json(201, """
                        {"number": 12, "state": "open", "merged": false, "html_url": "https://github.example/org/gitops/pull/12",
                         "head": {"ref": "freightline/promotion/promo-7"}, "base": {"ref": "stage/uat"}}""")));
        api.stubFor(post(urlEqualTo("/api/v3/repos/org/gitops/issues/12/labels")).willReturn(json(200, "[]")));

        StepRegistry.Ran ran = registry.run("git-open-pr", Map.of(
                "repoURL", "http://127.0.0.1:" + api.port() + "/org/gitops.git",
                "provider", "github", "sourceBranch", "freightline/promotion/promo-7", "targetBranch", "stage/uat",
                "labels", List.of("infra", "needs-review"), "createTargetBranch", true), ctx());

        assertThat(ran.outputs()).isEqualTo(Map.of("pr", Map.of("id", 12L, "url", "https://github.example/org/gitops/pull/12")));
        api.verify(postRequestedFor(urlEqualTo("/api/v3/repos/org/gitops/pulls")).withRequestBody(equalToJson("""
                {"head": "freightline/promotion/promo-7", "base": "stage/uat", "title": "Promote wonky-wombat to uat"}""",
                true, true)));
        api.verify(postRequestedFor(urlEqualTo("/api/v3/repos/org/gitops/issues/12/labels"))
                .withRequestBody(equalToJson("{\"labels\": [\"infra\", \"needs-review\"]}")));
    }

    @Test
    void anOpenPullRequestForTheSameBranchesIsReusedNotDoubled() throws Exception {
        api.stubFor(post(urlEqualTo("/api/v3/repos/org/gitops/pulls")).willReturn(json(422, """
                {"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom",
                 "message": "A pull request already exists for org:promo-branch."}]}""")));
        api.stubFor(get(urlPathEqualTo("/api/v3/repos/org/gitops/pulls")).willReturn(json(200, """
                [{"number": 9, "state": "open", "merged": false, "html_url": "https://github.example/org/gitops/pull/9",
                  "head": {"ref": "promo-branch"}, "base": {"ref": "main"}}]""")));

        StepRegistry.Ran ran = registry.run("git-open-pr", Map.of("repoURL", "http://127.0.0.1:" + api.port() + "/org/gitops",
                "provider", "github", "sourceBranch", "promo-branch", "targetBranch", "main", "title", "Deploy"), ctx());

        assertThat(ran.outputs().get("pr")).isEqualTo(Map.of("id", 9L, "url", "https://github.example/org/gitops/pull/9"));
        api.verify(1, postRequestedFor(urlEqualTo("/api/v3/repos/org/gitops/pulls")));
        api.verify(getRequestedFor(urlEqualTo("/api/v3/repos/org/gitops/pulls?state=open&head=org%3Apromo-branch&base=main")));
    }

    @Test
    void gitlabSendsLabelsAsOneListAndAddressesNestedGroups() throws Exception {
        api.stubFor(post(urlEqualTo("/api/v4/projects/platform%2Fteam%2Fgitops/merge_requests"))
                .withHeader("PRIVATE-TOKEN", equalTo(TOKEN)).willReturn(json(201, """
                        {"id": 99, "iid": 4, "state": "opened", "source_branch": "promo", "target_branch": "main",
                         "web_url": "https://gitlab.example/platform/team/gitops/-/merge_requests/4"}""")));

        StepRegistry.Ran ran = registry.run("git-open-pr", Map.of(
                "repoURL", "http://127.0.0.1:" + api.port() + "/platform/team/gitops.git", "provider", "gitlab",
                "sourceBranch", "promo", "targetBranch", "main", "description", "Rolls out 1.2.3", "labels", List.of("a", "b")), ctx());

        assertThat(ran.outputs().get("pr")).isEqualTo(Map.of("id", 4L, "url", "https://gitlab.example/platform/team/gitops/-/merge_requests/4"));
        api.verify(postRequestedFor(urlEqualTo("/api/v4/projects/platform%2Fteam%2Fgitops/merge_requests"))
                .withRequestBody(equalToJson("""
                        {"source_branch": "promo", "target_branch": "main", "description": "Rolls out 1.2.3", "labels": "a,b"}""",
                        true, true)));
    }

    @Test
    void giteaResolvesLabelNamesToIdsAndAMissingLabelFailsBeforeOpening() throws Exception {
        api.stubFor(get(urlPathEqualTo("/api/v1/repos/org/gitops/labels")).willReturn(json(200, """
                [{"id": 3, "name": "infra", "color": "e11d21"}, {"id": 8, "name": "needs-review", "color": "fbca04"}]""")));
        api.stubFor(post(urlEqualTo("/api/v1/repos/org/gitops/pulls")).withHeader("Authorization", equalTo("token " + TOKEN))
                .willReturn(json(201, """
                        {"id": 51, "number": 5, "state": "open", "merged": false, "html_url": "https://gitea.example/org/gitops/pulls/5"}""")));
        String repo = "http://127.0.0.1:" + api.port() + "/org/gitops.git";

        StepRegistry.Ran ran = registry.run("git-open-pr", Map.of("repoURL", repo, "provider", "gitea",
                "sourceBranch", "promo", "targetBranch", "main", "labels", List.of("needs-review", "infra")), ctx());
        assertThat(ran.outputs().get("pr")).isEqualTo(Map.of("id", 5L, "url", "https://gitea.example/org/gitops/pulls/5"));
        api.verify(postRequestedFor(urlEqualTo("/api/v1/repos/org/gitops/pulls"))
                .withRequestBody(equalToJson("{\"head\": \"promo\", \"base\": \"main\", \"labels\": [8, 3]}", true, true)));

        assertThatThrownBy(() -> registry.run("git-open-pr", Map.of("repoURL", repo, "provider", "gitea",
                "sourceBranch", "promo", "targetBranch", "main", "labels", List.of("nope")), ctx()))
                .isInstanceOf(StepException.class).hasMessageContaining("labels not found in repository org/gitops: nope");
        api.verify(1, postRequestedFor(urlEqualTo("/api/v1/repos/org/gitops/pulls")));
    }

    @Test
    void refusalsAreTerminalAndNameTheProblemWithoutTheToken() {
        api.stubFor(post(urlEqualTo("/api/v1/repos/org/gitops/pulls")).willReturn(json(404, "{\"message\": \"target branch does not exist\"}")));
        api.stubFor(post(urlEqualTo("/api/v3/repos/org/gitops/pulls")).willReturn(json(502, "bad gateway")));
        String base = "http://127.0.0.1:" + api.port();
        record Case(Map<String, Object> config, String message, boolean retryable) {
        }
        List<Case> cases = List.of(
                new Case(Map.of("repoURL", base + "/org/gitops", "provider", "gitea", "sourceBranch", "a", "targetBranch", "missing"),
                        "gitea API: cannot open pull request: HTTP 404", false),
                new Case(Map.of("repoURL", base + "/org/gitops", "provider", "github", "sourceBranch", "a", "targetBranch", "b"),
                        "HTTP 502", true),
                new Case(Map.of("repoURL", base + "/org/gitops", "sourceBranch", "a", "targetBranch", "b"),
                        "set provider (github, gitlab or gitea)", false),
                new Case(Map.of("repoURL", "https://dev.azure.com/org/project/_git/repo", "provider", "azure", "sourceBranch", "a", "targetBranch", "b"),
                        "pull requests on azure are not supported", false),
                new Case(Map.of("repoURL", base + "/org/gitops", "provider", "gitea", "insecureSkipTLSVerify", true, "sourceBranch", "a", "targetBranch", "b"),
                        "insecureSkipTLSVerify: true is refused", false),
                new Case(Map.of("repoURL", base + "/org/gitops", "provider", "gitea", "targetBranch", "b"),
                        "invalid config of step git-open-pr", false));
        for (Case c : cases) {
            assertThatThrownBy(() -> registry.run("git-open-pr", c.config(), ctx()))
                    .as(c.config().toString()).isInstanceOf(StepException.class)
                    .hasMessageContaining(c.message()).hasMessageNotContaining(TOKEN)
                    .satisfies(e -> assertThat(((StepException) e).retryable()).isEqualTo(c.retryable()));
        }
    }
}
