package io.freightline.watcher.messaging;

import io.freightline.watcher.client.RegistryException;
import io.freightline.watcher.client.Scanner;
import io.freightline.watcher.config.WatcherConfig;
import io.freightline.watcher.domain.Discovery;
import io.freightline.watcher.domain.WarehouseDirectory;
import io.freightline.watcher.domain.Watched;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs scans: on each warehouse's interval and when a webhook hints at a change. One subscription never has two
 * scans at once; a request during a scan is coalesced into one re-scan after it. Failures back off
 * exponentially (capped at an hour).
 */
@ApplicationScoped
public class ScanCoordinator {
    private static final Logger LOG = Logger.getLogger(ScanCoordinator.class);

    @Inject
    WarehouseDirectory directory;
    @Inject
    StateFollower follower;
    @Inject
    ArtifactPublisher publisher;
    @Inject
    Instance<Scanner> scanners;
    @Inject
    WatcherConfig config;
    @Inject
    MeterRegistry meters;

    private ExecutorService executor;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();

    /** Per-subscription scheduling state. */
    private static final class Slot {
        final AtomicBoolean running = new AtomicBoolean();
        volatile boolean again;
        volatile long nextDueMillis;
        volatile long generation = -1;
        volatile int failures;
    }

    private synchronized ExecutorService executor() {
        if (executor == null) {
            executor = Executors.newFixedThreadPool(Math.max(1, config.poll().threads()), r -> {
                Thread t = new Thread(r, "watcher-scan");
                t.setDaemon(true);
                return t;
            });
        }
        return executor;
    }

    void stop(@Observes ShutdownEvent ev) {
        if (executor != null) executor.shutdownNow();
    }

    @Scheduled(every = "${freightline.watcher.poll.tick:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.poll().enabled() || !follower.caughtUp()) return;
        long now = System.currentTimeMillis();
        for (Watched w : directory.all()) {
            if (w.intervalSeconds() <= 0 || w.trustsWebhooks()) continue;
            Slot slot = slots.computeIfAbsent(w.key(), k -> new Slot());
            if (slot.generation != w.generation()) {
                slot.generation = w.generation();
                slot.nextDueMillis = 0; // a new or changed spec is scanned now
            }
            // a poll that falls due while a scan runs is that scan: queueing another would scan twice in a row
            if (now >= slot.nextDueMillis && !slot.running.get()) {
                request(w, "poll");
            }
        }
    }

    /** Asks for a scan of a subscription; returns at once. */
    public void request(Watched w, String reason) {
        Slot slot = slots.computeIfAbsent(w.key(), k -> new Slot());
        slot.again = true;
        if (slot.running.compareAndSet(false, true)) {
            executor().submit(() -> drain(w.key(), slot, reason));
        }
    }

    private void drain(String key, Slot slot, String reason) {
        try {
            while (slot.again) {
                slot.again = false;
                Watched w = directory.byKey(key);
                if (w != null) scanOnce(w, slot, reason);
            }
        } finally {
            slot.running.set(false);
            // a request that arrived between the last check and the reset must not be lost
            if (slot.again && slot.running.compareAndSet(false, true)) {
                executor().submit(() -> drain(key, slot, reason));
            }
        }
    }

    private void scanOnce(Watched w, Slot slot, String reason) {
        Scanner scanner = scanners.stream().filter(s -> s.handles(w)).findFirst().orElse(null);
        if (scanner == null) return;
        String registry = safe(() -> scanner.registry(w));
        String kind = w.kind().json();
        Timer.Sample sample = Timer.start(meters);
        long interval = Math.max(w.intervalSeconds() * 1000, config.poll().minInterval().toMillis());
        try {
            List<Discovery> found = scanner.scan(w);
            List<Discovery> emitted = publisher.publish(found);
            slot.failures = 0;
            slot.nextDueMillis = System.currentTimeMillis() + interval;
            LOG.debugf("scanned %s (%s): %d candidate(s), %d new", w.key(), reason, found.size(), emitted.size());
        } catch (RuntimeException e) {
            slot.failures++;
            long backoff = Math.min(interval << Math.min(slot.failures, 10), Duration.ofHours(1).toMillis());
            slot.nextDueMillis = System.currentTimeMillis() + backoff;
            meters.counter("freightline.poll.errors", "registry", registry, "kind", kind).increment();
            String msg = e instanceof RegistryException ? e.getMessage() : e.toString();
            LOG.warnf("scan of %s failed (%d in a row, next in %d s): %s", w.key(), slot.failures, backoff / 1000, msg);
        } finally {
            sample.stop(Timer.builder("freightline.poll.duration").tags("registry", registry, "kind", kind)
                    .publishPercentileHistogram().register(meters));
        }
    }

    private static String safe(java.util.function.Supplier<String> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
