package io.freightline.engine.domain;

import io.freightline.engine.domain.Effects.FreightCreated;
import io.freightline.engine.domain.Effects.LeadTime;
import io.freightline.engine.domain.Effects.Transition;
import io.freightline.engine.domain.Effects.Waited;
import io.freightline.engine.domain.Model.Approval;
import io.freightline.engine.domain.Model.AuditEntry;
import io.freightline.engine.domain.Model.Freight;
import io.freightline.engine.domain.Model.Health;
import io.freightline.engine.domain.Model.Hold;
import io.freightline.engine.domain.Model.Promotion;
import io.freightline.engine.domain.Model.PromotionState;
import io.freightline.engine.domain.Model.StageState;
import io.freightline.engine.domain.Selection.Candidate;
import io.freightline.engine.domain.Specs.FreightRequest;
import io.freightline.engine.domain.Specs.PromotionWindow;
import io.freightline.engine.domain.Specs.StageSpec;
import io.freightline.engine.domain.Specs.WarehouseSpec;
import io.freightline.events.ArgoCDTarget;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.CommandIssued;
import io.freightline.events.FreightRef;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.events.Subscription;
import io.freightline.events.VerificationCompleted;
import io.freightline.events.WarehouseUpdated;
import io.freightline.template.expr.Scope;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decisions: freight from artifacts, promotions from policies, state from commits and verifications, and
 * operator commands. Pure: no Kafka, no clock of its own (callers pass {@code now}). Not thread-safe per project:
 * callers serialize the calls of one project.
 */
public final class Engine {
    public static final String ENGINE_ACTOR = "engine";
    private final Map<String, ProjectState> projects = new ConcurrentHashMap<>();
    private final int auditRetention;
    private final int historyRetention;
    private final int freightRetention;

    /** An engine that keeps all freight. */
    public Engine(int auditRetention, int historyRetention) {
        this(auditRetention, historyRetention, 0);
    }

    /** {@code freightRetention}: freight kept per warehouse besides the freight still in use (0 keeps all). */
    public Engine(int auditRetention, int historyRetention, int freightRetention) {
        this.auditRetention = auditRetention;
        this.historyRetention = historyRetention;
        this.freightRetention = freightRetention;
    }

    public ProjectState project(String name) {
        return projects.get(name);
    }

    public ProjectState projectOrCreate(String name) {
        return projects.computeIfAbsent(name, ProjectState::new);
    }

    /** Puts a project's state in place of the current one (null removes it): a reload from the state topic. */
    public void replace(String name, ProjectState ps) {
        if (ps == null) projects.remove(name);
        else projects.put(name, ps);
    }

    public Set<String> projectNames() {
        return new TreeSet<>(projects.keySet());
    }

    /** The result of a command: an HTTP-like status, a message and the promotion it made, if any. */
    public record CommandResult(int status, String message, String promotion) {
        public static CommandResult ok(String message) {
            return new CommandResult(200, message, null);
        }

        public boolean succeeded() {
            return status < 300;
        }
    }

    // ---------------------------------------------------------------- manifests

    /** A catalog of what exists, for validating new manifests against it. */
    public ManifestParser.Catalog catalog() {
        return new ManifestParser.Catalog() {
            public boolean hasProject(String p) {
                ProjectState s = projects.get(p);
                return s != null && s.spec != null;
            }

            public Set<String> warehouses(String p) {
                ProjectState s = projects.get(p);
                return s == null ? Set.of() : Set.copyOf(s.warehouses.keySet());
            }

            public Map<String, StageSpec> stages(String p) {
                ProjectState s = projects.get(p);
                return s == null ? Map.of() : Map.copyOf(s.stages);
            }
        };
    }

    /** Upserts one project's manifests (already validated); publishes changed warehouses. */
    public Effects apply(String project, ManifestParser.Manifests m, String actor, String reason, Instant now) {
        Effects fx = new Effects();
        ProjectState ps = projectOrCreate(project);
        List<String> changed = new ArrayList<>();
        for (Specs.ProjectSpec p : m.projects()) {
            // a Project document alone keeps the promotion policies of the ProjectConfig applied before
            Specs.ProjectSpec next = p.promotionPolicies() == null && ps.spec != null ? ps.spec : p;
            if (ps.spec == null) {
                changed.add("Project " + p.name());
            } else if (!next.equals(ps.spec)) {
                changed.add("ProjectConfig " + p.name());
            }
            ps.spec = next;
        }
        for (WarehouseSpec w : m.warehouses()) {
            if (!w.equals(ps.warehouses.get(w.name()))) {
                ps.warehouses.put(w.name(), w);
                long gen = ps.warehouseGenerations.merge(w.name(), 1L, Long::sum);
                fx.warehouses.add(new WarehouseUpdated(project, w.name(), w.intervalSeconds(), w.subscriptions(), gen, now));
                changed.add("Warehouse " + w.name());
            }
        }
        for (StageSpec s : m.stages()) {
            if (!s.equals(ps.stages.get(s.name()))) {
                ps.stages.put(s.name(), s);
                ps.stage(s.name());
                fx.dirty.add(key(project, "stage", s.name()));
                changed.add("Stage " + s.name());
            }
        }
        if (!changed.isEmpty()) {
            fx.dirty.add(key(project, "project", null));
            audit(ps, fx, now, actor, "apply", "project/" + project, reason, String.join(", ", changed));
            reconcile(ps, fx, now);
        }
        return fx;
    }

    // ---------------------------------------------------------------- artifacts and freight

    public Effects onArtifact(ArtifactDiscovered e, Instant now) {
        Effects fx = new Effects();
        ProjectState ps = projects.get(e.project());
        if (ps == null) return fx;
        ArtifactRef a = e.artifact();
        for (WarehouseSpec w : ps.warehouses.values()) {
            if (e.warehouse() != null && !e.warehouse().equals(w.name())) continue;
            boolean accepted = false;
            for (Subscription s : w.subscriptions()) {
                if (!Selection.subscribes(s, a)) continue;
                if (e.subscription() != null && e.warehouse() != null && !e.subscription().equals(s.name())) continue;
                if (Selection.rejection(s, a) != null) continue;
                List<Candidate> list = ps.artifacts.computeIfAbsent(w.name(), x -> new HashMap<>())
                        .computeIfAbsent(s.name(), x -> new ArrayList<>());
                if (!Selection.keep(s, list, new Candidate(a, e.createdAt(), e.discoveredAt() != null ? e.discoveredAt() : now))) continue;
                accepted = true;
            }
            if (accepted) {
                fx.dirty.add(key(ps.name, "warehouse", w.name()));
                if (!w.manual()) mintFreight(ps, w, fx, now);
            }
        }
        if (!fx.dirty.isEmpty()) reconcile(ps, fx, now);
        return fx;
    }

