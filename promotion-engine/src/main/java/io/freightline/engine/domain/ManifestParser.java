package io.freightline.engine.domain;

import io.freightline.engine.domain.ManifestException.Problem;
import io.freightline.engine.domain.Specs.Availability;
import io.freightline.engine.domain.Specs.FreightRequest;
import io.freightline.engine.domain.Specs.ProjectSpec;
import io.freightline.engine.domain.Specs.PromotionWindow;
import io.freightline.engine.domain.Specs.SelectionPolicy;
import io.freightline.engine.domain.Specs.StagePolicy;
import io.freightline.engine.domain.Specs.StageSpec;
import io.freightline.engine.domain.Specs.StepTemplate;
import io.freightline.engine.domain.Specs.WarehouseSpec;
import io.freightline.events.ArgoCDTarget;
import io.freightline.events.ArtifactKind;
import io.freightline.events.GitTarget;
import io.freightline.events.Subscription;
import io.freightline.events.PromotionStep;
import io.freightline.events.VerificationCheck;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.expr.Scope;
import io.freightline.template.spec.PromotionTemplates;
import io.freightline.versions.Policy;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads pipeline manifests (multi-document YAML, {@code kind: Project | Warehouse | Stage}) into specs, checking
 * everything up front: every problem names the file, the field and the reason, and one problem rejects the whole
 * set so an invalid manifest changes nothing.
 */
public final class ManifestParser {
    public static final Set<String> API_VERSIONS = Set.of("freightline.io/v1alpha1", "kargo.akuity.io/v1alpha1");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?");
    /** Manifests travel to the owning engine as one command record on Kafka, so a file must fit well within one. */
    public static final int MAX_FILE_CHARS = 512 * 1024;

    /** A document that is not applied: not a Kargo or Freightline resource, or a credentials Secret (why says). */
    public record Skipped(String file, String document, String resource, String why) {
        public static final String FOREIGN = "not a Kargo resource";
        /** Credentials never pass through the engine: they would end up in its commands, state and logs. */
        public static final String CREDENTIALS = "credentials are not taken from manifests: set them in the watcher's "
                + "freightline.watcher.credentials.* and the git-writer's freightline.gitwriter.auth.* (docs/configuration.md)";

        public Skipped(String file, String document, String resource) {
            this(file, document, resource, FOREIGN);
        }

        @Override
        public String toString() {
            return file + " " + document + ": skipped " + resource + " (" + why + ")";
        }
    }

    /** One file's text. */
    public record Source(String file, String text) {
    }

    /** What already exists, so references to it from the new manifests resolve. */
    public interface Catalog {
        boolean hasProject(String project);

        Set<String> warehouses(String project);

        /** Existing stages of a project, by name (to check upstream references and cycles). */
        Map<String, StageSpec> stages(String project);

        /** An existing PromotionTask of the project ({@code project} null for a ClusterPromotionTask), or null. */
        default PromotionTemplates.Task task(String project, String kind, String name) {
            return null;
        }
    }

    /**
     * The parsed documents, in file order. A ProjectConfig becomes its project's {@link ProjectSpec} (with
     * {@code promotionPolicies}); {@code skipped} names each document that is not a Kargo or Freightline resource
     * (an Argo CD Application, a ConfigMap, ...), one line each.
     */
    public record Manifests(List<ProjectSpec> projects, List<WarehouseSpec> warehouses, List<StageSpec> stages,
                            List<Skipped> skipped) {
        public Manifests(List<ProjectSpec> projects, List<WarehouseSpec> warehouses, List<StageSpec> stages) {
            this(projects, warehouses, stages, List.of());
        }

        public Set<String> projectNames() {
            Set<String> names = new java.util.TreeSet<>();
            projects.forEach(p -> names.add(p.name()));
            warehouses.forEach(w -> names.add(w.project()));
            stages.forEach(s -> names.add(s.project()));
            return names;
        }

        public Manifests only(String project) {
            return new Manifests(projects.stream().filter(p -> p.name().equals(project)).toList(),
                    warehouses.stream().filter(w -> w.project().equals(project)).toList(),
                    stages.stream().filter(s -> s.project().equals(project)).toList(), skipped);
        }

        public boolean isEmpty() {
            return projects.isEmpty() && warehouses.isEmpty() && stages.isEmpty();
        }
    }

