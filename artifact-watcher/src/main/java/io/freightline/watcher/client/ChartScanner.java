package io.freightline.watcher.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.ArtifactReferences;
import io.freightline.watcher.domain.Discovery;
import io.freightline.watcher.domain.RepoUrls;
import io.freightline.versions.Policy;
import io.freightline.watcher.domain.Watched;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Helm charts: HTTP repositories ({@code index.yaml}, fetched with If-None-Match/If-Modified-Since) and OCI
 * repositories ({@code oci://}, versions are tags with {@code +} written as {@code _}).
 */
@ApplicationScoped
public class ChartScanner implements Scanner {
    // YAML 1.1 timestamps stay strings with Jackson's YAML parser, so nanosecond `created` values are not cut
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Inject
    HttpFetcher http;
    @Inject
    OciRegistryClient oci;
    @Inject
    InvalidTags invalidTags;

    private record CachedIndex(String etag, String lastModified, JsonNode index) {
    }

    private final Map<String, CachedIndex> indexes = new ConcurrentHashMap<>();

    @Override
    public boolean handles(Watched w) {
        return w.kind() == ArtifactKind.CHART;
    }

    @Override
    public String registry(Watched w) {
        if (w.isOciChart()) return RepoUrls.registryHost(RepoUrls.image(w.subscription().repoURL()));
        URI u = URI.create(w.subscription().repoURL());
        return HttpFetcher.hostOf(u);
    }

    @Override
    public List<Discovery> scan(Watched w) {
        Policy policy = w.policy();
        Map<String, Instant> created = new HashMap<>();
        List<String> versions;
        String name;
        if (w.isOciChart()) {
            String normalized = RepoUrls.image(w.subscription().repoURL());
            name = normalized.substring(normalized.lastIndexOf('/') + 1);
            versions = oci.listTags(RepoUrls.registryHost(normalized), RepoUrls.repositoryPath(normalized)).stream()
                    .map(t -> t.replace('_', '+')).toList();
        } else {
            name = w.subscription().chartName();
            if (name == null || name.isBlank()) {
                throw new RegistryException("chart subscription " + w.key() + " has no chartName", 0, false);
            }
            versions = new ArrayList<>();
            for (JsonNode v : index(w.subscription().repoURL()).path("entries").path(name)) {
                String version = v.path("version").asText(null);
                if (version == null || v.path("removed").asBoolean(false)) continue;
                versions.add(version);
                instant(v.path("created").asText(null)).ifPresent(t -> created.put(version, t));
            }
        }
        List<Discovery> out = new ArrayList<>();
        for (String version : policy.selectTags(invalidTags.valid(w, versions, ArtifactReferences::chartVersionProblem), created::get)) {
            out.add(new Discovery(w, ArtifactRef.chart(w.subscription().repoURL(), name, version), version,
                    created.get(version), "poll"));
        }
        Collections.reverse(out);
        return out;
    }

    private JsonNode index(String repoURL) {
        String base = repoURL.endsWith("/") ? repoURL : repoURL + "/";
        URI uri = URI.create(base).resolve("index.yaml");
        CachedIndex cached = indexes.get(uri.toString());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/x-yaml, text/yaml, */*");
        if (cached != null && cached.etag != null) headers.put("If-None-Match", cached.etag);
        if (cached != null && cached.lastModified != null) headers.put("If-Modified-Since", cached.lastModified);
        HttpFetcher.Response r = http.send("GET", uri, headers, null);
        if (r.status() == 304 && cached != null) {
            return cached.index;
        }
        if (r.status() == 404) {
            throw new RegistryException("no index.yaml at " + uri.getHost() + uri.getPath(), 404, false);
        }
        try {
            JsonNode index = YAML.readTree(r.body());
            if (index == null || !index.has("entries")) {
                throw new RegistryException("index.yaml at " + uri.getHost() + uri.getPath() + " has no entries", r.status(), false);
            }
            indexes.put(uri.toString(), new CachedIndex(r.header("etag"), r.header("last-modified"), index));
            return index;
        } catch (IOException e) {
            throw new RegistryException("unreadable index.yaml at " + uri.getHost() + uri.getPath() + ": " + e.getMessage(), r.status(), false);
        }
    }

    private static java.util.Optional<Instant> instant(String s) {
        try {
            return s == null ? java.util.Optional.empty() : java.util.Optional.of(OffsetDateTime.parse(s).toInstant());
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
