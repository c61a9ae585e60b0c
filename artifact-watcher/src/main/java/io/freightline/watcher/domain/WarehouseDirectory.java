package io.freightline.watcher.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.Subscription;
import io.freightline.events.WarehouseUpdated;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The warehouse specs the engine published, by {@code project/warehouse}; the watcher's only pipeline config. */
public final class WarehouseDirectory {
    private final Map<String, WarehouseUpdated> warehouses = new ConcurrentHashMap<>();

    /** Applies a compacted-topic record: a spec, or null to delete. Older generations never replace newer ones. */
    public void apply(String key, WarehouseUpdated spec) {
        if (spec == null) {
            warehouses.remove(key);
            return;
        }
        warehouses.merge(key, spec, (old, neu) -> neu.generation() >= old.generation() ? neu : old);
    }

    public int size() {
        return warehouses.size();
    }

    /** Every subscription of every warehouse. */
    public List<Watched> all() {
        List<Watched> out = new ArrayList<>();
        for (WarehouseUpdated w : warehouses.values()) {
            if (w.subscriptions() == null) continue;
            for (Subscription s : w.subscriptions()) {
                if (s != null && s.repoURL() != null) {
                    out.add(new Watched(w.project(), w.warehouse(), w.intervalSeconds(), w.generation(), s));
                }
            }
        }
        return out;
    }

    /** Subscriptions of images and OCI charts in the given {@code host/path} repository. */
    public List<Watched> byImageRepo(String normalizedRepo) {
        return all().stream()
                .filter(w -> w.kind() == ArtifactKind.IMAGE || w.isOciChart())
                .filter(w -> w.matchKey().equals(normalizedRepo)).toList();
    }

    /** Git subscriptions of the given repository ({@link RepoUrls#git} form). */
    public List<Watched> byGitRepo(String normalizedUrl) {
        return all().stream().filter(w -> w.kind() == ArtifactKind.GIT)
                .filter(w -> w.matchKey().equals(normalizedUrl)).toList();
    }

    /** One subscription by its state key. */
    public Watched byKey(String key) {
        return all().stream().filter(w -> w.key().equals(key)).findFirst().orElse(null);
    }
}
