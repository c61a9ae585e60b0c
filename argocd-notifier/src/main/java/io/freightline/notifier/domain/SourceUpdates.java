package io.freightline.notifier.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freightline.events.ArgoCDTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.StepResult;
import io.freightline.template.expr.ExpressionException;
import io.freightline.template.expr.Expressions;
import io.freightline.template.expr.Scope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kargo's {@code argocd-update} source updates: which source of the Application each update names (its
 * {@code repoURL}, and {@code chart}, matched exactly), what to change in it ({@code targetRevision},
 * {@code kustomize.images}, {@code helm.parameters}) as one JSON merge patch, and the revision the source must be
 * observably synced to. Pure: the verifier reads the Application and sends the patch.
 */
public final class SourceUpdates {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param mergePatch  the patch for {@code PATCH /api/v1/applications/{name}}, or null when the app already is as asked
     * @param revision    the revision to sync and wait for, or null for the promotion's commit
     * @param sourceIndex with {@code revision}: -1 for a single-source app, else the index in {@code spec.sources}
     * @param changes     what the patch changes, for messages
     */
    public record Plan(JsonNode mergePatch, String revision, Integer sourceIndex, List<String> changes) {
    }

    /** An update that cannot apply to this application: a terminal error of the step. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    /**
     * Evaluates what the engine left for the running steps ({@code ${{ outputs.commit.commit }}}, inside a
     * PromotionTask {@code ${{ task.outputs.commit.commit }}}) with the earlier steps' outputs, as the git-writer
     * reported them in the commit event.
     */
    public static List<ArgoCDTarget.SourceUpdate> resolve(List<ArgoCDTarget.SourceUpdate> sources, PromotionCommitted commit,
                                                          String app) {
        if (sources == null || sources.isEmpty()) return List.of();
        Map<String, Object> outputs = new LinkedHashMap<>();
        List<StepResult> steps = commit.steps() == null ? List.of() : commit.steps();
        for (StepResult r : steps) {
            if (r.as() != null) outputs.put(r.as(), r.outputs() == null ? Map.of() : r.outputs());
        }
        // an argocd-update inside a PromotionTask (alias "<task alias>::<step alias>", as Kargo prefixes them) reads
        // its task's steps as task.outputs.<step alias>
        Map<String, Object> taskOutputs = null;
        String step = commit.argocd() == null ? null : commit.argocd().step();
        int cut = step == null ? -1 : step.lastIndexOf("::");
        if (cut > 0) {
            String prefix = step.substring(0, cut + 2);
            taskOutputs = new LinkedHashMap<>();
            for (StepResult r : steps) {
                if (r.as() != null && r.as().startsWith(prefix)) {
                    taskOutputs.put(r.as().substring(prefix.length()), r.outputs() == null ? Map.of() : r.outputs());
                }
            }
        }
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("project", commit.project());
        ctx.put("stage", commit.stage());
        ctx.put("promotion", commit.promotionId());
        Scope scope = new Scope(ctx, Map.of(), outputs, taskOutputs, List.of(), null, null);
        List<ArgoCDTarget.SourceUpdate> out = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Object tree = JSON.convertValue(sources.get(i), Map.class);
            try {
                out.add(JSON.convertValue(Expressions.render(tree, scope), ArgoCDTarget.SourceUpdate.class));
            } catch (ExpressionException e) {
                throw new Invalid(app + ": sources[" + i + "]: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new Invalid(app + ": sources[" + i + "]: " + e.getMessage().split("\n")[0]);
            }
        }
        return out;
    }

