package io.freightline.engine.messaging;

import io.freightline.engine.config.EngineConfig;
import io.freightline.engine.domain.ManifestParser;
import io.freightline.engine.messaging.EngineService.Step;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
 * Also the ticker that re-evaluates time-based gates, and the readiness check.
 */
@ApplicationScoped
public class Lifecycle {
    private static final Logger LOG = Logger.getLogger(Lifecycle.class);
    private final EngineService service;
    private final EngineConfig config;
    private volatile String failure;

    public Lifecycle(EngineService service, EngineConfig config) {
        this.service = service;
        this.config = config;
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
            NotReady.ready = true;
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
        service.applyManifests(m, sources, "manifests-dir", "loaded from " + dir, config.rebuildTimeout());
        LOG.infof("applied %d file(s) from %s: projects %s", sources.size(), dir, m.projectNames());
    }

    /** Soak times end and windows open without any event: look again regularly (the projects this instance owns). */
    @Scheduled(every = "${freightline.engine.tick-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = NotReady.class)
    void tick() {
        for (String project : service.engine().projectNames()) {
            if (service.owns(project)) service.decideOwned(project, e -> Step.of(e.tick(project, service.now())));
        }
    }

    /** Ticks before start-up finished would touch the emitters before messaging is wired: skip them. */
    @jakarta.inject.Singleton
    static class NotReady implements Scheduled.SkipPredicate {
        static volatile boolean ready;

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !ready;
        }
    }

    @Readiness
    @ApplicationScoped
    static class Ready implements HealthCheck {
        private final Lifecycle lifecycle;
        private final EngineService service;

        Ready(Lifecycle lifecycle, EngineService service) {
            this.lifecycle = lifecycle;
            this.service = service;
        }

        @Override
        public HealthCheckResponse call() {
            var b = HealthCheckResponse.named("engine-state").status(service.ready())
                    .withData("rebuilt", service.rebuilt());
            if (lifecycle.failure != null) b.withData("error", lifecycle.failure);
            return b.build();
        }
    }
}
