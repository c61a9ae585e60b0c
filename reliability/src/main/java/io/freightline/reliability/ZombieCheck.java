package io.freightline.reliability;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.Record;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an engine frozen with SIGSTOP past its session timeout wrote anything after SIGCONT: read from the
 * broker's own log segments, where every transactional batch carries its producer id and epoch and every
 * transaction ends with a COMMIT or ABORT marker.
 * <p>
 * Kafka Streams names its transactional producers {@code <application.id>-<process id>-<thread>}, and the engine
 * logs its process id at start ({@code Created new process id: …}). Right before SIGCONT, while the engine is still
 * frozen, the transaction coordinator tells each of those producers' id and current epoch (bumped already if the
 * broker aborted the frozen engine's open transaction). After SIGCONT the zombie writes with at most that epoch; once
 * Streams notices it was fenced it initialises its producer again (a higher epoch) and is from there on a new,
 * legitimate member. So a data batch of such a producer with at most the epoch seen at SIGCONT, in a transaction whose
 * marker was written after SIGCONT, is the zombie's: it must have been aborted, never committed.
 */
public final class ZombieCheck {
    private static final Pattern PROCESS_ID = Pattern.compile(
            "(?:Created new process id|Reading UUID from process file): ([0-9a-fA-F-]{36})");
    private static final String APPLICATION_ID = "freightline-engine";

    /** What the zombie's producers wrote after SIGCONT, by the outcome of the transactions they wrote in. */
    public record Result(Map<Long, Integer> producers, long committedRecords, long abortedRecords, List<String> committedAt) {
        public String summary() {
            return String.format("producers %s (id=epoch at SIGCONT): %d record(s) committed after SIGCONT, %d aborted",
                    producers, committedRecords, abortedRecords);
        }
    }

    /**
     * What is known at SIGCONT: the frozen engine's transactional producers (id → epoch) and the wall-clock time;
     * {@code error} when they could not be found.
     */
    public record Freeze(String engine, List<String> transactionalIds, Map<Long, Integer> producers, long resumedAt,
                         String error) {
    }

    private ZombieCheck() {
    }

    /** Call right before SIGCONT: the frozen engine's producers as the transaction coordinator knows them. */
    public static Freeze atResume(String engine, Path log, Admin admin) {
        long now = System.currentTimeMillis();
        try {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            String processId = null;
            for (Matcher m = PROCESS_ID.matcher(text); m.find(); ) {
                processId = m.group(1);
            }
            if (processId == null) {
                return new Freeze(engine, List.of(), Map.of(), now, "its log names no Kafka Streams process id");
            }
            String prefix = APPLICATION_ID + "-" + processId + "-";
            List<String> ids = admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                    .map(TransactionListing::transactionalId).filter(t -> t.startsWith(prefix)).toList();
            if (ids.isEmpty()) {
                return new Freeze(engine, List.of(), Map.of(), now, "no transactional id " + prefix + "* on the broker");
            }
            Map<Long, Integer> producers = new TreeMap<>();
            for (TransactionDescription d : admin.describeTransactions(ids).all().get(30, TimeUnit.SECONDS).values()) {
                producers.put(d.producerId(), d.producerEpoch());
            }
            return new Freeze(engine, ids, producers, now, null);
        } catch (Exception e) {
            return new Freeze(engine, List.of(), Map.of(), now, e.toString());
        }
    }

    /**
     * Whether the resumed engine's producers have moved past the epochs they had at SIGCONT: Streams initialised
     * them again after noticing it was fenced (or the zombie ended a transaction, which {@link #check} then judges).
     */
    public static boolean epochMoved(Freeze f, Admin admin) throws Exception {
        if (f.error() != null) {
            return true;
        }
        for (TransactionDescription d : admin.describeTransactions(f.transactionalIds()).all().get(30, TimeUnit.SECONDS).values()) {
            Integer before = f.producers().get(d.producerId());
            if (before == null || d.producerEpoch() > before) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks every partition under the broker's {@code logDir}.
     *
     * @throws IllegalStateException when the frozen engine's producers were not known at SIGCONT
     */
    public static Result check(Freeze f, Path logDir) throws IOException {
        if (f.error() != null) {
            throw new IllegalStateException("the producers of " + f.engine() + " were not known at SIGCONT: " + f.error());
        }
        long committed = 0;
        long aborted = 0;
        List<String> committedAt = new ArrayList<>();
        List<Path> partitions;
        try (var dirs = Files.list(logDir)) {
            partitions = dirs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith("__cluster_metadata"))
                    .sorted().toList();
        }
        for (Path partition : partitions) {
            List<Path> segments;
            try (var files = Files.list(partition)) {
                segments = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
            }
            // per zombie producer: the records of its data batches in its open transaction in this partition
            Map<Long, Long> open = new HashMap<>();
            for (Path segment : segments) {
                try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
                    for (FileChannelRecordBatch b : records.batches()) {
                        Integer epoch = f.producers().get(b.producerId());
                        if (epoch == null || !b.isTransactional()) {
                            continue;
                        }
                        if (!b.isControlBatch()) {
                            if (b.producerEpoch() <= epoch) {
                                open.merge(b.producerId(), b.lastOffset() - b.baseOffset() + 1, Long::sum);
                            }
                            continue;
                        }
                        ControlRecordType type = controlType(b);
                        long n = open.getOrDefault(b.producerId(), 0L);
                        if (n > 0 && b.maxTimestamp() >= f.resumedAt()) {
                            if (type == ControlRecordType.COMMIT) {
                                committed += n;
                                committedAt.add(partition.getFileName() + "@" + b.baseOffset());
                            } else {
                                aborted += n;
                            }
                        }
                        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                            open.remove(b.producerId());
                        }
                    }
                }
            }
        }
        return new Result(f.producers(), committed, aborted, committedAt);
    }

    private static ControlRecordType controlType(FileChannelRecordBatch b) {
        Iterator<Record> it = b.iterator();
        if (!it.hasNext()) {
            return ControlRecordType.UNKNOWN;
        }
        return ControlRecordType.parse(it.next().key());
    }
}
