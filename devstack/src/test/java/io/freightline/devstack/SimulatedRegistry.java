package io.freightline.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.freightline.events.EventCodec;
import io.freightline.testsupport.Contracts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * An OCI Distribution registry on 127.0.0.1 with one repository, as far as discovery reads one
 * (shared/contracts/oci): {@code GET /v2/<name>/tags/list} (every tag in lexical order, no paging needed for a
 * handful) and {@code HEAD}/{@code GET /v2/<name>/manifests/<tag>} answering the contract's image manifest,
 * annotated with the tag so each tag has its own digest, with {@code Docker-Content-Digest}. Anything else is the
 * spec's 404 {@code NAME_UNKNOWN}/{@code MANIFEST_UNKNOWN}.
 */
final class SimulatedRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = EventCodec.mapper();
    private final String repository;
    private final Set<String> tags = new ConcurrentSkipListSet<>();
    private final HttpServer server;

    SimulatedRegistry(String repository, List<String> tags) throws IOException {
        this.repository = repository;
        this.tags.addAll(tags);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code 127.0.0.1:<port>/<repository>}: the image's repository URL. */
    String image() {
        return "127.0.0.1:" + server.getAddress().getPort() + "/" + repository;
    }

    /** Pushes a new tag. */
    void push(String tag) {
        tags.add(tag);
    }

    /** The digest the registry answers for a tag. */
    String digest(String tag) {
        return "sha256:" + HexFormat.of().formatHex(sha256(manifest(tag)));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private byte[] manifest(String tag) {
        try {
            ObjectNode m = (ObjectNode) JSON.readTree(Contracts.read("oci/image-manifest.example.json"));
            ((ObjectNode) m.path("annotations")).put("org.opencontainers.image.version", tag);
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String prefix = "/v2/" + repository;
            if (method.equals("GET") && path.equals(prefix + "/tags/list")) {
                ObjectNode body = JSON.createObjectNode().put("name", repository);
                ArrayNode list = body.putArray("tags");
                tags.forEach(list::add);
                reply(exchange, 200, "application/json", JSON.writeValueAsBytes(body), null, method);
            } else if ((method.equals("GET") || method.equals("HEAD")) && path.startsWith(prefix + "/manifests/")
                    && tags.contains(path.substring((prefix + "/manifests/").length()))) {
                String tag = path.substring((prefix + "/manifests/").length());
                reply(exchange, 200, "application/vnd.oci.image.manifest.v1+json", manifest(tag), digest(tag), method);
            } else {
                String code = path.contains("/manifests/") ? "MANIFEST_UNKNOWN" : "NAME_UNKNOWN";
                byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"not found\"}]}").getBytes(StandardCharsets.UTF_8);
                reply(exchange, 404, "application/json", body, null, method);
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body, String digest, String method)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        if (digest != null) {
            exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
        }
        if (method.equals("HEAD")) {
            exchange.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
