package io.freightline.engine.config;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StreamsSecurityConfigSourceTest {

    @Test
    void securitySettingsOfKafkaReachKafkaStreams() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", "broker:9093");
        config.put("kafka.security.protocol", "SASL_SSL");
        config.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        config.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        config.put("kafka.ssl.truststore.location", "/etc/kafka/truststore.p12");
        config.put("kafka.acks", "all");
        config.put("kafka-streams.ssl.truststore.type", "PKCS12");
        config.put("freightline.engine.commit-interval-ms", "10");

        Map<String, String> streams = StreamsSecurityConfigSource.inherit(config.keySet().iterator(), config::get);

        assertEquals(Map.of(
                "kafka-streams.security.protocol", "SASL_SSL",
                "kafka-streams.sasl.mechanism", "SCRAM-SHA-512",
                "kafka-streams.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "kafka-streams.ssl.truststore.location", "/etc/kafka/truststore.p12"), streams);
    }

    @Test
    void theFactoryFeedsTheConfigurationAndExplicitStreamsSettingsWin() {
        var config = new io.smallrye.config.SmallRyeConfigBuilder()
                .withSources(new io.smallrye.config.PropertiesConfigSource(Map.of(
                        "kafka.security.protocol", "SSL",
                        "kafka.ssl.truststore.location", "/etc/kafka/truststore.p12",
                        "kafka-streams.ssl.truststore.location", "/etc/streams/truststore.p12"), "application.properties", 250))
                .withSources(new StreamsSecurityConfigSource())
                .build();
        assertEquals("SSL", config.getRawValue("kafka-streams.security.protocol"));
        assertEquals("/etc/streams/truststore.p12", config.getRawValue("kafka-streams.ssl.truststore.location"));
    }

    @Test
    void environmentVariablesAndProfilesAreReadByTheirDottedName() {
        // the lookup is what the configuration answers for the dotted name (env and profile aware)
        Map<String, String> resolved = Map.of("kafka.ssl.keystore.location", "/k.p12", "kafka.sasl.mechanism", "PLAIN");
        Map<String, String> streams = StreamsSecurityConfigSource.inherit(
                List.of("KAFKA_SSL_KEYSTORE_LOCATION", "%prod.kafka.sasl.mechanism", "KAFKA_STREAMS_SSL_KEY_PASSWORD",
                        "KAFKA_BOOTSTRAP_SERVERS").iterator(), resolved::get);

        assertEquals(Map.of("kafka-streams.ssl.keystore.location", "/k.p12", "kafka-streams.sasl.mechanism", "PLAIN"), streams);
    }

    @Test
    void unsetOrEmptyValuesAndOtherKeysAreNotRepeated() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.ssl.endpoint.identification.algorithm", "");
        config.put("kafka.sslx", "no");
        config.put("kafka.security.protocols", "no");
        assertEquals(Map.of(), StreamsSecurityConfigSource.inherit(config.keySet().iterator(), config::get));
        assertNull(StreamsSecurityConfigSource.kafkaKey("quarkus.kafka-streams.ssl.truststore.location"));
        assertNull(StreamsSecurityConfigSource.kafkaKey("%prod"));
    }
}
