package io.freightline.engine.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Kafka Streams reads only {@code kafka-streams.*}, so a secured broker configured once under {@code kafka.*} (as the
 * messaging channels, the state replica and the command producer read it) would not reach the engine's exactly-once
 * loop. This source repeats the connection security settings of {@code kafka.*} ({@code security.protocol},
 * {@code sasl.*}, {@code ssl.*}, also given as {@code KAFKA_…} environment variables) as {@code kafka-streams.*}.
 * Its ordinal is below application.properties and the environment, so a {@code kafka-streams.*} value set there wins.
 */
public class StreamsSecurityConfigSource implements ConfigSourceFactory {
    static final String NAME = "freightline-streams-security";
    static final int ORDINAL = 60;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> values = inherit(context.iterateNames(), name -> {
            ConfigValue v = context.getValue(name);
            return v == null ? null : v.getValue();
        });
        return List.of(new MapBackedConfigSource(NAME, values, ORDINAL) {
        });
    }

    /**
     * The {@code kafka-streams.*} settings for the {@code kafka.*} security settings among {@code names}.
     *
     * @param names  configuration names as the sources list them: {@code kafka.ssl.truststore.location},
     *               {@code %prod.kafka.sasl.mechanism}, {@code KAFKA_SECURITY_PROTOCOL}, …
     * @param lookup the value of a dotted name (profile and environment aware), null when not set
     */
    static Map<String, String> inherit(Iterator<String> names, Function<String, String> lookup) {
        Map<String, String> out = new TreeMap<>();
        while (names.hasNext()) {
            String key = kafkaKey(names.next());
            if (key == null || !isSecurity(key)) {
                continue;
            }
            String value = lookup.apply("kafka." + key);
            if (value != null && !value.isEmpty()) {
                out.put("kafka-streams." + key, value);
            }
        }
        return out;
    }

    /** The Kafka client key of a {@code kafka.*} name or {@code KAFKA_*} variable; null for anything else. */
    static String kafkaKey(String name) {
        if (name.startsWith("%")) {
            int dot = name.indexOf('.');
            if (dot < 0) {
                return null;
            }
            name = name.substring(dot + 1);
        }
        if (name.startsWith("kafka.")) {
            return name.substring("kafka.".length());
        }
        // Kafka's client keys are lower case with dots only, so the variable's name maps back unambiguously
        if (name.startsWith("KAFKA_") && !name.startsWith("KAFKA_STREAMS_")) {
            return name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        }
        return null;
    }

    static boolean isSecurity(String key) {
        return key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl.");
    }
}