    private void mintFreight(ProjectState ps, WarehouseSpec w, Effects fx, Instant now) {
        List<ArtifactRef> refs = new ArrayList<>();
        Instant discovered = null;
        Map<String, List<Candidate>> bySub = ps.artifacts.getOrDefault(w.name(), Map.of());
        for (Subscription s : w.subscriptions()) {
            List<Candidate> list = bySub.get(s.name());
            if (list == null || list.isEmpty()) return; // freight needs one artifact of every subscription
            Candidate newest = list.get(list.size() - 1);
            refs.add(newest.artifact());
            if (discovered == null || newest.discoveredAt().isAfter(discovered)) discovered = newest.discoveredAt();
        }
        String id = FreightIds.freightId(refs);
        if (ps.freight.containsKey(id)) return;
        if (w.freightCreationCriteria() != null && !meetsCriteria(ps, w, id, refs, fx, now)) return;
        addFreight(ps, w, refs, discovered, fx, now, ENGINE_ACTOR, "new artifacts in warehouse " + w.name(), null);
    }

    private Freight addFreight(ProjectState ps, WarehouseSpec w, List<ArtifactRef> refs, Instant discovered, Effects fx,
                               Instant now, String actor, String why, String reason) {
        String id = FreightIds.freightId(refs);
        Freight f = new Freight();
        f.id = id;
        f.alias = Model.share(FreightIds.alias(id));
        f.warehouse = Model.share(w.name());
        f.artifacts = refs.stream().sorted(Comparator.comparing(ArtifactRef::canonical)).map(Model::share).toList();
        f.seq = ++ps.freightSeq;
        f.createdAt = now;
        f.discoveredAt = discovered;
        ps.freight.put(id, f);
        fx.dirty.add(key(ps.name, "freight", id));
        fx.dirty.add(key(ps.name, "counters", null));
        fx.observations.add(new FreightCreated(ps.name, w.name()));
        audit(ps, fx, now, actor, "freight-created", "freight/" + id, reason != null ? reason : why,
                f.alias + ": " + String.join(", ", f.artifacts.stream().map(ArtifactRef::canonical).toList()));
        collectFreight(ps, w.name(), fx, now);
        return f;
    }

    /** The artifacts of a freight created by hand, or why it cannot be made; {@code existing} when it already exists. */
    private record ManualFreight(CommandResult result, List<ArtifactRef> refs, Freight existing) {
    }

    /**
     * A freight made by hand ({@code create-freight}, for {@code freightCreationPolicy: Manual} and for any other
     * warehouse): the given artifacts, one per subscription they belong to; a subscription without one takes its
     * newest discovered artifact. Each artifact must pass its subscription's filters (tag regexes, constraint).
     */
    private static ManualFreight manualFreight(ProjectState ps, Map<String, String> a) {
        String wn = a.get("warehouse");
        if (wn == null || wn.isBlank()) return refused(400, "warehouse: required");
        WarehouseSpec w = ps.warehouses.get(wn);
        if (w == null) return refused(404, "warehouse '" + wn + "' not found");
        List<ArtifactRef> given;
        try {
            given = a.get("artifacts") == null ? List.of() : io.freightline.events.EventCodec.mapper().readValue(a.get("artifacts"),
                    new com.fasterxml.jackson.core.type.TypeReference<List<ArtifactRef>>() { });
        } catch (java.io.IOException | RuntimeException e) {
            return refused(400, "artifacts: not a list of artifact references: " + e.getMessage().split("\n")[0]);
        }
        if (given == null || given.isEmpty()) return refused(400, "artifacts: at least one artifact is required");
        Map<String, ArtifactRef> bySub = new LinkedHashMap<>();
        for (int i = 0; i < given.size(); i++) {
            ArtifactRef r = given.get(i);
            String bad = io.freightline.events.ArtifactReferences.problem(r);
            if (bad != null) return refused(400, "artifacts[" + i + "]: " + bad);
            List<Subscription> subs = w.subscriptions().stream().filter(s -> Selection.subscribes(s, r)).toList();
            if (subs.isEmpty()) {
                return refused(400, "artifacts[" + i + "]: " + r.canonical() + " belongs to no subscription of warehouse '" + wn + "'");
            }
            Subscription s = subs.get(0);
            String rejected = Selection.rejection(s, r);
            if (rejected != null) {
                return refused(400, "artifacts[" + i + "]: " + r.canonical() + " is not eligible for subscription '" + s.name() + "': " + rejected);
            }
            // an artifact the watcher discovered keeps what it knows (the digest of a tag), so the freight is the same
            ArtifactRef known = ps.artifacts.getOrDefault(wn, Map.of()).getOrDefault(s.name(), List.of()).stream()
                    .map(Candidate::artifact).filter(k -> sameVersion(k, r)).reduce((x, y) -> y).orElse(r);
            if (bySub.put(s.name(), known) != null) {
                return refused(400, "artifacts[" + i + "]: a second artifact for subscription '" + s.name() + "' (one per subscription)");
            }
        }
        List<ArtifactRef> refs = new ArrayList<>();
        Map<String, List<Candidate>> discovered = ps.artifacts.getOrDefault(wn, Map.of());
        for (Subscription s : w.subscriptions()) {
            ArtifactRef r = bySub.get(s.name());
            if (r == null) {
                List<Candidate> list = discovered.get(s.name());
                if (list == null || list.isEmpty()) {
                    return refused(400, "artifacts: none given for subscription '" + s.name() + "' and none discovered yet");
                }
                r = list.get(list.size() - 1).artifact();
            }
            refs.add(r);
        }
        Freight existing = ps.freight.get(FreightIds.freightId(refs));
        return new ManualFreight(CommandResult.ok("ok"), refs, existing);
    }

    private static boolean sameVersion(ArtifactRef known, ArtifactRef given) {
        if (given.commit() != null) return given.commit().equals(known.commit());
        if (given.digest() != null) return given.digest().equals(known.digest()) && (given.tag() == null || given.tag().equals(known.tag()));
        return given.tag() != null && given.tag().equals(known.tag());
    }

    private static ManualFreight refused(int status, String message) {
        return new ManualFreight(new CommandResult(status, message, null), List.of(), null);
    }

    /** The freight a promotion from a source stage moves on, or why it cannot. */
    private record Sourced(CommandResult result, List<Freight> freight) {
    }

