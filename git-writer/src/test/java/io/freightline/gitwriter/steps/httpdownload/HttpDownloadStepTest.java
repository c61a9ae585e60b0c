package io.freightline.gitwriter.steps.httpdownload;

import com.sun.net.httpserver.HttpServer;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** http-download against a real HTTP server on 127.0.0.1. */
class HttpDownloadStepTest {
    @TempDir
    Path dir;
    HttpServer server;
    String base;
    final List<String> seen = new CopyOnWriteArrayList<>();
    static final byte[] ARCHIVE = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, (byte) 0xff, 0};

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/charts/app-1.0.0.tgz", x -> {
            seen.add(x.getRequestURI() + " " + x.getRequestHeaders().getFirst("Authorization"));
            x.sendResponseHeaders(200, ARCHIVE.length);
            x.getResponseBody().write(ARCHIVE);
            x.close();
        });
        server.createContext("/missing", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        server.createContext("/busy", x -> {
            x.sendResponseHeaders(503, -1);
            x.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void downloadsTheBytesAndKeepsAnExistingFileUnlessAllowed() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("charts/existing.tgz", "old"), new HttpDownloadStep())) {
            f.run("http-download", Map.of("url", base + "/charts/app-1.0.0.tgz", "outPath", "charts/app.tgz",
                    "headers", List.of(Map.of("name", "Authorization", "value", "Bearer abc")),
                    "queryParams", List.of(Map.of("name", "v", "value", "1 0"))));
            assertThat(f.bytes("charts/app.tgz")).isEqualTo(ARCHIVE);
            assertThat(seen).containsExactly("/charts/app-1.0.0.tgz?v=1+0 Bearer abc");
            assertThatThrownBy(() -> f.run("http-download", Map.of("url", base + "/charts/app-1.0.0.tgz",
                    "outPath", "charts/existing.tgz"))).hasMessageContaining("already exists");
            assertThat(f.text("charts/existing.tgz")).isEqualTo("old");
            f.run("http-download", Map.of("url", base + "/charts/app-1.0.0.tgz", "outPath", "charts/existing.tgz",
                    "allowOverwrite", true));
            assertThat(f.bytes("charts/existing.tgz")).isEqualTo(ARCHIVE);
        }
    }

    @Test
    void aMissingFileIsTerminalAndABusyServerRetryable() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("a.txt", "a"), new HttpDownloadStep())) {
            assertThatThrownBy(() -> f.run("http-download", Map.of("url", base + "/missing", "outPath", "x")))
                    .hasMessageContaining("answered 404").satisfies(e -> assertThat(((StepException) e).retryable()).isFalse());
            assertThatThrownBy(() -> f.run("http-download", Map.of("url", base + "/busy", "outPath", "x")))
                    .hasMessageContaining("answered 503").satisfies(e -> assertThat(((StepException) e).retryable()).isTrue());
            assertThatThrownBy(() -> f.run("http-download", Map.of("url", base + "/charts/app-1.0.0.tgz", "outPath", "../x")))
                    .hasMessageContaining("leads outside the repository");
            assertThat(f.workspace.isFile("x")).isFalse();
        }
    }
}
