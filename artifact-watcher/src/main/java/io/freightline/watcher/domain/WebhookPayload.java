package io.freightline.watcher.domain;

import java.util.List;

/** A webhook body as understood: hints to act on, a ping, or something to ignore (with the reason for the log). */
public sealed interface WebhookPayload {

    /** @param deliveryId the provider's delivery id for replay protection, or null when it sends none */
    record Hints(String deliveryId, List<Hint> hints) implements WebhookPayload {
    }

    record Ping(String deliveryId) implements WebhookPayload {
    }

    record Ignored(String reason) implements WebhookPayload {
    }
}