    /** Plans the updates against the Application as {@code GET /api/v1/applications/{name}} returned it. */
    public static Plan plan(JsonNode application, List<ArgoCDTarget.SourceUpdate> updates, String app) {
        JsonNode spec = application.path("spec");
        boolean multi = spec.path("sources").isArray() && !spec.path("sources").isEmpty();
        List<ObjectNode> sources = new ArrayList<>();
        if (multi) {
            spec.path("sources").forEach(s -> sources.add(s.isObject() ? ((ObjectNode) s).deepCopy() : JSON.createObjectNode()));
        } else {
            sources.add(spec.path("source").isObject() ? ((ObjectNode) spec.path("source")).deepCopy() : JSON.createObjectNode());
        }
        List<String> changes = new ArrayList<>();
        String revision = null;
        Integer index = null;
        for (int u = 0; u < updates.size(); u++) {
            ArgoCDTarget.SourceUpdate up = updates.get(u);
            int i = find(sources, up);
            if (i < 0) {
                throw new Invalid(app + " has no source with repoURL " + up.repoURL()
                        + (up.chart() == null ? "" : " and chart " + up.chart()) + " (sources[" + u + "] of the argocd-update step)");
            }
            ObjectNode s = sources.get(i);
            String where = multi ? "spec.sources[" + i + "]" : "spec.source";
            if (Boolean.TRUE.equals(up.updateTargetRevision())) {
                if (up.desiredRevision() == null || up.desiredRevision().isBlank()) {
                    throw new Invalid(app + ": sources[" + u + "]: updateTargetRevision needs desiredRevision");
                }
                if (!up.desiredRevision().equals(s.path("targetRevision").asText(null))) {
                    s.put("targetRevision", up.desiredRevision());
                    changes.add(where + ".targetRevision=" + up.desiredRevision());
                }
            }
            if (up.kustomize() != null && up.kustomize().images() != null) {
                ObjectNode k = object(s, "kustomize");
                ArrayNode images = array(k, "images");
                for (ArgoCDTarget.KustomizeImage img : up.kustomize().images()) {
                    String entry = kustomizeImage(img, app, u);
                    if (set(images, entry, n -> imageName(n.asText()).equals(img.repoURL()), JSON.getNodeFactory().textNode(entry))) {
                        changes.add(where + ".kustomize.images " + entry);
                    }
                }
            }
            if (up.helm() != null && up.helm().images() != null) {
                ObjectNode h = object(s, "helm");
                ArrayNode params = array(h, "parameters");
                for (ArgoCDTarget.HelmImage p : up.helm().images()) {
                    ObjectNode param = JSON.createObjectNode().put("name", p.key()).put("value", p.value());
                    if (set(params, param, n -> p.key().equals(n.path("name").asText(null)), param)) {
                        changes.add(where + ".helm.parameters " + p.key() + "=" + p.value());
                    }
                }
            }
            if (revision == null && up.desiredRevision() != null && !up.desiredRevision().isBlank()) {
                revision = up.desiredRevision();
                index = multi ? i : -1;
            }
        }
        JsonNode patch = null;
        if (!changes.isEmpty()) {
            ObjectNode p = JSON.createObjectNode();
            ObjectNode ps = p.putObject("spec");
            if (multi) {
                // a merge patch replaces lists whole: send every source, changed or not
                ArrayNode all = ps.putArray("sources");
                sources.forEach(all::add);
            } else {
                ps.set("source", sources.get(0));
            }
            patch = p;
        }
        return new Plan(patch, revision, index, changes);
    }

    private static int find(List<ObjectNode> sources, ArgoCDTarget.SourceUpdate up) {
        for (int i = 0; i < sources.size(); i++) {
            ObjectNode s = sources.get(i);
            if (Objects.equals(up.repoURL(), s.path("repoURL").asText(null))
                    && Objects.equals(blank(up.chart()), blank(s.path("chart").asText(null)))) {
                return i;
            }
        }
        return -1;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Argo CD's kustomize image override: {@code [name=]newName[:tag][@digest]}, the way Kargo writes it. */
    static String kustomizeImage(ArgoCDTarget.KustomizeImage img, String app, int u) {
        boolean tag = img.tag() != null && !img.tag().isBlank();
        boolean digest = img.digest() != null && !img.digest().isBlank();
        if (img.repoURL() == null || img.repoURL().isBlank() || tag == digest) {
            throw new Invalid(app + ": sources[" + u + "].kustomize.images: each image needs repoURL and one of tag or digest");
        }
        String name = img.newName() != null && !img.newName().isBlank() ? img.repoURL() + "=" + img.newName() : img.repoURL();
        return name + (digest ? "@" + img.digest() : ":" + img.tag());
    }

    /** The image an override applies to: before {@code =}, else the name without its tag or digest. */
    static String imageName(String entry) {
        int eq = entry.indexOf('=');
        if (eq >= 0) return entry.substring(0, eq);
        int at = entry.indexOf('@');
        String n = at >= 0 ? entry.substring(0, at) : entry;
        int colon = n.lastIndexOf(':');
        return colon > n.lastIndexOf('/') ? n.substring(0, colon) : n;
    }

    /** Replaces the first element that {@code matches} with {@code value}, or appends it; true when it changed. */
    private static boolean set(ArrayNode list, JsonNode value, java.util.function.Predicate<JsonNode> matches, JsonNode node) {
        for (int i = 0; i < list.size(); i++) {
            if (matches.test(list.get(i))) {
                if (list.get(i).equals(value)) return false;
                list.set(i, node);
                return true;
            }
        }
        list.add(node);
        return true;
    }

    private static boolean set(ArrayNode list, String value, java.util.function.Predicate<JsonNode> matches, JsonNode node) {
        return set(list, JSON.getNodeFactory().textNode(value), matches, node);
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        return parent.path(field).isObject() ? (ObjectNode) parent.get(field) : parent.putObject(field);
    }

    private static ArrayNode array(ObjectNode parent, String field) {
        return parent.path(field).isArray() ? (ArrayNode) parent.get(field) : parent.putArray(field);
    }

    private SourceUpdates() {
    }
}
