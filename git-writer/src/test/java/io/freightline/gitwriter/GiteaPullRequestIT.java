package io.freightline.gitwriter;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.events.EventCodec;
import io.freightline.events.GitTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pull-request mode against a real Gitea (Testcontainers): the repository, a user and an API token are made through
 * Gitea itself, the writer pushes the promotion branch over HTTP with the token and opens the pull request, the test
 * merges it through the API like a reviewer would, and the writer reports PUSHED with Gitea's merge commit.
 * Runs only where a Docker engine is present; skipped elsewhere.
 */
@EnabledIf("dockerAvailable")
class GiteaPullRequestIT {
    static final String IMAGE = "gitea/gitea:1.22.6";
    static final String USER = "freightline";
    static final String PASSWORD = "freightline-it-Passw0rd";
    static final String KUSTOMIZATION = "images:\n- name: " + Promotions.IMAGE + "\n  newTag: 0.1.0\n";

    static GenericContainer<?> gitea;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    @BeforeAll
    static void startGitea() throws Exception {
        gitea = new GenericContainer<>(IMAGE)
                .withExposedPorts(3000)
                .withEnv("GITEA__security__INSTALL_LOCK", "true")
                .withEnv("GITEA__database__DB_TYPE", "sqlite3")
                .withEnv("GITEA__server__DISABLE_SSH", "true")
                .withEnv("GITEA__server__OFFLINE_MODE", "true")
                .withEnv("GITEA__service__DISABLE_REGISTRATION", "true")
                .withEnv("GITEA__repository__DEFAULT_BRANCH", "main")
                .waitingFor(Wait.forHttp("/api/healthz").forPort(3000).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        gitea.start();
        var created = gitea.execInContainerWithUser("git", "gitea", "admin", "user", "create", "--admin",
                "--username", USER, "--password", PASSWORD, "--email", "freightline@example.com",
                "--must-change-password=false");
        assertThat(created.getExitCode()).as(created.getStdout() + created.getStderr()).isZero();
    }

    @AfterAll
    static void stopGitea() {
        if (gitea != null) {
            gitea.stop();
        }
    }

    static String base() {
        return "http://" + gitea.getHost() + ":" + gitea.getMappedPort(3000);
    }

    static HttpResponse<String> call(String method, String path, String auth, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/api/v1" + path))
                .timeout(Duration.ofSeconds(60)).header("Accept", "application/json").header("Authorization", auth)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(EventCodec.toJson(body)));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + ": " + r.body()).isBetween(200, 299);
        return EventCodec.parse(r.body());
    }

    @Test
    void promotionOpensAPullRequestOnGiteaAndReportsTheMergeCommitOnceMerged() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String token = ok(call("POST", "/users/" + USER + "/tokens", basic,
                Map.of("name", "freightline-it", "scopes", List.of("write:repository", "write:user")))).path("sha1").asText();
        assertThat(token).isNotBlank();
        String auth = "token " + token;
        ok(call("POST", "/user/repos", auth, Map.of("name", "gitops", "default_branch", "main", "auto_init", false)));

        // seed main with the git CLI over HTTP, as a user would
        Path seed = TestRepos.bare(tmp, "seed", Map.of("envs/dev/kustomization.yaml", KUSTOMIZATION.getBytes(StandardCharsets.UTF_8)));
        String repoURL = base() + "/" + USER + "/gitops.git";
        TestRepos.git(tmp, "--git-dir=" + seed, "push", "-q",
                repoURL.replace("http://", "http://" + USER + ":" + token + "@"), "main");

        TestWriters.Settings s = new TestWriters.Settings(tmp.resolve("wd"));
        s.username = USER;
        s.password = token;
        s.prToken = token;
        s.prPoll = Duration.ofSeconds(1);
        var pr = new GitTarget.PullRequest("gitea", base() + "/api/v1", USER + "/gitops");
        try (var h = TestWriters.start(s)) {
            PromotionCommitted opened = h.writer().submit(Promotions.request("gitea-1", repoURL, "dev", "2.0.0", pr, List.of(
                    new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/dev")))))
                    .toCompletableFuture().get(120, TimeUnit.SECONDS);
            assertThat(opened.outcome()).as(opened.reason()).isEqualTo(Outcome.PR_OPENED);
            // html_url is built from Gitea's ROOT_URL, not the mapped port: check its path only
            assertThat(opened.pullRequestURL()).matches(".*/" + USER + "/gitops/pulls/\\d+");
            assertThat(EventCodec.toJson(opened)).doesNotContain(token);
            long number = Long.parseLong(opened.pullRequestURL().substring(opened.pullRequestURL().lastIndexOf('/') + 1));
            JsonNode prNode = ok(call("GET", "/repos/" + USER + "/gitops/pulls/" + number, auth, null));
            assertThat(prNode.path("head").path("ref").asText()).isEqualTo("freightline/dev/gitea-1");
            assertThat(prNode.path("head").path("sha").asText()).isEqualTo(opened.commitSha());
            assertThat(prNode.path("base").path("ref").asText()).isEqualTo("main");

            // a reviewer merges it; Gitea checks mergeability asynchronously, so retry while it answers 405
            AtomicReference<HttpResponse<String>> merge = new AtomicReference<>();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                merge.set(call("POST", "/repos/" + USER + "/gitops/pulls/" + number + "/merge", auth,
                        Map.of("Do", "merge")));
                return merge.get().statusCode() == 200;
            });

            String mainHead = ok(call("GET", "/repos/" + USER + "/gitops/branches/main", auth, null)).path("commit").path("id").asText();
            await().atMost(Duration.ofMinutes(2)).until(() -> h.events().stream().anyMatch(e -> e.outcome() == Outcome.PUSHED));
            PromotionCommitted merged = h.events().stream().filter(e -> e.outcome() == Outcome.PUSHED).findFirst().orElseThrow();
            assertThat(merged.commitSha()).isEqualTo(mainHead);
            assertThat(merged.pullRequestURL()).isEqualTo(opened.pullRequestURL());
            JsonNode mergeCommit = ok(call("GET", "/repos/" + USER + "/gitops/git/commits/" + mainHead, auth, null));
            assertThat(mergeCommit.path("parents").findValuesAsText("sha")).contains(opened.commitSha());
            HttpResponse<String> raw = call("GET", "/repos/" + USER + "/gitops/raw/envs/dev/kustomization.yaml?ref=main", auth, null);
            assertThat(raw.body()).isEqualTo(KUSTOMIZATION.replace("0.1.0", "2.0.0"));
        }
    }
}