    /**
     * {@code promote --source-stage S --stage T --all}: every freight in S and verified there, of each warehouse T
     * takes, except what T already holds. All or nothing: one freight T may not take refuses the command.
     */
    private Sourced fromSourceStage(ProjectState ps, String stage, String source) {
        if (!ps.stages.containsKey(source)) return new Sourced(new CommandResult(404, "stage '" + source + "' not found", null), List.of());
        if (source.equals(stage)) return new Sourced(new CommandResult(400, "sourceStage: must differ from the stage", null), List.of());
        if (ps.paused(stage)) return new Sourced(new CommandResult(409, "stage '" + stage + "' is paused", null), List.of());
        StageSpec target = ps.stages.get(stage);
        StageState src = ps.stage(source);
        StageState dst = ps.stage(stage);
        List<Freight> out = new ArrayList<>();
        boolean any = false;
        for (Map.Entry<String, String> e : src.current.entrySet()) {
            Freight f = ps.freight.get(e.getValue());
            if (f == null || !f.verifiedIn.containsKey(source) || target.request(f.warehouse) == null) continue;
            any = true;
            if (f.id.equals(dst.current.get(f.warehouse)) || queued(ps, dst, f.id)) continue;
            if (!available(ps, target, f, null) && !f.approvedFor.containsKey(stage)) {
                return new Sourced(new CommandResult(409, "freight " + f.alias + " (verified in " + source
                        + ") is not available to stage '" + stage + "' (not verified upstream and not approved)", null), List.of());
            }
            out.add(f);
        }
        if (!any) {
            return new Sourced(new CommandResult(409, "stage '" + source + "' holds no verified freight that stage '" + stage + "' takes", null), List.of());
        }
        if (out.isEmpty()) {
            return new Sourced(new CommandResult(200, "stage '" + stage + "' already holds (or has queued) every freight verified in '" + source + "'", null), List.of());
        }
        return new Sourced(CommandResult.ok("ok"), out);
    }

    private static boolean queued(ProjectState ps, StageState st, String freight) {
        if (st.running != null && ps.promotions.get(st.running) != null && ps.promotions.get(st.running).freight.equals(freight)) return true;
        return st.queue.stream().map(ps.promotions::get).anyMatch(p -> p != null && p.freight.equals(freight));
    }

    /**
     * Kargo's {@code freightCreationCriteria}: the expression sees the candidate freight's artifacts
     * ({@code imageFrom}, {@code chartFrom}, {@code commitFrom}); false (or an error, audited) creates nothing.
     */
    private boolean meetsCriteria(ProjectState ps, WarehouseSpec w, String id, List<ArtifactRef> refs, Effects fx, Instant now) {
        io.freightline.events.FreightRef candidate = new io.freightline.events.FreightRef(id, FreightIds.alias(id), w.name(), refs);
        io.freightline.template.expr.Scope scope = Expressions.scope(
                new Expressions.Context(ps.name, null, null, ENGINE_ACTOR, List.of(candidate), Map.of()));
        try {
            return io.freightline.template.expr.Expressions.condition(w.freightCreationCriteria(), scope);
        } catch (RuntimeException e) {
            audit(ps, fx, now, ENGINE_ACTOR, "freight-not-created", "warehouse/" + w.name(),
                    "freightCreationCriteria failed", e.getMessage());
            return false;
        }
    }

    /**
     * Freight retention: keeps the newest {@code freightRetention} freight of the warehouse and every freight still
     * in use (in a stage, a stage's last verified freight or rollback target, approved for a stage, or the freight
     * of a promotion that has not finished). The rest is removed, with a tombstone on the state topic.
     */
    private void collectFreight(ProjectState ps, String warehouse, Effects fx, Instant now) {
        if (freightRetention <= 0) return;
        List<Freight> of = new ArrayList<>();
        for (Freight f : ps.freight.values()) {
            if (f.warehouse.equals(warehouse)) of.add(f);
        }
        if (of.size() <= freightRetention) return;
        of.sort(Comparator.comparingLong((Freight f) -> f.seq).reversed());
        Set<String> inUse = freightInUse(ps);
        List<String> removed = new ArrayList<>();
        for (Freight f : of.subList(freightRetention, of.size())) {
            if (inUse.contains(f.id) || !f.approvedFor.isEmpty()) continue;
            ps.freight.remove(f.id);
            fx.deleted.add(key(ps.name, "freight", f.id));
            fx.dirty.remove(key(ps.name, "freight", f.id));
            removed.add(f.alias);
        }
        if (!removed.isEmpty()) {
            audit(ps, fx, now, ENGINE_ACTOR, "freight-collected", "warehouse/" + warehouse,
                    "more than " + freightRetention + " freight", removed.size() + " removed: " + String.join(", ", removed));
        }
    }

    /** Freight ids that stages and unfinished promotions still refer to. */
    private Set<String> freightInUse(ProjectState ps) {
        Set<String> ids = new java.util.HashSet<>();
        for (StageState st : ps.stageStates.values()) {
            ids.addAll(st.current.values());
            ids.addAll(st.lastVerified.values());
            if (st.hold != null) ids.add(st.hold.freight());
            String back = rollbackTarget(ps, st.name);
            if (back != null) ids.add(back);
        }
        for (Promotion p : ps.promotions.values()) {
            if (!p.state.terminal()) ids.add(p.freight);
        }
        return ids;
    }

    // ---------------------------------------------------------------- commits and verifications

    public Effects onCommitted(PromotionCommitted e, Instant now) {
        Effects fx = new Effects();
        ProjectState ps = projects.get(e.project());
        Promotion p = ps == null ? null : ps.promotions.get(e.promotionId());
        if (p == null || p.state.terminal() || p.state == PromotionState.Syncing) return fx; // unknown or replayed
        List<io.freightline.events.StepResult> writer = e.steps() == null ? List.of() : e.steps();
        p.steps = p.request == null || writer.isEmpty() ? (writer.isEmpty() ? p.steps : writer)
                : EngineSteps.aligned(p.request.steps(), p.request.steps().size(), p.steps, writer);
        StageState st = ps.stage(p.stage);
        if (e.outcome().landed()) {
            p.commitSha = e.commitSha();
            transition(ps, p, PromotionState.Committed, "commit " + e.outcome() + " " + e.commitSha(), fx, now);
            st.current.put(p.warehouse, p.freight);
            st.health = Health.Progressing;
            transition(ps, p, PromotionState.Syncing, "waiting for verification", fx, now);
        } else if (e.outcome() == PromotionCommitted.Outcome.PR_OPENED) {
            p.pullRequestURL = e.pullRequestURL();
            transition(ps, p, PromotionState.Committed, "pull request opened: " + e.pullRequestURL(), fx, now);
        } else {
            fail(ps, p, "commit failed: " + e.reason(), fx, now);
        }
        fx.dirty.add(key(ps.name, "stage", p.stage));
        reconcile(ps, fx, now);
        return fx;
    }

