package io.freightline.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.freightline.events.EventCodec;
import io.freightline.testsupport.Contracts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A simulated Argo CD API server (WireMock) shaped by shared/contracts/argocd: {@code POST
 * /api/v1/applications/{name}/sync} records the revision; {@code GET /api/v1/applications/{name}} answers the real
 * application-example.json walked from Running/OutOfSync/Progressing to Succeeded/Synced/Healthy at that revision,
 * or to the health a test scripted for the app ({@link #onNextSync}, {@link #health}); {@code GET
 * …/syncwindows} answers that no window blocks. It checks the bearer token, and can be switched to answer 5xx, hang
 * or reset connections.
 */
public final class FakeArgoCD implements AutoCloseable {
    public enum Mode { OK, ERROR_5XX, HANG, RESET }

    private static final ObjectMapper JSON = EventCodec.mapper();
    private static final Pattern SYNC = Pattern.compile("^/api/v1/applications/([^/?]+)/sync$");
    private static final Pattern GET = Pattern.compile("^/api/v1/applications/([^/?]+)$");
    private static final Pattern WINDOWS = Pattern.compile("^/api/v1/applications/([^/?]+)/syncwindows$");

    private final String token;
    private final WireMockServer server;
    private final ObjectNode template;
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong faulted = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private volatile Mode mode = Mode.OK;
    private volatile int walkSteps = 2;
    private volatile int hangMillis = 30_000;

    /**
     * An application health as Argo CD reports it: {@code status.health.status}, and the Deployment's health in
     * {@code status.resources[]} with the controller's message.
     */
    public record Health(String status, String message) {
        public static Health healthy() {
            return new Health("Healthy", null);
        }

        /** Still rolling out, e.g. {@code Waiting for rollout to finish: 0 of 1 updated replicas are available...}. */
        public static Health progressing(String message) {
            return new Health("Progressing", message);
        }

        /** Failed, e.g. {@code Deployment "app" exceeded its progress deadline}. */
        public static Health degraded(String message) {
            return new Health("Degraded", message);
        }
    }

    /** One application's state: the last sync's revision and how many GETs have seen it since. */
    static final class App {
        volatile String revision = "ea8759964626a583667a2bfd08f334ec2070040a";
        volatile int getsSinceSync = 99;
        /** The health once the walk after the last sync is over; null = Healthy. */
        volatile Health health;
        /** Becomes {@link #health} at the next sync. */
        volatile Health nextSync;
        final List<String> synced = new ArrayList<>();
        /** GET answers that showed the app Synced, per "revision health". */
        final Map<String, AtomicLong> shown = new ConcurrentHashMap<>();
    }

    public FakeArgoCD(String token) {
        this.token = token;
        try {
            this.template = (ObjectNode) JSON.readTree(Contracts.read("argocd/application-example.json"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the Argo CD application contract", e);
        }
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(40)
                .notifier(new ConsoleNotifier(false)).disableRequestJournal().extensions(new Transformer()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404)));
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public void mode(Mode m) {
        this.mode = m;
    }

    public Mode mode() {
        return mode;
    }

    /** How many GETs after a sync before the app is Synced and Healthy (0 = at once). */
    public void walkSteps(int steps) {
        this.walkSteps = steps;
    }

    public void hangMillis(int millis) {
        this.hangMillis = millis;
    }

    public long requests() {
        return requests.get();
    }

    public long faulted() {
        return faulted.get();
    }

    public long unauthorized() {
        return unauthorized.get();
    }

    public long syncs() {
        return syncs.get();
    }

    /**
     * Scripts what the application does after the next sync (to the next revision promoted to it): it walks through
     * Running and Progressing as usual, then stays at {@code health} instead of turning Healthy.
     */
    public void onNextSync(String app, Health health) {
        apps.computeIfAbsent(app, n -> new App()).nextSync = health;
    }

    /** Sets the application's health at the revision it synced last, e.g. a rollout that finally turned Healthy. */
    public void health(String app, Health health) {
        apps.computeIfAbsent(app, n -> new App()).health = health;
    }

    /** How many GET answers showed the application Synced at the revision with that health status. */
    public long shown(String app, String revision, String healthStatus) {
        App a = apps.get(app);
        AtomicLong n = a == null ? null : a.shown.get(revision + " " + healthStatus);
        return n == null ? 0 : n.get();
    }

    /** The revisions synced for an application, in order. */
    public List<String> syncedRevisions(String app) {
        App a = apps.get(app);
        if (a == null) {
            return List.of();
        }
        synchronized (a.synced) {
            return List.copyOf(a.synced);
        }
    }

    /** The revision the application last synced to, or null when never synced. */
    public String revision(String app) {
        List<String> s = syncedRevisions(app);
        return s.isEmpty() ? null : s.get(s.size() - 1);
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Transformer implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "freightline-argocd";
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Request req = event.getRequest();
            requests.incrementAndGet();
            String path = req.getUrl().replaceFirst("\\?.*$", "");
            Mode m = mode;
            if (m == Mode.ERROR_5XX) {
                faulted.incrementAndGet();
                return error(503, 14, "connection error: desc = \"transport: error while dialing\"");
            }
            if (m == Mode.HANG) {
                faulted.incrementAndGet();
                return ResponseDefinitionBuilder.responseDefinition().withStatus(504).withFixedDelay(hangMillis)
                        .withHeader("Content-Type", "application/json").withBody("{\"code\":4,\"message\":\"context deadline exceeded\"}").build();
            }
            if (m == Mode.RESET) {
                faulted.incrementAndGet();
                return ResponseDefinitionBuilder.responseDefinition().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
            }
            String auth = req.getHeader("Authorization");
            if (auth == null || !auth.equals("Bearer " + token)) {
                unauthorized.incrementAndGet();
                return error(401, 16, "invalid session: token signature is invalid");
            }
            Matcher sync = SYNC.matcher(path);
            if (req.getMethod().getName().equals("POST") && sync.matches()) {
                return sync(sync.group(1), req.getBodyAsString());
            }
            Matcher get = GET.matcher(path);
            if (req.getMethod().getName().equals("GET") && get.matches()) {
                App app = apps.computeIfAbsent(get.group(1), n -> new App());
                ObjectNode answer;
                synchronized (app) {
                    int step = app.getsSinceSync++;
                    answer = application(get.group(1), app, step);
                }
                JsonNode status = answer.path("status");
                if ("Synced".equals(status.path("sync").path("status").asText())) {
                    app.shown.computeIfAbsent(status.path("sync").path("revision").asText() + " "
                            + status.path("health").path("status").asText(), k -> new AtomicLong()).incrementAndGet();
                }
                return ok(answer);
            }
            if (req.getMethod().getName().equals("GET") && WINDOWS.matcher(path).matches()) {
                // applicationApplicationSyncWindowsResponse of an app no window applies to (empty lists left out)
                return ok(JSON.createObjectNode().put("canSync", true));
            }
            if (req.getMethod().getName().equals("GET") && path.equals("/api/v1/applications")) {
                ObjectNode list = JSON.createObjectNode();
                list.putObject("metadata");
                ArrayNode items = list.putArray("items");
                apps.forEach((name, app) -> items.add(application(name, app, 99)));
                return ok(list);
            }
            return error(404, 5, "not found");
        }

        private ResponseDefinition sync(String name, String body) {
            String revision;
            try {
                JsonNode req = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
                revision = req.path("revision").asText(null);
                if ((revision == null || revision.isEmpty()) && req.path("revisions").isArray() && req.path("revisions").size() > 0) {
                    revision = req.path("revisions").get(0).asText();
                }
            } catch (Exception e) {
                return error(400, 3, "error unmarshaling request: " + e.getClass().getSimpleName());
            }
            App app = apps.computeIfAbsent(name, n -> new App());
            String rev = revision == null || revision.isEmpty() ? "HEAD" : revision;
            synchronized (app.synced) {
                app.synced.add(rev);
            }
            synchronized (app) {
                app.revision = rev;
                app.getsSinceSync = 0;
                app.health = app.nextSync;
                app.nextSync = null;
                syncs.incrementAndGet();
                return ok(application(name, app, -1));
            }
        }
    }

    /**
     * The contract Application at the app's revision: step -1 = just queued (operation set), 0 = Running/OutOfSync,
     * 1.. = Succeeded/Synced with health Progressing until {@code walkSteps}, then Healthy or the scripted health.
     */
    private ObjectNode application(String name, App state, int step) {
        String revision = state.revision;
        ObjectNode app = template.deepCopy();
        ObjectNode meta = (ObjectNode) app.path("metadata");
        meta.put("name", name);
        meta.put("namespace", "argocd");
        if (name.startsWith("demo-")) { // the demo pipeline maps stage s of project demo to app demo-s
            ((ObjectNode) meta.path("annotations")).put("kargo.akuity.io/authorized-stage",
                    "demo:" + name.substring("demo-".length()));
        }
        ObjectNode status = (ObjectNode) app.path("status");
        ObjectNode op = (ObjectNode) status.path("operationState");
        ((ObjectNode) op.path("operation").path("sync")).put("revision", revision);
        ((ObjectNode) op.path("syncResult")).put("revision", revision);
        ObjectNode sync = (ObjectNode) status.path("sync");
        ObjectNode health = (ObjectNode) status.path("health");
        String now = Instant.now().toString();
        int steps = walkSteps;
        if (step < steps && step <= 0) {
            ObjectNode operation = app.putObject("operation");
            operation.putObject("sync").put("revision", revision);
            operation.putObject("initiatedBy").put("username", "freightline");
            op.put("phase", "Running");
            op.put("message", "one or more tasks are running");
            op.remove("finishedAt");
            op.put("startedAt", now);
            sync.put("status", "OutOfSync");
            health.put("status", "Progressing");
        } else {
            op.put("phase", "Succeeded");
            op.put("message", "successfully synced (all tasks run)");
            op.put("finishedAt", now);
            sync.put("status", "Synced");
            sync.put("revision", revision);
            Health h = step < steps ? Health.progressing(null) : state.health != null ? state.health : Health.healthy();
            health.put("status", h.status());
            // like Argo CD 3's controller: status.health.message stays empty, the words are on the resource whose
            // health decides the app's
            for (JsonNode r : status.path("resources")) {
                if ("Deployment".equals(r.path("kind").asText())) {
                    ObjectNode rh = ((ObjectNode) r).putObject("health").put("status", h.status());
                    if (h.message() != null) {
                        rh.put("message", h.message());
                    }
                }
            }
        }
        status.put("reconciledAt", now);
        return app;
    }

    private static ResponseDefinition ok(JsonNode body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body.toString()).build();
    }

    private static ResponseDefinition error(int status, int code, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("code", code);
        e.put("error", message);
        e.put("message", message);
        e.putArray("details");
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(e.toString()).build();
    }
}
