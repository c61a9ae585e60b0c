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
import io.freightline.events.EventTypes;
import io.freightline.events.Topics;
import io.freightline.events.PromotionRequested;
import io.freightline.events.WarehouseUpdated;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import static io.freightline.events.Channels.COMMANDS_OUT;

/**
 * Runs the pure {@link Engine} one project at a time for the Kafka Streams processor ({@link EngineProcessor}) and
 * hands its effects to the processor's transaction: the promotion and warehouse events and the changed state records
 * are produced in the same exactly-once transaction as the input's offset, so they are all committed or none is.
 * Every instance follows the committed state topic ({@link StateStore}) for the projects it does not own, so its API
 * answers for every project.
 */
@ApplicationScoped
public class EngineService {
    private static final Logger LOG = Logger.getLogger(EngineService.class);
    private final Engine engine;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch rebuilt = new CountDownLatch(1);
    /** The input partitions whose Streams task runs on this instance: their projects are decided here. */
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    /** Partitions this instance decided for before: taking one again reloads its projects from the state topic. */
    private final Set<Integer> decidedBefore = ConcurrentHashMap.newKeySet();
    private volatile int partitionCount;
    private final EngineConfig config;
    private final StateStore state;
    private final EngineMetrics metrics;
    private final EngineClock clock;
    private final MutinyEmitter<String> commands;

    public EngineService(EngineConfig config, StateStore state, EngineMetrics metrics, EngineClock clock,
                         @Channel(COMMANDS_OUT) MutinyEmitter<String> commands) {
        this.engine = new Engine(config.auditRetention(), config.historyRetention(), config.freightRetention());
        this.config = config;
        this.state = state;
        this.metrics = metrics;
        this.clock = clock;
        this.commands = commands;
    }

    public Engine engine() {
        return engine;
    }

    public Instant now() {
        return clock.now();
    }

