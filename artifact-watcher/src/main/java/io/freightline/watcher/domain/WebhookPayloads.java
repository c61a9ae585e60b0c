package io.freightline.watcher.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads each provider's webhook body (shapes as in shared/contracts/webhooks) into hints. Pure: authentication
 * happens before, acting on hints after.
 */
public final class WebhookPayloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    /** Manifest media types: a push of one of these (not a blob) is a new image version. */
    public static final Set<String> MANIFEST_TYPES = Set.of(
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json");

    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";

    public static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new MalformedPayloadException("body is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MalformedPayloadException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new MalformedPayloadException("unreadable body", e);
        }
    }

    /** CNCF Distribution notification envelope: tagged manifest pushes only. */
    public static WebhookPayload distribution(byte[] body) {
        JsonNode root = parse(body);
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            throw new MalformedPayloadException("no 'events' array");
        }
        List<Hint> hints = new ArrayList<>();
        StringBuilder ids = new StringBuilder();
        for (JsonNode e : events) {
            ids.append(text(e, "id")).append(',');
            JsonNode target = e.path("target");
            String mediaType = mediaTypeOf(text(target, "mediaType"));
            String tag = text(target, "tag");
            if (!"push".equals(text(e, "action")) || !MANIFEST_TYPES.contains(mediaType) || tag == null || tag.isEmpty()) {
                continue;
            }
            String host = text(e.path("request"), "host");
            String repository = text(target, "repository");
            if (host == null || repository == null) {
                throw new MalformedPayloadException("push event without request.host or target.repository");
            }
            hints.add(new Hint.ImagePush(RepoUrls.image(host + "/" + repository), tag, text(target, "digest")));
        }
        if (hints.isEmpty()) {
            return new WebhookPayload.Ignored("no tagged manifest push among " + events.size() + " event(s)");
        }
        // the registry redelivers the same events until one attempt succeeds: their ids identify the delivery
        return new WebhookPayload.Hints("distribution:" + sha256(ids.toString()), hints);
    }

    /** Docker Hub push: {@code repository.repo_name} and {@code push_data.tag}; no digest. */
    public static WebhookPayload dockerhub(byte[] body) {
        JsonNode root = parse(body);
        String repo = text(root.path("repository"), "repo_name");
        String tag = text(root.path("push_data"), "tag");
        if (repo == null) {
            throw new MalformedPayloadException("no repository.repo_name");
        }
        return new WebhookPayload.Hints(null, List.of(new Hint.ImagePush(RepoUrls.image("docker.io/" + repo), emptyToNull(tag), null)));
    }

    /** Quay repo_push: {@code docker_url} and {@code updated_tags}. */
    public static WebhookPayload quay(byte[] body) {
        JsonNode root = parse(body);
        String url = text(root, "docker_url");
        if (url == null) {
            throw new MalformedPayloadException("no docker_url");
        }
        List<Hint> hints = new ArrayList<>();
        for (JsonNode t : root.path("updated_tags")) {
            hints.add(new Hint.ImagePush(RepoUrls.image(url), emptyToNull(t.asText()), null));
        }
        if (hints.isEmpty()) {
            hints.add(new Hint.ImagePush(RepoUrls.image(url), null, null));
        }
        return new WebhookPayload.Hints(null, hints);
    }

    /** Harbor PUSH_ARTIFACT, Default ({@code event_data}) or CloudEvents ({@code data}) format. */
    public static WebhookPayload harbor(byte[] body) {
        JsonNode root = parse(body);
        String type = root.has("specversion") ? text(root, "type") : text(root, "type");
        if (!"PUSH_ARTIFACT".equals(type) && !"harbor.artifact.pushed".equals(type)) {
            return new WebhookPayload.Ignored("Harbor event type '" + type + "' is not an artifact push");
        }
        JsonNode data = root.has("specversion") ? root.path("data") : root.path("event_data");
        List<Hint> hints = new ArrayList<>();
        for (JsonNode r : data.path("resources")) {
            String url = text(r, "resource_url");
            if (url == null) continue;
            String repo = url.contains("@") ? url.substring(0, url.indexOf('@')) : stripTag(url);
            String tag = text(r, "tag");
            if (tag != null && tag.startsWith("sha256:")) tag = null; // replication pushes put the digest in tag
            hints.add(new Hint.ImagePush(RepoUrls.image(repo), tag, text(r, "digest")));
        }
        if (hints.isEmpty()) {
            throw new MalformedPayloadException("Harbor push without resources[].resource_url");
        }
        return new WebhookPayload.Hints(root.has("specversion") ? "harbor:" + text(root, "id") : null, hints);
    }

    /** GitHub: {@code push}, {@code package}/{@code registry_package} (GHCR), {@code ping}. */
    public static WebhookPayload github(String event, String deliveryId, byte[] body) {
        JsonNode root = parse(body);
        if (event == null) {
            return new WebhookPayload.Ignored("no X-GitHub-Event header");
        }
        return switch (event) {
            case "ping" -> new WebhookPayload.Ping(deliveryId);
            case "push" -> gitPush(deliveryId, root, root.path("repository"), "clone_url", "html_url", "ssh_url", "git_url");
            case "package", "registry_package" -> githubPackage(deliveryId, root.path(event));
            default -> new WebhookPayload.Ignored("GitHub event '" + event + "' is not handled");
        };
    }

    private static WebhookPayload githubPackage(String deliveryId, JsonNode pkg) {
        JsonNode version = pkg.path("package_version");
        JsonNode container = version.path("container_metadata");
        String type = text(pkg, "package_type");
        boolean isContainer = !container.isMissingNode() && !container.isNull()
                || type != null && List.of("container", "docker").contains(type.toLowerCase(Locale.ROOT));
        if (!isContainer) {
            return new WebhookPayload.Ignored("package of type '" + type + "' is not a container");
        }
        String url = text(version, "package_url");
        String repo;
        if (url != null && !url.isBlank()) {
            repo = stripTag(url.endsWith(":") ? url.substring(0, url.length() - 1) : url);
        } else if (text(pkg, "namespace") != null && text(pkg, "name") != null) {
            repo = "ghcr.io/" + text(pkg, "namespace") + "/" + text(pkg, "name");
        } else {
            throw new MalformedPayloadException("package without package_url or namespace/name");
        }
        String tag = emptyToNull(text(container.path("tag"), "name"));
        String digest = emptyToNull(text(container.path("manifest"), "digest"));
        if (digest == null) digest = emptyToNull(text(version, "version"));
        return new WebhookPayload.Hints(deliveryId, List.of(new Hint.ImagePush(RepoUrls.image(repo), tag, digest)));
    }

    /** Gitea / Forgejo / Gogs push (GitHub-like body). */
    public static WebhookPayload gitea(String event, String deliveryId, byte[] body) {
        JsonNode root = parse(body);
        if (event != null && !event.equals("push")) {
            return new WebhookPayload.Ignored("Gitea event '" + event + "' is not handled");
        }
        return gitPush(deliveryId, root, root.path("repository"), "clone_url", "html_url", "ssh_url");
    }

    /** GitLab Push Hook / Tag Push Hook. */
    public static WebhookPayload gitlab(String event, String deliveryId, byte[] body) {
        JsonNode root = parse(body);
        String kind = text(root, "object_kind");
        if (!"push".equals(kind) && !"tag_push".equals(kind)) {
            return new WebhookPayload.Ignored("GitLab event '" + (event != null ? event : kind) + "' is not handled");
        }
        WebhookPayload fromProject = gitPush(deliveryId, root, root.path("project"), "git_http_url", "git_ssh_url", "web_url");
        if (fromProject instanceof WebhookPayload.Hints) return fromProject;
        return gitPush(deliveryId, root, root.path("repository"), "git_http_url", "git_ssh_url", "homepage", "url");
    }

    private static WebhookPayload gitPush(String deliveryId, JsonNode root, JsonNode repo, String... urlFields) {
        String ref = text(root, "ref");
        if (ref == null) {
            throw new MalformedPayloadException("push without ref");
        }
        Set<String> repos = new LinkedHashSet<>();
        for (String f : urlFields) {
            String u = text(repo, f);
            if (u != null && !u.isBlank()) repos.add(RepoUrls.git(u));
        }
        if (repos.isEmpty()) {
            throw new MalformedPayloadException("push without repository URLs");
        }
        if (ZERO_SHA.equals(text(root, "after"))) {
            return new WebhookPayload.Ignored("deletion of " + ref);
        }
        return new WebhookPayload.Hints(deliveryId, List.of(new Hint.GitPush(repos, ref)));
    }

    private static String stripTag(String ref) {
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        return colon > slash ? ref.substring(0, colon) : ref;
    }

    private static String mediaTypeOf(String contentType) {
        return contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private WebhookPayloads() {
    }
}
