package io.freightline.notifier;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * What the checks talk to: a real local HTTP server whose health endpoint answers 503 twice, then {"status":"UP"},
 * and a WireMock Prometheus answering instant queries in the Prometheus HTTP API format.
 */
final class CheckServers implements AutoCloseable {
    private final HttpServer http;
    private final WireMockServer prometheus;
    private final AtomicInteger healthCalls = new AtomicInteger();
    private final AtomicReference<String> probeHeader = new AtomicReference<>();

    CheckServers() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/healthz", exchange -> {
            int n = healthCalls.incrementAndGet();
            probeHeader.set(exchange.getRequestHeaders().getFirst("X-Probe"));
            byte[] body = (n <= 2 ? "{\"status\":\"STARTING\"}" : "{\"status\":\"UP\",\"checks\":[]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(n <= 2 ? 503 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        prometheus = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        prometheus.start();
    }

    String healthUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/healthz";
    }

    String prometheusUrl() {
        return "http://127.0.0.1:" + prometheus.port();
    }

    void prometheusAnswers(String query, String value) {
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", equalTo(query))
                .willReturn(okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                        + "{\"metric\":{\"job\":\"web\"},\"value\":[1712345678.123,\"" + value + "\"]}]}}")));
    }

    int healthCalls() {
        return healthCalls.get();
    }

    String lastProbeHeader() {
        return probeHeader.get();
    }

    int prometheusQueries() {
        return prometheus.countRequestsMatching(getRequestedFor(urlPathEqualTo("/api/v1/query")).build()).getCount();
    }

    @Override
    public void close() {
        http.stop(0);
        prometheus.stop();
    }
}
