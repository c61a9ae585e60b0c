package io.freightline.watcher.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryLedgerTest {

    @Test
    void remembersDeliveriesPerProviderWithinTheWindow() {
        DeliveryLedger ledger = new DeliveryLedger(3);
        ledger.add(DeliveryLedger.key("github", "a"));
        assertTrue(ledger.contains("github", "a"));
        assertFalse(ledger.contains("gitea", "a"));
        assertEquals(List.of(), ledger.evictedByOneMore());

        ledger.add(DeliveryLedger.key("github", "b"));
        ledger.add(DeliveryLedger.key("github", "c"));
        // a fourth would push out the eldest: that is the one to tombstone with it
        assertEquals(List.of("delivery:github:a"), ledger.evictedByOneMore());
        ledger.add(DeliveryLedger.key("github", "a")); // read again from the topic: keeps its place
        ledger.add(DeliveryLedger.key("github", "d"));
        assertFalse(ledger.contains("github", "a"));
        assertEquals(3, ledger.size());

        ledger.remove(DeliveryLedger.key("github", "c")); // a tombstone written by another instance
        assertFalse(ledger.contains("github", "c"));
        assertTrue(ledger.contains("github", "d"));
    }
}
