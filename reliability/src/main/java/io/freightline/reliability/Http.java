package io.freightline.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.freightline.events.EventCodec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small HTTP/JSON client for the services' APIs, on loopback. */
public final class Http {
    public static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .version(HttpClient.Version.HTTP_1_1).build();

    /** A response, or the transport error when there was none (status 0). */
    public record Reply(int status, String body, Map<String, java.util.List<String>> headers, Exception error) {
        public JsonNode json() {
            try {
                return body == null || body.isBlank() ? MissingNode.getInstance() : EventCodec.mapper().readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        public boolean is2xx() {
            return status >= 200 && status < 300;
        }

        public boolean is4xx() {
            return status >= 400 && status < 500;
        }

        @Override
        public String toString() {
            return status == 0 ? "no reply (" + error + ")" : status + " " + (body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "…" : body);
        }
    }

    public static Reply send(String method, String url, String token, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().map(), null);
        } catch (IOException e) {
            return new Reply(0, null, Map.of(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, null, Map.of(), e);
        }
    }

    public static Reply get(String url, String token) {
        return send("GET", url, token, null, null, Map.of());
    }

    public static Reply postJson(String url, String token, Object body) {
        byte[] bytes = body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : EventCodec.toJson(body).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return send("POST", url, token, "application/json", bytes, Map.of());
    }

    private Http() {
    }
}
