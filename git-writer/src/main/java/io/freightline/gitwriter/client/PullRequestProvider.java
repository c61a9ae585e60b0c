package io.freightline.gitwriter.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.events.EventCodec;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.StepException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens, reads and merges pull requests through the documented REST APIs of Gitea ({@code /api/v1}), GitHub
 * ({@code api.github.com}, or {@code /api/v3} of GitHub Enterprise) and GitLab ({@code /api/v4} merge requests).
 * The one implementation behind the pull-request mode and the {@code git-open-pr}, {@code git-wait-for-pr} and
 * {@code git-merge-pr} steps. 4xx answers are terminal, 5xx, 429 and network errors retryable.
 */
public final class PullRequestProvider {
    /** A pull request as the providers report it. */
    public record PullRequest(long number, String url, State state, String mergeSha) {
        public boolean open() {
            return state == State.OPEN;
        }

        public boolean merged() {
            return state == State.MERGED;
        }
    }

    public enum State { OPEN, MERGED, CLOSED }

    /** What a merge attempt came to: merged (with the pull request as it is now), or not mergeable yet. */
    public record Merge(PullRequest pullRequest, boolean merged, String notReadyReason) {
    }

    /** The providers this writer can talk to. */
    public static final Set<String> SUPPORTED = Set.of("gitea", "github", "gitlab");

    /** Merge methods each provider's API takes, as Kargo documents them for git-merge-pr. */
    private static final Map<String, Set<String>> MERGE_METHODS = Map.of(
            "github", Set.of("merge", "rebase", "squash"),
            "gitlab", Set.of("merge", "squash"),
            "gitea", Set.of("fast-forward-only", "manually-merged", "merge", "rebase", "rebase-merge", "squash"));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
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

    public String provider() {
        return provider;
    }

