package io.freightline.testsupport;

import io.freightline.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one Kafka broker of a test JVM: the embedded KRaft broker by default, or a Testcontainers Kafka when a
 * Docker engine is present and {@code -Dfreightline.it.docker=true} is given. Started on first use, stopped
 * when the JVM exits.
 */
public final class TestBroker {
    private static String bootstrap;

    /** The bootstrap servers of the shared broker, starting it and creating every topic on first call. */
    public static synchronized String bootstrapServers() {
        if (bootstrap == null) {
            try {
                bootstrap = Boolean.getBoolean("freightline.it.docker") ? startContainer() : startEmbedded();
                createTopics(bootstrap, 2);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test Kafka broker", e);
            }
        }
        return bootstrap;
    }

    private static String startEmbedded() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0, Files.createTempDirectory("freightline-kafka-"), true);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-broker-stop"));
        return broker.bootstrapServers();
    }

    private static String startContainer() {
        var container = new org.testcontainers.kafka.KafkaContainer("apache/kafka:4.1.2");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-broker-stop"));
        return container.getBootstrapServers();
    }

    /** Creates every Freightline topic (compacted ones with cleanup.policy=compact); existing ones are kept. */
    public static void createTopics(String bootstrapServers, int partitions) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> topics = Topics.all().stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, (short) 1)
                            .configs(Topics.COMPACTED.contains(t) ? Map.of("cleanup.policy", "compact") : Map.of()))
                    .toList();
            if (topics.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka admin timed out", e);
        }
    }

    private TestBroker() {
    }
}
