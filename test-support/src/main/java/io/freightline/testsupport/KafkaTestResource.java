package io.freightline.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Points a {@code @QuarkusTest} at the shared test broker: {@code @QuarkusTestResource(KafkaTestResource.class)}. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", TestBroker.bootstrapServers());
    }

    @Override
    public void stop() {
        // the broker is shared by every test of the JVM and stops with it
    }
}
