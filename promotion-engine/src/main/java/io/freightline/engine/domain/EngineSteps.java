package io.freightline.engine.domain;

import io.freightline.engine.domain.Model.Freight;
import io.freightline.engine.domain.Model.Promotion;
import io.freightline.events.PromotionStep;
import io.freightline.events.StepResult;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.expr.Scope;
import io.freightline.template.run.Progress;
import io.freightline.template.run.StepExecutor;
import io.freightline.template.run.TemplateRuntime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The promotion steps the engine owns ({@code set-metadata}, {@code set-freight-alias}), run by the template runtime
 * like every other service's steps, so {@code if}, {@code continueOnError}, {@code retry}, vars and outputs mean the
 * same here.
 * <p>
 * Order model: a promotion's steps run in template order, each in the service that owns it. The engine runs the
 * engine steps that come <em>before</em> the first git-writer step when it dispatches the promotion (so the
 * git-writer's steps see their metadata and alias), and the ones that come <em>after</em> the last git-writer step
 * once the promotion's commit is verified (Argo CD Synced and Healthy, checks passed), with the git-writer's and the
 * notifier's outputs in scope. An engine step between two git-writer steps is refused when the manifest is applied.
 */
public final class EngineSteps {

    /** What the engine's steps change: the project, for the promotion being run, at the engine's {@code now}. */
    static final class Context implements Scope.Lookups {
        final ProjectState ps;
        final Promotion promotion;
        final Effects fx;
        final Instant now;
        final List<String> changes = new ArrayList<>();

        Context(ProjectState ps, Promotion promotion, Effects fx, Instant now) {
            this.ps = ps;
            this.promotion = promotion;
            this.fx = fx;
            this.now = now;
        }

        @Override
        public Map<String, Object> freightMetadata(String freight) {
            Freight f = find(freight);
            return f == null ? Map.of() : f.metadata;
        }

        @Override
        public Map<String, Object> stageMetadata(String stage) {
            Model.StageState st = ps.stageStates.get(stage);
            return st == null ? Map.of() : st.metadata;
        }

        Freight find(String idOrAlias) {
            try {
                return ps.findFreight(idOrAlias);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** The lookups of the project for expressions evaluated at dispatch time (no step runs). */
    public static Scope.Lookups lookups(ProjectState ps) {
        return new Context(ps, null, new Effects(), null);
    }

    /** Whether a step belongs to the engine. */
    public static boolean owns(String uses) {
        return StepCatalog.builtin().runner(uses) == StepCatalog.Runner.ENGINE;
    }

    /** Whether a step runs in the git-writer (what splits the engine's steps into before and after). */
    public static boolean gitWriter(String uses) {
        StepCatalog.Runner r = StepCatalog.builtin().runner(uses);
        return r == null || r == StepCatalog.Runner.GIT_WRITER;
    }

    /** The index of the first step after the last git-writer step (0 when there is none). */
    public static int afterGitWriter(List<PromotionStep> steps) {
        int last = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (gitWriter(steps.get(i).uses())) last = i;
        }
        return last + 1;
    }

    /** Runs steps from {@code from}, in this engine, until a step of another service or the end. */
    static Progress run(List<PromotionStep> steps, Scope base, Progress from, Context c) {
        Scope scope = new Scope(base.ctx(), base.vars(), base.outputs(), base.taskOutputs(), base.freight(), c, base.steps());
        // the engine's own steps make no calls: no backoff or polling, and the engine's clock, not the wall clock
        TemplateRuntime runtime = new TemplateRuntime(List.of(new SetMetadata(c), new SetFreightAlias(c)), StepCatalog.builtin(),
                new TemplateRuntime.Options(Duration.ZERO, Duration.ZERO, Clock.fixed(c.now, ZoneOffset.UTC)));
        return runtime.run(steps, scope, from);
    }

    /**
     * Results of steps 0..{@code upTo-1} as the runtime reads them: the engine's own results where it ran the step,
     * else what the other services reported for that alias (or, without an alias, at that position for that step),
     * with statuses in Kargo's spelling; else Skipped.
     */
    static List<StepResult> aligned(List<PromotionStep> steps, int upTo, List<StepResult> engine, List<StepResult> others) {
        Map<String, StepResult> byAlias = new LinkedHashMap<>();
        for (StepResult r : others == null ? List.<StepResult>of() : others) {
            if (r.as() != null) byAlias.put(r.as(), r);
        }
        List<StepResult> out = new ArrayList<>();
        for (int i = 0; i < upTo; i++) {
            PromotionStep s = steps.get(i);
            String alias = TemplateRuntime.alias(s, i);
            StepResult r = i < engine.size() ? engine.get(i) : byAlias.get(alias);
            if (r == null && others != null && i < others.size() && others.get(i).as() == null
                    && s.uses().equals(others.get(i).uses())) {
                r = others.get(i); // the implied-steps writer reports one result per step, without aliases
            }
            if (r == null) r = new StepResult(s.uses(), alias, "Skipped", null, 0);
            out.add(new StepResult(r.uses(), alias, kargoStatus(r.status()), r.message(), r.durationMillis(), r.outputs(), r.startedAt()));
        }
        return out;
    }

    /** The implied-steps writer spells statuses SUCCEEDED/SKIPPED/FAILED; the runtime reads Kargo's words. */
    static String kargoStatus(String s) {
        if (s == null || s.isEmpty()) return "Skipped";
        String lower = s.toLowerCase(Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    /** Kargo's {@code set-metadata}: sets keys of Stage or Freight metadata; the resource must exist in the project. */
    static final class SetMetadata implements StepExecutor {
        private final Context c;

        SetMetadata(Context c) {
            this.c = c;
        }

        @Override
        public String name() {
            return "set-metadata";
        }

        @Override
        @SuppressWarnings("unchecked")
        public Outcome run(Call call) {
            List<Map<String, Object>> updates = (List<Map<String, Object>>) call.config().get("updates");
            // check every update first: nothing is half-applied
            List<Map<String, Object>> targets = new ArrayList<>();
            for (int i = 0; i < updates.size(); i++) {
                Map<String, Object> u = updates.get(i);
                String kind = String.valueOf(u.get("kind"));
                String name = String.valueOf(u.get("name"));
                if (kind.equals("Stage")) {
                    if (!c.ps.stages.containsKey(name)) {
                        return Outcome.errored("updates[" + i + "]: stage '" + name + "' not found in project " + c.ps.name, true);
                    }
                    targets.add(c.ps.stage(name).metadata);
                } else {
                    Freight f = c.find(name);
                    if (f == null) return Outcome.errored("updates[" + i + "]: freight '" + name + "' not found in project " + c.ps.name, true);
                    targets.add(f.metadata);
                }
            }
            for (int i = 0; i < updates.size(); i++) {
                Map<String, Object> u = updates.get(i);
                Map<String, Object> values = (Map<String, Object>) u.get("values");
                targets.get(i).putAll(values);
                String kind = String.valueOf(u.get("kind"));
                String name = String.valueOf(u.get("name"));
                String id = kind.equals("Stage") ? name : c.find(name).id;
                c.fx.dirty.add(Engine.key(c.ps.name, kind.equals("Stage") ? "stage" : "freight", id));
                c.changes.add(kind + " " + id + " metadata " + String.join(", ", values.keySet()));
            }
            return Outcome.succeeded(Map.of(), null);
        }
    }

    /** Kargo's {@code set-freight-alias}: a new alias, unique among the project's freight (ids included). */
    static final class SetFreightAlias implements StepExecutor {
        private final Context c;

        SetFreightAlias(Context c) {
            this.c = c;
        }

        @Override
        public String name() {
            return "set-freight-alias";
        }

        @Override
        public Outcome run(Call call) {
            String name = String.valueOf(call.config().get("name"));
            String alias = String.valueOf(call.config().get("alias"));
            Freight f = c.find(name);
            if (f == null) return Outcome.errored("freight '" + name + "' not found in project " + c.ps.name, true);
            if (alias.equals(f.alias)) return Outcome.succeeded(Map.of(), "freight " + f.id + " already has alias " + alias);
            for (Freight other : c.ps.freight.values()) {
                if (other != f && (alias.equals(other.alias) || alias.equals(other.id))) {
                    return Outcome.errored("alias '" + alias + "' is already used by freight " + other.id, true);
                }
            }
            String old = f.alias;
            f.alias = Model.share(alias);
            c.fx.dirty.add(Engine.key(c.ps.name, "freight", f.id));
            c.changes.add("Freight " + f.id + " alias " + old + " -> " + alias);
            return Outcome.succeeded(Map.of(), null);
        }
    }

    private EngineSteps() {
    }
}
