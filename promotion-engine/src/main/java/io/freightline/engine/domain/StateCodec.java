package io.freightline.engine.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freightline.engine.domain.Model.AuditEntry;
import io.freightline.engine.domain.Model.Freight;
import io.freightline.engine.domain.Model.Promotion;
import io.freightline.engine.domain.Model.StageState;
import io.freightline.engine.domain.Selection.Candidate;
import io.freightline.engine.domain.Specs.ProjectSpec;
import io.freightline.engine.domain.Specs.StageSpec;
import io.freightline.engine.domain.Specs.WarehouseSpec;
import io.freightline.events.EventCodec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's durable form: one JSON document per entity, keyed {@code project/kind[/name]} on the compacted
 * state topic, so a change writes only what changed and a rebuild replays the latest value of every key.
 */
public final class StateCodec {
    private static final ObjectMapper JSON = EventCodec.mapper();

    /** The project entity: specs, warehouse generations, and whether the whole project is paused. */
    public record ProjectEntity(ProjectSpec spec, List<WarehouseSpec> warehouses, Map<String, Long> generations,
                                List<StageSpec> stages, Model.LineStop lineStop) {
    }

    /** Counters change with every freight and audit entry: kept apart so the specs are not rewritten each time. */
    public record Counters(long freightSeq, long auditSeq) {
    }

    /**
     * Applied command ids, oldest first, and the results of the newest ones. Older engines wrote a plain list of
     * ids, which {@link #read} still accepts.
     */
    public record Commands(List<String> ids, Map<String, Engine.CommandResult> results) {
    }

    /** The JSON of the entity at a key, or null when it no longer exists (a tombstone). */
    public static String write(Engine engine, String key) {
        String[] k = key.split("/", 3);
        ProjectState ps = engine.project(k[0]);
        if (ps == null) return null;
        Object entity = switch (k[1]) {
            case "project" -> new ProjectEntity(ps.spec, List.copyOf(ps.warehouses.values()),
                    Map.copyOf(ps.warehouseGenerations), List.copyOf(ps.stages.values()), ps.lineStop);
            case "counters" -> new Counters(ps.freightSeq, ps.auditSeq);
            case "warehouse" -> ps.artifacts.get(k[2]);
            case "freight" -> ps.freight.get(k[2]);
            case "stage" -> ps.stageStates.get(k[2]);
            case "promotion" -> ps.promotions.get(k[2]);
            case "audit" -> audit(ps, Long.parseLong(k[2]));
            case "commands" -> new Commands(List.copyOf(ps.appliedCommands), new LinkedHashMap<>(ps.commandResults));
            default -> throw new IllegalArgumentException("unknown state key " + key);
        };
        try {
            return entity == null ? null : JSON.writeValueAsString(entity);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write state " + key, e);
        }
    }

    private static AuditEntry audit(ProjectState ps, long seq) {
        // the entries written are the newest ones: search from the tail
        for (var it = ps.audit.descendingIterator(); it.hasNext(); ) {
            AuditEntry a = it.next();
            if (a.seq() == seq) return a;
            if (a.seq() < seq) break;
        }
        return null;
    }

