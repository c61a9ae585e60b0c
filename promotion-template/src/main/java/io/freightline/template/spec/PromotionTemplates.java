package io.freightline.template.spec;

import io.freightline.events.PromotionStep;
import io.freightline.events.PromotionStep.StepRetry;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.expr.Expressions;
import io.freightline.template.run.GoDurations;
import io.freightline.template.run.TemplateRuntime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code steps} of a Kargo promotion template or PromotionTask as written in a manifest, checks them all
 * up front (known step, config against the catalog, expressions that parse, unique aliases, task references and
 * their required vars) and inflates {@code task:} steps into the task's steps, as Kargo does when it creates a
 * Promotion: aliases become {@code <task alias>::<step alias>} and the task's vars become leading step vars.
 */
public final class PromotionTemplates {
    private static final Set<String> STEP_KEYS = Set.of("uses", "task", "as", "if", "continueOnError", "retry", "vars", "config");

    /** A PromotionTask or ClusterPromotionTask: its vars (a null value is required) and raw steps. */
    public record Task(String kind, String name, List<Var> vars, List<Object> steps) {
    }

    /** A {@code {name, value}} variable; {@code value} null when the manifest leaves it out. */
    public record Var(String name, Object value) {
    }

    /** Finds a task by kind ({@code PromotionTask} or {@code ClusterPromotionTask}) and name, or null. */
    public interface TaskResolver {
        TaskResolver NONE = (kind, name) -> null;

        Task find(String kind, String name);
    }

    /** A problem with the template: the field path (e.g. {@code spec.promotionTemplate.spec.steps[2].config.path}) and why. */
    public record Problem(String path, String reason) {
    }

    /** The config a step's schema is checked against (a service may accept fields of its own beside Kargo's). */
    public interface SchemaView {
        SchemaView AS_IS = (uses, config) -> config;

        Map<String, Object> forSchema(String uses, Map<String, Object> config);
    }

    /** The inflated steps, or the problems that stop the template. */
    public record Result(List<PromotionStep> steps, List<Problem> problems) {
    }

