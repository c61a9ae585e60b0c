package io.freightline.engine.messaging;

import io.freightline.engine.config.EngineConfig;
import io.freightline.engine.domain.ManifestParser;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Start-up: start the state replica and wait until it has read the state topic, apply the manifests folder
 * (through the commands topic, so each project's owner applies it), then report ready.
 * Also leaving the consumer group on SIGTERM, and the readiness check. Time-based gates are re-evaluated by the
 * processor's punctuator ({@link EngineProcessor}).
 */
@ApplicationScoped
public class Lifecycle {
    private static final Logger LOG = Logger.getLogger(Lifecycle.class);
    private final EngineService service;
    private final EngineConfig config;
    private final Instance<KafkaStreams> streams;
    private volatile String failure;

    public Lifecycle(EngineService service, EngineConfig config, Instance<KafkaStreams> streams) {
        this.service = service;
        this.config = config;
        this.streams = streams;
    }

    void onStart(@Observes StartupEvent ev) {
        Thread t = new Thread(this::start, "engine-startup");
        t.setDaemon(true);
        t.start();
    }

    private void start() {
        try {
            long t0 = System.nanoTime();
            long n = service.rebuild(config.rebuildTimeout());
            LOG.infof("state rebuilt from %d records in %d ms: %d project(s); instance %s", n,
                    (System.nanoTime() - t0) / 1_000_000, service.engine().projectNames().size(), config.instanceId());
            config.manifestsDir().ifPresent(this::loadManifests);
            service.markReady();
        } catch (RuntimeException e) {
            failure = e.getMessage();
            LOG.errorf(e, "engine start-up failed");
        }
    }

    private void loadManifests(String dir) {
        Path root = Path.of(dir);
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("manifests dir " + dir + " is not a directory");
        }
        List<ManifestParser.Source> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                sources.add(new ManifestParser.Source(root.relativize(p).toString(), Files.readString(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ManifestParser.Manifests m = ManifestParser.parse(sources, service.engine().catalog());
        m.skipped().forEach(s -> LOG.info(s.toString()));
        service.applyManifests(m, sources, "manifests-dir", "loaded from " + dir, config.rebuildTimeout());
        LOG.infof("applied %d file(s) from %s: projects %s", sources.size(), dir, m.projectNames());
    }

    /**
     * SIGTERM: leave the consumer group at once, so the other instances take this one's partitions now rather than
     * after the session timeout (a static member does not leave on a plain close). Runs first (priority 1), before
     * Quarkus closes the Streams instance itself with a plain close, which is then a no-op.
     */
    void onStop(@Observes @Priority(1) ShutdownEvent ev) {
        if (!streams.isResolvable()) return;
        long t0 = System.nanoTime();
        boolean done = streams.get().close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(config.shutdownTimeout()));
        LOG.infof("left the consumer group%s in %d ms", done ? "" : " (timed out)", (System.nanoTime() - t0) / 1_000_000);
    }

    @Readiness
    @ApplicationScoped
    static class Ready implements HealthCheck {
        private final Lifecycle lifecycle;
        private final EngineService service;
        private final Instance<KafkaStreams> streams;

        Ready(Lifecycle lifecycle, EngineService service, Instance<KafkaStreams> streams) {
            this.lifecycle = lifecycle;
            this.service = service;
            this.streams = streams;
        }

        /** Up once the state is rebuilt, the start-up manifests are applied, and the Streams tasks are running. */
        @Override
        public HealthCheckResponse call() {
            KafkaStreams.State st = streams.isResolvable() ? streams.get().state() : null;
            var b = HealthCheckResponse.named("engine-state").status(service.ready() && st == KafkaStreams.State.RUNNING)
                    .withData("rebuilt", service.rebuilt()).withData("streams", String.valueOf(st));
            if (lifecycle.failure != null) b.withData("error", lifecycle.failure);
            return b.build();
        }
    }
}
