package io.freightline.testsupport;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Single-node KRaft (combined broker+controller) Kafka, in-process, bound to 127.0.0.1 only.
 * Used by the tests and by {@code ./freightline demo}. Data survives a restart when {@code deleteOnClose} is false.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final KafkaRaftServer server;
    private final boolean deleteOnClose;

    private EmbeddedKafkaBroker(Path dataDir, int port, KafkaRaftServer server, boolean deleteOnClose) {
        this.dataDir = dataDir;
        this.port = port;
        this.server = server;
        this.deleteOnClose = deleteOnClose;
    }

    /** @param port 0 = pick a free port */
    public static EmbeddedKafkaBroker start(int port, Path dataDir, boolean deleteOnClose) throws Exception {
        int brokerPort = port == 0 ? Ports.freePort() : port;
        int controllerPort = Ports.freePort();
        Files.createDirectories(dataDir);
        String logDir = dataDir.toAbsolutePath().toString();

        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("num.partitions", "1");
        p.put("log.cleaner.backoff.ms", "1000");
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // fast failover in tests and the devstack: sessions down to 1 s, and a dead producer's timed-out transaction
        // aborted within 500 ms of its timeout (production brokers: see docs/reliability.md)
        p.put("group.min.session.timeout.ms", "1000");
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500");
                KafkaConfig config = KafkaConfig.fromProps(p);

        // equivalent of: kafka-storage.sh format -t <uuid> -c server.properties (only once per data dir:
        // re-formatting an existing dir with a new cluster id fails with "Invalid cluster.id")
        if (!Files.exists(dataDir.resolve("meta.properties"))) new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir)
                .addDirectory(logDir)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true)
                .setHasDynamicQuorum(false)
                .run();

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, brokerPort, server, deleteOnClose);
        broker.awaitReady();
        return broker;
    }

    public int port() {
        return port;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private void awaitReady() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }


    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            try (var walk = Files.walk(dataDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Stand-alone: java -cp ... io.freightline.testsupport.EmbeddedKafkaBroker [port] [dir] */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9092;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("kafka-");
        long t0 = System.nanoTime();
        EmbeddedKafkaBroker b = start(port, dir, args.length <= 1);
        System.out.println("KAFKA READY " + b.bootstrapServers() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        Runtime.getRuntime().addShutdownHook(new Thread(b::close));
        Thread.currentThread().join();
    }
}