    public Effects onVerification(VerificationCompleted e, Instant now) {
        Effects fx = new Effects();
        ProjectState ps = projects.get(e.project());
        Promotion p = ps == null ? null : ps.promotions.get(e.promotionId());
        if (p == null || p.state.terminal()) return fx;
        StageState st = ps.stage(p.stage);
        Freight f = ps.freight.get(p.freight);
        String trailingFailure = null;
        if (e.outcome() == VerificationCompleted.Outcome.VERIFIED) {
            trailingFailure = runTrailing(ps, p, e, fx, now);
        } else {
            p.steps = withOthers(p.steps, e.steps());
        }
        if (trailingFailure != null) {
            fail(ps, p, trailingFailure, fx, now);
        } else if (e.outcome() == VerificationCompleted.Outcome.VERIFIED) {
            st.current.put(p.warehouse, p.freight);
            st.lastVerified.put(p.warehouse, p.freight);
            st.health = Health.Healthy;
            if (f != null && !f.verifiedIn.containsKey(p.stage)) {
                f.verifiedIn.put(p.stage, now);
                fx.dirty.add(key(ps.name, "freight", f.id));
                if (f.discoveredAt != null) {
                    fx.observations.add(new LeadTime(ps.name, p.stage, Duration.between(f.discoveredAt, now).toMillis() / 1000.0));
                }
            }
            transition(ps, p, PromotionState.Succeeded, "verified" + (e.verifier() != null ? " by " + e.verifier() : ""), fx, now);
            finish(ps, st, p, fx);
        } else {
            st.health = Health.Unhealthy;
            fail(ps, p, "verification " + e.outcome() + (e.message() != null ? ": " + e.message() : ""), fx, now);
            StageSpec spec = ps.stages.get(p.stage);
            String back = st.lastVerified.get(p.warehouse);
            if (spec != null && spec.policy().autoRollback() && back != null && !back.equals(p.freight)) {
                Promotion r = newPromotion(ps, p.stage, back, p.warehouse, "auto-rollback",
                        FreightIds.autoPromotionId(ps.name, p.stage, back, "rollback-" + p.id), ENGINE_ACTOR,
                        "verification of " + p.freight + " failed", now);
                if (r != null) {
                    st.queue.add(0, r.id);
                    audit(ps, fx, now, ENGINE_ACTOR, "auto-rollback", "stage/" + p.stage, r.reason, "promotion " + r.id);
                    fx.dirty.add(key(ps.name, "promotion", r.id));
                }
            }
        }
        fx.dirty.add(key(ps.name, "stage", p.stage));
        reconcile(ps, fx, now);
        return fx;
    }

    private void fail(ProjectState ps, Promotion p, String why, Effects fx, Instant now) {
        StageState st = ps.stage(p.stage);
        st.failedFreight.add(p.freight);
        transition(ps, p, PromotionState.Failed, why, fx, now);
        finish(ps, st, p, fx);
    }

    private void finish(ProjectState ps, StageState st, Promotion p, Effects fx) {
        if (p.id.equals(st.running)) st.running = null;
        st.queue.remove(p.id);
        st.history.add(p.id);
        while (st.history.size() > historyRetention) {
            String old = st.history.remove(0);
            ps.promotions.remove(old);
            fx.deleted.add(key(ps.name, "promotion", old));
        }
        fx.dirty.add(key(ps.name, "stage", st.name));
    }

    private void transition(ProjectState ps, Promotion p, PromotionState to, String why, Effects fx, Instant now) {
        p.state = to;
        p.updatedAt = now;
        p.message = why;
        fx.dirty.add(key(ps.name, "promotion", p.id));
        fx.observations.add(new Transition(ps.name, p.stage, to.name()));
        audit(ps, fx, now, ENGINE_ACTOR, "promotion-" + to.name().toLowerCase(), "promotion/" + p.id, why,
                "stage " + p.stage + ", freight " + p.freight);
    }

    // ---------------------------------------------------------------- commands

    /** Checks a command against the current state without changing anything (the API's fast answer). */
    public CommandResult check(CommandIssued c) {
        ProjectState ps = projects.get(c.project());
        if (ps == null || ps.spec == null) {
            return c.action().equals("apply") ? CommandResult.ok("ok") : new CommandResult(404, "project '" + c.project() + "' not found", null);
        }
        Map<String, String> a = c.args() == null ? Map.of() : c.args();
        String stage = a.get("stage");
        if (c.action().equals("pause-project") && ps.lineStop != null) {
            return new CommandResult(409, "project '" + ps.name + "' is already paused", null);
        }
        if (c.action().equals("resume-project") && ps.lineStop == null) {
            return new CommandResult(409, "project '" + ps.name + "' is not paused", null);
        }
        if (ps.lineStop != null && Set.of("promote", "rollback", "pause", "resume").contains(c.action())) {
            return new CommandResult(409, "project '" + ps.name + "' is paused (by " + ps.lineStop.actor()
                    + (ps.lineStop.reason() != null ? ": " + ps.lineStop.reason() : "") + "): resume the project first", null);
        }
        boolean needsStage = Set.of("promote", "rollback", "pause", "resume", "clear-hold", "approve").contains(c.action());
        if (needsStage && (stage == null || !ps.stages.containsKey(stage))) {
            return stage == null ? new CommandResult(400, "stage: required", null)
                    : new CommandResult(404, "stage '" + stage + "' not found", null);
        }
        if (c.action().equals("create-freight")) return manualFreight(ps, a).result();
        if (c.action().equals("promote") && a.get("freight") == null && a.get("sourceStage") != null) {
            return fromSourceStage(ps, stage, a.get("sourceStage")).result();
        }
        Freight f = null;
        if (Set.of("promote", "approve").contains(c.action()) || (c.action().equals("rollback") && a.get("freight") != null)) {
            String fr = a.get("freight");
            if (fr == null) return new CommandResult(400, "freight: required", null);
            try {
                f = ps.findFreight(fr);
            } catch (IllegalArgumentException e) {
                return new CommandResult(400, "freight: " + e.getMessage(), null);
            }
            if (f == null) return new CommandResult(404, "freight '" + fr + "' not found", null);
            if (ps.stages.get(stage).request(f.warehouse) == null) {
                return new CommandResult(409, "stage '" + stage + "' does not take freight from warehouse '" + f.warehouse + "'", null);
            }
        }
        switch (c.action()) {
            case "promote", "rollback" -> {
                if (ps.paused(stage)) return new CommandResult(409, "stage '" + stage + "' is paused", null);
                if (c.action().equals("rollback") && f == null) {
                    String back = rollbackTarget(ps, stage);
                    if (back == null) return new CommandResult(409, "stage '" + stage + "' has no earlier verified freight to roll back to", null);
                    f = ps.freight.get(back);
                }
                if (f != null && !available(ps, ps.stages.get(stage), f, null) && !f.approvedFor.containsKey(stage)
                        && !stage(ps, stage).lastVerified.containsValue(f.id) && !f.verifiedIn.containsKey(stage)) {
                    return new CommandResult(409, "freight " + f.alias + " is not available to stage '" + stage
                            + "' (not verified upstream and not approved)", null);
                }
            }
            case "abort" -> {
                Promotion p = ps.promotions.get(a.getOrDefault("promotion", ""));
                if (p == null) return new CommandResult(404, "promotion '" + a.get("promotion") + "' not found", null);
                if (p.state.terminal()) return new CommandResult(409, "promotion is already " + p.state, null);
            }
            case "refresh" -> {
                if (!ps.warehouses.containsKey(a.getOrDefault("warehouse", ""))) {
                    return new CommandResult(404, "warehouse '" + a.get("warehouse") + "' not found", null);
                }
            }
            case "pause" -> {
                if (ps.paused(stage)) return new CommandResult(409, "stage '" + stage + "' is already paused", null);
            }
            case "resume" -> {
                if (!ps.paused(stage)) return new CommandResult(409, "stage '" + stage + "' is not paused", null);
            }
            case "clear-hold" -> {
                if (stage(ps, stage).hold == null) return new CommandResult(409, "stage '" + stage + "' has no hold", null);
            }
            default -> {
            }
        }
        return CommandResult.ok("ok");
    }

