package io.freightline.gitwriter;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.freightline.events.GitTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionStep;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.transport.ReceivePack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real HTTP Git server with basic/token auth, and pull-request mode against the providers' documented API shapes. */
class RemotesTest {
    static final String KUSTOMIZATION = "images:\n- name: 127.0.0.1:5000/demo/app\n  newTag: 0.1.0\n";

    @TempDir
    Path tmp;

    Path seed() throws Exception {
        return TestRepos.bare(tmp, "gitops", Map.of("envs/dev/kustomization.yaml", KUSTOMIZATION.getBytes(StandardCharsets.UTF_8)));
    }

    /** JGit's smart-HTTP servlet on Jetty, accepting pushes only with the right basic credentials. */
    static Server httpGit(Path base, String user, String token) throws Exception {
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        GitServlet git = new GitServlet();
        git.setRepositoryResolver((req, name) -> {
            try {
                return TestRepos.open(base.resolve(name));
            } catch (java.io.IOException e) {
                throw new org.eclipse.jgit.errors.RepositoryNotFoundException(name, e);
            }
        });
        git.setReceivePackFactory((req, repo) -> new ReceivePack(repo));
        ServletContextHandler ctx = new ServletContextHandler();
        ctx.setContextPath("/");
        ctx.addServlet(new ServletHolder(git), "/git/*");
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
        Filter auth = (req, res, chain) -> {
            if (!expected.equals(((HttpServletRequest) req).getHeader("Authorization"))) {
                HttpServletResponse r = (HttpServletResponse) res;
                r.setHeader("WWW-Authenticate", "Basic realm=\"git\"");
                r.sendError(401);
                return;
            }
            chain.doFilter(req, res);
        };
        ctx.addFilter(new FilterHolder(auth), "/*", EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        server.setHandler(ctx);
        server.start();
        return server;
    }

    @Test
    void httpWithTokenAuthPushesAndWrongTokenFailsWithoutLeakingIt() throws Exception {
        Path bare = seed();
        Server server = httpGit(tmp, "x-access-token", "s3cret-token");
        try {
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            String url = "http://127.0.0.1:" + port + "/git/gitops.git";
            TestWriters.Settings good = new TestWriters.Settings(tmp.resolve("wd"));
            good.username = "x-access-token";
            good.password = "s3cret-token";
            try (var h = TestWriters.start(good)) {
                PromotionCommitted e = h.writer().submit(Promotions.setImage("h1", url, "dev", "1.2.3"))
                        .toCompletableFuture().get(60, TimeUnit.SECONDS);
                assertThat(e.outcome()).as(e.reason()).isEqualTo(Outcome.PUSHED);
                assertThat(new String(TestRepos.file(bare, "main", "envs/dev/kustomization.yaml"), StandardCharsets.UTF_8))
                        .isEqualTo(KUSTOMIZATION.replace("0.1.0", "1.2.3"));
            }
            TestWriters.Settings bad = new TestWriters.Settings(tmp.resolve("wd2"));
            bad.password = "wrong-token";
            try (var h = TestWriters.start(bad)) {
                // credentials in the URL are redacted from the event too
                String withUserInfo = url.replace("http://", "http://someone:url-secret@");
                PromotionCommitted e = h.writer().submit(Promotions.setImage("h2", withUserInfo, "dev", "9.9.9"))
                        .toCompletableFuture().get(60, TimeUnit.SECONDS);
                assertThat(e.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(e.reason()).contains("credentials").doesNotContain("wrong-token").doesNotContain("url-secret");
                assertThat(e.repoURL()).doesNotContain("url-secret");
            }
            assertThat(TestRepos.commitsWithTrailer(bare, "main", "h2")).isZero();
        } finally {
            server.stop();
        }
    }

    @Test
    void pullRequestModeOnGiteaPushesTheBranchOpensThePrAndReportsTheMerge() throws Exception {
        Path bare = seed();
        String url = TestRepos.url(bare);
        WireMockServer api = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        try {
            api.stubFor(post(urlEqualTo("/api/v1/repos/org/gitops/pulls"))
                    .withHeader("Authorization", equalTo("token pr-token"))
                    .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("""
                            {"id": 11, "number": 7, "state": "open", "merged": false, "merge_commit_sha": null,
                             "html_url": "https://gitea.example/org/gitops/pulls/7", "head": {"ref": "freightline/dev/pr1"}}""")));
            api.stubFor(get(urlEqualTo("/api/v1/repos/org/gitops/pulls/7"))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                            {"id": 11, "number": 7, "state": "closed", "merged": true,
                             "merge_commit_sha": "0123456789abcdef0123456789abcdef01234567",
                             "html_url": "https://gitea.example/org/gitops/pulls/7"}""")));
            var pr = new GitTarget.PullRequest("gitea", api.baseUrl() + "/api/v1", "org/gitops");
            try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
                PromotionCommitted opened = h.writer().submit(Promotions.request("pr1", url, "dev", "2.0.0", pr, List.of(
                        new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/dev")))))
                        .toCompletableFuture().get(60, TimeUnit.SECONDS);
                assertThat(opened.outcome()).as(opened.reason()).isEqualTo(Outcome.PR_OPENED);
                assertThat(opened.pullRequestURL()).isEqualTo("https://gitea.example/org/gitops/pulls/7");
                assertThat(TestRepos.head(bare, "freightline/dev/pr1")).isEqualTo(opened.commitSha());
                assertThat(TestRepos.log(bare, "main")).hasSize(1); // main untouched until merged
                api.verify(postRequestedFor(urlEqualTo("/api/v1/repos/org/gitops/pulls"))
                        .withRequestBody(equalToJson("{\"head\": \"freightline/dev/pr1\", \"base\": \"main\"}", true, true)));
                await().atMost(Duration.ofSeconds(30)).until(() -> h.events().stream().anyMatch(e -> e.outcome() == Outcome.PUSHED));
                PromotionCommitted merged = h.events().stream().filter(e -> e.outcome() == Outcome.PUSHED).findFirst().orElseThrow();
                assertThat(merged.commitSha()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
                assertThat(merged.pullRequestURL()).isEqualTo(opened.pullRequestURL());
            }
        } finally {
            api.stop();
        }
    }

    @Test
    void pullRequestClosedWithoutMergeFailsOnGitHubAndGitLab() throws Exception {
        Path bare = seed();
        String url = TestRepos.url(bare);
        WireMockServer api = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        try {
            api.stubFor(post(urlEqualTo("/repos/org/gitops/pulls")).withHeader("Authorization", equalTo("Bearer pr-token"))
                    .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("""
                            {"number": 3, "state": "open", "merged": false, "html_url": "https://github.com/org/gitops/pull/3"}""")));
            api.stubFor(get(urlEqualTo("/repos/org/gitops/pulls/3")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("""
                            {"number": 3, "state": "closed", "merged": false, "merged_at": null, "html_url": "https://github.com/org/gitops/pull/3"}""")));
            api.stubFor(post(urlEqualTo("/projects/org%2Fgitops/merge_requests")).withHeader("PRIVATE-TOKEN", equalTo("pr-token"))
                    .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("""
                            {"id": 99, "iid": 4, "state": "opened", "web_url": "https://gitlab.com/org/gitops/-/merge_requests/4"}""")));
            api.stubFor(get(urlEqualTo("/projects/org%2Fgitops/merge_requests/4")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("""
                            {"id": 99, "iid": 4, "state": "closed", "merge_commit_sha": null, "web_url": "https://gitlab.com/org/gitops/-/merge_requests/4"}""")));
            try (var h = TestWriters.start(new TestWriters.Settings(tmp.resolve("wd")))) {
                for (String provider : List.of("github", "gitlab")) {
                    var pr = new GitTarget.PullRequest(provider, api.baseUrl(), "org/gitops");
                    PromotionCommitted opened = h.writer().submit(Promotions.request("pr-" + provider, url, "dev", "3.0.0", pr, List.of(
                            new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/dev")))))
                            .toCompletableFuture().get(60, TimeUnit.SECONDS);
                    assertThat(opened.outcome()).as(opened.reason()).isEqualTo(Outcome.PR_OPENED);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> h.events().stream().filter(e -> e.outcome() == Outcome.FAILED).count() == 2);
                assertThat(h.events().stream().filter(e -> e.outcome() == Outcome.FAILED))
                        .allSatisfy(e -> assertThat(e.reason()).isEqualTo("pull request closed without merge"));
            }
        } finally {
            api.stop();
        }
    }
}
