package io.freightline.events;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Settings for the Kafka clients a service creates itself (beside its messaging channels): the shared {@code kafka.*}
 * configuration (address, TLS, SASL) that such a client knows, with the client's own settings on top. So a secured
 * broker configured once reaches every client.
 */
public final class KafkaSettings {

    /**
     * @param shared every {@code kafka.*} key without its prefix (Quarkus' {@code default-kafka-broker} map)
     * @param known  the client's config names ({@code ProducerConfig.configNames()}, {@code ConsumerConfig.configNames()})
     * @param own    this client's settings, which win
     */
    public static Map<String, Object> of(Map<String, ?> shared, Set<String> known, Map<String, ?> own) {
        Map<String, Object> props = new HashMap<>();
        shared.forEach((k, v) -> {
            if (known.contains(k)) {
                props.put(k, v);
            }
        });
        props.putAll(own);
        return props;
    }

    private KafkaSettings() {
    }
}
