package io.freightline.template.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.freightline.template.expr.Expressions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kargo's built-in open-source promotion steps: each step's config JSON Schema (Kargo's own, from
 * {@code step-schemas/} in this module's resources) and the service that runs it. Both the engine (at apply time)
 * and the executors (after rendering, just before a step runs) validate through here, so they never disagree.
 */
public final class StepCatalog {
    /** Which service carries a step out. */
    public enum Runner {
        /** Git and file steps, on the warm clones. */
        GIT_WRITER("git-writer"),
        /** Argo CD steps. */
        NOTIFIER("argocd-notifier"),
        /** Freight and stage metadata. */
        ENGINE("promotion-engine"),
        /** Pure steps the template runtime itself carries out, in whichever service holds the promotion. */
        RUNTIME("any");

        private final String service;

        Runner(String service) {
            this.service = service;
        }

        public String service() {
            return service;
        }
    }

    /** One catalog entry. */
    public record Entry(String name, Runner runner, JsonSchema schema) {
    }

    /** A config that fails its step's schema: the field path (e.g. {@code config.checkout[0].path}) and why. */
    public record Violation(String path, String reason) {
        @Override
        public String toString() {
            return path + ": " + reason;
        }
    }

    private static final List<String> STEPS = List.of(
            "argocd-update", "argocd-wait", "compose-output", "copy", "delete", "fail", "file-write", "git-clear",
            "git-clone", "git-commit", "git-merge-pr", "git-open-pr", "git-push", "git-tag", "git-wait-for-pr",
            "github-push", "helm-template", "helm-update-chart", "http", "http-download", "json-parse", "json-update",
            "kustomize-build", "kustomize-set-image", "oci-download", "oci-push", "set-freight-alias", "set-metadata",
            "tar", "toml-parse", "toml-update", "untar", "yaml-merge", "yaml-parse", "yaml-update");
    private static final Map<String, Runner> NOT_GIT_WRITER = Map.of(
            "argocd-update", Runner.NOTIFIER, "argocd-wait", Runner.NOTIFIER,
            "set-metadata", Runner.ENGINE, "set-freight-alias", Runner.ENGINE,
            "compose-output", Runner.RUNTIME, "fail", Runner.RUNTIME);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static volatile StepCatalog builtin;

    private final Map<String, Entry> entries;

    private StepCatalog(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** The catalog of Kargo's open-source steps (loaded once). */
    public static StepCatalog builtin() {
        StepCatalog c = builtin;
        if (c == null) {
            synchronized (StepCatalog.class) {
                if (builtin == null) builtin = load();
                c = builtin;
            }
        }
        return c;
    }

    private static StepCatalog load() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Map<String, Entry> m = new TreeMap<>();
        for (String name : STEPS) {
            JsonSchema schema = factory.getSchema(SchemaLocation.of("classpath:step-schemas/" + name + "-config.json"));
            schema.initializeValidators();
            m.put(name, new Entry(name, NOT_GIT_WRITER.getOrDefault(name, Runner.GIT_WRITER), schema));
        }
        return new StepCatalog(m);
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public boolean knows(String uses) {
        return entries.containsKey(uses);
    }

    /** The service that runs a step, or null for an unknown step. */
    public Runner runner(String uses) {
        Entry e = entries.get(uses);
        return e == null ? null : e.runner();
    }

    /** Validates a rendered config (every expression already evaluated). */
    public List<Violation> validate(String uses, Map<String, Object> config, String base) {
        return validate(uses, config, base, false);
    }

    /**
     * Validates a config as written in a template, before its expressions are evaluated: a value that is (or contains)
     * an expression can only be checked once rendered, so schema errors about such values are left to run time, as
     * Kargo does. Everything else (unknown and missing fields, wrong types of literal values) is reported now.
     */
    public List<Violation> validateTemplate(String uses, Map<String, Object> config, String base) {
        return validate(uses, config, base, true);
    }

    private List<Violation> validate(String uses, Map<String, Object> config, String base, boolean template) {
        Entry e = entries.get(uses);
        if (e == null) {
            return List.of(new Violation(base.isEmpty() ? "uses" : base, "unknown step '" + uses + "'"));
        }
        JsonNode json = MAPPER.valueToTree(config == null ? Map.of() : config);
        List<Violation> out = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (ValidationMessage m : e.schema().validate(json)) {
            JsonNode at = m.getInstanceNode();
            // missing and unknown fields do not depend on values: always reported
            boolean shape = Set.of("required", "additionalProperties", "unevaluatedProperties").contains(m.getType());
            if (template && !shape && at != null && containsExpression(at)) continue;
            String path = base + m.getInstanceLocation().toString().substring(1);
            String reason = m.getMessage();
            String loc = m.getInstanceLocation().toString() + ": ";
            if (reason.startsWith(loc)) reason = reason.substring(loc.length());
            if (seen.putIfAbsent(path + reason, true) == null) out.add(new Violation(path, reason));
        }
        return out;
    }

    private static boolean containsExpression(JsonNode n) {
        if (n.isTextual()) return Expressions.hasExpression(n.textValue());
        for (JsonNode c : n) {
            if (containsExpression(c)) return true;
        }
        return false;
    }
}
