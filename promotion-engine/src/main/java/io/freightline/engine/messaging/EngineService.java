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
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch rebuilt = new CountDownLatch(1);
    private final Ownership ownership = new Ownership();
    private final EngineConfig config;
    private final StateStore state;
    private final EngineMetrics metrics;
    private final EngineClock clock;
    private final MutinyEmitter<String> promotions;
    private final MutinyEmitter<String> warehouses;
    private final MutinyEmitter<String> commands;

    public EngineService(EngineConfig config, StateStore state, EngineMetrics metrics, EngineClock clock,
                         @Channel(PROMOTIONS_OUT) MutinyEmitter<String> promotions,
                         @Channel(WAREHOUSES_OUT) MutinyEmitter<String> warehouses,
                         @Channel(COMMANDS_OUT) MutinyEmitter<String> commands) {
        this.engine = new Engine(config.auditRetention(), config.historyRetention(), config.freightRetention());
        this.config = config;
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

    /**
     * Starts the state replica and waits until it has read the state topic to its end: the rebuild. The replica
     * keeps following the topic afterwards, applying the records of every project this instance does not own.
     */
    public long rebuild(Duration timeout) {
        state.startTailing(this::applyReplica, this::completeFromReplica);
        state.awaitCaughtUp(timeout);
        for (String p : engine.projectNames()) {
            read(p, ps -> {
                StateCodec.finishRebuild(ps);
                return null;
            });
            metrics.watch(engine.project(p), () -> engine.project(p));
        }
        rebuilt.countDown();
        return state.applied();
    }

    /** One record from the replica: applied unless this instance owns the project (then it wrote it itself). */
    private void applyReplica(String key, String json) {
        int slash = key.indexOf('/');
        if (slash <= 0) return;
        String project = key.substring(0, slash);
        ReentrantLock lock = lock(project);
        lock.lock();
        try {
            if (!ownership.owns(project)) StateCodec.read(engine, key, json);
        } finally {
            lock.unlock();
        }
    }

    public boolean rebuilt() {
        return rebuilt.getCount() == 0;
    }

    /** Opens the gate for the consumers once state is rebuilt and start-up manifests are applied. */
    public void markReady() {
        ready.countDown();
    }

    public boolean ready() {
        return ready.getCount() == 0;
    }

    /** Blocks a consumer until the state is rebuilt. */
    public void awaitRebuilt() {
        try {
            while (!rebuilt.await(5, TimeUnit.SECONDS)) {
                LOG.debug("waiting for the state rebuild before consuming");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the state rebuild", e);
        }
    }

    // ------------------------------------------------------------------ ownership (rebalances)

    /**
     * Partitions newly assigned to one of this instance's consumers: before they are processed, the replica catches
     * up to the state topic's end offsets, so this instance decides on everything the previous owner wrote.
     */
    public void onAssigned(String topic, int partitionCount, Collection<Integer> partitions) {
        if (partitions.isEmpty()) return;
        long t0 = System.nanoTime();
        awaitRebuilt();
        while (true) {
            try {
                state.awaitCaughtUp(config.rebuildTimeout());
                break;
            } catch (IllegalStateException e) {
                // never process without the previous owner's state; past max.poll.interval.ms the group moves on
                LOG.warnf("assigned %s %s, still waiting for the state replica: %s", topic, partitions, e.getMessage());
                if (Thread.currentThread().isInterrupted()) throw e;
            }
        }
        ownership.assign(topic, partitionCount, partitions);
        for (String p : engine.projectNames()) {
            if (!ownership.owns(p)) continue;
            read(p, ps -> {
                StateCodec.finishRebuild(ps);
                return null;
            });
        }
        LOG.infof("assigned %s %s; state caught up in %d ms", topic, partitions, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Partitions revoked from one of this instance's consumers: from now on their records are skipped (the new owner
     * processes them from the committed offset), and the step running for one of their projects finishes before
     * the revoke completes.
     */
    public void onRevoked(String topic, Collection<Integer> partitions) {
        if (partitions.isEmpty()) return;
        ownership.revoke(topic, partitions);
        for (String p : engine.projectNames()) {
            if (!ownership.on(topic, p, partitions)) continue;
            ReentrantLock lock = lock(p);
            lock.lock(); // waits for the step in flight, if any
            lock.unlock();
        }
        LOG.infof("revoked %s %s", topic, partitions);
    }

    /** Whether this instance decides for the project now (the ticker asks). */
    public boolean owns(String project) {
        return ownership.owns(project);
    }

    /** Runs one step for an input record, unless its partition was revoked meanwhile (then nothing happens). */
    public void decide(String topic, int partition, String project, Function<Engine, Step<Void>> step) {
        withProject(project, e -> ownership.holds(topic, partition) ? step.apply(e) : Step.of(new Effects()));
    }

    /** Runs one step for a project this instance owns; nothing happens when it does not. */
    public void decideOwned(String project, Function<Engine, Step<Void>> step) {
        withProject(project, e -> ownership.owns(project) ? step.apply(e) : Step.of(new Effects()));
    }

    private ReentrantLock lock(String project) {
        return locks.computeIfAbsent(project, p -> new ReentrantLock());
    }

    /** Runs one step for a project under its lock and makes the effects durable before returning. */
    public <T> T withProject(String project, Function<Engine, Step<T>> step) {
        ReentrantLock lock = lock(project);
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
        ReentrantLock lock = lock(project);
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
        // the events go out together and are awaited together: one broker round trip, not one per event; each
        // emitter keeps its own order, so promotions for one repository stay in order on their partition
        List<Uni<Void>> sent = new ArrayList<>(fx.promotions.size() + fx.warehouses.size());
        for (PromotionRequested p : fx.promotions) {
            sent.add(send(promotions, p.git().repoURL(), EventCodec.toJson(p)));
            LOG.infof("promotion %s: freight %s to %s/%s", p.promotionId(), p.freight().alias(), p.project(), p.stage());
        }
        for (WarehouseUpdated w : fx.warehouses) {
            sent.add(send(warehouses, w.key(), EventCodec.toJson(w)));
        }
        if (!sent.isEmpty()) {
            Uni.join().all(sent).andCollectFailures().await().indefinitely();
        }
        // only once every event is durable may the state say they were issued
        Map<String, String> records = new LinkedHashMap<>();
        for (String key : fx.dirty) records.put(key, StateCodec.write(engine, key));
        for (String key : fx.deleted) records.put(key, null);
        state.write(records);
        metrics.record(fx);
    }

    private static Uni<Void> send(MutinyEmitter<String> emitter, String key, String json) {
        return emitter.sendMessage(Message.of(json, Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())));
    }

    // ------------------------------------------------------------------ commands

    /**
     * Publishes a command and waits (bounded) until it is applied, by this instance or, seen through the state
     * replica, by the instance that owns the project; null when it timed out.
     */
    public Engine.CommandResult issue(CommandIssued c, Duration timeout) {
        CompletableFuture<Engine.CommandResult> f = submit(c);
        try {
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

    /** Publishes a command; the future completes when it is applied (the caller removes it from waiting). */
    CompletableFuture<Engine.CommandResult> submit(CommandIssued c) {
        Waiter w = new Waiter(c.project(), new CompletableFuture<>());
        waiting.put(c.id(), w);
        send(commands, c.project(), EventCodec.toJson(c)).await().indefinitely();
        return w.future();
    }

    void forget(String commandId) {
        waiting.remove(commandId);
    }

    /** A command this instance's API published and waits for. */
    private record Waiter(String project, CompletableFuture<Engine.CommandResult> future) {
    }

    /**
     * After each replica batch: completes the waiting commands another instance applied. A command that made a
     * promotion completes once the promotion record has arrived too (records of one step span partitions).
     */
    private void completeFromReplica() {
        if (waiting.isEmpty()) return;
        waiting.forEach((id, w) -> {
            if (w.future().isDone()) return;
            Engine.CommandResult r = read(w.project(), ps -> {
                Engine.CommandResult res = ps == null ? null : ps.commandResults.get(id);
                if (res == null) return null;
                return res.promotion() == null || ps.promotions.containsKey(res.promotion()) ? res : null;
            });
            if (r != null) w.future().complete(r);
        });
    }

    /** Applies a command from the commands topic, unless its partition was revoked meanwhile. */
    public void handle(String topic, int partition, CommandIssued c) {
        Engine.CommandResult result = withProject(c.project(), e -> {
            if (!ownership.holds(topic, partition)) return new Step<>(null, new Effects());
            Engine.CommandResult[] r = new Engine.CommandResult[1];
            Effects fx;
            if (c.action().equals("apply")) {
                fx = applyCommand(e, c, r);
            } else {
                fx = e.onCommand(c, now(), r);
            }
            return new Step<>(r[0], fx);
        });
        Waiter w = waiting.get(c.id());
        if (w != null && result != null) w.future().complete(result);
    }

    private Effects applyCommand(Engine e, CommandIssued c, Engine.CommandResult[] r) {
        Map<String, String> a = c.args() == null ? Map.of() : c.args();
        // idempotent by intent: the manifests are compared with the project's current state (equal: unchanged),
        // never with the ids of commands applied before, so re-applying older content restores it
        try {
            ManifestParser.Manifests m = ManifestParser.parse(sources(a), e.catalog()).only(c.project());
            Effects fx = e.apply(c.project(), m, c.actor(), c.reason(), now());
            r[0] = Engine.CommandResult.ok(fx.dirty.size() > 1 ? "applied" : "unchanged");
            e.remember(e.project(c.project()), c.id(), r[0], fx);
            return fx;
        } catch (ManifestException ex) {
            r[0] = new Engine.CommandResult(400, ex.getMessage(), null);
            return new Effects();
        }
    }

    /** The manifests of an apply command: one source ({@code manifests}, {@code file}) or several ({@code file:NAME}). */
    private static List<ManifestParser.Source> sources(Map<String, String> a) {
        List<ManifestParser.Source> files = new ArrayList<>();
        new TreeMap<>(a).forEach((k, v) -> {
            if (k.startsWith(FILE_ARG)) files.add(new ManifestParser.Source(k.substring(FILE_ARG.length()), v == null ? "" : v));
        });
        if (!files.isEmpty()) return files;
        return List.of(new ManifestParser.Source(a.getOrDefault("file", "(api)"), a.getOrDefault("manifests", "")));
    }

    /** The argument prefix of one file of a multi-file apply command. */
    public static final String FILE_ARG = "file:";

    /**
     * Applies the start-up manifests folder through the commands topic, so the instance that owns each project
     * applies it in order with everything else of the project. Every start sends new command ids: applying is
     * idempotent by intent (several instances starting with the same folder change the state once), and a folder
     * reverted to older content is applied again. Waits until every project has applied it.
     */
    public void applyManifests(ManifestParser.Manifests m, List<ManifestParser.Source> sources, String actor, String reason,
                               Duration timeout) {
        Map<String, String> args = new LinkedHashMap<>();
        sources.forEach(src -> args.put(FILE_ARG + src.file(), src.text()));
        Map<String, CompletableFuture<Engine.CommandResult>> sent = new LinkedHashMap<>();
        for (String project : m.projectNames()) {
            String id = "manifests-" + java.util.UUID.randomUUID();
            sent.put(id, submit(new CommandIssued(id, project, "apply", args, actor, reason, now())));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (var e : sent.entrySet()) {
                Engine.CommandResult r = e.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (!r.succeeded()) throw new IllegalStateException("manifests rejected: " + r.message());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the start-up manifests were not applied within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying the start-up manifests", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            sent.keySet().forEach(this::forget);
        }
    }
}
