package io.freightline.watcher.messaging;

import io.freightline.watcher.domain.DeliveryLedger;

import java.time.Instant;

/**
 * The value of a {@code freightline.watcher.state} record that marks a webhook delivery as handled (key
 * {@code delivery:<provider>:<id>}, CloudEvent type {@value #TYPE}); written in the same transaction as what the
 * delivery emitted. Watcher-internal.
 */
public record DeliveryRecord(String provider, String deliveryId, Instant receivedAt, String instance) {
    public static final String TYPE = "io.freightline.watcher.delivery.v1";

    public String key() {
        return DeliveryLedger.key(provider, deliveryId);
    }
}