    private static StageState stage(ProjectState ps, String stage) {
        return ps.stage(stage);
    }

    /**
     * Applies a command (idempotent by command id). {@code apply} is handled by the caller, which parses the
     * manifests and calls {@link #apply}.
     */
    public Effects onCommand(CommandIssued c, Instant now, CommandResult[] result) {
        Effects fx = new Effects();
        ProjectState ps = projects.get(c.project());
        if (ps != null && ps.appliedCommands.contains(c.id())) {
            result[0] = new CommandResult(200, "already applied", promotionOf(ps, c.id()));
            return fx;
        }
        CommandResult check = check(c);
        if (!check.succeeded()) {
            result[0] = check;
            if (ps != null && ps.spec != null) {
                remember(ps, c.id(), check, fx);
                audit(ps, fx, now, c.actor(), c.action() + "-rejected", target(c), c.reason(), check.message());
            }
            return fx;
        }
        Map<String, String> a = c.args() == null ? Map.of() : c.args();
        String stage = a.get("stage");
        String actor = c.actor() == null ? "unknown" : c.actor();
        result[0] = CommandResult.ok("ok");
        String action = c.action().equals("promote") && a.get("freight") == null && a.get("sourceStage") != null
                ? "promote-from" : c.action();
        switch (action) {
            case "create-freight" -> {
                ManualFreight m = manualFreight(ps, a);
                if (m.existing() != null) {
                    result[0] = new CommandResult(200, "freight " + m.existing().alias + " (" + m.existing().id + ") already exists", null);
                    break;
                }
                WarehouseSpec w = ps.warehouses.get(a.get("warehouse"));
                Freight f = addFreight(ps, w, m.refs(), null, fx, now, actor, "created by hand", c.reason());
                result[0] = new CommandResult(201, "freight " + f.alias + " (" + f.id + ") created", null);
            }
            case "promote-from" -> {
                Sourced from = fromSourceStage(ps, stage, a.get("sourceStage"));
                if (from.freight().isEmpty()) {
                    result[0] = from.result();
                    break;
                }
                StageState st = ps.stage(stage);
                List<String> made = new ArrayList<>();
                for (Freight f : from.freight()) {
                    Promotion p = newPromotion(ps, stage, f.id, f.warehouse, "manual",
                            FreightIds.commandPromotionId(c.id() + "/" + f.warehouse), actor, c.reason(), now);
                    st.queue.add(p.id);
                    fx.dirty.add(key(ps.name, "promotion", p.id));
                    made.add(p.id);
                    audit(ps, fx, now, actor, "promote", "stage/" + stage, c.reason(), "freight " + f.alias + " (" + f.id
                            + ") verified in " + a.get("sourceStage") + ", promotion " + p.id);
                    fx.observations.add(new Transition(ps.name, stage, PromotionState.Pending.name()));
                }
                if (st.hold != null) st.hold = null; // freight promoted by hand releases the hold
                fx.dirty.add(key(ps.name, "stage", stage));
                result[0] = new CommandResult(201, made.size() + " promotion" + (made.size() == 1 ? "" : "s") + " queued: "
                        + String.join(", ", made), made.get(0));
            }
            case "promote", "rollback" -> {
                Freight f = a.get("freight") != null ? ps.findFreight(a.get("freight")) : ps.freight.get(rollbackTarget(ps, stage));
                StageState st = ps.stage(stage);
                String cur = st.current.get(f.warehouse);
                Freight curF = cur == null ? null : ps.freight.get(cur);
                boolean older = c.action().equals("rollback") || (curF != null && f.seq < curF.seq);
                Promotion p = newPromotion(ps, stage, f.id, f.warehouse, older ? "rollback" : "manual",
                        FreightIds.commandPromotionId(c.id()), actor, c.reason(), now);
                if (older) {
                    // a manual step back: hold auto-promotion so the next artifact does not undo it
                    st.hold = new Hold(f.id, actor, c.reason() != null ? c.reason() : "rollback to " + f.alias, now);
                } else if (st.hold != null) {
                    st.hold = null; // newer freight promoted by hand releases the hold
                }
                st.queue.add(p.id);
                fx.dirty.add(key(ps.name, "promotion", p.id));
                fx.dirty.add(key(ps.name, "stage", stage));
                audit(ps, fx, now, actor, c.action(), "stage/" + stage, c.reason(), "freight " + f.alias + " (" + f.id + "), promotion " + p.id);
                fx.observations.add(new Transition(ps.name, stage, PromotionState.Pending.name()));
                result[0] = new CommandResult(201, "promotion " + p.id + " queued", p.id);
            }
            case "approve" -> {
                Freight f = ps.findFreight(a.get("freight"));
                f.approvedFor.putIfAbsent(stage, new Approval(actor, now));
                fx.dirty.add(key(ps.name, "freight", f.id));
                audit(ps, fx, now, actor, "approve", "freight/" + f.id, c.reason(), "approved for stage " + stage);
            }
            case "abort" -> {
                Promotion p = ps.promotions.get(a.get("promotion"));
                StageState st = ps.stage(p.stage);
                transition(ps, p, PromotionState.Aborted, "aborted by " + actor + (c.reason() != null ? ": " + c.reason() : ""), fx, now);
                finish(ps, st, p, fx);
                audit(ps, fx, now, actor, "abort", "promotion/" + p.id, c.reason(), "stage " + p.stage);
            }
            case "pause-project" -> {
                ps.lineStop = new Model.LineStop(actor, c.reason(), now);
                fx.dirty.add(key(ps.name, "project", null));
                int queued = ps.stageStates.values().stream().mapToInt(s -> s.queue.size()).sum();
                audit(ps, fx, now, actor, "pause-project", "project/" + ps.name, c.reason(),
                        ps.stages.size() + " stages paused, " + queued + " queued promotions held");
            }
            case "resume-project" -> {
                ps.lineStop = null;
                fx.dirty.add(key(ps.name, "project", null));
                audit(ps, fx, now, actor, "resume-project", "project/" + ps.name, c.reason(), null);
            }
            case "pause", "resume" -> {
                ps.stage(stage).paused = c.action().equals("pause");
                fx.dirty.add(key(ps.name, "stage", stage));
                audit(ps, fx, now, actor, c.action(), "stage/" + stage, c.reason(), null);
            }
            case "clear-hold" -> {
                ps.stage(stage).hold = null;
                fx.dirty.add(key(ps.name, "stage", stage));
                audit(ps, fx, now, actor, "clear-hold", "stage/" + stage, c.reason(), null);
            }
            case "refresh" -> {
                WarehouseSpec w = ps.warehouses.get(a.get("warehouse"));
                long gen = ps.warehouseGenerations.merge(w.name(), 1L, Long::sum);
                fx.warehouses.add(new WarehouseUpdated(ps.name, w.name(), w.intervalSeconds(), w.subscriptions(), gen, now));
                fx.dirty.add(key(ps.name, "project", null));
                audit(ps, fx, now, actor, "refresh", "warehouse/" + w.name(), c.reason(), "generation " + gen);
            }
            default -> {
                result[0] = new CommandResult(400, "action '" + c.action() + "' is not handled here", null);
                return fx;
            }
        }
        remember(ps, c.id(), result[0], fx);
        reconcile(ps, fx, now);
        return fx;
    }

