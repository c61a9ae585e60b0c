package io.freightline.watcher.domain;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Webhook authentication checks, all in constant time. */
public final class Signatures {

    /** Lowercase hex HMAC of the raw body. */
    public static String hmacHex(String algorithm, String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }

    /** Does {@code header} equal {@code prefix + hex(HMAC-SHA256(secret, body))}? */
    public static boolean hmacSha256Matches(String header, String prefix, String secret, byte[] body) {
        if (header == null || secret == null || secret.isEmpty()) return false;
        return constantTimeEquals(header.trim().toLowerCase(java.util.Locale.ROOT),
                prefix + hmacHex("HmacSHA256", secret, body));
    }

    /** Constant-time string comparison; false when either side is null or the expected value is empty. */
    public static boolean constantTimeEquals(String given, String expected) {
        if (given == null || expected == null || expected.isEmpty()) return false;
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private Signatures() {
    }
}
