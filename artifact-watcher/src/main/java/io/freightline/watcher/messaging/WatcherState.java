package io.freightline.watcher.messaging;

import io.freightline.watcher.config.WatcherConfig;
import io.freightline.watcher.domain.DeliveryLedger;
import io.freightline.watcher.domain.EmittedLedger;
import io.freightline.watcher.domain.WarehouseDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The in-memory views rebuilt from the compacted topics, shared by the webhooks, the scans and the publisher. */
@ApplicationScoped
public class WatcherState {

    @Produces
    @Singleton
    WarehouseDirectory directory() {
        return new WarehouseDirectory();
    }

    @Produces
    @Singleton
    EmittedLedger ledger() {
        return new EmittedLedger();
    }

    @Produces
    @Singleton
    DeliveryLedger deliveries(WatcherConfig config) {
        return new DeliveryLedger(config.replayWindow());
    }
}
