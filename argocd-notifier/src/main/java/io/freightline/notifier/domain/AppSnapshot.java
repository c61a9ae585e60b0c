package io.freightline.notifier.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an Argo CD {@code v1alpha1Application} that decide whether a revision is deployed.
 *
 * @param pendingOperation {@code operation}: set while an operation is requested but not yet finished
 * @param sourceRepoURLs   repo URL of {@code spec.source}, or of each {@code spec.sources[]}
 * @param authorizedStage  the {@code kargo.akuity.io/authorized-stage} annotation, or null
 */
public record AppSnapshot(
        String name,
        String namespace,
        boolean multiSource,
        List<String> sourceRepoURLs,
        Operation pendingOperation,
        String syncStatus,
        String syncRevision,
        List<String> syncRevisions,
        String healthStatus,
        String healthMessage,
        OperationState operationState,
        String authorizedStage) {

    public AppSnapshot(String name, String namespace, boolean multiSource, List<String> sourceRepoURLs,
                       Operation pendingOperation, String syncStatus, String syncRevision, List<String> syncRevisions,
                       String healthStatus, String healthMessage, OperationState operationState) {
        this(name, namespace, multiSource, sourceRepoURLs, pendingOperation, syncStatus, syncRevision, syncRevisions,
                healthStatus, healthMessage, operationState, null);
    }

    /** {@code v1alpha1Operation}: who asked for it, its info entries and the revision(s) it syncs to. */
    public record Operation(String initiatedBy, boolean automated, Map<String, String> info, String revision,
                            List<String> revisions) {
    }

    /** {@code v1alpha1OperationState}: the last (or current) operation and its result. */
    public record OperationState(String phase, String message, Operation operation, String resultRevision,
                                 List<String> resultRevisions) {
    }

    /** Reads an Application as {@code GET /api/v1/applications/{name}} returns it. */
    public static AppSnapshot from(JsonNode app) {
        JsonNode meta = app.path("metadata");
        JsonNode spec = app.path("spec");
        JsonNode status = app.path("status");
        boolean multi = spec.path("sources").isArray() && spec.path("sources").size() > 0;
        List<String> repos = new ArrayList<>();
        if (multi) {
            spec.path("sources").forEach(s -> repos.add(text(s.path("repoURL"))));
        } else {
            repos.add(text(spec.path("source").path("repoURL")));
        }
        JsonNode opState = status.path("operationState");
        OperationState state = opState.isObject()
                ? new OperationState(text(opState.path("phase")), text(opState.path("message")),
                operation(opState.path("operation")), text(opState.path("syncResult").path("revision")),
                strings(opState.path("syncResult").path("revisions")))
                : null;
        String health = text(status.path("health").path("status"));
        String healthMessage = text(status.path("health").path("message"));
        if (healthMessage == null || healthMessage.isBlank()) {
            healthMessage = resourceHealthMessages(status.path("resources"), health);
        }
        return new AppSnapshot(text(meta.path("name")), text(meta.path("namespace")), multi, repos,
                operation(app.path("operation")), text(status.path("sync").path("status")),
                text(status.path("sync").path("revision")), strings(status.path("sync").path("revisions")),
                health, healthMessage, state, text(meta.path("annotations").path(AuthorizedStage.ANNOTATION)));
    }

    /**
     * Argo CD 3 no longer fills {@code status.health.message}: the controller's words are on the resources whose
     * health made the app's ({@code status.resources[].health}, e.g. {@code Deployment "web" exceeded its progress
     * deadline}). Null when the app is Healthy or no such resource has a message.
     */
    private static String resourceHealthMessages(JsonNode resources, String appHealth) {
        if (appHealth == null || "Healthy".equals(appHealth)) {
            return null;
        }
        List<String> messages = new ArrayList<>();
        for (JsonNode r : resources) {
            String message = text(r.path("health").path("message"));
            if (appHealth.equals(text(r.path("health").path("status"))) && message != null && !message.isBlank()) {
                messages.add(text(r.path("kind")) + " " + text(r.path("name")) + ": " + message);
            }
        }
        return messages.isEmpty() ? null : String.join("; ", messages);
    }

    /** The revision Argo CD compared the live state against, at a source index (-1: single source). */
    public String syncRevisionAt(int sourceIndex) {
        return Revisions.at(syncRevision, syncRevisions, sourceIndex);
    }

    private static Operation operation(JsonNode op) {
        if (!op.isObject() || op.isEmpty()) {
            return null;
        }
        Map<String, String> info = new LinkedHashMap<>();
        op.path("info").forEach(i -> info.put(text(i.path("name")), text(i.path("value"))));
        JsonNode sync = op.path("sync");
        return new Operation(text(op.path("initiatedBy").path("username")),
                op.path("initiatedBy").path("automated").asBoolean(false), info, text(sync.path("revision")),
                strings(sync.path("revisions")));
    }

    private static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private static List<String> strings(JsonNode n) {
        if (!n.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.isNull() ? null : v.asText()));
        return out;
    }
}
