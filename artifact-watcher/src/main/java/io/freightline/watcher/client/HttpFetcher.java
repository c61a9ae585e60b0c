package io.freightline.watcher.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freightline.watcher.config.WatcherConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Outbound HTTP for registries and chart repositories: per-host rate limit, bounded retries with backoff on
 * 429/5xx/I-O errors (Retry-After wins), the Docker token-auth challenge ({@code WWW-Authenticate: Bearer}) and
 * basic auth. A plain JDK client rather than a REST-client interface because base URLs come from the warehouse
 * specs at run time and the auth dance needs the raw 401.
 */
@ApplicationScoped
public class HttpFetcher {
    private static final Logger LOG = Logger.getLogger(HttpFetcher.class);
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    WatcherConfig config;
    @Inject
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final LongAdder calls = new LongAdder();

    private record Token(String value, Instant expires) {
    }

    /** A response: status, headers we use, body bytes. */
    public record Response(int status, Map<String, String> headers, byte[] body, URI uri) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new RegistryException("invalid JSON from " + uri.getHost() + uri.getPath(), status, false);
            }
        }
    }

    /** HTTP requests made so far (every attempt, token requests included). */
    public long calls() {
        return calls.sum();
    }

    /** {@code http} for configured plain-HTTP hosts (loopback by default), {@code https} otherwise. */
    public String scheme(String host) {
        String h = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        return config.plainHttpHosts().stream().anyMatch(p -> p.equalsIgnoreCase(h) || p.equalsIgnoreCase(host)) ? "http" : "https";
    }

    /**
     * Sends a request, doing auth and retries. 2xx, 304 and 404 are returned; other statuses throw.
     *
     * @param scope the token scope to ask for on a Bearer challenge (e.g. {@code repository:a/b:pull}), or null
     */
    public Response send(String method, URI uri, Map<String, String> headers, String scope) {
        String host = hostOf(uri);
        int attempt = 0;
        boolean authRetried = false;
        while (true) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(config.poll().httpTimeout())
                    .method(method, HttpRequest.BodyPublishers.noBody());
            headers.forEach(b::header);
            authorization(host, scope).ifPresent(a -> b.header("Authorization", a));
            Response r;
            try {
                r = execute(host, b.build());
            } catch (IOException e) {
                if (attempt++ >= config.poll().retries()) {
                    throw new RegistryException(method + " " + host + uri.getPath() + ": " + e, 0, true);
                }
                backoff(attempt, null);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted", 0, true);
            }
            if (r.status() == 401 && !authRetried) {
                authRetried = true;
                if (answerChallenge(host, r.header("www-authenticate"), scope)) {
                    continue;
                }
            }
            if (r.status() == 429 || r.status() >= 500) {
                if (attempt++ >= config.poll().retries()) {
                    throw new RegistryException(method + " " + host + uri.getPath() + " answered " + r.status(), r.status(), true);
                }
                backoff(attempt, r.header("retry-after"));
                continue;
            }
            if (r.status() / 100 == 2 || r.status() == 304 || r.status() == 404) {
                return r;
            }
            throw new RegistryException(method + " " + host + uri.getPath() + " answered " + r.status(), r.status(), false);
        }
    }

    private Response execute(String host, HttpRequest request) throws IOException, InterruptedException {
        limiter(host).acquire();
        calls.increment();
        HttpResponse<byte[]> resp = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        Map<String, String> h = new LinkedHashMap<>();
        resp.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        return new Response(resp.statusCode(), h, resp.body(), request.uri());
    }

    private RateLimiter limiter(String host) {
        return limiters.computeIfAbsent(host, h -> new RateLimiter(config.poll().rateLimitPerSecond(),
                () -> meters.counter("freightline.rate.limit.waits", "registry", h).increment()));
    }

    private Optional<String> authorization(String host, String scope) {
        Token t = tokens.get(host + "|" + scope);
        if (t != null && t.expires.isAfter(Instant.now())) {
            return Optional.of("Bearer " + t.value);
        }
        if (tokens.containsKey(host + "|basic")) {
            return basic(host);
        }
        return Optional.empty();
    }

    private Optional<String> basic(String host) {
        return config.credentials().values().stream().filter(c -> c.host().equalsIgnoreCase(host))
                .filter(c -> c.username().isPresent() && c.password().isPresent()).findFirst()
                .map(c -> "Basic " + Base64.getEncoder().encodeToString(
                        (c.username().get() + ":" + c.password().get()).getBytes(StandardCharsets.UTF_8)));
    }

    /** Handles {@code WWW-Authenticate}: Basic (use configured credentials) or Bearer (fetch a token). */
    private boolean answerChallenge(String host, String challenge, String scope) {
        if (challenge == null) return false;
        String lower = challenge.toLowerCase(Locale.ROOT);
        if (lower.startsWith("basic")) {
            if (basic(host).isEmpty()) return false;
            tokens.put(host + "|basic", new Token("", Instant.MAX));
            return true;
        }
        if (!lower.startsWith("bearer")) return false;
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        String realm = params.get("realm");
        if (realm == null) return false;
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (params.containsKey("service")) url.append("service=").append(enc(params.get("service"))).append('&');
        String wanted = params.getOrDefault("scope", scope);
        if (wanted != null) url.append("scope=").append(enc(wanted));
        URI tokenUri = URI.create(url.toString());
        HttpRequest.Builder b = HttpRequest.newBuilder(tokenUri).timeout(config.poll().httpTimeout()).GET();
        basic(host).ifPresent(a -> b.header("Authorization", a));
        try {
            Response r = execute(hostOf(tokenUri), b.build());
            if (r.status() != 200) {
                LOG.warnf("token endpoint %s answered %d", tokenUri.getHost(), r.status());
                return false;
            }
            JsonNode body = r.json();
            String token = body.hasNonNull("token") ? body.get("token").asText() : body.path("access_token").asText(null);
            if (token == null) return false;
            long ttl = body.path("expires_in").asLong(60);
            tokens.put(host + "|" + scope, new Token(token, Instant.now().plusSeconds(Math.max(10, ttl - 5))));
            return true;
        } catch (IOException e) {
            LOG.warnf("token endpoint %s failed: %s", tokenUri.getHost(), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void backoff(int attempt, String retryAfter) {
        long millis = retryAfterMillis(retryAfter, Instant.now())
                .orElse(config.poll().backoff().toMillis() << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(Math.min(millis, 30_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A {@code Retry-After} value (delay in seconds, or an HTTP date) as a delay from now; empty when absent or unreadable. */
    static Optional<Long> retryAfterMillis(String retryAfter, Instant now) {
        if (retryAfter == null || retryAfter.isBlank()) return Optional.empty();
        String v = retryAfter.trim();
        try {
            return Optional.of(Math.max(0, Long.parseLong(v)) * 1000);
        } catch (NumberFormatException e) {
            try {
                Instant at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(Math.max(0, Duration.between(now, at).toMillis()));
            } catch (java.time.format.DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String hostOf(URI uri) {
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }
}