    /**
     * Starts the state replica and waits until it has read the committed state topic to its end: the rebuild. The
     * replica keeps following the topic afterwards, applying the records of every project this instance does not own.
     */
    public long rebuild(Duration timeout) {
        partitionCount = state.partitionCount(Topics.COMMANDS, timeout);
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

    /** One committed record from the replica: applied unless this instance owns the project (it wrote it itself). */
    private void applyReplica(String key, String json) {
        int slash = key.indexOf('/');
        if (slash <= 0) return;
        String project = key.substring(0, slash);
        if (key.endsWith("/commands") && json != null) committedResults(project, json);
        ReentrantLock lock = lock(project);
        lock.lock();
        try {
            if (!owns(project)) StateCodec.read(engine, key, json);
        } finally {
            lock.unlock();
        }
    }

    public boolean rebuilt() {
        return rebuilt.getCount() == 0;
    }

    /** Opens the gate once state is rebuilt and start-up manifests are applied. */
    public void markReady() {
        ready.countDown();
    }

    public boolean ready() {
        return ready.getCount() == 0;
    }

    /** Blocks the caller until the state is rebuilt. */
    public void awaitRebuilt() {
        try {
            while (!rebuilt.await(5, TimeUnit.SECONDS)) {
                LOG.debug("waiting for the state rebuild before processing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the state rebuild", e);
        }
    }

    // ------------------------------------------------------------------ ownership (Streams tasks)

    /**
     * The Streams task of an input partition starts processing here (called before its first record or punctuation,
     * so the previous owner's last transaction is committed or aborted by then): the replica catches up to the
     * committed end of the state topic, so this instance decides on everything the previous owner committed. If this
     * instance decided for the partition before, what it holds in memory may include a transaction that was aborted
     * (a fenced zombie): its projects are reloaded from the committed state topic instead.
     */
    public void onTaskStarted(int partition) {
        long t0 = System.nanoTime();
        awaitRebuilt();
        state.awaitCaughtUp(config.rebuildTimeout());
        boolean reload = decidedBefore.contains(partition);
        if (reload) {
            Engine fresh = new Engine(config.auditRetention(), config.historyRetention(), config.freightRetention());
            long n = state.readCommitted(key -> onPartition(key, partition), (k, v) -> StateCodec.read(fresh, k, v),
                    config.rebuildTimeout());
            for (String p : engine.projectNames()) {
                if (partitionOf(p) == partition) withLock(p, () -> engine.replace(p, fresh.project(p)));
            }
            for (String p : fresh.projectNames()) {
                if (engine.project(p) == null) withLock(p, () -> engine.replace(p, fresh.project(p)));
            }
            LOG.infof("partition %d taken again: %d state records reloaded", partition, n);
        }
        owned.add(partition);
        decidedBefore.add(partition);
        for (String p : engine.projectNames()) {
            if (partitionOf(p) != partition) continue;
            read(p, ps -> {
                if (ps != null) StateCodec.finishRebuild(ps);
                return null;
            });
        }
        LOG.infof("partition %d assigned; state caught up in %d ms%s", partition, (System.nanoTime() - t0) / 1_000_000,
                reload ? " (reloaded)" : "");
    }

    /** The partition's task was closed (revoked, migrated or shut down): the replica applies its projects again. */
    public void onTaskClosed(int partition) {
        owned.remove(partition);
        LOG.infof("partition %d revoked", partition);
    }

    private boolean onPartition(String stateKey, int partition) {
        int slash = stateKey.indexOf('/');
        return slash > 0 && partitionOf(stateKey.substring(0, slash)) == partition;
    }

    /** Whether this instance decides for the project now. */
    public boolean owns(String project) {
        return partitionCount > 0 && owned.contains(partitionOf(project));
    }

    /** The input partition of a project (inputs are keyed by project; Kafka's default partitioner). */
    public int partitionOf(String project) {
        return Utils.toPositive(Utils.murmur2(project.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    /** The projects of an input partition. */
    public List<String> projectsOf(int partition) {
        return engine.projectNames().stream().filter(p -> partitionOf(p) == partition).toList();
    }

    private ReentrantLock lock(String project) {
        return locks.computeIfAbsent(project, p -> new ReentrantLock());
    }

    private void withLock(String project, Runnable r) {
        ReentrantLock lock = lock(project);
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    /** Where a step's effects go: the processor's transaction. */
    public interface Output {
        void send(String sink, String key, String json, String ceType);
    }

    /** Runs one step for a project under its lock and hands the effects to the transaction before returning. */
    public <T> T withProject(String project, Output out, Function<Engine, Step<T>> step) {
        ReentrantLock lock = lock(project);
        lock.lock();
        try {
            Step<T> s = step.apply(engine);
            commit(s.effects(), out);
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

    private void commit(Effects fx, Output out) {
        for (PromotionRequested p : fx.promotions) {
            out.send(EngineTopology.PROMOTIONS, p.git().repoURL(), EventCodec.toJson(p), EventTypes.PROMOTION_REQUESTED);
            LOG.infof("promotion %s: freight %s to %s/%s", p.promotionId(), p.freight().alias(), p.project(), p.stage());
        }
        for (WarehouseUpdated w : fx.warehouses) {
            out.send(EngineTopology.WAREHOUSES, w.key(), EventCodec.toJson(w), EventTypes.WAREHOUSE_UPDATED);
        }
        for (String key : fx.dirty) out.send(EngineTopology.STATE, key, StateCodec.write(engine, key), null);
        for (String key : fx.deleted) out.send(EngineTopology.STATE, key, null, null);
        metrics.record(fx);
    }

    // ------------------------------------------------------------------ commands

    private static Uni<Void> send(MutinyEmitter<String> emitter, String key, String json) {
        return emitter.sendMessage(Message.of(json, Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())));
    }

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
        Waiter w = new Waiter(c.project(), new CompletableFuture<>(), null);
        waiting.put(c.id(), w);
        send(commands, c.project(), EventCodec.toJson(c)).await().indefinitely();
        return w.future();
    }

    void forget(String commandId) {
        waiting.remove(commandId);
    }

    /** A command this instance's API published and waits for, with its committed result once seen. */
    private record Waiter(String project, CompletableFuture<Engine.CommandResult> future, Engine.CommandResult committed) {
        Waiter with(Engine.CommandResult r) {
            return new Waiter(project, future, r);
        }
    }

    /**
     * A committed {@code P/commands} record: the results of the commands this instance's API waits for. Read for
     * every project, owned or not, so an API call is answered only once the owner's transaction is committed.
     */
    private void committedResults(String project, String json) {
        if (waiting.isEmpty()) return;
        Map<String, Engine.CommandResult> results = commandResults(json);
        results.forEach((id, r) -> {
            Waiter w = waiting.get(id);
            if (w != null && w.project().equals(project) && w.committed() == null) waiting.put(id, w.with(r));
        });
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The results in a {@code P/commands} record ({@code {ids, results}}; the older plain list of ids has none). */
    private static Map<String, Engine.CommandResult> commandResults(String json) {
        try {
            var node = JSON.readTree(json);
            if (!node.isObject() || !node.has("results")) return Map.of();
            return JSON.convertValue(node.get("results"), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Engine.CommandResult>>() {
            });
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            LOG.warnf("unreadable commands record: %s", e.getMessage());
            return Map.of();
        }
    }

    /**
     * After each replica batch: completes the waiting commands whose result is committed. A command that made a
     * promotion completes once the promotion record has arrived too (records of one transaction span partitions).
     */
    private void completeFromReplica() {
        if (waiting.isEmpty()) return;
        waiting.forEach((id, w) -> {
            Engine.CommandResult r = w.committed();
            if (r == null || w.future().isDone()) return;
            boolean complete = r.promotion() == null || Boolean.TRUE.equals(read(w.project(),
                    ps -> ps != null && ps.promotions.containsKey(r.promotion())));
            if (complete) w.future().complete(r);
        });
    }

    /** Applies a command from the commands topic; its result reaches the waiting API call once committed. */
    public void handle(CommandIssued c, Output out) {
        withProject(c.project(), out, e -> {
            Engine.CommandResult[] r = new Engine.CommandResult[1];
            Effects fx;
            if (c.action().equals("apply")) {
                fx = applyCommand(e, c, r);
            } else {
                fx = e.onCommand(c, now(), r);
            }
            return new Step<>(r[0], fx);
        });
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
        // credentials never go onto a topic
        sources.forEach(src -> args.put(FILE_ARG + src.file(), ManifestParser.withoutSecretData(src.text())));
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
