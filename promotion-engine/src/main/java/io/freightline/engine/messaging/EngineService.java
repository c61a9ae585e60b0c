package io.freightline.engine.messaging;

import io.freightline.engine.config.EngineConfig;
import io.freightline.engine.domain.Effects;
import io.freightline.engine.domain.Engine;
import io.freightline.engine.domain.ManifestException;
import io.freightline.engine.domain.ManifestParser;
import io.freightline.engine.domain.ProjectState;
import io.freightline.engine.domain.StateCodec;
import io.freightline.events.CommandIssued;
import io.freightline.events.EventCodec;
import io.freightline.events.PromotionRequested;
import io.freightline.events.WarehouseUpdated;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import static io.freightline.events.Channels.COMMANDS_OUT;
import static io.freightline.events.Channels.PROMOTIONS_OUT;
import static io.freightline.events.Channels.WAREHOUSES_OUT;

/**
 * Runs the pure {@link Engine} one project at a time and makes its effects durable: promotion and warehouse
 * events first, then the state records, and only then may the caller acknowledge its input. A replayed input
 * recomputes the same decisions with the same ids, so a crash between the steps issues nothing twice that the
 * git-writer would act on twice.
 */
@ApplicationScoped
public class EngineService {
    private static final Logger LOG = Logger.getLogger(EngineService.class);
    private final Engine engine;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Engine.CommandResult>> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final StateStore state;
    private final EngineMetrics metrics;
    private final EngineClock clock;
    private final MutinyEmitter<String> promotions;
    private final MutinyEmitter<String> warehouses;
    private final MutinyEmitter<String> commands;
    private volatile boolean rebuilt;

    public EngineService(EngineConfig config, StateStore state, EngineMetrics metrics, EngineClock clock,
                         @Channel(PROMOTIONS_OUT) MutinyEmitter<String> promotions,
                         @Channel(WAREHOUSES_OUT) MutinyEmitter<String> warehouses,
                         @Channel(COMMANDS_OUT) MutinyEmitter<String> commands) {
        this.engine = new Engine(config.auditRetention(), config.historyRetention());
        this.state = state;
        this.metrics = metrics;
        this.clock = clock;
        this.promotions = promotions;
        this.warehouses = warehouses;
        this.commands = commands;
    }

    public Engine engine() {
        return engine;
    }

    public Instant now() {
        return clock.now();
    }

    /** Reads the state topic into memory; decisions wait for this. */
    public long rebuild(java.time.Duration timeout) {
        long n = state.rebuild((k, v) -> StateCodec.read(engine, k, v), timeout);
        StateCodec.finishRebuild(engine);
        engine.projectNames().forEach(p -> metrics.watch(engine.project(p), () -> engine.project(p)));
        rebuilt = true;
        return n;
    }

    public boolean rebuilt() {
        return rebuilt;
    }

    /** Opens the gate for the consumers once state is rebuilt and start-up manifests are applied. */
    public void markReady() {
        ready.countDown();
    }

    public boolean ready() {
        return ready.getCount() == 0;
    }

    /** Blocks a consumer until the engine may decide. */
    public void awaitReady() {
        try {
            while (!ready.await(5, TimeUnit.SECONDS)) {
                LOG.debug("waiting for the state rebuild before consuming");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the state rebuild", e);
        }
    }

    /** Runs one step for a project under its lock and makes the effects durable before returning. */
    public <T> T withProject(String project, Function<Engine, Step<T>> step) {
        ReentrantLock lock = locks.computeIfAbsent(project, p -> new ReentrantLock());
        lock.lock();
        try {
            Step<T> s = step.apply(engine);
            commit(s.effects());
            ProjectState ps = engine.project(project);
            if (ps != null) metrics.watch(ps, () -> engine.project(project));
            return s.value();
        } finally {
            lock.unlock();
        }
    }

    /** Reads a project's state consistently (under its lock). */
    public <T> T read(String project, Function<ProjectState, T> reader) {
        ReentrantLock lock = locks.computeIfAbsent(project, p -> new ReentrantLock());
        lock.lock();
        try {
            return reader.apply(engine.project(project));
        } finally {
            lock.unlock();
        }
    }

    /** An engine step's result and effects. */
    public record Step<T>(T value, Effects effects) {
        public static Step<Void> of(Effects fx) {
            return new Step<>(null, fx);
        }
    }

    private void commit(Effects fx) {
        for (PromotionRequested p : fx.promotions) {
            send(promotions, p.git().repoURL(), EventCodec.toJson(p));
            LOG.infof("promotion %s: freight %s to %s/%s", p.promotionId(), p.freight().alias(), p.project(), p.stage());
        }
        for (WarehouseUpdated w : fx.warehouses) {
            send(warehouses, w.key(), EventCodec.toJson(w));
        }
        Map<String, String> records = new LinkedHashMap<>();
        for (String key : fx.dirty) records.put(key, StateCodec.write(engine, key));
        for (String key : fx.deleted) records.put(key, null);
        state.write(records);
        metrics.record(fx);
    }

    private static void send(MutinyEmitter<String> emitter, String key, String json) {
        emitter.sendMessageAndAwait(Message.of(json, Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())));
    }

    // ------------------------------------------------------------------ commands

    /** Publishes a command and waits (bounded) for this instance to apply it; null when it timed out. */
    public Engine.CommandResult issue(CommandIssued c, java.time.Duration timeout) {
        CompletableFuture<Engine.CommandResult> f = new CompletableFuture<>();
        waiting.put(c.id(), f);
        try {
            send(commands, c.project(), EventCodec.toJson(c));
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            waiting.remove(c.id());
        }
    }

    /** Applies a command from the commands topic. */
    public void handle(CommandIssued c) {
        Engine.CommandResult result = withProject(c.project(), e -> {
            Engine.CommandResult[] r = new Engine.CommandResult[1];
            Effects fx;
            if (c.action().equals("apply")) {
                fx = applyCommand(e, c, r);
            } else {
                fx = e.onCommand(c, now(), r);
            }
            return new Step<>(r[0], fx);
        });
        CompletableFuture<Engine.CommandResult> f = waiting.get(c.id());
        if (f != null) f.complete(result);
    }

    private Effects applyCommand(Engine e, CommandIssued c, Engine.CommandResult[] r) {
        Map<String, String> a = c.args() == null ? Map.of() : c.args();
        ProjectState ps = e.project(c.project());
        if (ps != null && ps.appliedCommands.contains(c.id())) {
            r[0] = Engine.CommandResult.ok("already applied");
            return new Effects();
        }
        try {
            ManifestParser.Manifests m = ManifestParser.parse(
                    List.of(new ManifestParser.Source(a.getOrDefault("file", "(api)"), a.getOrDefault("manifests", ""))),
                    e.catalog()).only(c.project());
            Effects fx = e.apply(c.project(), m, c.actor(), c.reason(), now());
            e.remember(e.project(c.project()), c.id(), fx);
            r[0] = Engine.CommandResult.ok(fx.dirty.size() > 1 ? "applied" : "unchanged");
            return fx;
        } catch (ManifestException ex) {
            r[0] = new Engine.CommandResult(400, ex.getMessage(), null);
            return new Effects();
        }
    }

    /** Applies manifests straight (start-up folder); idempotent by content. */
    public void applyManifests(ManifestParser.Manifests m, String actor, String reason) {
        for (String project : m.projectNames()) {
            withProject(project, e -> Step.of(e.apply(project, m.only(project), actor, reason, now())));
        }
    }
}
