package io.freightline.notifier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freightline.notifier.config.NotifierConfig;
import io.freightline.notifier.domain.AppRef;
import io.freightline.notifier.domain.AppSnapshot;
import io.freightline.notifier.domain.ArgoCdException;
import io.freightline.notifier.domain.ArgoCdGateway;
import io.freightline.notifier.domain.Assessor;
import io.freightline.notifier.domain.SyncWindows;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The configured Argo CD servers. Each has its own REST clients (TLS, timeouts), credentials, and a SmallRye Fault
 * Tolerance guard: a circuit breaker per server (one slow Argo CD does not starve stages on another) around a few
 * quick retries of 5xx/timeouts. Maps HTTP failures to {@link ArgoCdException}s; times every call.
 */
@ApplicationScoped
public class ArgoCdServers implements ArgoCdGateway {
    private static final Logger LOG = Logger.getLogger(ArgoCdServers.class);
    /** The name of the server configured by freightline.notifier.argocd.url. */
    public static final String DEFAULT = "default";

    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    private final MeterRegistry meters;

    @Inject
    public ArgoCdServers(NotifierConfig config, MeterRegistry meters) {
        this.meters = meters;
        NotifierConfig.ArgoCd argocd = config.argocd();
        argocd.defaults().url().filter(u -> !u.isBlank())
                .ifPresent(u -> servers.put(DEFAULT, new Server(DEFAULT, u, argocd.defaults(), argocd)));
        argocd.servers().forEach((name, s) -> s.url().filter(u -> !u.isBlank())
                .ifPresent(u -> servers.put(name, new Server(name, u, s, argocd))));
        servers.values().forEach(s -> LOG.infof("Argo CD server '%s' at %s (%s)", s.name, s.baseUrl,
                s.token != null ? "bearer token" : s.username != null ? "session login as " + s.username : "no credentials"));
    }

    /** Names of the configured servers. */
    public List<String> names() {
        return List.copyOf(servers.keySet());
    }

    @Override
    public boolean configured(String server) {
        return servers.containsKey(name(server));
    }

    @Override
    public List<AppSnapshot> list(String server, String selector) {
        Server s = server(server);
        JsonNode body = s.call("list", () -> s.api.list(selector, s.authorization()));
        List<AppSnapshot> apps = new ArrayList<>();
        body.path("items").forEach(item -> apps.add(AppSnapshot.from(item)));
        return apps;
    }

    @Override
    public AppSnapshot get(String server, AppRef app, String refresh) {
        Server s = server(server);
        ArgoCdApi api = refresh == null ? s.api : s.refreshApi;
        return AppSnapshot.from(s.call(refresh == null ? "get" : "refresh",
                () -> api.get(app.name(), refresh, app.namespace(), app.project(), s.authorization())));
    }

    @Override
    public AppSnapshot sync(String server, AppRef app, SyncSpec spec) {
        Server s = server(server);
        ObjectNode body = json.createObjectNode();
        body.put("name", app.name());
        if (app.namespace() != null) {
            body.put("appNamespace", app.namespace());
        }
        if (app.project() != null) {
            body.put("project", app.project());
        }
        if (spec.sourceIndex() < 0) {
            body.put("revision", spec.revision());
        } else {
            // Multi-source: revisions[i] goes to the 1-based sourcePositions[i] (int64, a JSON string per swagger).
            body.putArray("revisions").add(spec.revision());
            body.putArray("sourcePositions").add(String.valueOf(spec.sourceIndex() + 1));
        }
        ArrayNode infos = body.putArray("infos");
        infos.addObject().put("name", Assessor.INFO_PROMOTION).put("value", spec.promotionId());
        String text = body.toString();
        return AppSnapshot.from(s.call("sync", () -> s.api.sync(app.name(), text, s.authorization())));
    }

    @Override
    public JsonNode application(String server, AppRef app) {
        Server s = server(server);
        return s.call("get", () -> s.api.get(app.name(), null, app.namespace(), app.project(), s.authorization()));
    }

    @Override
    public void patch(String server, AppRef app, JsonNode mergePatch) {
        Server s = server(server);
        ObjectNode body = json.createObjectNode();
        body.put("name", app.name());
        body.put("patch", mergePatch.toString());
        body.put("patchType", "merge");
        if (app.namespace() != null) {
            body.put("appNamespace", app.namespace());
        }
        if (app.project() != null) {
            body.put("project", app.project());
        }
        String text = body.toString();
        s.call("patch", () -> s.api.patch(app.name(), text, s.authorization()));
    }

