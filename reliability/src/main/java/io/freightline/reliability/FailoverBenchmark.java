package io.freightline.reliability;

import io.freightline.devstack.DevStack;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventTypes;
import io.freightline.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * Failover, measured on the full stack with two engine instances (the short session DevStack gives them) and a busy project (an
 * artifact pushed every 250 ms, so dev always has something to promote):
 * <ol>
 *   <li>SIGKILL of the engine that owns the project → the next promotion, issued by the survivor;</li>
 *   <li>SIGKILL of every service and the broker down (a power cut) → every service ready again → the first
 *   promotion after the restart.</li>
 * </ol>
 * Times are from the moment of the kill to the record time of the next {@code PromotionRequested} on
 * {@code freightline.promotions}. Each kill also prints where the time went: when the project's partition was seen
 * assigned to the survivor, the first {@code PromotionCommitted} after the kill, and the pace of promotions before it.
 *
 * <pre>java -cp 'reliability/target/reliability-0.1.0-SNAPSHOT.jar:reliability/target/lib/*' \
 *   io.freightline.reliability.FailoverBenchmark [kills=5] [powerCuts=3]</pre>
 */
public final class FailoverBenchmark {

    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int cuts = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path home = Files.createTempDirectory("freightline-bench-failover-");
        List<Long> killFailover = new ArrayList<>();
        List<Long> movedMs = new ArrayList<>();
        List<Long> afterMove = new ArrayList<>();
        List<Long> cutReady = new ArrayList<>();
        List<Long> cutFirst = new ArrayList<>();
        List<Long> readyFirst = new ArrayList<>();
        AtomicBoolean busy = new AtomicBoolean(true);
        try (Harness h = Harness.start(home.resolve("demo"), false, 2)) {
            AtomicInteger n = new AtomicInteger();
            Thread pusher = new Thread(() -> {
                while (busy.get()) {
                    Http.Reply r = h.pushOnce("3.0." + n.get());
                    if (r.is2xx()) {
                        n.incrementAndGet();
                    }
                    pause(250);
                }
            }, "busy-project");
            pusher.setDaemon(true);
            pusher.start();
            // warm: a promotion was committed and the survivor's next one issued before the first kill, so no kill
            // lands while the first promotion is still waiting for the git-writer's first push
            long warm = System.currentTimeMillis();
            Failover.firstPromotionSince(h, warm, Duration.ofSeconds(120))
                    .orElseThrow(() -> new IllegalStateException("no promotion before the first kill"));
            long[] firstCommit = {-1};
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                    (firstCommit[0] = firstSince(h, Topics.COMMITS, EventTypes.PROMOTION_COMMITTED, warm)) >= 0);
            Failover.firstPromotionSince(h, firstCommit[0] + 1, Duration.ofSeconds(120))
                    .orElseThrow(() -> new IllegalStateException("no promotion after the first commit"));
            for (int i = 0; i < kills; i++) {
                Optional<String> found = Failover.owner(h, Harness.PROJECT);
                String owner = found.orElse(DevStack.ENGINE);
                List<Long> before = promotionTimes(h);
                long t = System.currentTimeMillis();
                h.stack.kill(owner);
                // where the time goes: the partition's move to the survivor, then the dead owner's promotion in
                // flight finishing (its commit by the git-writer), then the survivor issuing the next one
                long moved = movedAt(h, owner, t);
                Optional<Long> next = Failover.firstPromotionSince(h, t, Duration.ofSeconds(120));
                long ms = next.map(x -> x - t).orElse(-1L);
                long committed = firstSince(h, Topics.COMMITS, EventTypes.PROMOTION_COMMITTED, t);
                System.out.printf(Locale.ROOT, "kill -9 %s (owner%s) -> next promotion by the survivor: %s"
                                + " (partition moved %s s; first commit event %s s; promotions before: every %s s)%n", owner,
                        found.isPresent() ? "" : " not known", ms < 0 ? "none in 120 s" : Failover.seconds(ms) + " s",
                        moved < 0 ? "?" : Failover.seconds(moved - t), committed < 0 ? "?" : Failover.seconds(committed - t),
                        cadence(before, t));
                if (ms >= 0) {
                    killFailover.add(ms);
                    if (moved >= 0) {
                        movedMs.add(moved - t);
                        afterMove.add(next.get() - moved);
                    }
                }
                h.stack.restart(owner);
                // both engines in the group again and promoting before the next round
                long back = System.currentTimeMillis();
                Failover.firstPromotionSince(h, back, Duration.ofSeconds(120));
                await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
            }
            for (int i = 0; i < cuts; i++) {
                long t = System.currentTimeMillis();
                h.stack.powerCut();
                long ready = System.currentTimeMillis();
                Optional<Long> next = Failover.firstPromotionSince(h, ready, Duration.ofSeconds(120));
                System.out.printf(Locale.ROOT, "power cut -> every service ready: %s s -> first promotion: %s%n",
                        Failover.seconds(ready - t), next.map(x -> Failover.seconds(x - ready) + " s after ready, "
                                + Failover.seconds(x - t) + " s after the cut").orElse("none in 120 s"));
                cutReady.add(ready - t);
                next.ifPresent(x -> {
                    readyFirst.add(x - ready);
                    cutFirst.add(x - t);
                });
            }
            busy.set(false);
            pusher.join(5_000);
        }
        System.out.println("| failover (2 engines, busy project) | runs | min s | median s | max s |");
        System.out.println("|---|---|---|---|---|");
        row("SIGKILL of the owning engine → next promotion by the survivor", killFailover);
        row("SIGKILL of the owning engine → its partition assigned to the survivor", movedMs);
        row("partition assigned to the survivor → its next promotion", afterMove);
        row("power cut → every service ready again", cutReady);
        row("power cut: every service ready → first promotion", readyFirst);
        row("power cut → first promotion", cutFirst);
        System.out.println("state and logs kept in " + home);
    }

    static void row(String name, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        if (sorted.isEmpty()) {
            System.out.printf("| %s | 0 | – | – | – |%n", name);
            return;
        }
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", name, sorted.size(), Failover.seconds(sorted.get(0)),
                Failover.seconds(sorted.get(sorted.size() / 2)), Failover.seconds(sorted.get(sorted.size() - 1)));
    }

    /** Record times of the promotions issued so far. */
    static List<Long> promotionTimes(Harness h) {
        return h.kafka.readAll(Topics.PROMOTIONS).stream()
                .filter(r -> EventTypes.PROMOTION_REQUESTED.equals(KafkaTools.header(r, CloudEventHeaders.TYPE)))
                .map(ConsumerRecord::timestamp).sorted().toList();
    }

    /** The median and largest gap between the promotions of the 20 s before {@code t}. */
    static String cadence(List<Long> times, long t) {
        List<Long> recent = times.stream().filter(x -> x >= t - 20_000 && x < t).toList();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < recent.size(); i++) {
            gaps.add(recent.get(i) - recent.get(i - 1));
        }
        if (gaps.isEmpty()) {
            return "?";
        }
        gaps.sort(null);
        return Failover.seconds(gaps.get(gaps.size() / 2)) + " (max " + Failover.seconds(gaps.get(gaps.size() - 1)) + ")";
    }

    /** When another engine than {@code dead} was seen owning the project's partition (polled), or -1. */
    static long movedAt(Harness h, String dead, long since) throws Exception {
        long deadline = since + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<String> o = Failover.owner(h, Harness.PROJECT);
            if (o.isPresent() && !o.get().equals(dead)) {
                return System.currentTimeMillis();
            }
            pause(50);
        }
        return -1;
    }

    /** The record time of the first event of {@code type} on {@code topic} at or after {@code since}, or -1. */
    static long firstSince(Harness h, String topic, String type, long since) {
        return h.kafka.readAll(topic).stream()
                .filter(r -> r.timestamp() >= since && type.equals(KafkaTools.header(r, CloudEventHeaders.TYPE)))
                .mapToLong(ConsumerRecord::timestamp).min().orElse(-1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the pace of a busy registry, not a test wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
