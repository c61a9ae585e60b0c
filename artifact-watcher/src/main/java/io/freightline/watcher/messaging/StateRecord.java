package io.freightline.watcher.messaging;

import java.util.List;

/**
 * The value of a {@code freightline.watcher.state} record (key {@code project/warehouse/subscription}): every
 * version key emitted for the subscription, newest last. Watcher-internal; CloudEvent type
 * {@value #TYPE}.
 */
public record StateRecord(String project, String warehouse, String subscription, List<String> emitted) {
    public static final String TYPE = "io.freightline.watcher.state.v1";
}
