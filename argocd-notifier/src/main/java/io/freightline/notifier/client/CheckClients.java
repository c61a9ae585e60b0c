package io.freightline.notifier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freightline.notifier.domain.CheckGateway;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Calls of the verification checks. The {@code http} check hits arbitrary user URLs with any method, which a typed
 * REST client interface cannot express, so it uses the JDK HTTP client; Prometheus has a fixed API and gets a REST
 * client per address. Neither retries on its own: the check's evaluation count and interval are the retry policy.
 */
@ApplicationScoped
public class CheckClients implements CheckGateway {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Map<String, PrometheusApi> prometheus = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public CheckGateway.HttpResponse http(String method, String url, Map<String, String> headers, String body,
                                          Duration timeout) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        java.net.http.HttpResponse<String> r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return new CheckGateway.HttpResponse(r.statusCode(), r.body());
    }

    @Override
    public List<Double> prometheus(String address, String query, Duration timeout) throws Exception {
        PrometheusApi api = prometheus.computeIfAbsent(address + "|" + timeout.toMillis(), k -> QuarkusRestClientBuilder
                .newBuilder().baseUri(URI.create(address)).connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .property("microprofile.rest.client.disable.default.mapper", true).build(PrometheusApi.class));
        try (Response r = api.query(query)) {
            String text = r.hasEntity() ? r.readEntity(String.class) : "";
            JsonNode body = text.isBlank() ? json.createObjectNode() : json.readTree(text);
            if (r.getStatus() != 200 || !"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("Prometheus HTTP " + r.getStatus() + ": "
                        + body.path("error").asText(text.length() > 200 ? text.substring(0, 200) : text));
            }
            return values(body.path("data"));
        }
    }

    /** Values of a vector (one per series), a scalar, or a matrix (the last sample of each series). */
    static List<Double> values(JsonNode data) {
        List<Double> out = new ArrayList<>();
        String type = data.path("resultType").asText();
        JsonNode result = data.path("result");
        switch (type) {
            case "scalar" -> out.add(number(result.path(1)));
            case "vector" -> result.forEach(s -> out.add(number(s.path("value").path(1))));
            case "matrix" -> result.forEach(s -> {
                JsonNode values = s.path("values");
                if (values.size() > 0) {
                    out.add(number(values.get(values.size() - 1).path(1)));
                }
            });
            default -> throw new IllegalStateException("unsupported Prometheus result type '" + type + "'");
        }
        return out;
    }

    private static double number(JsonNode v) {
        String s = v.asText();
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
