package io.freightline.watcher.client;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetryAfterTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void secondsAndHttpDatesAreDelays() {
        assertEquals(Optional.of(2000L), HttpFetcher.retryAfterMillis("2", NOW));
        assertEquals(Optional.of(0L), HttpFetcher.retryAfterMillis("-5", NOW));
        assertEquals(Optional.of(90_000L), HttpFetcher.retryAfterMillis("Thu, 26 Nov 2026 12:01:30 GMT", NOW));
        assertEquals(Optional.of(0L), HttpFetcher.retryAfterMillis("Thu, 26 Nov 2026 11:00:00 GMT", NOW)); // in the past
    }

    @Test
    void absentOrUnreadableFallsBackToTheBackoff() {
        assertEquals(Optional.empty(), HttpFetcher.retryAfterMillis(null, NOW));
        assertEquals(Optional.empty(), HttpFetcher.retryAfterMillis(" ", NOW));
        assertEquals(Optional.empty(), HttpFetcher.retryAfterMillis("soon", NOW));
    }
}
