package io.freightline.watcher.api;

import io.freightline.watcher.config.WatcherConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers recent delivery ids (per instance, in memory, bounded). A replay across instances or restarts still
 * emits nothing, because the ledger of emitted versions is shared through Kafka; this only saves the work.
 */
@ApplicationScoped
public class ReplayGuard {
    @Inject
    WatcherConfig config;

    private final Map<String, Boolean> seen = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > config.replayWindow();
        }
    };

    public synchronized boolean seen(String provider, String deliveryId) {
        return seen.containsKey(provider + "/" + deliveryId);
    }

    public synchronized void remember(String provider, String deliveryId) {
        seen.put(provider + "/" + deliveryId, Boolean.TRUE);
    }
}