    public static Manifests parse(List<Source> sources, Catalog existing) {
        List<Problem> problems = new ArrayList<>();
        List<ProjectSpec> projects = new ArrayList<>();
        List<WarehouseSpec> warehouses = new ArrayList<>();
        List<StageSpec> stages = new ArrayList<>();
        Map<StageSpec, Ctx> stageCtx = new HashMap<>();
        Map<Object, Ctx> docCtx = new java.util.IdentityHashMap<>(); // warehouses and ProjectConfigs, for cross-document errors
        List<Ctx> documents = new ArrayList<>();
        List<PromotionTemplates.Task> tasks = new ArrayList<>();
        List<ProjectSpec> configs = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Map<String, Map<?, ?>> batchTasks = new HashMap<>();
        List<Map.Entry<Source, List<Object>>> files = new ArrayList<>();
        for (Source src : sources) {
            if (src.text().length() > MAX_FILE_CHARS) {
                problems.add(new Problem(src.file(), "", "(file)", "larger than " + MAX_FILE_CHARS / 1024
                        + " KiB: split the manifests into several files or applies"));
                continue;
            }
            Iterable<Object> docs;
            List<Object> loaded = new ArrayList<>();
            try {
                docs = new Load(LoadSettings.builder().setLabel(src.file()).setAllowDuplicateKeys(false)
                        .setMaxAliasesForCollections(50).build()).loadAllFromString(src.text());
                docs.forEach(loaded::add);
            } catch (RuntimeException e) {
                problems.add(new Problem(src.file(), "", "(yaml)", "not valid YAML: " + e.getMessage().replace('\n', ' ')));
                continue;
            }
            // PromotionTasks are collected first: a Stage may come before the task it references
            for (Object doc : loaded) {
                if (doc instanceof Map<?, ?> m && m.get("metadata") instanceof Map<?, ?> md && md.get("name") instanceof String tn
                        && ("PromotionTask".equals(m.get("kind")) || "ClusterPromotionTask".equals(m.get("kind")))) {
                    Object ns = "ClusterPromotionTask".equals(m.get("kind")) ? "" : md.get("namespace");
                    batchTasks.put(m.get("kind") + "/" + ns + "/" + tn, m);
                }
            }
            files.add(Map.entry(src, loaded));
        }
        for (Map.Entry<Source, List<Object>> f : files) {
            Source src = f.getKey();
            List<Object> loaded = f.getValue();
            int index = 0;
            for (Object doc : loaded) {
                index++;
                if (doc == null) continue;
                Ctx c = new Ctx(src.file(), "#" + index, problems);
                documents.add(c);
                if (!(doc instanceof Map<?, ?> map)) {
                    c.err("(document)", "must be a mapping with apiVersion, kind, metadata and spec");
                    continue;
                }
                Node n = new Node(c, "", map);
                if ("v1".equals(map.get("apiVersion")) && "Secret".equals(map.get("kind"))) {
                    // Kargo's credentials Secret (e.g. of the quickstart): accepted and not stored; repository
                    // credentials are the git-writer's and the watcher's configuration and never pass through the
                    // engine. The note names the Secret only, never its data.
                    n.raw();
                    boolean credentials = map.get("metadata") instanceof Map<?, ?> md && md.get("labels") instanceof Map<?, ?> l
                            && l.get("kargo.akuity.io/cred-type") != null;
                    Skipped note = skipNote(src.file(), index, map);
                    skipped.add(credentials ? new Skipped(note.file(), note.document(), note.resource(), Skipped.CREDENTIALS) : note);
                    continue;
                }
                if (foreign(map.get("apiVersion"))) {
                    // a GitOps folder also holds Argo CD Applications, ConfigMaps, ...: not ours, not an error
                    n.raw();
                    skipped.add(skipNote(src.file(), index, map));
                    continue;
                }
                String apiVersion = n.str("apiVersion", true);
                if (apiVersion != null && !API_VERSIONS.contains(apiVersion)) {
                    c.err("apiVersion", "must be one of " + API_VERSIONS);
                }
                String kind = n.str("kind", true);
                Node meta = n.map("metadata", true);
                if (meta != null) meta.raw(); // labels, annotations and the like are the user's
                String name = meta == null ? null : meta.str("name", true);
                if (name != null && !NAME.matcher(name).matches()) {
                    c.err("metadata.name", "'" + name + "' is not a DNS label (lower-case letters, digits, '-')");
                }
                String ns = meta == null ? null : meta.str("namespace", false);
                Map<String, String> labels = meta == null ? Map.of() : labels(meta);
                if (kind == null || name == null) continue;
                c.doc = "#" + index + " " + kind + " " + (ns == null ? name : ns + "/" + name);
                switch (kind) {
                    case "Project" -> projects.add(new ProjectSpec(name));
                    case "ProjectConfig" -> {
                        if (ns != null && !ns.equals(name)) {
                            c.err("metadata.name", "a ProjectConfig is named after its project: '" + ns + "'");
                            continue;
                        }
                        Node spec = n.has("spec") ? n.map("spec", true) : null;
                        List<Specs.PromotionPolicy> policies = spec == null ? List.of() : promotionPolicies(spec);
                        ProjectSpec cfg = new ProjectSpec(name, policies);
                        configs.add(cfg);
                        docCtx.put(cfg, c);
                    }
                    case "Warehouse", "Stage" -> {
                        if (ns == null) {
                            c.err("metadata.namespace", "required: the project");
                            continue;
                        }
                        Node spec = n.map("spec", true);
                        if (spec == null) continue;
                        if (kind.equals("Warehouse")) {
                            WarehouseSpec w = warehouse(ns, name, spec);
                            if (w != null) {
                                warehouses.add(w);
                                docCtx.put(w, c);
                            }
                        } else {
                            String project = ns;
                            PromotionTemplates.TaskResolver resolver = (tk, tn) -> {
                                Map<?, ?> raw = batchTasks.get(tk + "/" + (tk.equals("ClusterPromotionTask") ? "" : project) + "/" + tn);
                                if (raw != null) return rawTask(tk, tn, raw);
                                return existing.task(tk.equals("ClusterPromotionTask") ? null : project, tk, tn);
                            };
                            StageSpec s = stage(ns, name, spec, resolver, labels);
                            if (s != null) {
                                stages.add(s);
                                stageCtx.put(s, c);
                            }
                        }
                    }
                    case "PromotionTask", "ClusterPromotionTask" -> {
                        if (kind.equals("PromotionTask") && ns == null) {
                            c.err("metadata.namespace", "required: the project");
                            continue;
                        }
                        Node spec = n.map("spec", true);
                        if (spec == null) continue;
                        PromotionTemplates.Task t = task(kind, name, spec);
                        if (t != null) tasks.add(t);
                    }
                    default -> c.err("kind", "'" + kind + "' is not one of Project, ProjectConfig, Warehouse, Stage, PromotionTask, ClusterPromotionTask"
                            + (Set.of("Freight", "Promotion").contains(kind) ? " (freight and promotions are made through the API or CLI: freightline create freight, freightline promote)" : ""));
                }
            }
        }
        documents.forEach(Ctx::reportUnknownFields);
        // a ProjectConfig joins its Project (in this apply or an earlier one)
        for (ProjectSpec cfg : configs) {
            int i = indexOf(projects, cfg.name());
            if (i >= 0) {
                projects.set(i, cfg);
            } else if (existing.hasProject(cfg.name())) {
                projects.add(cfg);
            } else {
                docCtx.get(cfg).err("metadata.namespace", "project '" + cfg.name() + "' has no Project manifest (in this apply or an earlier one)");
            }
        }
        crossCheck(projects, warehouses, stages, stageCtx, docCtx, existing, problems);
        if (!problems.isEmpty()) throw new ManifestException(problems);
        return new Manifests(projects, warehouses, stages, List.copyOf(skipped));
    }

