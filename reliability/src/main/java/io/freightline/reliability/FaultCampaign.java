package io.freightline.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.devstack.DevStack;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.jgit.revwalk.RevCommit;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * The fault campaign: N artifacts through dev → staging → prod (prod promoted by the harness with the promoter
 * token) on the full stack, while services are killed with SIGKILL and restarted, the broker restarts, the Git
 * remote is cut, other people push to the branch, and Argo CD answers 5xx, hangs or resets connections. Then it
 * checks that every promotion the engine issued landed exactly once, nothing is lost or stuck, every stage ends on
 * the expected freight, the DLQs hold only the deliberate poison, no consumer group lags and no secret leaked.
 *
 * <pre>java -cp 'reliability/target/reliability-0.1.0-SNAPSHOT.jar:reliability/target/lib/*' \
 *   io.freightline.reliability.FaultCampaign 500 [seed]</pre>
 */
public final class FaultCampaign {
    static final String TRAILER = "Freightline-Promotion";

    /**
     * @param artifacts         image tags pushed
     * @param pace              time between two pushes
     * @param killsPerService   SIGKILLs per service
     * @param brokerRestarts    broker restarts
     * @param gitOutage         how long the Git remote is cut (once)
     * @param argoOutage        how long Argo CD answers 503, then hangs, then resets connections (each)
     * @param externalCommits   unrelated commits pushed to main by someone else
     * @param prodEvery         the harness promotes staging's freight to prod every this many artifacts
     * @param settle            how long the stack may take to settle after the last fault
     * @param engines           promotion-engine instances for the whole storm; with two or more, the engines are
     *                          not among the random kills but go through {@link #engineFaults} rounds instead
     * @param engineRounds      rounds of: SIGKILL of the engine owning the project (then its restart with a broker
     *                          restart in the middle of the rebalance it causes), SIGSTOP of the new owner past its
     *                          session timeout, then SIGCONT
     * @param freeze            how long a SIGSTOPped engine stays frozen (longer than its session timeout)
     * @param powerCuts         SIGKILL of every service and a broker stop, then everything started again
     */
    public record Options(int artifacts, Duration pace, int killsPerService, int brokerRestarts, Duration gitOutage,
                          Duration argoOutage, int externalCommits, int prodEvery, Duration settle, long seed,
                          int engines, int engineRounds, Duration freeze, int powerCuts) {

        public static Options full(int artifacts, long seed) {
            return new Options(artifacts, Duration.ofMillis(400), 3, 1, Duration.ofSeconds(30), Duration.ofSeconds(15),
                    10, Math.max(5, artifacts / 20), Duration.ofMinutes(8), seed, 2, 3, Duration.ofSeconds(15), 2);
        }

        public static Options ci() {
            return new Options(15, Duration.ofMillis(1500), 1, 1, Duration.ofSeconds(5), Duration.ofSeconds(6),
                    3, 5, Duration.ofMinutes(3), 7, 1, 0, Duration.ofSeconds(10), 0);
        }

        /** CI sizes with two engines, one round of engine faults and one power cut ({@code FaultCampaignIT}). */
        public static Options ciWithEngines() {
            return new Options(15, Duration.ofMillis(1500), 1, 1, Duration.ofSeconds(5), Duration.ofSeconds(6),
                    3, 5, Duration.ofMinutes(3), 7, 2, 1, Duration.ofSeconds(10), 1);
        }

        /** The same run with other engine-fault sizes (benchmarks/run.sh sizes them up). */
        public Options withEngineFaults(int engineRounds, int powerCuts) {
            return new Options(artifacts, pace, killsPerService, brokerRestarts, gitOutage, argoOutage, externalCommits,
                    prodEvery, settle, seed, engines, engineRounds, freeze, powerCuts);
        }
    }

