package io.freightline.engine.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/** The engine's time source; tests replace it to move soak times and windows forward. */
@ApplicationScoped
public class EngineClock {
    public Instant now() {
        return Instant.now();
    }
}
