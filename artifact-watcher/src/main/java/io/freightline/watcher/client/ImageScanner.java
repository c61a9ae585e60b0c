package io.freightline.watcher.client;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.ArtifactReferences;
import io.freightline.watcher.domain.Discovery;
import io.freightline.watcher.domain.EmittedLedger;
import io.freightline.watcher.domain.RepoUrls;
import io.freightline.versions.Strategy;
import io.freightline.versions.Policy;
import io.freightline.watcher.domain.Watched;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Container images. Digests are resolved (HEAD) only for selected tags not emitted yet, and NewestBuild caches
 * each tag's digest and each digest's build time, so a later poll of an unchanged repository costs only the
 * tags/list pages.
 */
@ApplicationScoped
public class ImageScanner implements Scanner {
    @Inject
    OciRegistryClient oci;
    @Inject
    EmittedLedger ledger;
    @Inject
    InvalidTags invalidTags;

    private final Map<String, String> digestByTag = new ConcurrentHashMap<>();
    private final Map<String, Instant> createdByDigest = new ConcurrentHashMap<>();
    private final Map<String, List<String>> platformsByDigest = new ConcurrentHashMap<>();

    @Override
    public boolean handles(Watched w) {
        return w.kind() == ArtifactKind.IMAGE;
    }

    @Override
    public String registry(Watched w) {
        return RepoUrls.registryHost(RepoUrls.image(w.subscription().repoURL()));
    }

    @Override
    public List<Discovery> scan(Watched w) {
        String normalized = RepoUrls.image(w.subscription().repoURL());
        String host = RepoUrls.registryHost(normalized);
        String repo = RepoUrls.repositoryPath(normalized);
        Policy policy = w.policy();
        String platform = w.subscription().platform();
        boolean anyPlatform = platform == null || platform.isBlank();
        if (policy.strategy() == Strategy.DIGEST) {
            return oci.head(host, repo, policy.digestTag())
                    .filter(m -> anyPlatform || runsOn(host, repo, m, platform))
                    .map(m -> List.of(new Discovery(w, ArtifactRef.image(w.subscription().repoURL(), policy.digestTag(), m.digest()),
                            m.digest(), null, "poll")))
                    .orElse(List.of());
        }
        List<String> tags = invalidTags.valid(w, oci.listTags(host, repo), ArtifactReferences::tagProblem);
        if (!anyPlatform) {
            // Kargo's platform: only images (or index entries) for that os/arch[/variant] are eligible; the digest
            // emitted stays the tag's (an index's digest deploys on every platform it lists)
            tags = tags.stream().filter(t -> policy.accepts(t) && runsOn(host, repo, normalized, t, platform)).toList();
        }
        Map<String, Instant> builtAt = new HashMap<>();
        if (policy.strategy() == Strategy.NEWEST_BUILD) {
            for (String tag : tags) {
                if (!policy.accepts(tag)) continue;
                String key = normalized + ":" + tag;
                String digest = digestByTag.get(key);
                OciRegistryClient.Manifest manifest = null;
                if (digest == null) {
                    manifest = oci.get(host, repo, tag).orElse(null);
                    if (manifest == null) continue;
                    digest = manifest.digest();
                    digestByTag.put(key, digest);
                }
                // an index's build time is its platform's image's (linux/amd64 without platform)
                String createdKey = anyPlatform ? digest : digest + "@" + platform;
                Instant created = createdByDigest.get(createdKey);
                if (created == null) {
                    OciRegistryClient.Manifest m = manifest != null ? manifest : new OciRegistryClient.Manifest(digest, null, null);
                    created = oci.created(host, repo, m, platform).orElse(Instant.EPOCH);
                    createdByDigest.put(createdKey, created);
                }
                builtAt.put(tag, created);
            }
        }
        List<Discovery> out = new ArrayList<>();
        for (String tag : policy.selectTags(tags, builtAt::get)) {
            if (ledger.contains(w.key(), tag)) continue; // emitted before: no need to resolve its digest
            String digest = digestByTag.get(normalized + ":" + tag);
            if (digest == null) {
                digest = oci.head(host, repo, tag).map(OciRegistryClient.Manifest::digest).orElse(null);
                if (digest == null) continue; // deleted between list and head
            }
            out.add(new Discovery(w, ArtifactRef.image(w.subscription().repoURL(), tag, digest), tag, builtAt.get(tag), "poll"));
        }
        Collections.reverse(out);
        return out;
    }

    private boolean runsOn(String host, String repo, String normalized, String tag, String platform) {
        String key = normalized + ":" + tag;
        String digest = digestByTag.get(key);
        OciRegistryClient.Manifest manifest;
        if (digest == null) {
            manifest = oci.get(host, repo, tag).orElse(null);
            if (manifest == null) return false;
            digestByTag.put(key, manifest.digest());
        } else {
            manifest = new OciRegistryClient.Manifest(digest, null, null);
        }
        return runsOn(host, repo, manifest, platform);
    }

    private boolean runsOn(String host, String repo, OciRegistryClient.Manifest manifest, String platform) {
        List<String> platforms = platformsByDigest.computeIfAbsent(manifest.digest(), d -> oci.platforms(host, repo, manifest));
        return platforms.stream().anyMatch(p -> matches(platform, p));
    }

    /** {@code linux/arm64} matches {@code linux/arm64} and {@code linux/arm64/v8}; {@code linux/arm/v7} only itself. */
    static boolean matches(String wanted, String offered) {
        return offered.equals(wanted) || (wanted.chars().filter(c -> c == '/').count() == 1 && offered.startsWith(wanted + "/"));
    }
}