    @Override
    public SyncWindows syncWindows(String server, AppRef app) {
        Server s = server(server);
        return SyncWindows.from(s.call("syncwindows",
                () -> s.api.syncWindows(app.name(), app.namespace(), app.project(), s.authorization())));
    }

    /** Whether the server answers at all (GET /api/version, no credentials needed); the failure otherwise. */
    public Optional<String> unreachable(String server) {
        Server s = server(server);
        try (Response r = s.probeApi.version()) {
            return r.getStatus() < 500 ? Optional.empty() : Optional.of("HTTP " + r.getStatus());
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private Server server(String server) {
        Server s = servers.get(name(server));
        if (s == null) {
            throw new ArgoCdException.NotFound("Argo CD server '" + name(server) + "' is not configured");
        }
        return s;
    }

    private static String name(String server) {
        return server == null || server.isBlank() ? DEFAULT : server;
    }

    private final class Server {
        final String name;
        final String baseUrl;
        final ArgoCdApi api;
        final ArgoCdApi refreshApi;
        final ArgoCdApi probeApi;
        final Guard guard;
        final String token;
        final String username;
        final String password;
        volatile String sessionToken;

        Server(String name, String url, NotifierConfig.Server cfg, NotifierConfig.ArgoCd common) {
            this.name = name;
            this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            this.token = cfg.token().filter(t -> !t.isBlank()).orElse(null);
            this.username = cfg.username().filter(t -> !t.isBlank()).orElse(null);
            this.password = cfg.password().orElse(null);
            KeyStore trust = cfg.caCert().map(ArgoCdServers::trustStore).orElse(null);
            this.api = client(cfg, trust, common.connectTimeout().toMillis(), common.requestTimeout().toMillis());
            this.refreshApi = client(cfg, trust, common.connectTimeout().toMillis(), common.refreshTimeout().toMillis());
            this.probeApi = client(cfg, trust, 2000, 3000);
            this.guard = Guard.create()
                    .withDescription("argocd-" + name)
                    .withRetry().maxRetries(common.retries()).delay(common.retryDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(Math.max(1, common.retryDelay().toMillis() / 4), ChronoUnit.MILLIS)
                    .retryOn(ArgoCdException.Unavailable.class)
                    .withExponentialBackoff().factor(2).maxDelay(5, ChronoUnit.SECONDS).done()
                    .done()
                    .withCircuitBreaker().name("argocd-" + name)
                    .requestVolumeThreshold(common.circuitBreakerRequests())
                    .failureRatio(common.circuitBreakerFailureRatio())
                    .delay(common.circuitBreakerDelay().toMillis(), ChronoUnit.MILLIS)
                    .failOn(ArgoCdException.Unavailable.class)
                    .onStateChange(st -> LOG.warnf("circuit breaker of Argo CD server '%s' is now %s", name, st))
                    .done()
                    .build();
        }

        private ArgoCdApi client(NotifierConfig.Server cfg, KeyStore trust, long connectMs, long readMs) {
            QuarkusRestClientBuilder b = QuarkusRestClientBuilder.newBuilder()
                    .baseUri(URI.create(baseUrl))
                    .connectTimeout(connectMs, TimeUnit.MILLISECONDS)
                    .readTimeout(readMs, TimeUnit.MILLISECONDS)
                    .property("microprofile.rest.client.disable.default.mapper", true);
            if (cfg.insecure()) {
                b.trustAll(true).verifyHost(false);
            } else if (trust != null) {
                b.trustStore(trust);
            }
            return b.build(ArgoCdApi.class);
        }

        String authorization() {
            if (token != null) {
                return "Bearer " + token;
            }
            if (username == null) {
                return null;
            }
            String t = sessionToken;
            if (t == null) {
                t = login();
            }
            return "Bearer " + t;
        }

        private synchronized String login() {
            if (sessionToken != null) {
                return sessionToken;
            }
            ObjectNode body = json.createObjectNode().put("username", username).put("password", password);
            JsonNode r = call0("session", () -> api.session(body.toString()));
            String t = r.path("token").asText(null);
            if (t == null || t.isBlank()) {
                throw new ArgoCdException.Unauthorized("Argo CD server '" + name + "': POST /api/v1/session returned no token");
            }
            sessionToken = t;
            return t;
        }

        /** A guarded call; a session token that expired is renewed once. */
        JsonNode call(String operation, java.util.function.Supplier<Response> request) {
            try {
                return call0(operation, request);
            } catch (ArgoCdException.Unauthorized e) {
                if (token == null && username != null && sessionToken != null) {
                    sessionToken = null;
                    return call0(operation, request);
                }
                throw e;
            }
        }

        private JsonNode call0(String operation, java.util.function.Supplier<Response> request) {
            try {
                return guard.get(() -> once(operation, request), JsonNode.class);
            } catch (CircuitBreakerOpenException e) {
                record(operation, "circuit_open", 0);
                throw new ArgoCdException.Unavailable("Argo CD server '" + name + "' circuit breaker is open after "
                        + "repeated failures", e);
            }
        }

        private JsonNode once(String operation, java.util.function.Supplier<Response> request) {
            long start = System.nanoTime();
            String outcome = "error";
            try (Response r = request.get()) {
                int status = r.getStatus();
                String text = r.hasEntity() ? r.readEntity(String.class) : "";
                if (status >= 200 && status < 300) {
                    outcome = "success";
                    try {
                        return text.isBlank() ? json.createObjectNode() : json.readTree(text);
                    } catch (Exception e) {
                        outcome = "malformed";
                        throw new ArgoCdException.Unavailable("Argo CD server '" + name + "' answered " + operation
                                + " with a body that is not JSON", e);
                    }
                }
                ArgoCdException error = classify(operation, status, text);
                outcome = outcomeOf(error);
                throw error;
            } catch (ProcessingException e) {
                outcome = "unavailable";
                throw new ArgoCdException.Unavailable("Argo CD server '" + name + "' " + operation + " failed: "
                        + rootMessage(e), e);
            } finally {
                record(operation, outcome, System.nanoTime() - start);
            }
        }

        private ArgoCdException classify(String operation, int status, String text) {
            String message = text;
            int code = -1;
            try {
                JsonNode err = json.readTree(text);
                if (err != null && err.isObject()) {
                    message = err.path("message").asText(err.path("error").asText(text));
                    code = err.path("code").asInt(-1);
                }
            } catch (Exception ignored) {
                // not a runtimeError body: keep the text
            }
            if (message != null && message.length() > 300) {
                message = message.substring(0, 300) + "…";
            }
            String where = "Argo CD server '" + name + "' " + operation + ": HTTP " + status + ": " + message;
            String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
            if (status == 401) {
                return new ArgoCdException.Unauthorized(where + " (the token is missing, invalid or expired: check "
                        + "freightline.notifier.argocd" + (DEFAULT.equals(name) ? "" : ".servers." + name) + ".token)");
            }
            if (status == 403 && lower.contains("sync window")) {
                return new ArgoCdException.SyncWindowBlocked(message);
            }
            if (status == 403) {
                return new ArgoCdException.Forbidden(where + " (the account lacks the RBAC permission, e.g. "
                        + "'applications, get/sync' on the app's project)");
            }
            if (status == 404) {
                return new ArgoCdException.NotFound(where);
            }
            if ((status == 400 || status == 409) && (code == 9 || lower.contains("another operation is already in progress"))) {
                return new ArgoCdException.OperationInProgress(message);
            }
            if (status == 408 || status == 429 || status >= 500) {
                return new ArgoCdException.Unavailable(where, null);
            }
            return new ArgoCdException.Rejected(where);
        }

        private void record(String operation, String outcome, long nanos) {
            Timer.builder("freightline.argocd.request.duration")
                    .description("Argo CD API calls")
                    .tags("server", name, "operation", operation, "outcome", outcome)
                    .publishPercentileHistogram()
                    .register(meters)
                    .record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private static String outcomeOf(ArgoCdException e) {
        if (e instanceof ArgoCdException.Unauthorized) {
            return "unauthorized";
        }
        if (e instanceof ArgoCdException.Forbidden) {
            return "forbidden";
        }
        if (e instanceof ArgoCdException.NotFound) {
            return "not_found";
        }
        if (e instanceof ArgoCdException.OperationInProgress) {
            return "operation_in_progress";
        }
        if (e instanceof ArgoCdException.SyncWindowBlocked) {
            return "sync_window";
        }
        if (e instanceof ArgoCdException.Unavailable) {
            return "unavailable";
        }
        return "rejected";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    static KeyStore trustStore(String pemFile) {
        try (InputStream in = Files.newInputStream(Path.of(pemFile))) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("no certificate in " + pemFile);
            }
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the Argo CD CA certificate " + pemFile + ": " + e.getMessage(), e);
        }
    }
}
