package io.freightline.watcher.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pushes OCI artifacts to a real registry with the plain Distribution API (what {@code helm push} and
 * {@code oras} do): monolithic blob uploads ({@code POST} then {@code PUT ?digest=}) and a manifest {@code PUT}.
 */
final class OciPush {
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    static final String IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String IMAGE_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;

    OciPush(String registryHost) {
        this.base = "http://" + registryHost;
    }

    /** An image whose config says when it was built; returns the manifest digest. */
    String image(String repo, String tag, String created) throws Exception {
        String config = """
                {"architecture":"amd64","os":"linux","created":"%s","config":{"Labels":{"tag":"%s"}},
                 "rootfs":{"type":"layers","diff_ids":[]}}""".formatted(created, tag);
        return artifact(repo, tag, IMAGE_CONFIG, config.getBytes(StandardCharsets.UTF_8), IMAGE_LAYER,
                ("layer of " + tag).getBytes(StandardCharsets.UTF_8));
    }

    static final String INDEX = "application/vnd.oci.image.index.v1+json";

    /** A pushed manifest: what an index entry names. */
    record Pushed(String digest, int size, String os, String arch) {
    }

    /** An image for one platform (its config's {@code os} and {@code architecture}). */
    Pushed image(String repo, String tag, String os, String arch) throws Exception {
        return image(repo, tag, os, arch, "2026-01-01T00:00:00Z");
    }

    /** An image for one platform built at {@code created}. */
    Pushed image(String repo, String tag, String os, String arch, String created) throws Exception {
        String config = """
                {"architecture":"%s","os":"%s","created":"%s","config":{"Labels":{"tag":"%s"}},
                 "rootfs":{"type":"layers","diff_ids":[]}}""".formatted(arch, os, created, tag);
        lastSize = 0;
        String digest = artifact(repo, tag, IMAGE_CONFIG, config.getBytes(StandardCharsets.UTF_8), IMAGE_LAYER,
                ("layer of " + tag + " for " + os + "/" + arch).getBytes(StandardCharsets.UTF_8));
        return new Pushed(digest, lastSize, os, arch);
    }

    /** A multi-platform image: an OCI index of images pushed before; returns the index digest. */
    String index(String repo, String tag, Pushed... images) throws Exception {
        StringBuilder entries = new StringBuilder();
        for (Pushed p : images) {
            if (entries.length() > 0) entries.append(',');
            entries.append("""
                    {"mediaType":"%s","digest":"%s","size":%d,"platform":{"os":"%s","architecture":"%s"}}"""
                    .formatted(MANIFEST, p.digest(), p.size(), p.os(), p.arch()));
        }
        byte[] bytes = ("{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[" + entries + "]}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", INDEX).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        return digest(bytes);
    }

    private int lastSize;

    /** A Helm chart as {@code helm push} stores it: Helm config media type, one chart-content layer. */
    String chart(String repo, String name, String version) throws Exception {
        String config = "{\"apiVersion\":\"v2\",\"name\":\"" + name + "\",\"version\":\"" + version + "\"}";
        // OCI tags cannot hold '+': Helm writes it as '_'
        return artifact(repo, version.replace('+', '_'), HELM_CONFIG, config.getBytes(StandardCharsets.UTF_8), HELM_CHART,
                ("chart " + name + " " + version).getBytes(StandardCharsets.UTF_8));
    }

    private String artifact(String repo, String tag, String configType, byte[] config, String layerType, byte[] layer) throws Exception {
        String configDigest = blob(repo, config);
        String layerDigest = blob(repo, layer);
        String manifest = """
                {"schemaVersion":2,"mediaType":"%s",
                 "config":{"mediaType":"%s","digest":"%s","size":%d},
                 "layers":[{"mediaType":"%s","digest":"%s","size":%d}]}"""
                .formatted(MANIFEST, configType, configDigest, config.length, layerType, layerDigest, layer.length);
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        lastSize = bytes.length;
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        assertEquals(digest(bytes), put.headers().firstValue("Docker-Content-Digest").orElse(null));
        return digest(bytes);
    }

    private String blob(String repo, byte[] content) throws IOException, InterruptedException {
        String digest = digest(content);
        HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, start.statusCode(), start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(base + "/").resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        return digest;
    }

    static String digest(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