    /** Applies one state record during a rebuild; a null value deletes the entity. */
    public static void read(Engine engine, String key, String json) {
        String[] k = key.split("/", 3);
        ProjectState ps = engine.projectOrCreate(k[0]);
        try {
            switch (k[1]) {
                case "project" -> {
                    if (json == null) return;
                    ProjectEntity e = JSON.readValue(json, ProjectEntity.class);
                    ps.spec = e.spec();
                    ps.warehouses.clear();
                    e.warehouses().forEach(w -> ps.warehouses.put(w.name(), w));
                    ps.warehouseGenerations.clear();
                    ps.warehouseGenerations.putAll(e.generations());
                    ps.stages.clear();
                    e.stages().forEach(s -> ps.stages.put(s.name(), s));
                    ps.lineStop = e.lineStop();
                }
                case "counters" -> {
                    if (json == null) return;
                    Counters c = JSON.readValue(json, Counters.class);
                    ps.freightSeq = c.freightSeq();
                    ps.auditSeq = c.auditSeq();
                }
                case "warehouse" -> {
                    if (json == null) ps.artifacts.remove(k[2]);
                    else ps.artifacts.put(k[2], new HashMap<>(JSON.readValue(json, new TypeReference<Map<String, List<Candidate>>>() {
                    })));
                    if (json != null) ps.artifacts.get(k[2]).replaceAll((s, l) -> new ArrayList<>(l));
                }
                case "freight" -> {
                    if (json == null) ps.freight.remove(k[2]);
                    else ps.freight.put(k[2], shared(JSON.readValue(json, Freight.class)));
                }
                case "stage" -> {
                    if (json == null) ps.stageStates.remove(k[2]);
                    else ps.stageStates.put(k[2], JSON.readValue(json, StageState.class));
                }
                case "promotion" -> {
                    if (json == null) ps.promotions.remove(k[2]);
                    else ps.promotions.put(k[2], JSON.readValue(json, Promotion.class));
                }
                case "audit" -> {
                    long seq = Long.parseLong(k[2]);
                    AuditEntry e = json == null ? null : JSON.readValue(json, AuditEntry.class);
                    // the common cases without a scan: a new newest entry, or the oldest one removed by retention
                    if (e != null && (ps.audit.isEmpty() || ps.audit.peekLast().seq() < seq)) {
                        ps.audit.addLast(e);
                    } else if (e == null && !ps.audit.isEmpty() && ps.audit.peekFirst().seq() == seq) {
                        ps.audit.removeFirst();
                    } else {
                        ps.audit.removeIf(a -> a.seq() == seq);
                        if (e != null) ps.audit.add(e);
                    }
                }
                case "commands" -> {
                    ps.appliedCommands.clear();
                    ps.commandResults.clear();
                    if (json != null) {
                        JsonNode node = JSON.readTree(json);
                        if (node.isArray()) {
                            ps.appliedCommands.addAll(JSON.convertValue(node, new TypeReference<List<String>>() {
                            }));
                        } else {
                            Commands c = JSON.treeToValue(node, Commands.class);
                            if (c.ids() != null) ps.appliedCommands.addAll(c.ids());
                            if (c.results() != null) ps.commandResults.putAll(c.results());
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown state key " + key);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt state record " + key + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Freight read back shares its repeating strings, as freight the engine makes does. */
    private static Freight shared(Freight f) {
        f.alias = Model.share(f.alias);
        f.warehouse = Model.share(f.warehouse);
        if (f.artifacts != null) f.artifacts = f.artifacts.stream().map(Model::share).toList();
        Map<String, Instant> verified = new LinkedHashMap<>();
        f.verifiedIn.forEach((stage, at) -> verified.put(Model.share(stage), at));
        f.verifiedIn = verified;
        return f;
    }

    /** After a rebuild: orders what insertion order cannot guarantee (records arrive per partition). */
    public static void finishRebuild(Engine engine) {
        for (String name : engine.projectNames()) {
            finishRebuild(engine.project(name));
        }
    }

    /** The same for one project: when an instance takes it over from the replica it tailed. */
    public static void finishRebuild(ProjectState ps) {
        List<Freight> freight = new ArrayList<>(ps.freight.values());
        freight.sort(Comparator.comparingLong(f -> f.seq));
        ps.freight.clear();
        freight.forEach(f -> ps.freight.put(f.id, f));
        List<AuditEntry> audit = new ArrayList<>(ps.audit);
        audit.sort(Comparator.comparingLong(AuditEntry::seq));
        ps.audit.clear();
        ps.audit.addAll(audit);
    }

    private StateCodec() {
    }
}
