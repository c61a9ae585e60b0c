package io.freightline.notifier.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.freightline.testsupport.Contracts;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * WireMock playing an Argo CD API server. It answers only the operations of swagger.json, validates every request
 * against it (see {@link #violations()}), checks the bearer token, and walks each application through realistic
 * state sequences built on the real Application in shared/contracts/argocd/application-example.json.
 */
public final class FakeArgoCd implements AutoCloseable {
    public static final String TOKEN = "argocd-test-token";
    public static final String SESSION_USER = "admin";
    public static final String SESSION_PASSWORD = "s3cret";
    public static final String SESSION_TOKEN = "argocd-session-jwt";
    /** The revision the example app last synced (status.operationState.syncResult.revision). */
    /**
     * The {@code kargo.akuity.io/authorized-stage} annotation apps get unless a test sets another: the stages of
     * project {@code shop} the tests promote.
     */
    public static final String AUTHORIZED_STAGES = "shop:dev, shop:qa, shop:staging, shop:prod, shop:metrics, shop:load";
    public static final String OLD_REVISION = "ea8759964626a583667a2bfd08f334ec2070040a";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final WireMockServer server;
    private final JsonNode example;
    private final SwaggerContract contract = new SwaggerContract();
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();

    public record Recorded(String method, String path, Map<String, List<String>> query, String body,
                           String authorization, long atNanos) {
    }

    public FakeArgoCd() {
        try {
            example = JSON.readTree(Contracts.read("argocd/application-example.json"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(64).jettyAcceptors(2).extensions(new Sim()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(ok()));
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Adds (or replaces) an application, OutOfSync at the new commit, last synced at {@link #OLD_REVISION}. */
    public App app(String name) {
        App app = new App(name);
        apps.put(name, app);
        return app;
    }

    public App get(String name) {
        return apps.get(name);
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public List<Recorded> requests(String method, String path) {
        return requests.stream().filter(r -> r.method.equals(method) && r.path.equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * A sync window of the app's AppProject ({@code v1alpha1SyncWindow}), reduced to what the syncwindows endpoint
     * returns; {@code active} says whether its schedule is open now.
     */
    public record Window(String kind, String schedule, String duration, boolean manualSync, boolean active) {
    }

    /**
     * Argo CD's {@code SyncWindows.CanSync(isManual=true)}: an active deny window blocks unless it allows manual
     * syncs; otherwise allow windows block while none of them is active.
     */
    static boolean canSync(List<Window> windows) {
        List<Window> active = windows.stream().filter(Window::active).toList();
        List<Window> deny = active.stream().filter(w -> w.kind().equals("deny")).toList();
        if (!deny.isEmpty()) {
            return deny.stream().allMatch(Window::manualSync);
        }
        if (active.stream().anyMatch(w -> w.kind().equals("allow"))) {
            return true;
        }
        List<Window> closedAllows = windows.stream().filter(w -> w.kind().equals("allow") && !w.active()).toList();
        return closedAllows.isEmpty() || closedAllows.stream().allMatch(Window::manualSync);
    }

    /** The {@code applicationApplicationSyncWindowsResponse}; like Argo CD, empty lists are left out. */
    static ObjectNode syncWindows(List<Window> windows) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode active = JSON.createArrayNode();
        ArrayNode assigned = JSON.createArrayNode();
        for (Window w : windows) {
            ObjectNode n = JSON.createObjectNode().put("kind", w.kind()).put("schedule", w.schedule())
                    .put("duration", w.duration()).put("manualSync", w.manualSync());
            assigned.add(n);
            if (w.active()) {
                active.add(n.deepCopy());
            }
        }
        if (!active.isEmpty()) {
            body.set("activeWindows", active);
        }
        if (!assigned.isEmpty()) {
            body.set("assignedWindows", assigned);
        }
        return body.put("canSync", canSync(windows));
    }

    /** One application's live state and script. Fields are the knobs tests turn. */
    public final class App {
        public final String name;
        public volatile String namespace = "argocd";
        public final Map<String, String> labels = new ConcurrentHashMap<>();
        /** {@code metadata.annotations["kargo.akuity.io/authorized-stage"]}; null: no such annotation. */
        public volatile String authorizedStage = AUTHORIZED_STAGES;
        /** Non-null: a multi-source app with these repo URLs (spec.sources). */
        public volatile List<String> sources;
        public volatile String syncStatus = "OutOfSync";
        public volatile String comparedRevision = OLD_REVISION;
        public volatile String health = "Healthy";
        public volatile String healthMessage;
        public volatile String opPhase = "Succeeded";
        public volatile String opMessage = "successfully synced (all tasks run)";
        public volatile String opRevision = OLD_REVISION;
        public volatile String opUser = "foo@example.com";
        public volatile String opPromotion;
        public volatile boolean pending;
        /** GETs during which someone else's operation is still Running. */
        public volatile int foreignOperationGets;
        /** Sync requests refused by a sync window before one is accepted (whatever {@link #windows} say). */
        public volatile int windowRefusals;
        /** The sync windows of the app's project that match the app; syncs are refused while they block. */
        public final List<Window> windows = new CopyOnWriteArrayList<>();
        /** Requests to {@code …/syncwindows} answered 503 before they are answered normally. */
        public volatile int windowReadFailures;
        /** Requests answered 503 before normal service resumes. */
        public volatile int failures;
        /** Never answers in time. */
        public volatile boolean blackHole;
        public volatile List<Consumer<App>> script = happy();
        volatile int step;
        public volatile String requestedRevision;
        public final List<JsonNode> syncBodies = new CopyOnWriteArrayList<>();
        /** Chart names of multi-source sources, by repo URL (spec.sources[].chart). */
        public final Map<String, String> charts = new ConcurrentHashMap<>();
        /** JSON merge patches received ({@code PATCH …/{name}}, patchType merge), applied in order to every render. */
        public final List<JsonNode> patches = new CopyOnWriteArrayList<>();
        public volatile int syncPostsDuringForeignOperation;

        App(String name) {
            this.name = name;
        }

        /** pending → Running (OutOfSync) → Succeeded/Synced/Progressing → Healthy. */
        public List<Consumer<App>> happy() {
            return List.of(a -> { }, a -> running(), a -> synced("Progressing", null), a -> a.health = "Healthy");
        }

        /** Synced, then Degraded with the controller's message. */
        public List<Consumer<App>> degraded(String message) {
            return List.of(a -> { }, a -> running(), a -> synced("Progressing", null), a -> {
                a.health = "Degraded";
                a.healthMessage = message;
            });
        }

        /** The sync operation itself fails. */
        public List<Consumer<App>> syncFails(String message) {
            return List.of(a -> running(), a -> {
                a.opPhase = "Failed";
                a.opMessage = message;
            });
        }

        private void running() {
            pending = false;
            opPhase = "Running";
            opMessage = "one or more tasks are running";
            syncStatus = "OutOfSync";
        }

        private void synced(String h, String msg) {
            opPhase = "Succeeded";
            opMessage = "successfully synced (all tasks run)";
            syncStatus = "Synced";
            comparedRevision = requestedRevision;
            health = h;
            healthMessage = msg;
        }

        /** How many steps of the script the app has walked. */
        public int stepsWalked() {
            return step;
        }

        synchronized void onGet() {
            if (foreignOperationGets > 0) {
                opPhase = "Running";
                opUser = "alice@example.com";
                opPromotion = null;
                if (--foreignOperationGets == 0) {
                    opPhase = "Succeeded";
                }
                return;
            }
            if (requestedRevision != null && step < script.size()) {
                script.get(step++).accept(this);
            }
        }

        ObjectNode render() {
            ObjectNode app = example.deepCopy();
            ObjectNode meta = (ObjectNode) app.path("metadata");
            meta.put("name", name).put("namespace", namespace);
            ObjectNode l = meta.putObject("labels");
            labels.forEach(l::put);
            ObjectNode annotations = (ObjectNode) meta.path("annotations");
            if (authorizedStage != null) {
                annotations.put("kargo.akuity.io/authorized-stage", authorizedStage);
            }
            ObjectNode spec = (ObjectNode) app.path("spec");
            ObjectNode status = (ObjectNode) app.path("status");
            ObjectNode sync = (ObjectNode) status.path("sync");
            sync.put("status", syncStatus);
            ObjectNode opState = (ObjectNode) status.path("operationState");
            ObjectNode operation = (ObjectNode) opState.path("operation");
            ObjectNode result = (ObjectNode) opState.path("syncResult");
            if (sources != null) {
                JsonNode single = spec.remove("source");
                ArrayNode arr = spec.putArray("sources");
                ArrayNode compared = sync.putArray("revisions");
                ArrayNode ran = result.putArray("revisions");
                for (int i = 0; i < sources.size(); i++) {
                    ObjectNode s = single.deepCopy();
                    s.put("repoURL", sources.get(i));
                    if (charts.containsKey(sources.get(i))) {
                        s.remove("path");
                        s.remove("plugin");
                        s.put("chart", charts.get(sources.get(i)));
                    }
                    arr.add(s);
                    boolean ours = i == sources.size() - 1;
                    compared.add(ours ? comparedRevision : "other-" + i);
                    ran.add(ours ? opRevision : "other-" + i);
                }
                sync.remove("revision");
                result.remove("revision");
            } else {
                sync.put("revision", comparedRevision);
                result.put("revision", opRevision);
            }
            ObjectNode h = status.putObject("health").put("status", health);
            if (healthMessage != null) {
                h.put("message", healthMessage);
            }
            opState.put("phase", opPhase).put("message", opMessage);
            operation.putObject("initiatedBy").put("username", opUser);
            ObjectNode syncOp = (ObjectNode) operation.path("sync");
            if (sources != null) {
                syncOp.remove("revision");
                syncOp.putArray("revisions").add(opRevision);
            } else {
                syncOp.put("revision", opRevision);
            }
            if (opPromotion != null) {
                operation.putArray("info").addObject().put("name", "freightline.io/promotion").put("value", opPromotion);
            }
            if (pending) {
                app.set("operation", operation.deepCopy());
            }
            for (JsonNode patch : patches) {
                merge(app, patch);
            }
            return app;
        }
    }

    private final class Sim implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent event) {
            var req = event.getRequest();
            String url = req.getUrl();
            int q = url.indexOf('?');
            String path = q < 0 ? url : url.substring(0, q);
            Map<String, List<String>> query = parseQuery(q < 0 ? "" : url.substring(q + 1));
            String body = req.getBodyAsString();
            String method = req.getMethod().getName();
            String auth = req.containsHeader("Authorization") ? req.getHeader("Authorization") : null;
            requests.add(new Recorded(method, path, query, body, auth, System.nanoTime()));
            contract.violations(method, path, query, body).forEach(violations::add);
            try {
                return handle(method, path, query, body, auth);
            } catch (RuntimeException e) {
                violations.add("simulator error on " + method + " " + url + ": " + e);
                return error(500, 13, e.toString());
            }
        }

        private ResponseDefinition handle(String method, String path, Map<String, List<String>> query, String body,
                                          String auth) {
            if (path.equals("/api/version")) {
                return json(200, JSON.createObjectNode().put("Version", "v3.5.1+fake"));
            }
            if (path.equals("/api/v1/session") && method.equals("POST")) {
                JsonNode b = read(body);
                if (SESSION_USER.equals(b.path("username").asText()) && SESSION_PASSWORD.equals(b.path("password").asText())) {
                    return json(200, JSON.createObjectNode().put("token", SESSION_TOKEN));
                }
                return error(401, 16, "Invalid username or password");
            }
            if (!("Bearer " + TOKEN).equals(auth) && !("Bearer " + SESSION_TOKEN).equals(auth)) {
                return error(401, 16, "invalid session: token signature is invalid");
            }
            if (path.equals("/api/v1/applications") && method.equals("GET")) {
                String selector = first(query, "selector");
                ArrayNode items = JSON.createArrayNode();
                apps.values().stream().filter(a -> matches(a, selector)).forEach(a -> items.add(a.render()));
                ObjectNode list = JSON.createObjectNode();
                list.putObject("metadata").put("resourceVersion", "1");
                list.set("items", items);
                return json(200, list);
            }
            String[] parts = path.split("/");
            // /api/v1/applications/{name}[/sync]
            if (parts.length < 5 || !parts[3].equals("applications")) {
                return error(404, 5, "Not Found");
            }
            App app = apps.get(parts[4]);
            if (app == null) {
                return error(404, 5, "applications.argoproj.io \"" + parts[4] + "\" not found");
            }
            String ns = first(query, "appNamespace");
            if (ns != null && !ns.equals(app.namespace)) {
                return error(404, 5, "applications.argoproj.io \"" + parts[4] + "\" not found");
            }
            if (app.blackHole) {
                return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withFixedDelay(4000)
                        .withBody("{}").build();
            }
            synchronized (app) {
                if (app.failures > 0) {
                    app.failures--;
                    return error(503, 14, "upstream connect error or disconnect/reset before headers");
                }
                if (parts.length == 5 && method.equals("GET")) {
                    app.onGet();
                    return json(200, app.render());
                }
                if (parts.length == 5 && method.equals("PATCH")) {
                    JsonNode b = read(body);
                    if (!"merge".equals(b.path("patchType").asText())) {
                        return error(400, 3, "unsupported patch type " + b.path("patchType").asText());
                    }
                    app.patches.add(read(b.path("patch").asText()));
                    return json(200, app.render());
                }
                if (parts.length == 6 && parts[5].equals("syncwindows") && method.equals("GET")) {
                    if (app.windowReadFailures > 0) {
                        app.windowReadFailures--;
                        return error(503, 14, "upstream connect error or disconnect/reset before headers");
                    }
                    return json(200, syncWindows(app.windows));
                }
                if (parts.length == 6 && parts[5].equals("sync") && method.equals("POST")) {
                    JsonNode b = read(body);
                    app.syncBodies.add(b);
                    if (app.pending || "Running".equals(app.opPhase)) {
                        if ("alice@example.com".equals(app.opUser)) {
                            app.syncPostsDuringForeignOperation++;
                        }
                        return error(400, 9, "another operation is already in progress");
                    }
                    if (app.windowRefusals > 0 || !canSync(app.windows)) {
                        app.windowRefusals = Math.max(0, app.windowRefusals - 1);
                        return error(403, 7, "cannot sync: blocked by sync window");
                    }
                    String rev = b.has("revisions") ? b.path("revisions").path(0).asText() : b.path("revision").asText(null);
                    app.requestedRevision = rev;
                    app.opRevision = rev;
                    app.opUser = "freightline";
                    app.opPromotion = null;
                    for (JsonNode info : b.path("infos")) {
                        if ("freightline.io/promotion".equals(info.path("name").asText())) {
                            app.opPromotion = info.path("value").asText();
                        }
                    }
                    app.pending = true;
                    app.step = 0;
                    return json(200, app.render());
                }
            }
            return error(404, 5, "Not Found");
        }

        @Override
        public String getName() {
            return "argocd-sim";
        }

        @Override
        public boolean applyGlobally() {
            return true;
        }
    }

    /** RFC 7386 JSON merge patch: objects merge key by key, null removes, anything else replaces. */
    static void merge(ObjectNode target, JsonNode patch) {
        patch.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && target.path(e.getKey()).isObject()) {
                merge((ObjectNode) target.get(e.getKey()), v);
            } else {
                target.set(e.getKey(), v.deepCopy());
            }
        });
    }

    private static boolean matches(App app, String selector) {
        if (selector == null || selector.isBlank()) {
            return true;
        }
        for (String term : selector.split(",")) {
            String[] kv = term.split("=", 2);
            if (kv.length != 2 || !kv[1].trim().equals(app.labels.get(kv[0].trim()))) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static ResponseDefinition json(int status, JsonNode body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body.toString()).build();
    }

    /** A grpc-gateway error body ({@code runtimeError}). */
    private static ResponseDefinition error(int status, int code, String message) {
        ObjectNode e = JSON.createObjectNode().put("error", message).put("code", code).put("message", message);
        e.putArray("details");
        return json(status, e);
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static Map<String, List<String>> parseQuery(String q) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (q.isEmpty()) {
            return out;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }
}
