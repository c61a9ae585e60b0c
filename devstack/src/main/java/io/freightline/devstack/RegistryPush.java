package io.freightline.devstack;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * A CNCF Distribution registry notification for a manifest pushed by tag, shaped like the registry's own
 * (see shared/contracts/webhooks/distribution-notification.push-envelope.json).
 */
public final class RegistryPush {
    public static final String MEDIA_TYPE = "application/vnd.docker.distribution.events.v2+json";

    /** The envelope for {@code host/repository:tag}; the digest is derived from the tag, as a stand-in manifest. */
    public static String envelope(String host, String repository, String tag) {
        String digest = "sha256:" + sha256(repository + ":" + tag);
        return """
                {"events":[{"id":"%s","timestamp":"2026-01-01T00:00:00Z","action":"push",\
                "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1024,\
                "length":1024,"repository":"%s","url":"http://%s/v2/%s/manifests/%s","tag":"%s"},\
                "request":{"id":"%s","addr":"127.0.0.1","host":"%s","method":"PUT","useragent":"freightline-demo"},\
                "actor":{"name":"demo"},"source":{"addr":"%s","instanceID":"demo"}}]}"""
                .formatted(UUID.nameUUIDFromBytes((repository + tag).getBytes(StandardCharsets.UTF_8)), digest,
                        repository, host, repository, digest, tag,
                        UUID.nameUUIDFromBytes(tag.getBytes(StandardCharsets.UTF_8)), host, host);
    }

    /** A shell command that posts the envelope. */
    public static String curl(String webhookURL, String secret, String host, String repository, String tag) {
        return "curl -sS -X POST '" + webhookURL + "' \\\n"
                + "  -H 'Authorization: Bearer " + secret + "' \\\n"
                + "  -H 'Content-Type: " + MEDIA_TYPE + "' \\\n"
                + "  -d '" + envelope(host, repository, tag) + "'";
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private RegistryPush() {
    }
}
