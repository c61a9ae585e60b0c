package io.freightline.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.freightline.events.EventCodec;
import io.freightline.testsupport.Contracts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Argo CD API server on 127.0.0.1 holding the Applications of Kargo's quickstart ApplicationSet
 * ({@code kargo-demo-<stage>}: {@code spec.source} = the GitOps repository at {@code targetRevision: stage/<stage>},
 * {@code path: .}, annotated {@code kargo.akuity.io/authorized-stage: kargo-demo:<stage>}). Each is the real
 * Application of shared/contracts/argocd/application-example.json with those fields set, OutOfSync at an old
 * revision until a sync ({@code POST /api/v1/applications/{name}/sync}, {@code applicationApplicationSyncRequest})
 * runs; after it the operation Succeeded at the requested revision, Synced and Healthy. Answers
 * {@code GET /api/version}, {@code GET}/{@code PATCH /api/v1/applications/{name}} (a JSON merge patch of the spec)
 * and {@code …/syncwindows} (no window); anything else is Argo CD's 404. Checks the bearer token.
 */
final class SimulatedArgoCD implements AutoCloseable {
    static final String OLD_REVISION = "ea8759964626a583667a2bfd08f334ec2070040a";
    private static final ObjectMapper JSON = EventCodec.mapper();
    private static final Pattern APP = Pattern.compile("^/api/v1/applications/([^/]+)(/sync|/syncwindows)?$");

    /** A sync request as received: the revision and the {@code infos} entries. */
    record Sync(String revision, Map<String, String> infos) {
    }

    private final String token;
    private final HttpServer server;
    private final Map<String, ObjectNode> apps = new ConcurrentHashMap<>();
    private final Map<String, List<Sync>> syncs = new ConcurrentHashMap<>();
    private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

    SimulatedArgoCD(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds the quickstart ApplicationSet's Application for one stage. */
    void quickstartApp(String project, String stage, String repoURL) throws IOException {
        ObjectNode app = (ObjectNode) JSON.readTree(Contracts.read("argocd/application-example.json"));
        String name = "kargo-demo-" + stage;
        ObjectNode meta = (ObjectNode) app.path("metadata");
        meta.put("name", name).put("namespace", "argocd");
        meta.putObject("annotations").put("kargo.akuity.io/authorized-stage", project + ":" + stage);
        meta.remove("ownerReferences");
        ObjectNode spec = (ObjectNode) app.path("spec");
        spec.put("project", "default");
        spec.putObject("source").put("repoURL", repoURL).put("targetRevision", "stage/" + stage).put("path", ".");
        spec.putObject("destination").put("server", "https://kubernetes.default.svc").put("namespace", name);
        ObjectNode status = (ObjectNode) app.path("status");
        ((ObjectNode) status.path("sync")).put("status", "OutOfSync");
        apps.put(name, app);
    }

    /** The sync requests an application received, in order. */
    List<Sync> syncs(String app) {
        return List.copyOf(syncs.getOrDefault(app, List.of()));
    }

    /** The application as {@code GET} returns it now. */
    JsonNode application(String app) {
        synchronized (apps.get(app)) {
            return apps.get(app).deepCopy();
        }
    }

    /** Requests this server has no answer for (a client calling outside the contract). */
    List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (method.equals("GET") && path.equals("/api/version")) {
                reply(exchange, 200, JSON.createObjectNode().put("Version", "v3.5.1"));
                return;
            }
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, error(16, "invalid session: token signature is invalid"));
                return;
            }
            Matcher m = APP.matcher(path);
            ObjectNode app = m.matches() ? apps.get(m.group(1)) : null;
            if (app == null) {
                unexpected.add(method + " " + exchange.getRequestURI());
                reply(exchange, 404, error(5, "applications.argoproj.io \"" + (m.matches() ? m.group(1) : path) + "\" not found"));
                return;
            }
            String sub = m.group(2) == null ? "" : m.group(2);
            synchronized (app) {
                switch (method + " " + sub) {
                    case "GET " -> reply(exchange, 200, app);
                    case "GET /syncwindows" -> reply(exchange, 200, JSON.createObjectNode().put("canSync", true));
                    case "POST /sync" -> reply(exchange, 200, sync(m.group(1), app, JSON.readTree(body)));
                    case "PATCH " -> {
                        JsonNode req = JSON.readTree(body);
                        if (!"merge".equals(req.path("patchType").asText())) {
                            reply(exchange, 400, error(3, "unsupported patch type " + req.path("patchType").asText()));
                            return;
                        }
                        merge(app, JSON.readTree(req.path("patch").asText()));
                        reply(exchange, 200, app);
                    }
                    default -> {
                        unexpected.add(method + " " + exchange.getRequestURI());
                        reply(exchange, 404, error(5, "Not Found"));
                    }
                }
            }
        }
    }

    /** The sync runs at once: the operation Succeeded at the requested revision, the app Synced and Healthy. */
    private ObjectNode sync(String name, ObjectNode app, JsonNode req) {
        String revision = req.path("revision").asText("");
        if (revision.isEmpty()) {
            revision = app.path("spec").path("source").path("targetRevision").asText();
        }
        Map<String, String> infos = new java.util.LinkedHashMap<>();
        req.path("infos").forEach(i -> infos.put(i.path("name").asText(), i.path("value").asText()));
        syncs.computeIfAbsent(name, n -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(new Sync(revision, infos));
        String now = Instant.now().toString();
        ObjectNode status = (ObjectNode) app.path("status");
        ObjectNode op = (ObjectNode) status.path("operationState");
        ObjectNode operation = (ObjectNode) op.path("operation");
        ((ObjectNode) operation.path("sync")).put("revision", revision);
        operation.putObject("initiatedBy").put("username", "admin");
        ArrayNode info = operation.putArray("info");
        infos.forEach((k, v) -> info.addObject().put("name", k).put("value", v));
        op.put("phase", "Succeeded").put("message", "successfully synced (all tasks run)").put("startedAt", now).put("finishedAt", now);
        ObjectNode result = (ObjectNode) op.path("syncResult");
        result.put("revision", revision);
        result.set("source", app.path("spec").path("source").deepCopy());
        ((ObjectNode) status.path("sync")).put("status", "Synced").put("revision", revision);
        ((ObjectNode) status.path("health")).put("status", "Healthy");
        status.put("reconciledAt", now);
        return app;
    }

    /** RFC 7386 JSON merge patch. */
    private static void merge(ObjectNode target, JsonNode patch) {
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else if (e.getValue().isObject() && target.path(e.getKey()).isObject()) {
                merge((ObjectNode) target.get(e.getKey()), e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        });
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode e = JSON.createObjectNode().put("error", message).put("code", code).put("message", message);
        e.putArray("details");
        return e;
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
