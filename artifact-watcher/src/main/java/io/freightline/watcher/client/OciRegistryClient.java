package io.freightline.watcher.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.watcher.config.WatcherConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The OCI Distribution API as far as discovery needs it: tags/list with paging, manifests, config blobs. */
@ApplicationScoped
public class OciRegistryClient {
    public static final String MANIFEST_ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;[^,]*rel=\"?next\"?");

    @Inject
    HttpFetcher http;
    @Inject
    WatcherConfig config;

    /** Conditional-request cache of tags/list pages: URL → (ETag, tags, next link). */
    private final Map<String, CachedPage> pages = new ConcurrentHashMap<>();

    private record CachedPage(String etag, List<String> tags, String next) {
    }

    /** A manifest: its digest, media type and (for GET) body. */
    public record Manifest(String digest, String mediaType, JsonNode body) {
    }

    /** Every tag of a repository, following {@code Link: <...>; rel="next"} (or {@code last} when a full page has none). */
    public List<String> listTags(String host, String repo) {
        URI base = URI.create(http.scheme(host) + "://" + host + "/");
        String path = "/v2/" + repo + "/tags/list?n=" + config.poll().pageSize();
        List<String> all = new ArrayList<>();
        String scope = scope(repo);
        for (int page = 0; page < 10_000 && path != null; page++) {
            URI uri = base.resolve(path);
            CachedPage cached = pages.get(uri.toString());
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept", "application/json");
            if (cached != null && cached.etag != null) headers.put("If-None-Match", cached.etag);
            HttpFetcher.Response r = http.send("GET", uri, headers, scope);
            List<String> tags;
            String next;
            if (r.status() == 304 && cached != null) {
                tags = cached.tags;
                next = cached.next;
            } else if (r.status() == 404) {
                throw new RegistryException("repository " + host + "/" + repo + " not found", 404, false);
            } else {
                tags = new ArrayList<>();
                for (JsonNode t : r.json().path("tags")) tags.add(t.asText()); // null or missing tags = none
                next = nextLink(r.header("link"));
                if (next == null && tags.size() >= config.poll().pageSize() && !tags.isEmpty()) {
                    // a full page without Link: the spec's fallback is last=<last tag>
                    next = "/v2/" + repo + "/tags/list?n=" + config.poll().pageSize() + "&last="
                            + java.net.URLEncoder.encode(tags.get(tags.size() - 1), java.nio.charset.StandardCharsets.UTF_8);
                }
                String etag = r.header("etag");
                if (etag != null) pages.put(uri.toString(), new CachedPage(etag, List.copyOf(tags), next));
            }
            if (tags.isEmpty() || (!all.isEmpty() && all.get(all.size() - 1).equals(tags.get(tags.size() - 1)))) {
                break;
            }
            all.addAll(tags);
            path = next;
        }
        return all;
    }

    /** Resolves a tag to its manifest digest with a HEAD (GET when the registry sends no digest header). */
    public Optional<Manifest> head(String host, String repo, String reference) {
        URI uri = manifestUri(host, repo, reference);
        HttpFetcher.Response r = http.send("HEAD", uri, Map.of("Accept", MANIFEST_ACCEPT), scope(repo));
        if (r.status() == 404) return Optional.empty();
        String digest = r.header("docker-content-digest");
        if (digest == null) {
            return get(host, repo, reference);
        }
        return Optional.of(new Manifest(digest, mediaType(r.header("content-type")), null));
    }

    /** GETs a manifest (or index). */
    public Optional<Manifest> get(String host, String repo, String reference) {
        HttpFetcher.Response r = http.send("GET", manifestUri(host, repo, reference), Map.of("Accept", MANIFEST_ACCEPT), scope(repo));
        if (r.status() == 404) return Optional.empty();
        String digest = r.header("docker-content-digest");
        if (digest == null) {
            digest = "sha256:" + java.util.HexFormat.of().formatHex(sha256(r.body()));
        }
        JsonNode body = r.json();
        String mt = body.hasNonNull("mediaType") ? body.get("mediaType").asText() : mediaType(r.header("content-type"));
        return Optional.of(new Manifest(digest, mt, body));
    }

    /**
     * The build time of a manifest: the {@code org.opencontainers.image.created} label/annotation or the config's
     * {@code created}. For an index, of its linux/amd64 (else first) manifest.
     */
    public Optional<Instant> created(String host, String repo, Manifest manifest) {
        return created(host, repo, manifest, null);
    }

    /** The same, for an index of the manifest for {@code platform} ({@code os/arch[/variant]}) when it has one. */
    public Optional<Instant> created(String host, String repo, Manifest manifest, String platform) {
        JsonNode body = manifest.body();
        if (body == null) {
            body = get(host, repo, manifest.digest()).map(Manifest::body).orElse(null);
            if (body == null) return Optional.empty();
        }
        Optional<Instant> annotated = instant(body.path("annotations").path("org.opencontainers.image.created").asText(null));
        if (annotated.isPresent()) return annotated;
        if (body.has("manifests")) {
            JsonNode pick = null;
            String wanted = platform == null || platform.isBlank() ? "linux/amd64" : platform;
            for (JsonNode m : body.get("manifests")) {
                if (pick == null) pick = m;
                String offered = platform(m.path("platform"));
                if (offered != null && ImageScanner.matches(wanted, offered)) {
                    pick = m;
                    break;
                }
            }
            if (pick == null) return Optional.empty();
            return get(host, repo, pick.path("digest").asText()).flatMap(m -> created(host, repo, m));
        }
        String configDigest = body.path("config").path("digest").asText(null);
        if (configDigest == null) return Optional.empty();
        URI uri = URI.create(http.scheme(host) + "://" + host + "/v2/" + repo + "/blobs/" + configDigest);
        HttpFetcher.Response r = http.send("GET", uri, Map.of(), scope(repo));
        if (r.status() != 200) return Optional.empty();
        JsonNode cfg = r.json();
        Optional<Instant> label = instant(cfg.path("config").path("Labels").path("org.opencontainers.image.created").asText(null));
        return label.isPresent() ? label : instant(cfg.path("created").asText(null));
    }

    /**
     * The platforms ({@code os/arch[/variant]}) a manifest runs on: each entry of an image index, or the config of a
     * single image. Empty when the registry does not say (no config, or an artifact that is not an image).
     */
    public List<String> platforms(String host, String repo, Manifest manifest) {
        JsonNode body = manifest.body();
        if (body == null) {
            body = get(host, repo, manifest.digest()).map(Manifest::body).orElse(null);
            if (body == null) return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        if (body.has("manifests")) {
            for (JsonNode m : body.get("manifests")) {
                String p = platform(m.path("platform"));
                if (p != null) out.add(p);
            }
            return out;
        }
        String configDigest = body.path("config").path("digest").asText(null);
        if (configDigest == null) return out;
        URI uri = URI.create(http.scheme(host) + "://" + host + "/v2/" + repo + "/blobs/" + configDigest);
        HttpFetcher.Response r = http.send("GET", uri, Map.of(), scope(repo));
        if (r.status() != 200) return out;
        String p = platform(r.json());
        if (p != null) out.add(p);
        return out;
    }

    private static String platform(JsonNode n) {
        String os = n.path("os").asText(""), arch = n.path("architecture").asText(""), variant = n.path("variant").asText("");
        if (os.isEmpty() || arch.isEmpty()) return null;
        return os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant);
    }

    private URI manifestUri(String host, String repo, String reference) {
        return URI.create(http.scheme(host) + "://" + host + "/v2/" + repo + "/manifests/" + reference);
    }

    private static String scope(String repo) {
        return "repository:" + repo + ":pull";
    }

    static String nextLink(String link) {
        if (link == null) return null;
        Matcher m = NEXT_LINK.matcher(link);
        return m.find() ? m.group(1) : null;
    }

    private static String mediaType(String contentType) {
        return contentType == null ? null : contentType.split(";", 2)[0].trim();
    }

    private static Optional<Instant> instant(String s) {
        if (s == null || s.isBlank()) return Optional.empty();
        try {
            return Optional.of(java.time.OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