    /** Reads {@code vars: [{name, value}]}; problems go to {@code problems}. */
    public static List<Var> vars(Object raw, String path, List<Problem> problems) {
        List<Var> out = new ArrayList<>();
        if (raw == null) return out;
        if (!(raw instanceof List<?> l)) {
            problems.add(new Problem(path, "must be a list of {name, value}"));
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < l.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(l.get(i) instanceof Map<?, ?> m) || !(m.get("name") instanceof String name) || name.isBlank()) {
                problems.add(new Problem(p + ".name", "required"));
                continue;
            }
            for (Object k : m.keySet()) {
                if (!k.equals("name") && !k.equals("value")) problems.add(new Problem(p + "." + k, "unknown field"));
            }
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) problems.add(new Problem(p + ".name", "'" + name + "' is not a variable name (letters, digits, _)"));
            if (!seen.add(name)) problems.add(new Problem(p + ".name", "duplicate variable '" + name + "'"));
            Object value = m.get("value");
            Expressions.check(value, p + ".value").forEach(x -> problems.add(new Problem(x.path(), "expression '" + x.expression() + "' " + x.reason())));
            out.add(new Var(name, value));
        }
        return out;
    }

    /**
     * Reads and inflates a template's steps.
     *
     * @param templateVars names of the template's (and the Stage's) vars, which tasks inherit
     */
    public static Result steps(Object raw, String path, Set<String> templateVars, TaskResolver tasks, StepCatalog catalog) {
        return steps(raw, path, templateVars, tasks, catalog, SchemaView.AS_IS);
    }

    public static Result steps(Object raw, String path, Set<String> templateVars, TaskResolver tasks, StepCatalog catalog,
                               SchemaView view) {
        List<Problem> problems = new ArrayList<>();
        List<PromotionStep> out = new ArrayList<>();
        Set<String> aliases = new HashSet<>();
        List<?> list = list(raw, path, problems);
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                problems.add(new Problem(p, "must be a mapping with uses or task"));
                continue;
            }
            if (m.containsKey("task")) {
                inflate(m, p, i, templateVars, tasks, catalog, view, out, aliases, problems);
            } else {
                PromotionStep s = step(m, p, catalog, view, problems);
                if (s != null) {
                    String alias = s.as() == null ? TemplateRuntime.alias(s, out.size()) : s.as();
                    if (s.as() != null && !aliases.add(alias)) problems.add(new Problem(p + ".as", "duplicate step alias '" + alias + "'"));
                    out.add(s);
                }
            }
        }
        return new Result(out, problems);
    }

    /** Checks a PromotionTask's own steps (which may not reference other tasks). */
    public static List<Problem> checkTask(Task task, String path, StepCatalog catalog, SchemaView view) {
        List<Problem> problems = new ArrayList<>();
        List<?> list = list(task.steps(), path, problems);
        Set<String> aliases = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                problems.add(new Problem(p, "must be a mapping with uses"));
                continue;
            }
            if (m.containsKey("task")) {
                problems.add(new Problem(p + ".task", "a task's steps cannot reference other tasks"));
                continue;
            }
            PromotionStep s = step(m, p, catalog, view, problems);
            if (s != null && s.as() != null && !aliases.add(s.as())) problems.add(new Problem(p + ".as", "duplicate step alias '" + s.as() + "'"));
        }
        return problems;
    }

    private static void inflate(Map<?, ?> m, String p, int index, Set<String> templateVars, TaskResolver tasks,
                                StepCatalog catalog, SchemaView view, List<PromotionStep> out, Set<String> aliases, List<Problem> problems) {
        for (Object k : m.keySet()) {
            if (!Set.of("task", "as", "vars").contains(String.valueOf(k))) {
                problems.add(new Problem(p + "." + k, k.equals("uses") ? "a step has either uses or task, not both"
                        : "not allowed on a task step (only task, as and vars; the task's steps carry their own)"));
            }
        }
        if (!(m.get("task") instanceof Map<?, ?> ref) || !(ref.get("name") instanceof String name)) {
            problems.add(new Problem(p + ".task.name", "required"));
            return;
        }
        String kind = ref.get("kind") == null ? "PromotionTask" : String.valueOf(ref.get("kind"));
        if (!kind.equals("PromotionTask") && !kind.equals("ClusterPromotionTask")) {
            problems.add(new Problem(p + ".task.kind", "must be PromotionTask or ClusterPromotionTask"));
            return;
        }
        String taskAlias = m.get("as") instanceof String a && !a.isBlank() ? a : "task-" + index;
        if (!aliases.add(taskAlias)) problems.add(new Problem(p + ".as", "duplicate step alias '" + taskAlias + "'"));
        Task task = tasks.find(kind, name);
        if (task == null) {
            problems.add(new Problem(p + ".task.name", kind + " '" + name + "' not found"));
            return;
        }
        List<Var> given = vars(m.get("vars"), p + ".vars", problems);
        Map<String, Object> given_ = new LinkedHashMap<>();
        given.forEach(v -> given_.put(v.name(), v.value() == null ? "" : v.value()));
        Map<String, Object> taskVars = new LinkedHashMap<>();
        for (Var v : task.vars()) {
            if (given_.containsKey(v.name())) {
                taskVars.put(v.name(), given_.remove(v.name()));
            } else if (templateVars.contains(v.name())) {
                continue; // inherited from the template's vars
            } else if (v.value() != null) {
                taskVars.put(v.name(), v.value());
            } else {
                problems.add(new Problem(p + ".vars", "variable '" + v.name() + "' is required by " + kind + " '" + name + "'"));
            }
        }
        taskVars.putAll(given_);
        List<?> steps = task.steps() == null ? List.of() : task.steps();
        for (int j = 0; j < steps.size(); j++) {
            String tp = p + ".task(" + name + ").steps[" + j + "]";
            if (!(steps.get(j) instanceof Map<?, ?> sm)) continue;
            PromotionStep s = step(sm, tp, catalog, view, problems);
            if (s == null) continue;
            String alias = taskAlias + TemplateRuntime.TASK_SEPARATOR + (s.as() == null ? "step-" + j : s.as());
            Map<String, Object> vars = new LinkedHashMap<>(taskVars);
            if (s.vars() != null) vars.putAll(s.vars());
            out.add(new PromotionStep(s.uses(), alias, s.config(), s.ifCondition(), s.continueOnError(), s.retry(), vars.isEmpty() ? null : vars));
        }
    }

    @SuppressWarnings("unchecked")
    private static PromotionStep step(Map<?, ?> m, String p, StepCatalog catalog, SchemaView view, List<Problem> problems) {
        for (Object k : m.keySet()) {
            if (!STEP_KEYS.contains(String.valueOf(k))) problems.add(new Problem(p + "." + k, "unknown field"));
        }
        if (!(m.get("uses") instanceof String uses) || uses.isBlank()) {
            problems.add(new Problem(p + ".uses", "required: the step to run"));
            return null;
        }
        if (!catalog.knows(uses)) {
            problems.add(new Problem(p + ".uses", "unknown step '" + uses + "'"));
            return null;
        }
        String as = null;
        if (m.get("as") != null) {
            as = String.valueOf(m.get("as"));
            if (!as.matches("[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?")) problems.add(new Problem(p + ".as", "'" + as + "' is not a step alias (letters, digits, - and _)"));
        }
        String cond = m.get("if") == null ? null : String.valueOf(m.get("if"));
        if (cond != null) {
            String bad = Expressions.checkCondition(cond);
            if (bad != null) problems.add(new Problem(p + ".if", "expression '" + cond + "' " + bad));
        }
        Boolean coe = null;
        if (m.get("continueOnError") != null) {
            if (m.get("continueOnError") instanceof Boolean b) coe = b;
            else problems.add(new Problem(p + ".continueOnError", "must be true or false"));
        }
        StepRetry retry = null;
        if (m.get("retry") instanceof Map<?, ?> r) {
            Integer threshold = null;
            String timeout = null;
            for (Object k : r.keySet()) {
                if (!k.equals("errorThreshold") && !k.equals("timeout")) problems.add(new Problem(p + ".retry." + k, "unknown field"));
            }
            if (r.get("errorThreshold") != null) {
                if (r.get("errorThreshold") instanceof Integer t && t >= 1) threshold = t;
                else problems.add(new Problem(p + ".retry.errorThreshold", "must be a whole number of at least 1"));
            }
            if (r.get("timeout") != null) {
                timeout = String.valueOf(r.get("timeout"));
                try {
                    GoDurations.parse(timeout);
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem(p + ".retry.timeout", e.getMessage()));
                }
            }
            retry = new StepRetry(threshold, timeout);
        } else if (m.get("retry") != null) {
            problems.add(new Problem(p + ".retry", "must be a mapping with errorThreshold and timeout"));
        }
        Map<String, Object> vars = null;
        if (m.get("vars") != null) {
            vars = new LinkedHashMap<>();
            for (Var v : vars(m.get("vars"), p + ".vars", problems)) vars.put(v.name(), v.value() == null ? "" : v.value());
        }
        Map<String, Object> config = Map.of();
        if (m.get("config") instanceof Map<?, ?> c) {
            config = (Map<String, Object>) c;
        } else if (m.get("config") != null) {
            problems.add(new Problem(p + ".config", "must be a mapping"));
        }
        for (Expressions.Problem x : Expressions.check(config, p + ".config")) {
            problems.add(new Problem(x.path(), "expression '" + x.expression() + "' " + x.reason()));
        }
        for (StepCatalog.Violation v : catalog.validateTemplate(uses, view.forSchema(uses, config), p + ".config")) {
            problems.add(new Problem(v.path(), v.reason()));
        }
        return new PromotionStep(uses, as, config, cond, coe, retry, vars);
    }

    private static List<?> list(Object raw, String path, List<Problem> problems) {
        if (raw == null) return List.of();
        if (raw instanceof List<?> l) return l;
        problems.add(new Problem(path, "must be a list of steps"));
        return List.of();
    }

    private PromotionTemplates() {
    }
}
