package io.freightline.events;

import java.util.Map;

/**
 * CloudEvents {@code type} values. A breaking change to a payload is a new type (v2), published side by side
 * with the old one for a while.
 */
public final class EventTypes {
    public static final String ARTIFACT_DISCOVERED = "io.freightline.artifact.discovered.v1";
    public static final String WAREHOUSE_UPDATED = "io.freightline.warehouse.updated.v1";
    public static final String COMMAND_ISSUED = "io.freightline.command.issued.v1";
    public static final String PROMOTION_REQUESTED = "io.freightline.promotion.requested.v1";
    public static final String PROMOTION_COMMITTED = "io.freightline.promotion.committed.v1";
    public static final String VERIFICATION_COMPLETED = "io.freightline.verification.completed.v1";

    /** The payload record of each type. */
    public static final Map<String, Class<?>> PAYLOADS = Map.of(
            ARTIFACT_DISCOVERED, ArtifactDiscovered.class,
            WAREHOUSE_UPDATED, WarehouseUpdated.class,
            COMMAND_ISSUED, CommandIssued.class,
            PROMOTION_REQUESTED, PromotionRequested.class,
            PROMOTION_COMMITTED, PromotionCommitted.class,
            VERIFICATION_COMPLETED, VerificationCompleted.class);

    /** The type whose payload is the given record class. */
    public static String typeOf(Class<?> payload) {
        return PAYLOADS.entrySet().stream().filter(e -> e.getValue().equals(payload)).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("not an event payload: " + payload));
    }

    private EventTypes() {
    }
}
