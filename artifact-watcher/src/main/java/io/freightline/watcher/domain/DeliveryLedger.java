package io.freightline.watcher.domain;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Webhook delivery ids already handled, by any instance: rebuilt from the compacted state topic (one record per
 * delivery, key {@link #key}), bounded to the newest {@code window} ids. The oldest ids beyond the window are
 * tombstoned by the instance that records a new one, so the topic stays bounded too.
 */
public final class DeliveryLedger {
    public static final String KEY_PREFIX = "delivery:";

    private final int window;
    private final LinkedHashMap<String, Boolean> seen = new LinkedHashMap<>(256, 0.75f, false);

    public DeliveryLedger(int window) {
        this.window = Math.max(1, window);
    }

    /** The state-topic key of a delivery: {@code delivery:<provider>:<delivery id>}. */
    public static String key(String provider, String deliveryId) {
        return KEY_PREFIX + provider + ":" + deliveryId;
    }

    public synchronized boolean contains(String provider, String deliveryId) {
        return seen.containsKey(key(provider, deliveryId));
    }

    /** Records a delivery key (from this instance after its commit, or read from the topic). */
    public synchronized void add(String key) {
        seen.put(key, Boolean.TRUE);
        while (seen.size() > window) {
            Iterator<String> eldest = seen.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** Forgets a delivery key (a tombstone on the topic). */
    public synchronized void remove(String key) {
        seen.remove(key);
    }

    /** The eldest keys that fall out of the window when one more is added: to tombstone with it. */
    public synchronized List<String> evictedByOneMore() {
        List<String> out = new ArrayList<>();
        int excess = seen.size() + 1 - window;
        for (Iterator<String> it = seen.keySet().iterator(); it.hasNext() && out.size() < excess; ) {
            out.add(it.next());
        }
        return out;
    }

    public synchronized int size() {
        return seen.size();
    }
}
