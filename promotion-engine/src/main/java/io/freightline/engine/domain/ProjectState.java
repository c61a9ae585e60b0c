package io.freightline.engine.domain;

import io.freightline.engine.domain.Model.AuditEntry;
import io.freightline.engine.domain.Model.Freight;
import io.freightline.engine.domain.Model.Promotion;
import io.freightline.engine.domain.Model.StageState;
import io.freightline.engine.domain.Selection.Candidate;
import io.freightline.engine.domain.Specs.StageSpec;
import io.freightline.engine.domain.Specs.WarehouseSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** Everything the engine knows about one project. Guarded by the project's lock. */
public final class ProjectState {
    public final String name;
    public Specs.ProjectSpec spec;
    public final Map<String, WarehouseSpec> warehouses = new LinkedHashMap<>();
    public final Map<String, Long> warehouseGenerations = new HashMap<>();
    public final Map<String, StageSpec> stages = new LinkedHashMap<>();
    /** Accepted artifacts per warehouse and subscription, newest last (bounded by discoveryLimit). */
    public final Map<String, Map<String, List<Candidate>>> artifacts = new HashMap<>();
    public final Map<String, Freight> freight = new LinkedHashMap<>();
    public final Map<String, StageState> stageStates = new LinkedHashMap<>();
    public final Map<String, Promotion> promotions = new LinkedHashMap<>();
    /** Set while the whole project is paused (every stage, queued promotions included); null otherwise. */
    public Model.LineStop lineStop;
    public final Deque<AuditEntry> audit = new ArrayDeque<>();
    public final LinkedHashSet<String> appliedCommands = new LinkedHashSet<>();
    /** The results of the newest applied commands, so an API call on another instance can answer with them. */
    public final Map<String, Engine.CommandResult> commandResults = new LinkedHashMap<>();
    public long freightSeq;
    public long auditSeq;

    public ProjectState(String name) {
        this.name = name;
    }

    public StageState stage(String stage) {
        return stageStates.computeIfAbsent(stage, s -> {
            StageState st = new StageState();
            st.name = s;
            return st;
        });
    }

    /** Finds freight by id or alias; throws when the alias is ambiguous. */
    public Freight findFreight(String idOrAlias) {
        Freight f = freight.get(idOrAlias);
        if (f != null) return f;
        List<Freight> byAlias = new ArrayList<>();
        for (Freight x : freight.values()) {
            if (x.alias.equals(idOrAlias)) byAlias.add(x);
        }
        if (byAlias.size() > 1) throw new IllegalArgumentException("alias '" + idOrAlias + "' is ambiguous; use the freight id");
        return byAlias.isEmpty() ? null : byAlias.get(0);
    }

    /** Stages whose folder holds the freight. */
    public List<String> currentlyIn(String freightId) {
        List<String> out = new ArrayList<>();
        stageStates.forEach((n, s) -> {
            if (s.current.containsValue(freightId)) out.add(n);
        });
        return out;
    }

    public boolean paused(String stage) {
        if (lineStop != null) return true;
        StageState st = stageStates.get(stage);
        StageSpec spec = stages.get(stage);
        if (st != null && st.paused != null) return st.paused;
        return spec != null && spec.policy().paused();
    }

    /**
     * Whether the stage auto-promotes: the first ProjectConfig promotion policy that selects it decides (Kargo's
     * rule); a stage no policy selects follows Freightline's own {@code policy.autoPromotion} (default off).
     */
    public boolean autoPromotion(StageSpec spec) {
        Specs.PromotionPolicy p = this.spec == null ? null : this.spec.policyFor(spec.name(), spec.labels());
        return p != null ? p.autoPromotionEnabled() : spec.policy().autoPromotion();
    }

    /** The stage's policy with auto-promotion as it is in effect (see {@link #autoPromotion}). */
    public Specs.StagePolicy effectivePolicy(StageSpec spec) {
        Specs.StagePolicy p = spec.policy();
        boolean auto = autoPromotion(spec);
        return auto == p.autoPromotion() ? p : new Specs.StagePolicy(auto, p.approvalRequired(), p.promotionWindows(),
                p.paused(), p.autoRollback(), p.selectionPolicy());
    }
}
