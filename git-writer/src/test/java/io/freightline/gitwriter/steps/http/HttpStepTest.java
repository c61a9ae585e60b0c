package io.freightline.gitwriter.steps.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The http step against a real HTTP server on 127.0.0.1 (the JDK's). */
class HttpStepTest {
    @TempDir
    Path dir;
    HttpServer server;
    String base;
    final List<String> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger polls = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/chat.postMessage", x -> {
            seen.add(x.getRequestMethod() + " " + x.getRequestURI() + " auth=" + x.getRequestHeaders().getFirst("Authorization")
                    + " type=" + x.getRequestHeaders().getFirst("Content-Type")
                    + " body=" + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            x.getResponseHeaders().add("X-Request-Id", "req-42");
            answer(x, 200, "application/json; charset=utf-8", "{\"ok\": true, \"ts\": \"1503435956.000247\", \"n\": 3}");
        });
        server.createContext("/status", x -> answer(x, 200, "application/json",
                polls.incrementAndGet() < 3 ? "{\"status\": \"running\"}" : "{\"status\": \"completed\", \"version\": \"1.2.3\"}"));
        server.createContext("/broken", x -> answer(x, 200, "application/json",
                "{\"status\": \"failed\", \"error\": {\"message\": \"deployment exploded\"}}"));
        server.createContext("/unavailable", x -> answer(x, 503, "text/plain", "try later"));
        server.createContext("/plain", x -> answer(x, 200, "text/plain", "v2.0.0\n"));
        server.createContext("/yaml", x -> answer(x, 200, "application/yaml", "chart:\n  name: podinfo\n"));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static void answer(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    StepFixture fixture() throws Exception {
        return new StepFixture(dir, Map.of("out/payload.json", "{\"text\": \"from a file\"}"), new HttpStep());
    }

    @Test
    void postsWithHeadersQueryAndBodyAndReadsOutputsFromTheResponse() throws Exception {
        try (StepFixture f = fixture()) {
            var ran = f.run("http", Map.of("method", "POST", "url", base + "/api/chat.postMessage",
                    "headers", List.of(Map.of("name", "Authorization", "value", "Bearer t0k3n"),
                            Map.of("name", "Content-Type", "value", "application/json")),
                    "queryParams", List.of(Map.of("name", "channel", "value", "C123 #ops")),
                    "body", "{\"text\": \"A new PR has been opened\"}",
                    "outputs", List.of(Map.of("name", "ts", "fromExpression", "response.body.ts"),
                            Map.of("name", "requestId", "fromExpression", "response.header('x-request-id')"),
                            Map.of("name", "fromHeaders", "fromExpression", "response.headers['X-Request-Id'][0]"),
                            Map.of("name", "status", "fromExpression", "response.status"),
                            Map.of("name", "double", "fromExpression", "response.body.n * 2"))));
            assertThat(seen).containsExactly("POST /api/chat.postMessage?channel=C123+%23ops auth=Bearer t0k3n"
                    + " type=application/json body={\"text\": \"A new PR has been opened\"}");
            assertThat(ran.outputs()).containsEntry("ts", "1503435956.000247").containsEntry("requestId", "req-42")
                    .containsEntry("fromHeaders", "req-42").containsEntry("status", 200).containsEntry("double", 6);
            f.run("http", Map.of("method", "PUT", "url", base + "/api/chat.postMessage", "bodyFromFile", "out/payload.json"));
            assertThat(seen.get(1)).startsWith("PUT ").endsWith("body={\"text\": \"from a file\"}");
        }
    }

    @Test
    void pollsUntilTheSuccessExpressionHolds() throws Exception {
        try (StepFixture f = fixture()) {
            var ran = f.run("http", Map.of("url", base + "/status", "pollInterval", "100ms",
                    "successExpression", "response.body.status == 'completed'",
                    "failureExpression", "response.body.status == 'failed'",
                    "outputs", List.of(Map.of("name", "version", "fromExpression", "response.body.version"))));
            assertThat(polls.get()).isEqualTo(3);
            assertThat(ran.outputs()).containsEntry("version", "1.2.3");
        }
    }

    @Test
    void aMetFailureExpressionIsTerminalWithTheErrorExpressionsMessage() throws Exception {
        try (StepFixture f = fixture()) {
            assertThatThrownBy(() -> f.run("http", Map.of("url", base + "/broken",
                    "successExpression", "response.body.status == 'completed'",
                    "failureExpression", "response.body.status == 'failed'",
                    "errorExpression", "response.body.error.message")))
                    .isInstanceOf(StepException.class).hasMessage("deployment exploded")
                    .satisfies(e -> assertThat(((StepException) e).retryable()).isFalse());
            // an error expression that does not fit the response falls back to the default message
            assertThatThrownBy(() -> f.run("http", Map.of("url", base + "/broken",
                    "failureExpression", "response.body.status == 'failed'", "errorExpression", "response.body.nope.deeper")))
                    .hasMessageContaining("failureExpression met");
        }
    }

    @Test
    void withoutExpressionsANon2xxAnswerIsRetryable() throws Exception {
        try (StepFixture f = fixture()) {
            assertThatThrownBy(() -> f.run("http", Map.of("url", base + "/unavailable")))
                    .isInstanceOf(StepException.class).hasMessageContaining("answered 503")
                    .satisfies(e -> assertThat(((StepException) e).retryable()).isTrue());
            assertThatThrownBy(() -> f.run("http", Map.of("url", "http://127.0.0.1:1/nothing-listens")))
                    .satisfies(e -> assertThat(((StepException) e).retryable()).isTrue());
            assertThatThrownBy(() -> f.run("http", Map.of("url", base + "/plain", "body", "a", "bodyFromFile", "out/payload.json")))
                    .hasMessageContaining("invalid config of step http");
        }
    }

    @Test
    void textAndYamlBodiesAreParsedByContentType() throws Exception {
        try (StepFixture f = fixture()) {
            assertThat(f.run("http", Map.of("url", base + "/plain", "outputs",
                    List.of(Map.of("name", "v", "fromExpression", "response.body")))).outputs()).containsEntry("v", "v2.0.0\n");
            assertThat(f.run("http", Map.of("url", base + "/yaml", "outputs",
                    List.of(Map.of("name", "c", "fromExpression", "response.body.chart.name")))).outputs()).containsEntry("c", "podinfo");
        }
    }
}