    /** Commands whose results are kept: enough for the API calls still waiting for them. */
    public static final int COMMAND_RESULTS_KEPT = 100;

    /**
     * Marks a command id as applied (bounded memory of ids) and keeps its result, so the instance whose API
     * published the command can answer with it when another instance applied it.
     */
    public void remember(ProjectState ps, String commandId, CommandResult result, Effects fx) {
        ps.appliedCommands.add(commandId);
        while (ps.appliedCommands.size() > 1000) {
            ps.appliedCommands.remove(ps.appliedCommands.iterator().next());
        }
        if (result != null) {
            ps.commandResults.put(commandId, result);
            while (ps.commandResults.size() > COMMAND_RESULTS_KEPT) {
                ps.commandResults.remove(ps.commandResults.keySet().iterator().next());
            }
        }
        fx.dirty.add(key(ps.name, "commands", null));
    }

    private static String promotionOf(ProjectState ps, String commandId) {
        String id = FreightIds.commandPromotionId(commandId);
        return ps.promotions.containsKey(id) ? id : null;
    }

    private static String target(CommandIssued c) {
        Map<String, String> a = c.args() == null ? Map.of() : c.args();
        if (a.get("promotion") != null) return "promotion/" + a.get("promotion");
        if (a.get("stage") != null) return "stage/" + a.get("stage");
        if (a.get("warehouse") != null) return "warehouse/" + a.get("warehouse");
        return "project/" + c.project();
    }

    /** The freight a rollback without an explicit freight goes back to: the last verified one before the current. */
    public String rollbackTarget(ProjectState ps, String stage) {
        StageState st = ps.stage(stage);
        for (int i = st.history.size() - 1; i >= 0; i--) {
            Promotion p = ps.promotions.get(st.history.get(i));
            if (p != null && p.state == PromotionState.Succeeded && !st.current.containsValue(p.freight)) return p.freight;
        }
        return null;
    }

    // ---------------------------------------------------------------- policies

    /** Re-evaluates every stage of the project (time-based gates: soak, windows). */
    public Effects tick(String project, Instant now) {
        Effects fx = new Effects();
        ProjectState ps = projects.get(project);
        if (ps != null) reconcile(ps, fx, now);
        return fx;
    }

    private void reconcile(ProjectState ps, Effects fx, Instant now) {
        passThroughControlFlowStages(ps, fx, now);
        for (StageSpec spec : ps.stages.values()) {
            StageState st = ps.stage(spec.name());
            for (String wh : controlFlow(spec) ? List.<String>of() : spec.origins()) {
                autoPromote(ps, spec, st, wh, fx, now);
            }
            dispatch(ps, spec, st, fx, now);
        }
    }

    /**
     * Kargo's control-flow stages (no promotion steps and no git target) deploy nothing: freight that becomes
     * available to one counts as verified there at once, so stages downstream of it can take it (fan-in, fan-out).
     */
    private void passThroughControlFlowStages(ProjectState ps, Effects fx, Instant now) {
        boolean changed = true;
        for (int round = 0; changed && round <= ps.stages.size(); round++) {
            changed = false;
            for (StageSpec spec : ps.stages.values()) {
                if (!controlFlow(spec) || ps.paused(spec.name())) continue;
                for (Freight f : ps.freight.values()) {
                    if (f.verifiedIn.containsKey(spec.name()) || !available(ps, spec, f, now)) continue;
                    f.verifiedIn.put(spec.name(), now);
                    fx.dirty.add(key(ps.name, "freight", f.id));
                    audit(ps, fx, now, ENGINE_ACTOR, "verified", "stage/" + spec.name(), "control-flow stage",
                            "freight " + f.alias + " (" + f.id + ") passes through");
                    changed = true;
                }
            }
        }
    }

    /** A stage without promotion steps and without a git target only routes freight. */
    public static boolean controlFlow(StageSpec spec) {
        return spec.steps().isEmpty() && spec.git() == null && spec.argocd() == null;
    }

    /** Starts the head of the queue when nothing runs in the stage and it is not paused (queued ones wait). */
    private void dispatch(ProjectState ps, StageSpec spec, StageState st, Effects fx, Instant now) {
        if (ps.paused(spec.name())) return;
        while (st.running == null && !st.queue.isEmpty()) {
            Promotion p = ps.promotions.get(st.queue.get(0));
            if (p == null || p.state != PromotionState.Pending) {
                st.queue.remove(0);
                fx.dirty.add(key(ps.name, "stage", st.name));
                continue;
            }
            if (spec.git() == null && spec.steps().isEmpty()) {
                st.queue.remove(0);
                fail(ps, p, "control-flow stage (no steps, no git target): nothing to promote; freight passes through it once available", fx, now);
                continue;
            }
            try {
                String leadingFailure = runLeading(ps, spec, st, p, fx, now);
                if (leadingFailure != null) {
                    st.queue.remove(0);
                    fail(ps, p, leadingFailure, fx, now);
                    continue;
                }
                p.request = render(ps, spec, st, p, now);
            } catch (Expressions.RenderException e) {
                st.queue.remove(0);
                fail(ps, p, "cannot render steps: " + e.getMessage(), fx, now);
                continue;
            }
            st.queue.remove(0);
            st.running = p.id;
            fx.promotions.add(p.request);
            transition(ps, p, PromotionState.Running, "sent to the git-writer", fx, now);
            fx.dirty.add(key(ps.name, "stage", st.name));
        }
    }

    private PromotionRequested render(ProjectState ps, StageSpec spec, StageState st, Promotion p, Instant now) {
        Freight f = ps.freight.get(p.freight);
        Scope scope = withLookups(dispatchScope(ps, spec.name(), spec.vars(), st, p), ps);
        List<PromotionStep> steps = new ArrayList<>();
        for (Specs.StepTemplate t : spec.steps()) {
            steps.add(new PromotionStep(t.uses(), t.as(), Expressions.renderStep(t.config(), t.vars(), scope),
                    t.ifCondition(), t.continueOnError(), t.retry(), t.vars()));
        }
        return new PromotionRequested(p.id, ps.name, spec.name(), f.ref(), spec.git(), steps, renderApps(spec.argocd(), scope),
                spec.verification().isEmpty() ? null : spec.verification(), p.requestedBy, now,
                scope.vars().isEmpty() ? null : new java.util.LinkedHashMap<>(scope.vars()));
    }

