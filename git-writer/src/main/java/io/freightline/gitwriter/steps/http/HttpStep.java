package io.freightline.gitwriter.steps.http;

import io.freightline.events.EventCodec;
import io.freightline.gitwriter.domain.Expressions;
import io.freightline.gitwriter.domain.GoDurations;
import io.freightline.gitwriter.domain.HttpRequests;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.yaml.YamlDocuments;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kargo's generic HTTP request. The outcome follows Kargo: {@code failureExpression} true → terminal failure (its
 * message from {@code errorExpression} when that yields a string); else {@code successExpression} true → success;
 * with neither expression a 2xx answer succeeds and any other is a retryable error; otherwise the request is
 * repeated every {@code pollInterval} until one of them is met, for at most the step's timeout (then retryable).
 * Expressions see {@code response.status}, {@code response.headers} (canonical names → lists of values),
 * {@code response.header(name)} and {@code response.body} (parsed as JSON, YAML or text).
 */
@ApplicationScoped
public class HttpStep implements Step<HttpConfig> {
    static final long MAX_BODY = 10L * 1024 * 1024;
    /** How long one run may poll before it hands back a retryable error. */
    static final Duration BUDGET = Duration.ofMinutes(5);
    static final Duration MIN_POLL = Duration.ofMillis(100);

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Class<HttpConfig> configType() {
        return HttpConfig.class;
    }

    @Override
    public String schema() {
        return HttpConfig.SCHEMA;
    }

    @Override
    public Duration timeout() {
        return BUDGET.plusSeconds(30);
    }

    @Override
    public boolean retryable() {
        return true;
    }

    /** What the expressions see as {@code response}; {@code header(name)} is case-insensitive like Go's. */
    public static final class Response {
        private final Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private final int status;
        private final Object body;

        Response(int status, Map<String, List<String>> headers, Object body) {
            headers.forEach((k, v) -> {
                if (!k.startsWith(":")) {
                    this.headers.put(canonical(k), v);
                    byName.put(k, v);
                }
            });
            this.status = status;
            this.body = body;
        }

        public int getStatus() {
            return status;
        }

        public Map<String, List<String>> getHeaders() {
            return headers;
        }

        public Object getBody() {
            return body;
        }

        public String header(String name) {
            List<String> v = byName.get(name);
            return v == null || v.isEmpty() ? "" : v.get(0);
        }

        private static String canonical(String name) {
            StringBuilder b = new StringBuilder();
            for (String part : name.split("-", -1)) {
                if (!b.isEmpty()) {
                    b.append('-');
                }
                if (!part.isEmpty()) {
                    b.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1).toLowerCase(Locale.ROOT));
                }
            }
            return b.toString();
        }
    }

    @Override
    public String run(StepContext ctx, HttpConfig config) throws StepException {
        String method = config.method() == null ? "GET" : config.method();
        Duration perRequest = config.timeout() == null ? Duration.ofSeconds(10) : GoDurations.parse("timeout", config.timeout());
        Duration poll = config.pollInterval() == null ? Duration.ofSeconds(30) : GoDurations.parse("pollInterval", config.pollInterval());
        if (poll.compareTo(MIN_POLL) < 0) {
            poll = MIN_POLL;
        }
        byte[] body = null;
        if (config.bodyFromFile() != null && !config.bodyFromFile().isEmpty()) {
            String file = ctx.workspace().resolve(config.bodyFromFile());
            body = ctx.workspace().read(file).orElseThrow(() -> StepException.terminal(config.bodyFromFile(), "no such file"));
        } else if (config.body() != null && !config.body().isEmpty()) {
            body = config.body().getBytes(StandardCharsets.UTF_8);
        }
        List<Map.Entry<String, String>> query = new ArrayList<>();
        if (config.queryParams() != null) {
            config.queryParams().forEach(q -> query.add(Map.entry(q.name(), q.value())));
        }
        var uri = HttpRequests.uri(config.url(), query);
        String what = method + " " + Redact.text(config.url());
        long deadline = System.nanoTime() + BUDGET.toNanos();
        try {
            while (true) {
                HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(perRequest)
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                if (config.headers() != null) {
                    for (HttpConfig.NameValue h : config.headers()) {
                        req.header(h.name(), h.value());
                    }
                }
                HttpRequests.Answer a = HttpRequests.send(req, config.proxy(), Boolean.TRUE.equals(config.insecureSkipTLSVerify()), MAX_BODY);
                Response response = new Response(a.status(), a.headers(), parse(a, config.responseContentType()));
                Map<String, Object> vars = Map.of("response", response);
                boolean failed = has(config.failureExpression())
                        && Expressions.truthy(Expressions.eval(config.failureExpression(), vars, "failureExpression"));
                if (failed) {
                    throw StepException.terminal(errorMessage(config, vars, what, a.status()));
                }
                boolean succeeded;
                if (has(config.successExpression())) {
                    succeeded = Expressions.truthy(Expressions.eval(config.successExpression(), vars, "successExpression"));
                } else if (!has(config.failureExpression())) {
                    if (a.status() / 100 != 2) {
                        throw StepException.retryable(what + " answered " + a.status(), null);
                    }
                    succeeded = true;
                } else {
                    succeeded = false;
                }
                if (succeeded) {
                    int n = 0;
                    if (config.outputs() != null) {
                        for (HttpConfig.Output o : config.outputs()) {
                            ctx.output(o.name(), Expressions.eval(o.fromExpression(), vars, "outputs[" + n++ + "].fromExpression"));
                        }
                    }
                    return what + " answered " + a.status();
                }
                if (System.nanoTime() + poll.toNanos() > deadline) {
                    throw StepException.retryable(what + ": neither successExpression nor failureExpression is met "
                            + "yet (last status " + a.status() + ")", null);
                }
                Thread.sleep(poll.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StepException.retryable(what + ": interrupted", e);
        }
    }

    private static boolean has(String expression) {
        return expression != null && !expression.isBlank();
    }

    private static String errorMessage(HttpConfig config, Map<String, Object> vars, String what, int status) throws StepException {
        String fallback = what + " (status " + status + "): failureExpression met";
        if (!has(config.errorExpression())) {
            return fallback;
        }
        try {
            Object m = Expressions.eval(config.errorExpression(), vars, "errorExpression");
            return m instanceof String s && !s.isEmpty() ? s : fallback;
        } catch (StepException e) {
            if (e.getMessage().contains("syntax error")) {
                throw e; // a malformed expression is the template's error, as in Kargo
            }
            return fallback;
        }
    }

    /** The body as Kargo parses it: by the given or announced content type, JSON as the fallback. */
    static Object parse(HttpRequests.Answer a, String forced) {
        if (a.body().length == 0) {
            return new LinkedHashMap<>();
        }
        String type = forced;
        if (type == null) {
            List<String> ct = a.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("content-type"))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            type = ct.isEmpty() ? "" : ct.get(0).split(";")[0].trim().toLowerCase(Locale.ROOT);
        }
        String text = new String(a.body(), StandardCharsets.UTF_8);
        if (type.equals("text/plain")) {
            return text;
        }
        if (type.equals("application/yaml") || type.equals("text/yaml") || type.equals("application/x-yaml")) {
            try {
                return YamlDocuments.first("response", text);
            } catch (StepException e) {
                return text;
            }
        }
        try {
            return EventCodec.mapper().readValue(text, Object.class);
        } catch (Exception e) {
            return new LinkedHashMap<>();
        }
    }
}
