package io.freightline.watcher.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What was already emitted, per subscription key: version keys (a tag, a digest, a commit), newest last, bounded
 * to {@link #MAX_PER_SUBSCRIPTION} so a state record stays small. Rebuilt from the compacted state topic.
 */
public final class EmittedLedger {
    public static final int MAX_PER_SUBSCRIPTION = 2000;

    private final Map<String, LinkedHashSet<String>> emitted = new ConcurrentHashMap<>();

    public boolean contains(String subscriptionKey, String versionKey) {
        LinkedHashSet<String> set = emitted.get(subscriptionKey);
        if (set == null) return false;
        synchronized (set) {
            return set.contains(versionKey);
        }
    }

    /** Adds versions; returns the subscription's whole list afterwards (the next state record). */
    public List<String> add(String subscriptionKey, Collection<String> versionKeys) {
        LinkedHashSet<String> set = emitted.computeIfAbsent(subscriptionKey, k -> new LinkedHashSet<>());
        synchronized (set) {
            for (String v : versionKeys) {
                set.remove(v);
                set.add(v);
            }
            while (set.size() > MAX_PER_SUBSCRIPTION) {
                set.remove(set.iterator().next());
            }
            return new ArrayList<>(set);
        }
    }

    /** Merges a state record (from this or another instance); null versions delete the subscription's state. */
    public void merge(String subscriptionKey, List<String> versionKeys) {
        if (versionKeys == null) {
            emitted.remove(subscriptionKey);
            return;
        }
        add(subscriptionKey, versionKeys);
    }

    public List<String> versions(String subscriptionKey) {
        LinkedHashSet<String> set = emitted.get(subscriptionKey);
        if (set == null) return List.of();
        synchronized (set) {
            return new ArrayList<>(set);
        }
    }
}
