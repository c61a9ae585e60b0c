package io.freightline.engine.it;

import io.freightline.engine.messaging.EngineClock;
import io.quarkus.test.Mock;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** System time plus an offset tests can move forward (soak times, windows). */
@Mock
public class TestClock extends EngineClock {
    private static final AtomicLong OFFSET_MS = new AtomicLong();

    public static void advance(Duration d) {
        OFFSET_MS.addAndGet(d.toMillis());
    }

    @Override
    public Instant now() {
        return Instant.now().plusMillis(OFFSET_MS.get());
    }
}