    private final Harness h;
    private final Options o;
    private final Report report = new Report("fault");
    private final Random random;
    private final List<String> pushed = Collections.synchronizedList(new ArrayList<>());
    /** The number of the next artifact to push ({@link #tag}). */
    private final AtomicInteger next = new AtomicInteger();
    private final Map<String, String> prodRequests = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Set<String> poisonMarkers = ConcurrentHashMap.newKeySet();
    private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
    private final long t0 = System.nanoTime();
    /** Faults started or scheduled and not yet healed. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Ends faults on time, whatever the fault threads are waiting for; shut down last. */
    private final ScheduledExecutorService restorer = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "chaos-restore"));
    /** The engines' faults, one after the other: each failover is measured on its own. */
    private final ScheduledExecutorService engineChaos = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "chaos-engines"));

    public FaultCampaign(Harness h, Options o) {
        this.h = h;
        this.o = o;
        this.random = new Random(o.seed());
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.currentTimeMillis();
        Path home = Files.createTempDirectory("freightline-faults-");
        Report r;
        Options options = Options.full(n, seed);
        if (args.length > 3) {
            options = options.withEngineFaults(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
        try (Harness h = Harness.start(home.resolve("demo"), true, options.engines())) {
            r = new FaultCampaign(h, options).run();
        }
        System.out.println(r.summary());
        System.out.println("state and logs kept in " + home);
        System.exit(r.violations().isEmpty() ? 0 : 1);
    }

    public Report report() {
        return report;
    }

    private void event(String format, Object... args) {
        String s = String.format("t+%5.1fs ", (System.nanoTime() - t0) / 1e9) + String.format(format, args);
        timeline.add(s);
        report.line("%s", s);
    }

    public Report run() throws Exception {
        report.line("seed %d: %d artifacts, pace %d ms", o.seed(), o.artifacts(), o.pace().toMillis());
        h.argocd.walkSteps(2);
        h.argocd.hangMillis((int) Math.min(60_000, o.argoOutage().toMillis() + 10_000));
        Duration drive = o.pace().multipliedBy(o.artifacts());
        ScheduledExecutorService processes = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "chaos-processes"));
        // several threads: a fault waiting for traffic must not hold back the end of another fault
        ScheduledExecutorService network = Executors.newScheduledThreadPool(4, r -> thread(r, "chaos-network"));
        ScheduledExecutorService others = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "chaos-external"));
        ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "driver"));
        ScheduledExecutorService prod = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "prod-promoter"));
        Map<String, AtomicInteger> faults = new TreeMap<>();
        try {
            scheduleFaults(drive, processes, network, others, faults);
            // the driver: one push per pace; every prodEvery pushes, staging's freight goes to prod
            CountDownLatch done = new CountDownLatch(o.artifacts());
            driver.scheduleWithFixedDelay(() -> {
                // while the engine faults run, pushes go on: each failover is measured on real traffic
                if (done.getCount() == 0 && engineFaultsDone.getCount() == 0) {
                    return;
                }
                int i = next.getAndIncrement();
                String tag = tag(i);
                pushUntilAccepted(h, tag, report);
                pushed.add(tag);
                done.countDown();
                if ((i + 1) % o.prodEvery() == 0) {
                    prod.execute(this::promoteStagingToProd);
                }
            }, 0, o.pace().toMillis(), TimeUnit.MILLISECONDS);
            if (!done.await(drive.toSeconds() * 4 + 600, TimeUnit.SECONDS)) {
                report.violation("the driver could not push all artifacts: %d of %d", pushed.size(), o.artifacts());
            }
            if (!engineFaultsDone.await(20, TimeUnit.MINUTES)) {
                report.violation("the engine faults did not finish in 20 min");
            }
            driver.shutdown();
            event("all %d artifacts pushed", pushed.size());
            try {
                await("every fault healed").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() -> pending.get() == 0);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                report.violation("%d faults did not end in time", pending.get());
            }
            for (ScheduledExecutorService s : List.of(processes, network, others, prod, engineChaos, restorer)) {
                s.shutdown();
                if (!s.awaitTermination(10, TimeUnit.MINUTES)) {
                    report.violation("a fault or the prod promoter did not finish in time");
                }
            }
            event("all faults healed");
        } finally {
            for (ScheduledExecutorService s : List.of(processes, network, others, driver, prod, engineChaos, restorer)) {
                s.shutdownNow();
            }
            h.gitProxy.restore();
            h.argocd.mode(FakeArgoCD.Mode.OK);
        }
        faults.forEach((k, v) -> report.figure("faults: " + k, v.get()));
        failovers.forEach((k, v) -> report.figure("failover: " + k, v));
        report.figure("faults injected", faults.values().stream().mapToInt(AtomicInteger::get).sum());
        report.figure("artifacts pushed", pushed.size());
        for (String s : h.stack.services()) {
            if (!h.stack.service(s).isAlive()) {
                report.violation("%s is not running after the faults", s);
                h.stack.restart(s);
            }
        }
        // one more artifact in calm weather: the newest, which every auto stage must end on
        String last = tag(next.getAndIncrement());
        pushUntilAccepted(h, last, report);
        pushed.add(last);
        event("final artifact %s pushed after the storm", last);
        settle();
        check();
        return report;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    static String tag(int i) {
        return "2." + (i / 1000) + "." + (i % 1000);
    }

    // ---------------------------------------------------------------------------------------------------------
    // faults

    private long at(Duration drive, double from, double to) {
        return (long) (drive.toMillis() * (from + random.nextDouble() * (to - from)));
    }

    private void scheduleFaults(Duration drive, ScheduledExecutorService processes, ScheduledExecutorService network,
                                ScheduledExecutorService others, Map<String, AtomicInteger> faults) {
        List<long[]> kills = new ArrayList<>();
        List<String> services = new ArrayList<>(DevStack.SERVICES);
        if (o.engines() <= 1) {
            engineFaultsDone.countDown();
        } else {
            services.remove(DevStack.ENGINE); // the engines get their own, choreographed faults
            pending.incrementAndGet();
            engineChaos.schedule(() -> {
                try {
                    engineFaults(faults);
                } catch (Exception e) {
                    report.violation("engine faults aborted: %s", e);
                } finally {
                    engineFaultsDone.countDown();
                    pending.decrementAndGet();
                }
            }, at(drive, 0.1, 0.2), TimeUnit.MILLISECONDS);
        }
        for (int k = 0; k < o.killsPerService(); k++) {
            for (int s = 0; s < services.size(); s++) {
                kills.add(new long[]{at(drive, 0.05, 0.85), s, random.nextInt(3000)});
            }
        }
        for (long[] k : kills) {
            String service = services.get((int) k[1]);
            pending.incrementAndGet();
            processes.schedule(() -> {
                event("kill -9 %s (restart in %d ms)", service, k[2]);
                h.stack.kill(service);
                count(faults, "kill -9 " + service);
                processes.schedule(() -> {
                    long s0 = System.nanoTime();
                    try {
                        h.archiveLog(service);
                        h.stack.restart(service);
                        event("%s restarted in %d ms", service, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0));
                    } catch (RuntimeException e) {
                        report.violation("%s did not restart: %s", service, e.getMessage());
                    } finally {
                        pending.decrementAndGet();
                    }
                }, k[2], TimeUnit.MILLISECONDS);
            }, k[0], TimeUnit.MILLISECONDS);
        }
        for (int b = 0; b < o.brokerRestarts(); b++) {
            pending.incrementAndGet();
            processes.schedule(() -> {
                event("broker restart");
                try {
                    h.stack.restartBroker();
                    event("broker back");
                } catch (Exception e) {
                    report.violation("broker did not restart: %s", e);
                }
                count(faults, "broker restart");
                pending.decrementAndGet();
            }, at(drive, 0.3, 0.7), TimeUnit.MILLISECONDS);
        }
        long cut = at(drive, 0.15, 0.5);
        pending.incrementAndGet();
        network.schedule(() -> {
            // cut while the git-writer talks to the remote: right after its next connection
            long seen = h.gitProxy.accepted();
            awaitActivity(() -> h.gitProxy.accepted() > seen);
            event("git remote cut for %d s (connections so far: %d)", o.gitOutage().toSeconds(), h.gitProxy.accepted());
            h.gitProxy.cut();
            count(faults, "git remote cut");
            restorer.schedule(() -> {
                h.gitProxy.restore();
                event("git remote back (%d connections refused meanwhile)", h.gitProxy.refused());
                pending.decrementAndGet();
            }, o.gitOutage().toMillis(), TimeUnit.MILLISECONDS);
        }, cut, TimeUnit.MILLISECONDS);
        // Argo CD fails three ways in a row, each started right after a sync so it hits a verification under way
        long argo = at(drive, 0.1, 0.4);
        long step = o.argoOutage().toMillis();
        pending.incrementAndGet();
        network.schedule(() -> {
            try {
                for (FakeArgoCD.Mode m : List.of(FakeArgoCD.Mode.ERROR_5XX, FakeArgoCD.Mode.HANG, FakeArgoCD.Mode.RESET)) {
                    long syncs = h.argocd.syncs();
                    awaitActivity(() -> h.argocd.syncs() > syncs);
                    event("argocd %s for %d s", m, step / 1000);
                    h.argocd.mode(m);
                    count(faults, "argocd " + m);
                    CountDownLatch back = new CountDownLatch(1);
                    restorer.schedule(() -> {
                        h.argocd.mode(FakeArgoCD.Mode.OK);
                        event("argocd OK (%d requests faulted so far)", h.argocd.faulted());
                        back.countDown();
                    }, step, TimeUnit.MILLISECONDS);
                    back.await();
                }
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            } finally {
                h.argocd.mode(FakeArgoCD.Mode.OK);
                pending.decrementAndGet();
            }
        }, argo, TimeUnit.MILLISECONDS);
        for (int e = 0; e < o.externalCommits(); e++) {
            int n = e;
            pending.incrementAndGet();
            others.schedule(() -> {
                try {
                    GitRepo.pushExternal(h.directGitURL(), "docs: unrelated change " + n + " by someone else", work -> {
                        try {
                            Files.createDirectories(work.resolve("docs"));
                            Files.writeString(work.resolve("docs/notes-" + n + ".md"), "note " + n + " " + UUID.randomUUID() + "\n");
                        } catch (java.io.IOException x) {
                            throw new java.io.UncheckedIOException(x);
                        }
                    }, 20);
                    event("external commit %d pushed", n);
                    count(faults, "external commit");
                } catch (RuntimeException x) {
                    report.violation("external commit %d could not be pushed: %s", n, x.getMessage());
                } finally {
                    pending.decrementAndGet();
                }
            }, at(drive, 0.05, 0.95), TimeUnit.MILLISECONDS);
        }
        // one deliberate poison record per input topic: the only dead letters allowed at the end
        pending.incrementAndGet();
        others.schedule(() -> {
            for (String topic : BadInputCampaign.INPUT_TOPICS) {
                String marker = topic + "/fault-campaign/" + UUID.randomUUID();
                try {
                    h.kafka.send(topic, Harness.PROJECT, EventTypes.PAYLOADS.keySet().iterator().next(), "{not json", Map.of(KafkaTools.POISON_HEADER, marker));
                    poisonMarkers.add(marker);
                    count(faults, "poison record");
                } catch (RuntimeException x) {
                    report.violation("cannot publish poison to %s: %s", topic, x.getMessage());
                }
            }
            event("poison published on %d topics", BadInputCampaign.INPUT_TOPICS.size());
            pending.decrementAndGet();
        }, at(drive, 0.2, 0.8), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // engine faults: two instances, one killed, one frozen, a broker restart mid-rebalance, power cuts

    /** Seconds each failover took, by kind, in the order measured. */
    private final Map<String, List<String>> failovers = Collections.synchronizedMap(new LinkedHashMap<>());
    private final CountDownLatch engineFaultsDone = new CountDownLatch(1);
    /** Each SIGCONT of a frozen engine: what it wrote afterwards is checked in {@link #check()}. */
    private final List<ZombieCheck.Freeze> freezes = Collections.synchronizedList(new ArrayList<>());

    private void engineFaults(Map<String, AtomicInteger> faults) throws Exception {
        for (int round = 0; round < o.engineRounds(); round++) {
            // 1. SIGKILL of the owner: the survivor issues the next promotion
            String owner = owner();
            long killed = System.currentTimeMillis();
            event("kill -9 %s (owner of %s)", owner, Harness.PROJECT);
            h.stack.kill(owner);
            count(faults, "kill -9 engine owning the project");
            measureTakeover("SIGKILL of the owner -> project's partition assigned to the survivor", owner, killed, Duration.ofSeconds(120));
            measureFailover("SIGKILL of the owner -> next promotion by the survivor", killed, Duration.ofSeconds(120));
            // its restart joins the group: the broker restarts in the middle of that rebalance
            var fresh = h.stack.startService(owner, h.stack.service(owner).port());
            awaitActivity(() -> Failover.listening(fresh.port()));
            event("%s back (joining the group): broker restart now", owner);
            h.stack.restartBroker();
            count(faults, "broker restart during a rebalance");
            event("broker back");
            fresh.awaitReady(Duration.ofSeconds(180));
            event("%s ready again", owner);

            // 2. SIGSTOP of the (new) owner past its session timeout, then SIGCONT: the resumed zombie writes nothing
            String frozen = owner();
            // right after an artifact is accepted, so the owner is likely frozen while it fetches or decides on it
            String tag = tag(next.getAndIncrement());
            pushUntilAccepted(h, tag, report);
            pushed.add(tag);
            long stopped = System.currentTimeMillis();
            h.stack.pause(frozen);
            event("kill -STOP %s (owner of %s) for %d s, right after %s was accepted", frozen, Harness.PROJECT,
                    o.freeze().toSeconds(), tag);
            count(faults, "SIGSTOP engine owning the project, then SIGCONT");
            try {
                measureTakeover("SIGSTOP of the owner -> project's partition assigned to the other", frozen, stopped, o.freeze());
                measureFailover("SIGSTOP of the owner -> next promotion by the other", stopped,
                        Duration.ofMillis(Math.max(1, stopped + o.freeze().toMillis() - System.currentTimeMillis())));
                long left = stopped + o.freeze().toMillis() - System.currentTimeMillis();
                if (left > 0) {
                    await().pollDelay(Duration.ofMillis(left)).atMost(Duration.ofMillis(left + 1000)).until(() -> true);
                }
            } finally {
                // while it is still frozen: its transactional producers, as the broker knows them
                try (var admin = h.kafka.admin()) {
                    ZombieCheck.Freeze f = ZombieCheck.atResume(frozen, h.stack.service(frozen).log(), admin);
                    freezes.add(f);
                    event("%s's producers at SIGCONT (id=epoch): %s", frozen, f.error() == null ? f.producers() : f.error());
                } finally {
                    h.stack.resume(frozen);
                    event("kill -CONT %s", frozen);
                }
            }
            // the zombie runs on until Streams notices it was fenced and starts its producer again: only then may
            // anything else (the power cut) happen to it, so whatever it tries to write as a zombie is on record
            ZombieCheck.Freeze f = freezes.get(freezes.size() - 1);
            long resumed = f.resumedAt();
            try (var admin = h.kafka.admin()) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                        .until(() -> ZombieCheck.epochMoved(f, admin));
                event("%s: producer started again %.1f s after SIGCONT", frozen, (System.currentTimeMillis() - resumed) / 1000.0);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                event("%s: producer still at its SIGCONT epoch 60 s after SIGCONT", frozen);
            }
        }
        for (int cut = 0; cut < o.powerCuts(); cut++) {
            // 3. power cut: every service SIGKILLed, the broker down, then everything back
            long t = System.currentTimeMillis();
            event("power cut: kill -9 of every service, broker down, restart");
            h.stack.powerCut(); // the services' logs are appended to, so the killed incarnations' logs are kept
            long ready = System.currentTimeMillis();
            event("power cut: every service ready again after %.1f s", (ready - t) / 1000.0);
            count(faults, "power cut");
            failovers.computeIfAbsent("power cut -> every service ready", k -> new ArrayList<>()).add(Failover.seconds(ready - t));
            measureFailover("power cut: every service ready -> first promotion", ready, Duration.ofSeconds(120));
        }
    }

    /**
     * Records how long after {@code since} the engines issued their first promotion; none within {@code within}
     * is recorded as such (while a stage is busy or no artifact is due, nothing needs promoting).
     */
    private void measureFailover(String kind, long since, Duration within) {
        Optional<Long> first = Failover.firstPromotionSince(h, since, within);
        String figure = first.map(t -> Failover.seconds(t - since) + " s").orElse("none in " + within.toSeconds() + " s");
        event("failover: %s: %s", kind, figure);
        failovers.computeIfAbsent(kind, k -> new ArrayList<>()).add(figure);
    }

    /**
     * Records how long after {@code since} the project's partition was assigned to an engine other than
     * {@code from}: the failover itself, whether or not a promotion is due then (a stage may be busy, the watcher
     * down).
     */
    private void measureTakeover(String kind, String from, long since, Duration within) {
        long[] at = {-1};
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                Optional<String> now = Failover.owner(h, Harness.PROJECT);
                if (now.isPresent() && !now.get().equals(from)) {
                    at[0] = System.currentTimeMillis();
                    return true;
                }
                return false;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // recorded as none
        }
        String figure = at[0] < 0 ? "none in " + within.toSeconds() + " s" : Failover.seconds(at[0] - since) + " s";
        event("failover: %s: %s", kind, figure);
        failovers.computeIfAbsent(kind, k -> new ArrayList<>()).add(figure);
    }

    private String owner() {
        List<String> engines = Failover.engines(h);
        try {
            Optional<String> owner = Failover.owner(h, Harness.PROJECT);
            if (owner.isPresent()) {
                return owner.get();
            }
            event("owner of %s unknown: faulting %s", Harness.PROJECT, engines.get(0));
        } catch (Exception e) {
            event("owner of %s unknown (%s): faulting %s", Harness.PROJECT, e.getMessage(), engines.get(0));
        }
        return engines.get(0);
    }

    /** Waits (bounded) for the traffic a fault should hit; the fault is injected anyway after 90 s. */
    private static void awaitActivity(java.util.concurrent.Callable<Boolean> seen) {
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(seen);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // no traffic: inject anyway
        }
    }

    private static void count(Map<String, AtomicInteger> faults, String kind) {
        synchronized (faults) {
            faults.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // driving

    /** Pushes a tag like a registry does: until a 2xx, through restarts and outages. Returns the attempts. */
    public static int pushUntilAccepted(Harness h, String tag) {
        return pushUntilAccepted(h, tag, null);
    }

    static int pushUntilAccepted(Harness h, String tag, Report report) {
        AtomicInteger attempts = new AtomicInteger();
        await("registry push " + tag).atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() -> {
            attempts.incrementAndGet();
            Http.Reply r = h.pushOnce(tag);
            if (report != null && !r.is2xx()) {
                report.add("webhook retries (watcher down or not ready)", 1);
                if (r.status() >= 500 && r.status() != 503) {
                    report.add("webhook answers 5xx other than 503", 1);
                }
            }
            return r.is2xx();
        });
        return attempts.get();
    }

    /** The id of the freight holding {@code demo/app:tag}, or null. */
    public static String freightOfTag(Harness h, String tag) {
        try {
            for (JsonNode f : h.api.freight(Harness.PROJECT, h.token("viewer"))) {
                for (JsonNode a : f.path("artifacts")) {
                    if (tag.equals(a.path("tag").asText())) {
                        return f.path("id").asText();
                    }
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    /** Whether the engine has the freight verified in the stage. */
    public static boolean verifiedIn(Harness h, String freight, String stage) {
        Http.Reply r = h.api.get("/api/v1/projects/" + Harness.PROJECT + "/freight/" + freight, h.token("viewer"));
        return r.is2xx() && r.json().path("verifiedIn").has(stage);
    }

    private void promoteStagingToProd() {
        try {
            JsonNode staging = h.api.stage(Harness.PROJECT, "staging", h.token("viewer"));
            Set<String> current = EngineApi.verifiedFreight(staging);
            if (current.isEmpty()) {
                return;
            }
            String freight = current.iterator().next();
            if (prodRequests.containsKey(freight)) {
                return;
            }
            promoteToProd(freight);
        } catch (RuntimeException e) {
            event("prod promotion skipped: %s", e.getMessage());
        }
    }

    /** Approves when prod asks for it, then promotes; retried only when the request surely did not arrive. */
    private Http.Reply promoteToProd(String freight) {
        JsonNode prod = h.api.stage(Harness.PROJECT, "prod", h.token("viewer"));
        if (EngineApi.approvalRequired(prod)) {
            Http.Reply a = retryUnsent(() -> h.api.approve(Harness.PROJECT, freight, "prod", h.token("promoter")));
            event("approve %s for prod: %d", freight, a.status());
        }
        Http.Reply r = retryUnsent(() -> h.api.promote(Harness.PROJECT, "prod", freight, h.token("promoter")));
        prodRequests.put(freight, String.valueOf(r.status()));
        event("promote %s to prod: %s", freight, r.status() == 0 ? r.error() : String.valueOf(r.status()));
        return r;
    }

    private Http.Reply retryUnsent(java.util.function.Supplier<Http.Reply> call) {
        Http.Reply[] last = new Http.Reply[1];
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = call.get();
            boolean unsent = last[0].status() == 0 && last[0].error() instanceof ConnectException;
            return !(unsent || last[0].status() == 503);
        });
        return last[0];
    }

    // ---------------------------------------------------------------------------------------------------------
    // settling and checks

    /** What is left of the settle budget, at least {@code min}. */
    private static Duration left(long deadline, Duration min) {
        long n = deadline - System.nanoTime();
        return n < min.toNanos() ? min : Duration.ofNanos(n);
    }

    private void settle() {
        long deadline = System.nanoTime() + o.settle().toNanos();
        String newest = pushed.get(pushed.size() - 1);
        String[] newestFreight = new String[1];
        try {
            await("freight for the newest tag").atMost(left(deadline, Duration.ofSeconds(5))).pollInterval(Duration.ofSeconds(2))
                    .until(() -> (newestFreight[0] = freightOfTag(h, newest)) != null);
            event("newest freight %s = %s", newest, newestFreight[0]);
            await("staging on the newest freight").ignoreExceptions().atMost(left(deadline, Duration.ofSeconds(5))).pollInterval(Duration.ofSeconds(2))
                    .until(() -> verifiedIn(h, newestFreight[0], "staging"));
            event("newest freight verified in staging");
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            report.violation("staging did not reach the newest freight (%s) within %d s: dev=%s staging=%s", newest,
                    o.settle().toSeconds(), h.repo.newTag("envs/dev"), h.repo.newTag("envs/staging"));
        }
        if (newestFreight[0] != null) {
            Http.Reply r = promoteToProd(newestFreight[0]);
            if (!r.is2xx()) {
                report.violation("final prod promotion of %s refused: %s", newestFreight[0], r);
            }
            try {
                await("prod on the newest freight").ignoreExceptions().atMost(left(deadline, Duration.ofSeconds(5))).pollInterval(Duration.ofSeconds(2))
                        .until(() -> newest.equals(h.repo.newTag("envs/prod"))
                                && EngineApi.currentFreight(h.api.stage(Harness.PROJECT, "prod", h.token("viewer"))).contains(newestFreight[0]));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                report.violation("prod did not reach the newest freight %s: prod folder has %s", newest, h.repo.newTag("envs/prod"));
            }
        }
        // quiet: no promotion in flight, no consumer lag
        try {
            await("no promotion in flight").ignoreExceptions().atMost(left(deadline, Duration.ofSeconds(5))).pollInterval(Duration.ofSeconds(2)).until(() ->
                    h.api.promotions(Harness.PROJECT, h.token("viewer")).stream().allMatch(p -> terminal(EngineApi.state(p))));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported in check()
        }
        try {
            await("consumer lag drains").ignoreExceptions().atMost(left(deadline, Duration.ofSeconds(30))).pollInterval(Duration.ofSeconds(2)).until(() -> h.kafka.lag().isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported in check()
        }
    }

    static boolean terminal(String state) {
        return Set.of("Succeeded", "Failed", "Aborted", "Superseded").contains(state);
    }

    private void check() {
        // 1. what the engine issued, what the git-writer answered, what is in Git
        Map<String, PromotionRequested> issued = new LinkedHashMap<>();
        long reissued = 0;
        for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.PROMOTIONS)) {
            if (!EventTypes.PROMOTION_REQUESTED.equals(KafkaTools.header(r, CloudEventHeaders.TYPE)) || KafkaTools.header(r, KafkaTools.POISON_HEADER) != null) {
                continue;
            }
            try {
                PromotionRequested p = EventCodec.decode(EventTypes.PROMOTION_REQUESTED, r.value(), PromotionRequested.class);
                if (issued.putIfAbsent(p.promotionId(), p) != null) {
                    reissued++;
                }
            } catch (RuntimeException e) {
                report.violation("an invalid promotion event on %s at %d/%d", Topics.PROMOTIONS, r.partition(), r.offset());
            }
        }
        Map<String, List<PromotionCommitted>> outcomes = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.COMMITS)) {
            if (!EventTypes.PROMOTION_COMMITTED.equals(KafkaTools.header(r, CloudEventHeaders.TYPE)) || KafkaTools.header(r, KafkaTools.POISON_HEADER) != null) {
                continue;
            }
            try {
                PromotionCommitted c = EventCodec.decode(EventTypes.PROMOTION_COMMITTED, r.value(), PromotionCommitted.class);
                outcomes.computeIfAbsent(c.promotionId(), k -> new ArrayList<>()).add(c);
            } catch (RuntimeException e) {
                report.violation("an invalid commit event on %s at %d/%d", Topics.COMMITS, r.partition(), r.offset());
            }
        }
        Map<String, List<RevCommit>> commits = h.repo.commitsByPromotion();
        Map<String, Integer> perStage = new TreeMap<>();
        int landed = 0;
        int duplicated = 0;
        int failed = 0;
        int noChange = 0;
        int lost = 0;
        Map<String, Integer> failReasons = new TreeMap<>();
        for (PromotionRequested p : issued.values()) {
            perStage.merge(p.stage(), 1, Integer::sum);
            List<RevCommit> cs = commits.getOrDefault(p.promotionId(), List.of());
            List<PromotionCommitted> out = outcomes.getOrDefault(p.promotionId(), List.of());
            if (cs.size() == 1) {
                landed++;
            } else if (cs.size() > 1) {
                duplicated++;
                report.violation("promotion %s (%s) is in %d commits: %s", p.promotionId(), p.stage(), cs.size(), cs.stream().map(RevCommit::name).toList());
            } else if (out.stream().anyMatch(c -> c.outcome() == PromotionCommitted.Outcome.NO_CHANGE)) {
                noChange++;
            } else if (out.stream().anyMatch(c -> c.outcome() == PromotionCommitted.Outcome.FAILED)) {
                failed++;
                out.stream().filter(c -> c.outcome() == PromotionCommitted.Outcome.FAILED).findFirst()
                        .ifPresent(c -> failReasons.merge(abbreviate(c.reason()), 1, Integer::sum));
                // every step here is valid: a failure can only come from a fault the system should have outlasted
                report.violation("promotion %s (%s, freight %s) failed instead of landing: %s", p.promotionId(), p.stage(),
                        p.freight().alias(), out.stream().filter(c -> c.outcome() == PromotionCommitted.Outcome.FAILED)
                                .map(PromotionCommitted::reason).findFirst().orElse(""));
            } else {
                lost++;
                report.violation("promotion %s (%s, freight %s) was issued but is neither in Git nor answered", p.promotionId(), p.stage(), p.freight().alias());
            }
            if (cs.size() == 1 && out.stream().anyMatch(c -> c.outcome() == PromotionCommitted.Outcome.FAILED)
                    && out.stream().noneMatch(c -> c.outcome().landed())) {
                report.violation("promotion %s is in Git (%s) but the git-writer reported only FAILED", p.promotionId(), cs.get(0).name());
            }
        }
        for (var e : commits.entrySet()) {
            if (!issued.containsKey(e.getKey())) {
                report.violation("commit %s carries promotion %s that the engine never issued", e.getValue().get(0).name(), e.getKey());
            }
        }
        report.figure("promotions issued (distinct) per stage", perStage);
        report.figure("promotions issued", issued.size());
        report.figure("promotion events re-published (same id)", reissued);
        report.figure("promotions landed exactly once", landed);
        report.figure("promotions duplicated", duplicated);
        report.figure("promotions with no change to commit", noChange);
        report.figure("promotions failed (with a reason)", failed);
        if (!failReasons.isEmpty()) {
            report.figure("failure reasons", failReasons);
        }
        report.figure("promotions lost", lost);
        report.figure("commits with a promotion trailer", commits.values().stream().mapToInt(List::size).sum());
        if (reissued > 0) {
            // the promotion ids are deterministic: a committed second copy is a decision made twice
            report.violation("%d promotion events were committed again with an id already issued", reissued);
        }

        // 1b. the resumed zombies: nothing they produced after SIGCONT was committed (broker log segments)
        for (ZombieCheck.Freeze f : freezes) {
            try {
                ZombieCheck.Result z = ZombieCheck.check(f, h.home.resolve("kafka"));
                report.figure("zombie " + f.engine() + " after SIGCONT", z.summary());
                if (z.committedRecords() > 0) {
                    report.violation("the resumed zombie %s committed %d record(s) after SIGCONT: %s", f.engine(),
                            z.committedRecords(), z.committedAt().stream().limit(10).toList());
                }
            } catch (Exception e) {
                report.violation("cannot check what the resumed zombie %s wrote: %s", f.engine(), e.getMessage());
            }
        }

        // 2. nothing stuck per the engine; every artifact became freight
        try {
            List<JsonNode> promotions = h.api.promotions(Harness.PROJECT, h.token("viewer"));
            Map<String, Integer> states = new TreeMap<>();
            for (JsonNode p : promotions) {
                String s = EngineApi.state(p);
                states.merge(s, 1, Integer::sum);
                if (!terminal(s)) {
                    report.violation("promotion %s to %s is stuck in %s", p.path("id").asText(), p.path("stage").asText(), s);
                }
            }
            report.figure("engine promotions by state (API, bounded history)", states);
            for (String stage : List.of("dev", "staging", "prod")) {
                JsonNode st = h.api.stage(Harness.PROJECT, stage, h.token("viewer"));
                List<String> busy = EngineApi.busy(st);
                if (!busy.isEmpty()) {
                    report.violation("stage %s still has promotions queued or running: %s", stage, busy);
                }
            }
            Set<String> tags = new LinkedHashSet<>();
            for (JsonNode f : h.api.freight(Harness.PROJECT, h.token("viewer"))) {
                f.path("artifacts").forEach(a -> tags.add(a.path("tag").asText()));
            }
            // the engine keeps the newest 500 freight per warehouse (freight-retention) plus freight in use
            List<String> recent = pushed.subList(Math.max(0, pushed.size() - 500), pushed.size());
            List<String> missing = recent.stream().filter(t -> !tags.contains(t)).toList();
            report.figure("artifacts without freight (lost)", missing.size());
            if (!missing.isEmpty()) {
                report.violation("%d pushed artifacts never became freight: %s", missing.size(), missing.stream().limit(10).toList());
            }
        } catch (RuntimeException e) {
            report.violation("engine API unusable at the end: %s", e.getMessage());
        }

        // 3. every stage on the expected freight: dev and staging on the newest, prod on the last promoted (= newest)
        String newest = pushed.get(pushed.size() - 1);
        String newestFreight = freightOfTag(h, newest);
        for (String stage : List.of("dev", "staging", "prod")) {
            String folder = h.repo.newTag("envs/" + stage);
            Set<String> engine = Set.of();
            try {
                engine = EngineApi.currentFreight(h.api.stage(Harness.PROJECT, stage, h.token("viewer")));
            } catch (RuntimeException e) {
                // reported above
            }
            report.figure("final " + stage + " (folder / engine)", folder + " / " + engine);
            if (!newest.equals(folder)) {
                report.violation("envs/%s holds %s, expected %s", stage, folder, newest);
            }
            if (newestFreight == null || !engine.contains(newestFreight)) {
                report.violation("the engine has %s in %s, expected %s (%s)", engine, stage, newestFreight, newest);
            }
            String app = "demo-" + stage;
            String synced = h.argocd.revision(app);
            String lastCommit = lastCommitOf(stage);
            if (lastCommit != null && !lastCommit.equals(synced)) {
                report.violation("Argo CD app %s last synced %s, the last %s promotion commit is %s", app, synced, stage, lastCommit);
            }
        }
        report.figure("argocd requests / faulted / syncs", h.argocd.requests() + " / " + h.argocd.faulted() + " / " + h.argocd.syncs());

        // 4. dead letters: only the deliberate poison
        int deliberate = 0;
        for (String topic : BadInputCampaign.INPUT_TOPICS) {
            for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.dlq(topic))) {
                String marker = KafkaTools.header(r, KafkaTools.POISON_HEADER);
                if (marker != null && poisonMarkers.contains(marker)) {
                    deliberate++;
                } else {
                    report.violation("unexpected dead letter on %s: key %s, reason %s, value %s", Topics.dlq(topic), r.key(),
                            KafkaTools.header(r, CloudEventHeaders.DLQ_REASON), abbreviate(r.value()));
                }
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String topic : BadInputCampaign.INPUT_TOPICS) {
            for (ConsumerRecord<String, String> r : h.kafka.readAll(Topics.dlq(topic))) {
                String marker = KafkaTools.header(r, KafkaTools.POISON_HEADER);
                if (marker != null) {
                    seen.add(marker);
                }
            }
        }
        for (String m : poisonMarkers) {
            if (!seen.contains(m)) {
                report.violation("deliberate poison %s is not in its DLQ", m.substring(0, m.indexOf('/', m.indexOf('/') + 1)));
            }
        }
        report.figure("dead letters (deliberate poison)", deliberate);

        // 5. no consumer stuck
        Map<String, Long> lag = h.kafka.lag();
        report.figure("consumer groups", h.kafka.groups());
        report.figure("consumer lag at the end (records)", lag.values().stream().mapToLong(Long::longValue).sum());
        lag.forEach((k, v) -> report.violation("consumer %s is stuck %d records behind", k, v));

        // 6. no secret anywhere
        List<String> answers = new ArrayList<>();
        for (String path : List.of("/api/v1/projects", "/api/v1/projects/demo/stages", "/api/v1/projects/demo/promotions", "/api/v1/projects/demo/audit")) {
            answers.add(String.valueOf(h.api.get(path, h.token("admin")).body()));
        }
        SecretScan.Result scan = SecretScan.scan(h, answers);
        report.figure("secret scan: bytes scanned", scan.bytes());
        report.figure("secret scan: leaks", scan.leaks().size());
        scan.leaks().stream().limit(20).forEach(l -> report.violation("secret leak: %s", l));

        // the logs' own story of the faults
        for (String s : h.stack.services()) {
            String log = h.allLogs(s);
            report.figure("log " + s + ": ERROR lines / stack-trace lines",
                    BadInputCampaign.ERROR_LINE.matcher(log).results().count() + " / " + BadInputCampaign.STACK_LINE.matcher(log).results().count());
        }
        try {
            Files.writeString(h.home.resolve("fault-timeline.txt"), String.join("\n", timeline) + "\n", StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            // the timeline is also in the output
        }
    }

    private String lastCommitOf(String stage) {
        for (RevCommit c : h.repo.log()) {
            if (c.getFooterLines("Freightline-Stage").stream().anyMatch(s -> s.trim().equals(stage))) {
                return c.name();
            }
        }
        return null;
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ');
        return one.length() > 140 ? one.substring(0, 140) + "…" : one;
    }
}