    /**
     * The provider of a repository URL as the steps name it: {@code provider} when given, else inferred from the host
     * name (github / gitlab / gitea in it). The API base is derived from the URL: {@code https://api.github.com} for
     * github.com, {@code <host>/api/v3} for other GitHub hosts (Enterprise), {@code <host>/api/v4} for GitLab (the
     * whole path is the project, so nested groups work) and {@code <host>[/prefix]/api/v1} for Gitea.
     */
    public static PullRequestProvider forRepo(String repoURL, String provider, String token) throws StepException {
        URI uri = httpsURI(repoURL);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String kind = provider;
        if (kind == null) {
            kind = host.contains("github") ? "github" : host.contains("gitlab") ? "gitlab" : host.contains("gitea") ? "gitea" : null;
            if (kind == null) {
                throw StepException.terminal("cannot tell the Git provider of " + Redact.text(repoURL)
                        + " from its host name: set provider (github, gitlab or gitea)");
            }
        }
        if (!SUPPORTED.contains(kind)) {
            throw StepException.terminal("pull requests on " + kind + " are not supported by the git-writer "
                    + "(supported: github, gitlab, gitea)");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        path = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - 4);
        }
        String[] parts = path.split("/");
        if (parts.length < 2) {
            throw StepException.terminal("repoURL " + Redact.text(repoURL) + " does not name an owner and a repository");
        }
        String origin = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        String prefix = String.join("/", java.util.Arrays.copyOf(parts, parts.length - 2));
        String ownerRepo = parts[parts.length - 2] + "/" + parts[parts.length - 1];
        return switch (kind) {
            case "github" -> new PullRequestProvider(kind, host.equals("github.com") ? "https://api.github.com"
                    : origin + (prefix.isEmpty() ? "" : "/" + prefix) + "/api/v3", ownerRepo, token);
            case "gitlab" -> new PullRequestProvider(kind, origin + "/api/v4", path, token);
            default -> new PullRequestProvider(kind, origin + (prefix.isEmpty() ? "" : "/" + prefix) + "/api/v1", ownerRepo, token);
        };
    }

    /**
     * The provider a pull-request step talks to: {@link #forRepo}, after refusing {@code insecureSkipTLSVerify: true}
     * (add the host's CA to the trust store instead).
     */
    public static PullRequestProvider forStep(String step, String repoURL, String provider, Boolean insecureSkipTLSVerify,
                                              String token) throws StepException {
        if (Boolean.TRUE.equals(insecureSkipTLSVerify)) {
            throw StepException.terminal(step + ": insecureSkipTLSVerify: true is refused; add the Git host's CA "
                    + "certificate to the trust store instead");
        }
        return forRepo(repoURL, provider, token);
    }

    /** The API token of the configuration: {@code pr.token}, else {@code auth.password}; null when neither is set. */
    public static String token(io.freightline.gitwriter.config.GitWriterConfig config) {
        return config.pr().token().or(() -> config.auth().password()).orElse(null);
    }

    /** The repository URL as an http(s) URI: scp-style {@code git@host:path} and {@code ssh://} become https. */
    private static URI httpsURI(String repoURL) throws StepException {
        String u = repoURL.strip();
        if (u.matches("^[A-Za-z0-9._-]+@[^/:]+:.*")) {
            u = "https://" + u.substring(u.indexOf('@') + 1).replaceFirst(":", "/");
        } else if (u.startsWith("ssh://")) {
            u = "https://" + u.substring(6).replaceFirst("^[^@/]*@", "").replaceFirst(":\\d+/", "/");
        }
        try {
            URI uri = URI.create(u);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw StepException.terminal("repoURL " + Redact.text(repoURL) + " is not an http(s) or ssh URL of a Git host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw StepException.terminal("repoURL " + Redact.text(repoURL) + " is not a URL: " + e.getMessage());
        }
    }

    /** Opens a pull request from head to base, or returns the one already there for that head branch. */
    public PullRequest open(String head, String base, String title, String body) throws StepException {
        return open(head, base, title, body, List.of(), false);
    }

    /**
     * Opens a pull request from head to base with labels. When the provider refuses because one already exists
     * (GitHub 422, GitLab and Gitea 409), the existing one is returned instead of a second: with {@code openOnly}
     * only an open one for the same head and base, else any for the head branch (also merged ones).
     */
    public PullRequest open(String head, String base, String title, String body, List<String> labels, boolean openOnly)
            throws StepException {
        Map<String, Object> payload = new LinkedHashMap<>();
        List<String> wanted = labels == null ? List.of() : labels;
        switch (provider) {
            case "gitlab" -> {
                payload.put("source_branch", head);
                payload.put("target_branch", base);
                payload.put("title", title);
                payload.put("description", body);
                if (!wanted.isEmpty()) {
                    payload.put("labels", String.join(",", wanted));
                }
            }
            default -> {
                payload.put("head", head);
                payload.put("base", base);
                payload.put("title", title);
                payload.put("body", body);
                if (!wanted.isEmpty() && provider.equals("gitea")) {
                    payload.put("labels", giteaLabelIds(wanted)); // Gitea takes label ids, not names
                }
            }
        }
        HttpResponse<String> r = send("POST", listPath(), EventCodec.toJson(payload));
        if (r.statusCode() == 201 || r.statusCode() == 200) {
            PullRequest pr = read(EventCodec.parse(r.body()));
            if (!wanted.isEmpty() && provider.equals("github")) {
                // GitHub sets labels through the issue that backs every pull request
                HttpResponse<String> l = send("POST", "/repos/" + repo + "/issues/" + pr.number() + "/labels",
                        EventCodec.toJson(Map.of("labels", wanted)));
                if (l.statusCode() != 200) {
                    throw error("label", l);
                }
            }
            return pr;
        }
        if (r.statusCode() == 409 || r.statusCode() == 422) {
            PullRequest existing = find(head, openOnly ? base : null, openOnly);
            if (existing != null) {
                return existing;
            }
        }
        throw error("open", r);
    }

    public PullRequest get(long number) throws StepException {
        return read(getJson(number));
    }

    private JsonNode getJson(long number) throws StepException {
        HttpResponse<String> r = send("GET", listPath() + "/" + number, null);
        if (r.statusCode() != 200) {
            throw error("read", r);
        }
        return EventCodec.parse(r.body());
    }

    /**
     * Merges an open pull request (synchronously; merge queues are not used). Already merged → that merge. Closed
     * unmerged, a conflict, or a method the provider does not take → terminal. Not mergeable yet (draft, pending
     * checks, mergeability not computed) → {@code merged=false} with the reason, for the caller to wait or fail.
     */
    public Merge merge(long number, String method) throws StepException {
        if (method != null && !MERGE_METHODS.get(provider).contains(method)) {
            throw StepException.terminal("merge method '" + method + "' is not one " + provider + " takes (one of "
                    + String.join(", ", new java.util.TreeSet<>(MERGE_METHODS.get(provider))) + ")");
        }
        JsonNode n = getJson(number);
        PullRequest pr = read(n);
        if (pr.merged()) {
            return new Merge(pr, true, null);
        }
        if (pr.state() == State.CLOSED) {
            throw StepException.terminal("pull request " + number + " is closed but not merged");
        }
        String notReady = notReady(n);
        if (notReady != null) {
            return new Merge(pr, false, notReady);
        }
        HttpResponse<String> r = switch (provider) {
            case "gitlab" -> send("PUT", listPath() + "/" + number + "/merge",
                    "squash".equals(method) ? "{\"squash\":true}" : "{}");
            case "github" -> send("PUT", listPath() + "/" + number + "/merge",
                    EventCodec.toJson(Map.of("merge_method", method == null ? "merge" : method)));
            default -> send("POST", listPath() + "/" + number + "/merge",
                    EventCodec.toJson(Map.of("Do", method == null ? "merge" : method)));
        };
        if (r.statusCode() == 405 || (provider.equals("gitlab") && (r.statusCode() == 406 || r.statusCode() == 422))) {
            // the host declined the merge now (checks, reviews, a base that moved): not ready rather than failed
            return new Merge(pr, false, provider + " declined the merge: HTTP " + r.statusCode() + " " + clip(r.body()));
        }
        if (r.statusCode() / 100 != 2) {
            throw error("merge", r);
        }
        PullRequest after = provider.equals("gitlab") ? read(EventCodec.parse(r.body())) : get(number);
        if (!after.merged()) {
            throw StepException.terminal(provider + " accepted the merge of pull request " + number
                    + " but reports it as not merged");
        }
        return new Merge(after, true, null);
    }

    /** Why an open pull request cannot be merged now, or null when it can be tried; a conflict is terminal. */
    private String notReady(JsonNode n) throws StepException {
        boolean draft = n.path("draft").asBoolean(false);
        switch (provider) {
            case "github" -> {
                String state = n.path("mergeable_state").asText("");
                switch (state) {
                    case "clean", "unstable", "has_hooks", "blocked", "behind" -> {
                        return null; // blocked/behind: GitHub decides whether this token may bypass the rules
                    }
                    case "dirty" -> throw StepException.terminal("pull request " + n.path("number").asText()
                            + " has conflicts and cannot be merged");
                    case "draft", "unknown" -> {
                        return "mergeable_state is " + state;
                    }
                    default -> {
                        return draft || !n.path("mergeable").asBoolean(false) ? "not mergeable yet" : null;
                    }
                }
            }
            case "gitlab" -> {
                String status = n.path("detailed_merge_status").asText("");
                return draft || !status.equals("mergeable") ? "detailed_merge_status is " + status : null;
            }
            default -> {
                return draft || !n.path("mergeable").asBoolean(false) ? "not mergeable yet" : null;
            }
        }
    }

    private List<Long> giteaLabelIds(List<String> names) throws StepException {
        Map<String, Long> byName = new LinkedHashMap<>();
        for (int page = 1; page <= 20; page++) {
            HttpResponse<String> r = send("GET", "/repos/" + repo + "/labels?limit=50&page=" + page, null);
            if (r.statusCode() != 200) {
                throw error("list labels of", r);
            }
            JsonNode all = EventCodec.parse(r.body());
            all.forEach(l -> byName.putIfAbsent(l.path("name").asText(), l.path("id").asLong()));
            if (all.size() < 50) {
                break;
            }
        }
        List<Long> ids = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : new java.util.LinkedHashSet<>(names)) {
            Long id = byName.get(name);
            if (id == null) {
                missing.add(name);
            } else {
                ids.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw StepException.terminal("labels not found in repository " + repo + ": " + String.join(", ", missing));
        }
        return ids;
    }

    /** The pull request for this head branch (and base, when given); only open ones with {@code openOnly}. */
    private PullRequest find(String head, String base, boolean openOnly) throws StepException {
        String state = openOnly ? (provider.equals("gitlab") ? "opened" : "open") : "all";
        String query = switch (provider) {
            case "gitlab" -> "?state=" + state + "&source_branch=" + enc(head) + (base == null ? "" : "&target_branch=" + enc(base));
            case "github" -> "?state=" + state + "&head=" + enc(repo.substring(0, repo.indexOf('/')) + ":" + head)
                    + (base == null ? "" : "&base=" + enc(base));
            default -> "?state=" + state;
        };
        HttpResponse<String> r = send("GET", listPath() + query, null);
        if (r.statusCode() != 200) {
            throw error("list", r);
        }
        for (JsonNode n : EventCodec.parse(r.body())) {
            boolean gitlab = provider.equals("gitlab");
            String ref = gitlab ? n.path("source_branch").asText() : n.path("head").path("ref").asText();
            String target = gitlab ? n.path("target_branch").asText() : n.path("base").path("ref").asText();
            if (head.equals(ref) && (base == null || base.equals(target))) {
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
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw StepException.retryable(provider + " API unreachable: " + Redact.text(String.valueOf(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StepException.retryable("interrupted", e);
        }
    }

    private StepException error(String what, HttpResponse<String> r) {
        String msg = provider + " API: cannot " + what + " pull request: HTTP " + r.statusCode() + " " + clip(r.body());
        return r.statusCode() >= 500 || r.statusCode() == 429 ? StepException.retryable(msg, null) : StepException.terminal(msg);
    }

    private static String clip(String body) {
        String b = body == null ? "" : body;
        return Redact.text(b.length() > 200 ? b.substring(0, 200) : b);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
