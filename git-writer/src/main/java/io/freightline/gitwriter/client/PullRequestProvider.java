package io.freightline.gitwriter.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.events.EventCodec;
import io.freightline.gitwriter.domain.StepException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Opens and reads pull requests through the documented REST APIs of Gitea ({@code /api/v1}), GitHub and GitLab
 * ({@code /api/v4} merge requests). 4xx answers are terminal, 5xx and network errors retryable.
 */
public final class PullRequestProvider {
    /** A pull request as the providers report it. */
    public record PullRequest(long number, String url, State state, String mergeSha) {
    }

    public enum State { OPEN, MERGED, CLOSED }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String provider;
    private final String api;
    private final String repo;
    private final String token;

    public PullRequestProvider(String provider, String apiURL, String repo, String token) {
        this.provider = provider;
        this.api = apiURL.endsWith("/") ? apiURL.substring(0, apiURL.length() - 1) : apiURL;
        this.repo = repo;
        this.token = token;
    }

    /** Opens a pull request from head to base, or returns the one already open for that head branch. */
    public PullRequest open(String head, String base, String title, String body) throws StepException {
        Map<String, Object> payload = switch (provider) {
            case "gitlab" -> Map.of("source_branch", head, "target_branch", base, "title", title, "description", body);
            default -> Map.of("head", head, "base", base, "title", title, "body", body);
        };
        HttpResponse<String> r = send("POST", listPath(), EventCodec.toJson(payload));
        if (r.statusCode() == 201 || r.statusCode() == 200) {
            return read(EventCodec.parse(r.body()));
        }
        if (r.statusCode() == 409 || r.statusCode() == 422) {
            PullRequest existing = findByHead(head);
            if (existing != null) {
                return existing;
            }
        }
        throw error("open", r);
    }

    public PullRequest get(long number) throws StepException {
        HttpResponse<String> r = send("GET", listPath() + "/" + number, null);
        if (r.statusCode() != 200) {
            throw error("read", r);
        }
        return read(EventCodec.parse(r.body()));
    }

    private PullRequest findByHead(String head) throws StepException {
        String query = switch (provider) {
            case "gitlab" -> "?state=all&source_branch=" + enc(head);
            case "github" -> "?state=all&head=" + enc(repo.substring(0, repo.indexOf('/')) + ":" + head);
            default -> "?state=all";
        };
        HttpResponse<String> r = send("GET", listPath() + query, null);
        if (r.statusCode() != 200) {
            throw error("list", r);
        }
        for (JsonNode n : EventCodec.parse(r.body())) {
            String ref = provider.equals("gitlab") ? n.path("source_branch").asText() : n.path("head").path("ref").asText();
            if (head.equals(ref)) {
                return read(n);
            }
        }
        return null;
    }

    private String listPath() {
        return switch (provider) {
            case "gitlab" -> "/projects/" + enc(repo) + "/merge_requests";
            default -> "/repos/" + repo + "/pulls";
        };
    }

    private PullRequest read(JsonNode n) {
        if (provider.equals("gitlab")) {
            String s = n.path("state").asText();
            State state = s.equals("merged") ? State.MERGED : s.equals("opened") ? State.OPEN : State.CLOSED;
            String sha = text(n, "merge_commit_sha");
            if (sha == null) {
                sha = text(n, "squash_commit_sha");
            }
            return new PullRequest(n.path("iid").asLong(), n.path("web_url").asText(), state, sha);
        }
        boolean merged = n.path("merged").asBoolean(false) || !n.path("merged_at").isMissingNode() && !n.path("merged_at").isNull();
        State state = merged ? State.MERGED : n.path("state").asText().equals("open") ? State.OPEN : State.CLOSED;
        return new PullRequest(n.path("number").asLong(), n.path("html_url").asText(), state, text(n, "merge_commit_sha"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    private HttpResponse<String> send(String method, String path, String json) throws StepException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (token != null) {
            switch (provider) {
                case "gitlab" -> b.header("PRIVATE-TOKEN", token);
                case "github" -> b.header("Authorization", "Bearer " + token).header("X-GitHub-Api-Version", "2022-11-28");
                default -> b.header("Authorization", "token " + token);
            }
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw StepException.retryable(provider + " API unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StepException.retryable("interrupted", e);
        }
    }

    private StepException error(String what, HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body();
        String msg = provider + " API: cannot " + what + " pull request: HTTP " + r.statusCode() + " "
                + (body.length() > 200 ? body.substring(0, 200) : body);
        return r.statusCode() >= 500 || r.statusCode() == 429 ? StepException.retryable(msg, null) : StepException.terminal(msg);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