    /** What a promotion's expressions read: ctx, the template vars and the freight collection (target first). */
    private static Scope dispatchScope(ProjectState ps, String stage, Map<String, String> vars, StageState st, Promotion p) {
        Freight f = ps.freight.get(p.freight);
        List<FreightRef> collection = new ArrayList<>();
        collection.add(f.ref());
        st.current.forEach((wh, id) -> {
            Freight other = ps.freight.get(id);
            if (!wh.equals(f.warehouse) && other != null) collection.add(other.ref());
        });
        return Expressions.scope(new Expressions.Context(ps.name, stage, p.id, p.requestedBy, collection, vars));
    }

    private static Scope withLookups(Scope s, ProjectState ps) {
        return new Scope(s.ctx(), s.vars(), s.outputs(), s.taskOutputs(), s.freight(), EngineSteps.lookups(ps), s.steps());
    }

    /**
     * Runs the engine's steps that come before the first git-writer step (see {@link EngineSteps} for the order
     * model). Their results become the promotion's first step results. Returns why the promotion fails, or null.
     */
    private String runLeading(ProjectState ps, StageSpec spec, StageState st, Promotion p, Effects fx, Instant now) {
        List<PromotionStep> steps = new ArrayList<>();
        boolean engineFirst = false;
        for (Specs.StepTemplate t : spec.steps()) {
            if (EngineSteps.gitWriter(t.uses())) break;
            engineFirst |= EngineSteps.owns(t.uses());
        }
        if (!engineFirst) return null;
        for (Specs.StepTemplate t : spec.steps()) {
            steps.add(new PromotionStep(t.uses(), t.as(), t.config(), t.ifCondition(), t.continueOnError(), t.retry(), t.vars()));
        }
        EngineSteps.Context c = new EngineSteps.Context(ps, p, fx, now);
        io.freightline.template.run.Progress done = EngineSteps.run(steps, dispatchScope(ps, spec.name(), spec.vars(), st, p),
                io.freightline.template.run.Progress.start(), c);
        p.steps = List.copyOf(done.results());
        auditSteps(ps, p, c, fx, now);
        boolean bad = done.phase() == io.freightline.template.run.Progress.Phase.Failed
                || done.phase() == io.freightline.template.run.Progress.Phase.Errored;
        return bad ? done.message() : null;
    }

    /**
     * Runs the engine's steps after the last git-writer step, once the commit is verified, with the other services'
     * results and outputs in scope. Returns why the promotion fails, or null.
     */
    private String runTrailing(ProjectState ps, Promotion p, VerificationCompleted e, Effects fx, Instant now) {
        if (p.request == null || p.request.steps() == null) {
            p.steps = withOthers(p.steps, e.steps());
            return null;
        }
        List<PromotionStep> steps = p.request.steps();
        int from = EngineSteps.afterGitWriter(steps);
        boolean any = false;
        for (int i = from; i < steps.size(); i++) any |= EngineSteps.owns(steps.get(i).uses());
        if (!any) {
            p.steps = withOthers(p.steps, e.steps());
            return null;
        }
        StageSpec spec = ps.stages.get(p.stage);
        List<io.freightline.events.StepResult> before = EngineSteps.aligned(steps, from, p.steps, List.of());
        EngineSteps.Context c = new EngineSteps.Context(ps, p, fx, now);
        Map<String, String> vars = spec == null ? Map.of() : spec.vars();
        io.freightline.template.run.Progress done = EngineSteps.run(steps, dispatchScope(ps, p.stage, vars, ps.stage(p.stage), p),
                new io.freightline.template.run.Progress(before, from, io.freightline.template.run.Progress.Phase.Running, null, null), c);
        p.steps = withOthers(done.results(), e.steps());
        auditSteps(ps, p, c, fx, now);
        boolean bad = done.phase() == io.freightline.template.run.Progress.Phase.Failed
                || done.phase() == io.freightline.template.run.Progress.Phase.Errored;
        return bad ? done.message() : null;
    }

    /** Step results with another service's: a result for an alias already listed replaces it, the others follow. */
    private static List<io.freightline.events.StepResult> withOthers(List<io.freightline.events.StepResult> mine,
                                                                    List<io.freightline.events.StepResult> others) {
        if (others == null || others.isEmpty()) return mine;
        List<io.freightline.events.StepResult> out = new ArrayList<>(mine);
        for (io.freightline.events.StepResult o : others) {
            int at = -1;
            for (int i = 0; i < out.size(); i++) {
                if (o.as() != null && o.as().equals(out.get(i).as())) at = i;
            }
            if (at >= 0) out.set(at, o);
            else out.add(o);
        }
        return out;
    }

    private void auditSteps(ProjectState ps, Promotion p, EngineSteps.Context c, Effects fx, Instant now) {
        fx.dirty.add(key(ps.name, "promotion", p.id));
        if (!c.changes.isEmpty()) {
            audit(ps, fx, now, ENGINE_ACTOR, "promotion-steps", "promotion/" + p.id, "engine steps of the promotion",
                    String.join("; ", c.changes));
        }
    }

    /** Application names may be expressions (Kargo's {@code name: app-${{ ctx.stage }}}). */
    private static ArgoCDTarget renderApps(ArgoCDTarget argocd, Scope scope) {
        if (argocd == null || argocd.apps() == null) return argocd;
        List<ArgoCDTarget.App> apps = new ArrayList<>();
        for (ArgoCDTarget.App a : argocd.apps()) {
            Object name = Expressions.render(Map.of("name", a.name()), scope).get("name");
            List<ArgoCDTarget.SourceUpdate> sources = a.sources();
            if (sources != null) { // what only the running steps know (outputs.commit.commit) stays for the notifier
                Object rendered = Expressions.render(Map.of("s", io.freightline.events.EventCodec.mapper().convertValue(sources, List.class)), scope).get("s");
                sources = io.freightline.events.EventCodec.mapper().convertValue(rendered,
                        new com.fasterxml.jackson.core.type.TypeReference<List<ArgoCDTarget.SourceUpdate>>() { });
            }
            apps.add(new ArgoCDTarget.App(String.valueOf(name), a.namespace(), a.project(), a.sourceIndex(), sources));
        }
        return new ArgoCDTarget(argocd.server(), apps, argocd.labelSelector(), argocd.timeoutSeconds(), argocd.hardRefresh(),
                argocd.step());
    }