    /**
     * The manifests as they travel to the owning engine on {@code freightline.commands}: every {@code v1 Secret}
     * without its {@code data} and {@code stringData}, so a credential in a GitOps folder never reaches Kafka, the
     * state or a log. The same documents in the same order (document indices of errors stay right); text without a
     * Secret that holds data is returned as it is.
     */
    public static String withoutSecretData(String text) {
        List<Object> docs = new ArrayList<>();
        try {
            new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(50).build())
                    .loadAllFromString(text).forEach(docs::add);
        } catch (RuntimeException e) {
            return text; // not YAML: refused by parse before anything is sent
        }
        boolean changed = false;
        for (int i = 0; i < docs.size(); i++) {
            if (docs.get(i) instanceof Map<?, ?> m && "v1".equals(m.get("apiVersion")) && "Secret".equals(m.get("kind"))
                    && (m.containsKey("data") || m.containsKey("stringData"))) {
                Map<Object, Object> copy = new LinkedHashMap<>(m);
                copy.remove("data");
                copy.remove("stringData");
                docs.set(i, copy);
                changed = true;
            }
        }
        if (!changed) return text;
        return new org.snakeyaml.engine.v2.api.Dump(org.snakeyaml.engine.v2.api.DumpSettings.builder().setExplicitStart(true).build())
                .dumpAllToString(docs.iterator());
    }

    private static int indexOf(List<ProjectSpec> projects, String name) {
        for (int i = 0; i < projects.size(); i++) {
            if (projects.get(i).name().equals(name)) return i;
        }
        return -1;
    }

    /** Not a Kargo or Freightline resource (any API group but ours; {@code v1} core kinds but Secrets). */
    private static boolean foreign(Object apiVersion) {
        if (!(apiVersion instanceof String av)) return false;
        String group = av.contains("/") ? av.substring(0, av.indexOf('/')) : "";
        return !group.equals("kargo.akuity.io") && !group.equals("freightline.io");
    }

    private static Skipped skipNote(String file, int index, Map<?, ?> doc) {
        Object name = doc.get("metadata") instanceof Map<?, ?> md ? md.get("name") : null;
        return new Skipped(file, "#" + index, doc.get("apiVersion") + " " + doc.get("kind") + (name == null ? "" : " " + name));
    }

    private static Map<String, String> labels(Node meta) {
        if (!(meta.m().get("labels") instanceof Map<?, ?> l)) return Map.of();
        Map<String, String> out = new java.util.TreeMap<>();
        l.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out;
    }

    private static List<Specs.PromotionPolicy> promotionPolicies(Node spec) {
        List<Specs.PromotionPolicy> out = new ArrayList<>();
        for (Node p : spec.has("promotionPolicies") ? spec.list("promotionPolicies", true) : List.<Node>of()) {
            Specs.StageSelector selector;
            if (p.has("stage")) {
                // Kargo's deprecated form of stageSelector.name
                selector = new Specs.StageSelector(p.str("stage", true), null, null);
                if (p.has("stageSelector")) p.c.err(p.path + ".stage", "set stageSelector or stage, not both");
            } else {
                Node sel = p.map("stageSelector", true);
                if (sel == null) continue;
                String name = sel.str("name", false);
                if (name != null) {
                    String bad = NamePattern.problem(name);
                    if (bad != null) sel.c.err(sel.path + ".name", bad);
                }
                Map<String, String> matchLabels = null;
                if (sel.has("matchLabels")) {
                    Node ml = sel.map("matchLabels", true);
                    if (ml != null) {
                        matchLabels = new java.util.TreeMap<>();
                        for (String k : ml.keys()) matchLabels.put(k, ml.str(k, true));
                    }
                }
                List<Specs.LabelRequirement> exprs = null;
                if (sel.has("matchExpressions")) {
                    exprs = new ArrayList<>();
                    for (Node e : sel.list("matchExpressions", true)) {
                        String op = e.str("operator", true);
                        if (op != null && !Specs.LabelRequirement.OPERATORS.contains(op)) {
                            e.c.err(e.path + ".operator", "must be one of In, NotIn, Exists, DoesNotExist");
                        }
                        exprs.add(new Specs.LabelRequirement(e.str("key", true), op, e.strings("values")));
                    }
                }
                selector = new Specs.StageSelector(name, matchLabels, exprs);
            }
            if (p.has("autoRollback")) {
                p.c.err(p.path + ".autoRollback", "not supported in a ProjectConfig: set the stage's policy.autoRollback: true (rolls back to the last verified freight when verification fails)");
            }
            out.add(new Specs.PromotionPolicy(selector, p.bool("autoPromotionEnabled", false)));
        }
        return out;
    }

    private static void crossCheck(List<ProjectSpec> projects, List<WarehouseSpec> warehouses, List<StageSpec> stages,
                                   Map<StageSpec, Ctx> stageCtx, Map<Object, Ctx> docCtx, Catalog existing,
                                   List<Problem> problems) {
        Set<String> projectNames = new HashSet<>();
        projects.forEach(p -> projectNames.add(p.name()));
        String noProject = "has no Project manifest (in this apply or an earlier one)";
        for (WarehouseSpec w : warehouses) {
            if (!projectNames.contains(w.project()) && !existing.hasProject(w.project())) {
                docCtx.get(w).err("metadata.namespace", "project '" + w.project() + "' " + noProject);
            }
        }
        for (StageSpec s : stages) {
            if (!projectNames.contains(s.project()) && !existing.hasProject(s.project())) {
                stageCtx.get(s).err("metadata.namespace", "project '" + s.project() + "' " + noProject);
            }
        }
        Map<String, Map<String, StageSpec>> allStages = new HashMap<>();
        for (StageSpec s : stages) {
            allStages.computeIfAbsent(s.project(), p -> new HashMap<>(existing.stages(p))).put(s.name(), s);
        }
        for (StageSpec s : stages) {
            Ctx c = stageCtx.get(s);
            Set<String> whs = new HashSet<>(existing.warehouses(s.project()));
            warehouses.stream().filter(w -> w.project().equals(s.project())).forEach(w -> whs.add(w.name()));
            Map<String, StageSpec> projStages = allStages.get(s.project());
            for (int i = 0; i < s.requestedFreight().size(); i++) {
                FreightRequest r = s.requestedFreight().get(i);
                if (!whs.contains(r.warehouse())) {
                    c.err("spec.requestedFreight[" + i + "].origin.name", "warehouse '" + r.warehouse() + "' not found in project " + s.project());
                }
                for (String up : r.stages()) {
                    StageSpec upstream = projStages.get(up);
                    if (upstream == null) {
                        c.err("spec.requestedFreight[" + i + "].sources.stages", "stage '" + up + "' not found in project " + s.project());
                    } else if (upstream.request(r.warehouse()) == null) {
                        c.err("spec.requestedFreight[" + i + "].sources.stages", "stage '" + up + "' does not request freight from warehouse '" + r.warehouse() + "'");
                    }
                }
            }
            if (cyclic(s.name(), projStages)) {
                c.err("spec.requestedFreight", "stage '" + s.name() + "' is its own upstream (a cycle)");
            }
        }
    }

    private static boolean cyclic(String start, Map<String, StageSpec> stages) {
        java.util.Deque<String> todo = new java.util.ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        StageSpec s = stages.get(start);
        s.requestedFreight().forEach(r -> todo.addAll(r.stages()));
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (n.equals(start)) return true;
            StageSpec up = stages.get(n);
            if (up != null && seen.add(n)) up.requestedFreight().forEach(r -> todo.addAll(r.stages()));
        }
        return false;
    }

    private static WarehouseSpec warehouse(String project, String name, Node spec) {
        long interval = 300;
        String iv = spec.str("interval", false);
        if (iv != null) {
            Duration d = spec.duration("interval");
            if (d != null) interval = d.toSeconds();
        }
        List<Node> subs = spec.list("subscriptions", true);
        if (subs == null) return null;
        if (subs.isEmpty()) {
            spec.c.err("spec.subscriptions", "at least one subscription is required");
            return null;
        }
        List<Subscription> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node sub : subs) {
            Subscription s = subscription(sub);
            if (s == null) continue;
            if (!names.add(s.name())) sub.c.err(sub.path, "duplicate subscription '" + s.name() + "'");
            out.add(s);
        }
        Specs.FreightCreationPolicy policy = Specs.FreightCreationPolicy.Automatic;
        String fcp = spec.str("freightCreationPolicy", false);
        if (fcp != null) {
            try {
                policy = Specs.FreightCreationPolicy.valueOf(fcp);
            } catch (IllegalArgumentException e) {
                spec.c.err("spec.freightCreationPolicy", "must be Automatic or Manual");
            }
        }
        String criteria = null;
        if (spec.has("freightCreationCriteria")) {
            Node fcc = spec.map("freightCreationCriteria", true);
            criteria = fcc == null ? null : fcc.str("expression", false);
            if (criteria != null && criteria.isBlank()) criteria = null;
            if (criteria != null) {
                criteria = criteria.strip();
                String bad = io.freightline.template.expr.Expressions.checkCondition(criteria);
                if (bad != null) spec.c.err("spec.freightCreationCriteria.expression", "'" + criteria + "' " + bad);
            }
        }
        spec.str("shard", false); // Kargo's controller sharding: every project is one engine task's, nothing to shard
        return new WarehouseSpec(project, name, interval, out, policy, criteria);
    }

    private static Subscription subscription(Node sub) {
        List<String> kinds = sub.keys().stream().filter(k -> Set.of("image", "chart", "git").contains(k)).toList();
        if (kinds.size() != 1) {
            sub.c.err(sub.path, "exactly one of image, chart, git is required");
            return null;
        }
        String k = kinds.get(0);
        // Kargo's optional subscription name is a sibling of image/chart/git
        String subName = sub.str("name", false);
        if (subName != null && (subName.length() > 63 || !NAME.matcher(subName).matches())) {
            sub.c.err(sub.path + ".name", "'" + subName + "' is not an RFC 1123 label (at most 63 lower-case letters, digits, '-')");
        }
        Node n = sub.map(k, true);
        if (n == null) return null;
        String repo = n.str("repoURL", true);
        if (repo == null) return null;
        if (!k.equals("chart")) deprecatedTagFields(n);
        int limit = n.integer("discoveryLimit", Policy.DEFAULT_LIMIT);
        if (limit < 1 || limit > Policy.MAX_LIMIT) {
            n.c.err(n.path + ".discoveryLimit", "must be between 1 and " + Policy.MAX_LIMIT + " (got " + limit + ")");
        }
        if (n.has("insecureSkipTLSVerify") && n.bool("insecureSkipTLSVerify", false)) {
            n.c.err(n.path + ".insecureSkipTLSVerify", "not supported: the watcher always verifies TLS; add the repository's CA to the watcher's trust store");
        }
        Subscription s = switch (k) {
            case "image" -> {
                n.bool("cacheByTag", false); // a caching hint: the watcher reads tags it has not seen only once anyway
                String platform = n.str("platform", false);
                if (platform != null && !PLATFORM.matcher(platform).matches()) {
                    n.c.err(n.path + ".platform", "'" + platform + "' is not os/arch[/variant], e.g. linux/amd64");
                }
                yield new Subscription(subName != null ? subName : repo, ArtifactKind.IMAGE, repo, null,
                        n.strOr("imageSelectionStrategy", "SemVer"), firstNonNull(n.str("constraint", false), n.str("semverConstraint", false)),
                        n.has("strictSemvers") ? n.bool("strictSemvers", true) : null, null, null,
                        limit, null, null, null, discovery(n),
                        n.strings("allowTagsRegexes"), n.strings("ignoreTagsRegexes"), platform, null);
            }
            case "chart" -> new Subscription(subName != null ? subName : n.str("name", false) == null ? repo : repo + "/" + n.str("name", false),
                    ArtifactKind.CHART, repo, n.str("name", false), "SemVer", n.str("semverConstraint", false), false, null, null,
                    limit, null, null, null, discovery(n));
            default -> {
                String filter = n.str("expressionFilter", false);
                if (filter != null && !filter.isBlank()) {
                    // parsed (not evaluated) as the watcher parses it, so a filter that does not parse is refused here
                    String bad = io.freightline.template.expr.Expressions.checkCondition(filter);
                    if (bad != null) n.c.err(n.path + ".expressionFilter", "'" + filter.strip() + "' " + bad);
                }
                yield new Subscription(subName != null ? subName : repo, ArtifactKind.GIT, repo, null,
                        n.strOr("commitSelectionStrategy", "NewestFromBranch"), n.str("semverConstraint", false),
                        n.has("strictSemvers") ? n.bool("strictSemvers", true) : null,
                        null, null, limit,
                        n.strOr("branch", "main"), n.strings("includePaths"), n.strings("excludePaths"), discovery(n),
                        n.strings("allowTagsRegexes"), n.strings("ignoreTagsRegexes"), null,
                        filter == null || filter.isBlank() ? null : filter.strip());
            }
        };
        if (s.kind() == ArtifactKind.GIT && !Set.of("NewestFromBranch", "NewestTag", "SemVer", "Lexical").contains(s.strategy())) {
            n.c.err(n.path + ".commitSelectionStrategy", "must be one of NewestFromBranch, NewestTag, SemVer, Lexical");
        }
        for (String f : s.includePaths() == null ? List.<String>of() : s.includePaths()) pathFilter(n, "includePaths", f);
        for (String f : s.excludePaths() == null ? List.<String>of() : s.excludePaths()) pathFilter(n, "excludePaths", f);
        String invalid = Selection.invalid(s);
        if (invalid != null) n.c.err(n.path, invalid);
        return s;
    }

    /** Kargo v1.11 refuses the older single-regex and exact-tag fields; so does Freightline, with Kargo's words. */
    private static void deprecatedTagFields(Node n) {
        if (n.has("allowTags")) {
            n.c.err(n.path + ".allowTags", "AllowTags is deprecated and unsupported as of v1.11.0; use AllowTagsRegexes instead");
        }
        if (n.has("ignoreTags")) {
            n.c.err(n.path + ".ignoreTags", "IgnoreTags is deprecated and unsupported as of v1.11.0; use IgnoreTagsRegexes instead");
        }
    }

    private static void pathFilter(Node n, String field, String filter) {
        String bad = null;
        if (filter.startsWith("regex:") || filter.startsWith("regexp:")) {
            bad = NamePattern.problem(filter);
        } else if (filter.startsWith("glob:")) {
            bad = NamePattern.problem(filter);
        }
        if (bad != null) n.c.err(n.path + "." + field, bad);
    }

    private static String discovery(Node n) {
        String d = n.strOr("discovery", "poll");
        if (!Set.of("poll", "webhook").contains(d)) n.c.err(n.path + ".discovery", "must be poll or webhook");
        return d;
    }

    /** Freightline's own argocd-update fields, which Kargo's schema does not know. */
    private static Map<String, Object> withoutFreightlineArgoCDFields(String uses, Map<String, Object> config) {
        if (!uses.equals("argocd-update")) return config;
        Map<String, Object> c = new LinkedHashMap<>(config);
        List.of("server", "labelSelector", "timeout", "hardRefresh").forEach(c::remove);
        if (c.get("apps") instanceof List<?> apps) {
            List<Object> out = new ArrayList<>();
            for (Object a : apps) {
                if (a instanceof Map<?, ?> am) {
                    Map<Object, Object> x = new LinkedHashMap<>(am);
                    x.remove("sourceIndex");
                    x.remove("project");
                    out.add(x);
                } else {
                    out.add(a);
                }
            }
            c.put("apps", out);
        }
        return c;
    }

    /** What is known when a manifest is applied: the project, the stage and the template's vars. */
    private static Scope applyTimeScope(String project, String stage, Map<String, String> vars) {
        try {
            return Expressions.scope(new Expressions.Context(project, stage, null, null, List.of(), vars));
        } catch (Expressions.RenderException e) {
            return Expressions.scope(new Expressions.Context(project, stage, null, null, List.of(), Map.of()));
        }
    }

    /** A step's config with what is known at apply time rendered (its own vars included); the rest as written. */
    private static Map<String, Object> renderKnown(PromotionStep st, Scope scope) {
        try {
            Scope s = scope;
            if (st.vars() != null) {
                Map<String, Object> vars = new LinkedHashMap<>(scope.vars());
                for (Map.Entry<String, Object> v : st.vars().entrySet()) {
                    Object val = v.getValue() instanceof String str && Expressions.runtimeOnly(str) ? str
                            : io.freightline.template.expr.Expressions.render(v.getValue(), s.withVars(vars));
                    vars.put(v.getKey(), val);
                }
                s = s.withVars(vars);
            }
            return Expressions.render(st.config(), s);
        } catch (RuntimeException e) {
            return st.config();
        }
    }

    /** A Kargo template names its repository in git-clone: the first clone's repoURL and branch are the stage's target. */
    private static GitTarget gitFromClone(PromotionStep st, Scope scope) {
        Map<String, Object> cfg = renderKnown(st, scope);
        if (!(cfg.get("repoURL") instanceof String repo) || repo.isBlank() || io.freightline.template.expr.Expressions.hasExpression(repo)) {
            return null;
        }
        String branch = "main";
        if (cfg.get("checkout") instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> first
                && first.get("branch") instanceof String b && !io.freightline.template.expr.Expressions.hasExpression(b)) {
            branch = b;
        }
        return new GitTarget(repo, branch, null);
    }

    private static PromotionTemplates.Task task(String kind, String name, Node spec) {
        List<PromotionTemplates.Problem> problems = new ArrayList<>();
        PromotionTemplates.Task t = rawTask(kind, name, Map.of("spec", spec.raw()));
        PromotionTemplates.vars(spec.get("vars"), "spec.vars", problems);
        for (Object k : spec.keys()) {
            if (!k.equals("vars") && !k.equals("steps")) problems.add(new PromotionTemplates.Problem("spec." + k, "unknown field"));
        }
        if (!(spec.get("steps") instanceof List<?> l) || l.isEmpty()) problems.add(new PromotionTemplates.Problem("spec.steps", "at least one step is required"));
        problems.addAll(PromotionTemplates.checkTask(t, "spec.steps", StepCatalog.builtin(), ManifestParser::withoutFreightlineArgoCDFields));
        problems.forEach(p -> spec.c.err(p.path(), p.reason()));
        return problems.isEmpty() ? t : null;
    }

    private static PromotionTemplates.Task rawTask(String kind, String name, Map<?, ?> doc) {
        Map<?, ?> spec = doc.get("spec") instanceof Map<?, ?> m ? m : Map.of();
        List<PromotionTemplates.Var> vars = PromotionTemplates.vars(spec.get("vars"), "spec.vars", new ArrayList<>());
        List<Object> steps = spec.get("steps") instanceof List<?> l ? new ArrayList<>(l) : List.of();
        return new PromotionTemplates.Task(kind, name, vars, steps);
    }

    private static StageSpec stage(String project, String name, Node spec, PromotionTemplates.TaskResolver tasks,
                                   Map<String, String> labels) {
        List<FreightRequest> requests = new ArrayList<>();
        List<Node> rf = spec.list("requestedFreight", true);
        if (rf == null) return null;
        if (rf.isEmpty()) spec.c.err("spec.requestedFreight", "at least one entry is required");
        for (Node r : rf) {
            Node origin = r.map("origin", true);
            Node sources = r.map("sources", true);
            if (origin == null || sources == null) continue;
            String okind = origin.strOr("kind", "Warehouse");
            if (!okind.equals("Warehouse")) origin.c.err(origin.path + ".kind", "must be Warehouse");
            String wh = origin.str("name", true);
            boolean direct = sources.bool("direct", false);
            List<String> ups = sources.strings("stages");
            if (!direct && ups.isEmpty()) sources.c.err(sources.path, "set direct: true or list upstream stages");
            String av = sources.strOr("availabilityStrategy", "OneOf");
            Availability availability = switch (av) {
                case "All" -> Availability.All;
                case "OneOf", "" -> Availability.OneOf; // Kargo's default
                default -> {
                    sources.c.err(sources.path + ".availabilityStrategy", "must be All or OneOf");
                    yield Availability.All;
                }
            };
            Duration soak = sources.has("requiredSoakTime") ? sources.duration("requiredSoakTime") : Duration.ZERO;
            SelectionPolicy selection = null;
            if (sources.has("autoPromotionOptions")) {
                Node apo = sources.map("autoPromotionOptions", true);
                String sp = apo == null ? null : apo.str("selectionPolicy", false);
                if (sp != null) {
                    try {
                        selection = SelectionPolicy.valueOf(sp);
                    } catch (IllegalArgumentException e) {
                        apo.c.err(apo.path + ".selectionPolicy", "must be NewestFreight or MatchUpstream");
                    }
                    if (selection == SelectionPolicy.MatchUpstream && ups.size() != 1) {
                        apo.c.err(apo.path + ".selectionPolicy", "MatchUpstream needs exactly one upstream stage in sources.stages");
                    }
                }
            }
            if (wh != null) {
                if (requests.stream().anyMatch(x -> x.warehouse().equals(wh))) {
                    r.c.err(r.path + ".origin.name", "warehouse '" + wh + "' is requested twice");
                }
                requests.add(new FreightRequest(wh, direct, ups, availability, soak == null ? Duration.ZERO : soak, selection));
            }
        }
        StagePolicy policy = policy(spec.has("policy") ? spec.map("policy", true) : null, spec);
        GitTarget git = null;
        if (spec.has("git")) {
            Node g = spec.map("git", true);
            if (g != null) {
                GitTarget.PullRequest pr = null;
                if (g.has("pullRequest")) {
                    Node p = g.map("pullRequest", true);
                    if (p != null) {
                        String provider = p.str("provider", true);
                        if (provider != null && !Set.of("gitea", "github", "gitlab").contains(provider)) {
                            p.c.err(p.path + ".provider", "must be gitea, github or gitlab");
                        }
                        pr = new GitTarget.PullRequest(provider, p.str("apiURL", false), p.str("repo", false));
                    }
                }
                git = new GitTarget(g.str("repoURL", true), g.strOr("branch", "main"), pr);
            }
        }
        List<StepTemplate> steps = new ArrayList<>();
        List<ArgoCDTarget.App> apps = new ArrayList<>();
        ArgoCDTarget argocd = null;
        Map<String, String> vars = new LinkedHashMap<>();
        // the Stage's own vars, overridden by the promotion template's (Kargo's precedence)
        if (spec.has("vars")) {
            for (Node v : spec.list("vars", true)) {
                String vn = v.str("name", true);
                if (vn != null) vars.put(vn, v.strOr("value", ""));
            }
        }
        spec.str("shard", false); // Kargo's controller sharding: nothing to shard here
        if (spec.has("promotionTemplate")) {
            Node pt = spec.map("promotionTemplate", true);
            Node pts = pt == null ? null : pt.map("spec", true);
            if (pts != null) {
                if (pts.has("vars")) {
                    for (Node v : pts.list("vars", true)) {
                        String vn = v.str("name", true);
                        if (vn != null) vars.put(vn, v.strOr("value", ""));
                    }
                }
                String base = pts.path + ".steps";
                Object rawSteps = pts.get("steps");
                if (rawSteps == null) spec.c.err(base, "required");
                PromotionTemplates.Result r = PromotionTemplates.steps(rawSteps, base, vars.keySet(), tasks, StepCatalog.builtin(),
                        ManifestParser::withoutFreightlineArgoCDFields);
                r.problems().forEach(p -> spec.c.err(p.path(), p.reason()));
                Scope applyScope = applyTimeScope(project, name, vars);
                for (int i = 0; i < r.steps().size(); i++) {
                    PromotionStep st = r.steps().get(i);
                    if (st.uses().equals("argocd-update")) {
                        Map<String, Object> cfg = renderKnown(st, applyScope);
                        argocd = argocd(new Node(spec.c, base + "[" + i + "]", Map.of("config", cfg)), cfg, apps, st.as());
                    } else {
                        steps.add(new StepTemplate(st.uses(), st.as(), st.config(), st.ifCondition(), st.continueOnError(), st.retry(), st.vars()));
                        if (git == null && st.uses().equals("git-clone")) git = gitFromClone(st, applyScope);
                    }
                }
            }
        }
        int afterGit = EngineSteps.afterGitWriter(steps.stream().map(t -> new PromotionStep(t.uses(), t.as(), t.config())).toList());
        for (int i = 0, first = -1; i < steps.size(); i++) {
            if (first < 0 && EngineSteps.gitWriter(steps.get(i).uses())) first = i;
            if (first >= 0 && i < afterGit && EngineSteps.owns(steps.get(i).uses())) {
                spec.c.err(spec.path + ".promotionTemplate.spec.steps", "step " + (steps.get(i).as() == null ? "#" + (i + 1) : "'" + steps.get(i).as() + "'") + " (" + steps.get(i).uses()
                        + ") runs in the promotion engine: put it before the first or after the last git-writer step");
            }
        }
        if (!steps.isEmpty() && git == null) {
            spec.c.err("spec.git", "required: the repository the promotion steps run in ({repoURL, branch}), or a git-clone step whose repoURL is known when the manifest is applied");
        }
        List<VerificationCheck> checks = new ArrayList<>();
        if (spec.has("verification")) {
            Object v = spec.get("verification");
            Node vm = v instanceof Map<?, ?> ? spec.map("verification", true) : null;
            if (vm != null) {
                for (String argo : List.of("analysisTemplates", "analysisRunMetadata", "args")) {
                    if (vm.has(argo)) {
                        vm.c.err(vm.path + "." + argo, "Argo Rollouts AnalysisTemplates are not run by Freightline: "
                                + "use spec.verification.checks: [{name, kind: http|prometheus, config}] (see docs/migrating-from-kargo.md)");
                    }
                }
            }
            List<Node> list = v instanceof List<?> ? spec.list("verification", true)
                    : vm == null ? List.of() : vm.list("checks", false);
            for (Node ch : list == null ? List.<Node>of() : list) {
                String kind = ch.str("kind", true);
                if (kind != null && !Set.of("http", "prometheus").contains(kind)) ch.c.err(ch.path + ".kind", "must be http or prometheus");
                checks.add(new VerificationCheck(ch.strOr("name", kind), kind,
                        ch.has("config") && ch.map("config", true) != null ? ch.map("config", true).raw() : Map.of()));
            }
        }
        return new StageSpec(project, name, requests, policy, git, steps, argocd, checks, vars, labels);
    }

    private static ArgoCDTarget argocd(Node st, Map<String, Object> config, List<ArgoCDTarget.App> apps, String alias) {
        Node cfg = st.map("config", true);
        if (cfg == null) return null;
        if (cfg.has("apps")) {
            for (Node a : cfg.list("apps", true)) {
                String n = a.str("name", true);
                List<ArgoCDTarget.SourceUpdate> sources = null;
                if (a.get("sources") != null) {
                    try { // Kargo's source updates, carried out by the notifier
                        sources = io.freightline.events.EventCodec.mapper().convertValue(a.get("sources"),
                                new com.fasterxml.jackson.core.type.TypeReference<List<ArgoCDTarget.SourceUpdate>>() { });
                    } catch (IllegalArgumentException e) {
                        a.c.err(a.path + ".sources", "not Kargo's source updates: " + e.getMessage().split("\n")[0]);
                    }
                }
                if (n != null) apps.add(new ArgoCDTarget.App(n, a.strOr("namespace", "argocd"), a.str("project", false),
                        a.has("sourceIndex") ? a.integer("sourceIndex", 0) : null, sources));
            }
        }
        String selector = cfg.str("labelSelector", false);
        if (apps.isEmpty() && selector == null) cfg.c.err(cfg.path, "argocd-update needs apps or labelSelector");
        Long timeout = null;
        if (cfg.has("timeout")) {
            Duration d = cfg.duration("timeout");
            timeout = d == null ? null : d.toSeconds();
        }
        return new ArgoCDTarget(cfg.str("server", false), List.copyOf(apps), selector, timeout,
                cfg.has("hardRefresh") ? cfg.bool("hardRefresh", false) : null, alias);
    }

    private static StagePolicy policy(Node p, Node spec) {
        if (p == null) return new StagePolicy(false, false, List.of(), false, false, SelectionPolicy.NewestFreight);
        List<PromotionWindow> windows = new ArrayList<>();
        if (p.has("promotionWindows")) {
            for (Node w : p.list("promotionWindows", true)) {
                String kind = w.strOr("kind", "allow");
                if (!Set.of("allow", "deny").contains(kind)) w.c.err(w.path + ".kind", "must be allow or deny");
                String schedule = w.str("schedule", true);
                if (schedule != null) {
                    try {
                        Cron.parse(schedule);
                    } catch (RuntimeException e) {
                        w.c.err(w.path + ".schedule", e.getMessage());
                    }
                }
                Duration d = w.has("duration") ? w.duration("duration") : null;
                if (!w.has("duration")) w.c.err(w.path + ".duration", "required (e.g. 2h)");
                String tz = w.strOr("timeZone", "UTC");
                try {
                    ZoneId.of(tz);
                } catch (RuntimeException e) {
                    w.c.err(w.path + ".timeZone", "unknown time zone '" + tz + "'");
                }
                windows.add(new PromotionWindow(kind, schedule, d, tz));
            }
        }
        String sel = p.strOr("selectionPolicy", "NewestFreight");
        SelectionPolicy selection = SelectionPolicy.NewestFreight;
        try {
            selection = SelectionPolicy.valueOf(sel);
        } catch (IllegalArgumentException e) {
            p.c.err(p.path + ".selectionPolicy", "must be NewestFreight or MatchUpstream");
        }
        return new StagePolicy(p.bool("autoPromotion", false), p.bool("approvalRequired", false), windows,
                p.bool("paused", false), p.bool("autoRollback", false), selection);
    }

    private static <T> T firstNonNull(T a, T b) {
        return a != null ? a : b;
    }

    /** Collects problems for one document, and which fields of it were read, so unknown fields are reported. */
    private static final class Ctx {
        final String file;
        String doc;
        final List<Problem> problems;
        private final Map<Map<?, ?>, String> paths = new java.util.IdentityHashMap<>();
        private final Map<Map<?, ?>, Set<String>> read = new java.util.IdentityHashMap<>();
        private final Set<Map<?, ?>> opaque = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        Ctx(String file, String doc, List<Problem> problems) {
            this.file = file;
            this.doc = doc;
            this.problems = problems;
        }

        void err(String field, String reason) {
            problems.add(new Problem(file, doc, field, reason));
        }

        void track(Map<?, ?> m, String path) {
            paths.putIfAbsent(m, path);
        }

        void markRead(Map<?, ?> m, String key) {
            read.computeIfAbsent(m, k -> new java.util.HashSet<>()).add(key);
        }

        /** A mapping whose keys are the user's (step config, labels): any key is fine. */
        void markOpaque(Map<?, ?> m) {
            opaque.add(m);
        }

        /** Reports every field of the document that no part of the parser understood (a typo, or a Kargo field we do not support). */
        void reportUnknownFields() {
            paths.forEach((m, path) -> {
                if (opaque.contains(m)) return;
                Set<String> known = read.getOrDefault(m, Set.of());
                for (Object key : m.keySet()) {
                    if (!known.contains(String.valueOf(key))) {
                        err(path.isEmpty() ? String.valueOf(key) : path + "." + key, "unknown field");
                    }
                }
            });
        }
    }

    /** A mapping node with its path, reading typed fields and reporting problems instead of throwing. */
    private record Node(Ctx c, String path, Map<?, ?> m) {
        Node {
            c.track(m, path);
        }

        /** Every read of a field goes through here, so unread fields can be reported as unknown. */
        Object get(String key) {
            c.markRead(m, key);
            return m.get(key);
        }

        String p(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        boolean has(String key) {
            return get(key) != null;
        }

        List<String> keys() {
            return m.keySet().stream().map(String::valueOf).toList();
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> raw() {
            c.markOpaque(m);
            return (Map<String, Object>) (Map<?, ?>) m;
        }

        String str(String key, boolean required) {
            Object v = get(key);
            if (v == null) {
                if (required) c.err(p(key), "required");
                return null;
            }
            if (v instanceof Map || v instanceof List) {
                c.err(p(key), "must be a scalar");
                return null;
            }
            return String.valueOf(v);
        }

        String strOr(String key, String def) {
            String s = str(key, false);
            return s == null ? def : s;
        }

        boolean bool(String key, boolean def) {
            Object v = get(key);
            if (v == null) return def;
            if (v instanceof Boolean b) return b;
            c.err(p(key), "must be true or false");
            return def;
        }

        int integer(String key, int def) {
            Object v = get(key);
            if (v == null) return def;
            if (v instanceof Number n) return n.intValue();
            c.err(p(key), "must be a number");
            return def;
        }

        Duration duration(String key) {
            try {
                return Durations.parse(str(key, true));
            } catch (IllegalArgumentException e) {
                c.err(p(key), e.getMessage());
                return null;
            }
        }

        Node map(String key, boolean required) {
            Object v = get(key);
            if (v == null) {
                if (required) c.err(p(key), "required");
                return null;
            }
            if (!(v instanceof Map<?, ?> mm)) {
                c.err(p(key), "must be a mapping");
                return null;
            }
            return new Node(c, p(key), mm);
        }

        List<Node> list(String key, boolean required) {
            Object v = get(key);
            if (v == null) {
                if (required) c.err(p(key), "required");
                return required ? null : List.of();
            }
            if (!(v instanceof List<?> l)) {
                c.err(p(key), "must be a list");
                return null;
            }
            List<Node> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i) instanceof Map<?, ?> mm) out.add(new Node(c, p(key) + "[" + i + "]", mm));
                else c.err(p(key) + "[" + i + "]", "must be a mapping");
            }
            return out;
        }

        List<String> strings(String key) {
            Object v = get(key);
            if (v == null) return List.of();
            if (!(v instanceof List<?> l)) {
                c.err(p(key), "must be a list of strings");
                return List.of();
            }
            return l.stream().map(String::valueOf).toList();
        }
    }

    /** A catalog with nothing in it. */
    public static final Catalog EMPTY = new Catalog() {
        public boolean hasProject(String project) {
            return false;
        }

        public Set<String> warehouses(String project) {
            return Set.of();
        }

        public Map<String, StageSpec> stages(String project) {
            return Map.of();
        }
    };

}
