package io.freightline.watcher.client;

/** Spaces requests to one host evenly: at most {@code perSecond}; calls {@code onWait} each time a caller waits. */
final class RateLimiter {
    private final long intervalNanos;
    private final Runnable onWait;
    private long next = System.nanoTime();

    RateLimiter(double perSecond, Runnable onWait) {
        this.intervalNanos = (long) (1_000_000_000L / Math.max(perSecond, 0.001));
        this.onWait = onWait;
    }

    void acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, next);
            next = slot + intervalNanos;
            wait = slot - now;
        }
        if (wait > 0) {
            onWait.run();
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