    private void autoPromote(ProjectState ps, StageSpec spec, StageState st, String wh, Effects fx, Instant now) {
        FreightRequest req = spec.request(wh);
        Freight candidate = candidate(ps, spec, req, now);
        String target = target(ps, st, wh);
        String unsoaked = newestVerifiedIgnoringSoak(ps, spec, req);
        boolean soaking = unsoaked != null && (candidate == null || !candidate.id.equals(unsoaked)) && !unsoaked.equals(target);
        Guards.Input in = new Guards.Input(ps.paused(spec.name()), ps.autoPromotion(spec), st.hold != null,
                candidate == null ? null : candidate.id, target,
                candidate != null && st.failedFreight.contains(candidate.id),
                spec.policy().approvalRequired(), candidate != null && candidate.approvedFor.containsKey(spec.name()),
                soaking, windowOpen(spec.policy().promotionWindows(), now));
        Guards.Verdict v = Guards.evaluate(in);
        trackWait(ps, st, v, fx, now);
        if (!v.promote()) return;
        String id = FreightIds.autoPromotionId(ps.name, spec.name(), candidate.id, "auto");
        if (ps.promotions.containsKey(id)) return; // decided before (and maybe aborted): never re-issued
        // newer freight makes queued auto-promotions pointless: supersede them (manual ones keep their place)
        for (String qid : List.copyOf(st.queue)) {
            Promotion q = ps.promotions.get(qid);
            if (q != null && q.warehouse.equals(wh) && q.kind.equals("auto") && q.state == PromotionState.Pending) {
                st.queue.remove(qid);
                transition(ps, q, PromotionState.Superseded, "superseded by " + id, fx, now);
                finish(ps, st, q, fx);
            }
        }
        Promotion p = newPromotion(ps, spec.name(), candidate.id, wh, "auto", id, ENGINE_ACTOR, v.reason(), now);
        st.queue.add(p.id);
        fx.dirty.add(key(ps.name, "promotion", p.id));
        fx.dirty.add(key(ps.name, "stage", st.name));
        fx.observations.add(new Transition(ps.name, spec.name(), PromotionState.Pending.name()));
        audit(ps, fx, now, ENGINE_ACTOR, "promote", "stage/" + spec.name(), v.reason(),
                "freight " + candidate.alias + " (" + candidate.id + "), promotion " + p.id);
    }

    private void trackWait(ProjectState ps, StageState st, Guards.Verdict v, Effects fx, Instant now) {
        if (v.waitReason() != null) {
            if (st.waiting.putIfAbsent(v.waitReason(), now) == null) fx.dirty.add(key(ps.name, "stage", st.name));
        }
        for (String reason : List.copyOf(st.waiting.keySet())) {
            if (!reason.equals(v.waitReason())) {
                Instant since = st.waiting.remove(reason);
                fx.observations.add(new Waited(ps.name, st.name, reason, Duration.between(since, now).toMillis() / 1000.0));
                fx.dirty.add(key(ps.name, "stage", st.name));
            }
        }
    }

    /** The freight the stage will hold once its queue drains: the last queued, the running one, or the current. */
    private static String target(ProjectState ps, StageState st, String wh) {
        for (int i = st.queue.size() - 1; i >= 0; i--) {
            Promotion q = ps.promotions.get(st.queue.get(i));
            if (q != null && q.warehouse.equals(wh)) return q.freight;
        }
        Promotion r = st.running == null ? null : ps.promotions.get(st.running);
        if (r != null && r.warehouse.equals(wh)) return r.freight;
        return st.current.get(wh);
    }

    private Freight candidate(ProjectState ps, StageSpec spec, FreightRequest req, Instant now) {
        if (spec.selectionPolicy(req) == Specs.SelectionPolicy.MatchUpstream && !req.stages().isEmpty()) {
            StageState up = ps.stageStates.get(req.stages().get(0));
            String id = up == null ? null : up.current.get(req.warehouse());
            Freight f = id == null ? null : ps.freight.get(id);
            return f != null && available(ps, spec, f, now) ? f : null;
        }
        Freight best = null;
        for (Freight f : ps.freight.values()) {
            if (f.warehouse.equals(req.warehouse()) && (best == null || f.seq > best.seq) && available(ps, spec, f, now)) {
                best = f;
            }
        }
        return best;
    }

    private String newestVerifiedIgnoringSoak(ProjectState ps, StageSpec spec, FreightRequest req) {
        if (req.requiredSoakTime().isZero()) return null;
        Freight best = null;
        for (Freight f : ps.freight.values()) {
            if (f.warehouse.equals(req.warehouse()) && (best == null || f.seq > best.seq) && available(ps, spec, f, null)) {
                best = f;
            }
        }
        return best == null ? null : best.id;
    }

    /**
     * Whether freight may enter the stage: directly from its warehouse, or verified in the upstream stages (All
     * or OneOf) and soaked there ({@code now == null} ignores soak time), or approved for the stage by hand.
     */
    public static boolean available(ProjectState ps, StageSpec spec, Freight f, Instant now) {
        FreightRequest req = spec.request(f.warehouse);
        if (req == null) return false;
        if (req.direct()) return true;
        if (f.approvedFor.containsKey(spec.name()) && !spec.policy().approvalRequired()) return true;
        if (req.stages().isEmpty()) return false;
        boolean all = req.availability() == Specs.Availability.All;
        boolean any = false;
        for (String up : req.stages()) {
            Instant at = f.verifiedIn.get(up);
            boolean ok = at != null && (now == null || !at.plus(req.requiredSoakTime()).isAfter(now));
            if (all && !ok) return false;
            any |= ok;
        }
        return any;
    }

    /** Open when no allow window exists or one is open, and no deny window is open. */
    public static boolean windowOpen(List<PromotionWindow> windows, Instant now) {
        boolean anyAllow = false, allowOpen = false;
        for (PromotionWindow w : windows) {
            boolean in = Cron.parse(w.schedule()).within(now, w.duration(), ZoneId.of(w.timeZone()));
            if (w.kind().equals("deny") && in) return false;
            if (w.kind().equals("allow")) {
                anyAllow = true;
                allowOpen |= in;
            }
        }
        return !anyAllow || allowOpen;
    }

    private Promotion newPromotion(ProjectState ps, String stage, String freight, String wh, String kind, String id,
                                   String actor, String reason, Instant now) {
        if (ps.promotions.containsKey(id)) return ps.promotions.get(id);
        Promotion p = new Promotion();
        p.id = id;
        p.project = ps.name;
        p.stage = stage;
        p.freight = freight;
        p.warehouse = wh;
        p.state = PromotionState.Pending;
        p.kind = kind;
        p.requestedBy = actor;
        p.reason = reason;
        p.createdAt = now;
        p.updatedAt = now;
        ps.promotions.put(id, p);
        return p;
    }

    // ---------------------------------------------------------------- audit

    public void audit(ProjectState ps, Effects fx, Instant now, String actor, String action, String target,
                      String reason, String detail) {
        AuditEntry e = new AuditEntry(++ps.auditSeq, now, actor == null ? "unknown" : actor, action, target, reason, detail);
        ps.audit.addLast(e);
        fx.dirty.add(auditKey(ps.name, e.seq()));
        fx.dirty.add(key(ps.name, "counters", null));
        while (ps.audit.size() > auditRetention) {
            fx.deleted.add(auditKey(ps.name, ps.audit.removeFirst().seq()));
        }
    }

    public static String auditKey(String project, long seq) {
        return key(project, "audit", String.format("%012d", seq));
    }

    /** The state-topic key of an entity: {@code project/kind[/name]}. */
    public static String key(String project, String kind, String name) {
        return name == null ? project + "/" + kind : project + "/" + kind + "/" + name;
    }
}
