package io.freightline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The upstream contract fixtures ({@code shared/contracts}, beside the repository): real payloads and specs that
 * tests must be driven by. Found by walking up from the working directory; {@code -Dfreightline.contracts=DIR}
 * overrides.
 */
public final class Contracts {

    /** The contracts folder. */
    public static Path root() {
        String override = System.getProperty("freightline.contracts");
        if (override != null) {
            return Path.of(override);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[]{dir.resolve("shared/contracts"), dir.resolve("../shared/contracts")}) {
                if (Files.isDirectory(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        throw new IllegalStateException("shared/contracts not found above " + Path.of("").toAbsolutePath()
                + "; set -Dfreightline.contracts=DIR");
    }

    /** A contract file, e.g. {@code path("webhooks/distribution-notification.push-envelope.json")}. */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("contract file missing: " + p);
        }
        return p;
    }

    /** A contract file's text, exactly as stored. */
    public static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A contract file's bytes, exactly as stored (for signatures and byte-for-byte comparisons). */
    public static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Contracts() {
    }
}
