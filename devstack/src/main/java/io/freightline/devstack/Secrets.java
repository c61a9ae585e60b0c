package io.freightline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The demo's webhook secret and API tokens: generated once, kept in owner-only files, reused on the next start. */
final class Secrets {
    static final List<String> ROLES = List.of("viewer", "promoter", "admin");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A long random URL-safe token. */
    static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The given secret, or the one stored in the file, or a new one written to the file. */
    static String webhookSecret(String given, Path file) {
        try {
            if (given != null && !given.isBlank()) {
                return given;
            }
            if (Files.isRegularFile(file)) {
                String stored = Files.readString(file).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
            }
            String secret = randomToken();
            writePrivate(file, secret + "\n");
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One token per role, read from {@code role=token} lines, completed and written back when a role is missing. */
    static Map<String, String> tokens(Path file) {
        try {
            Map<String, String> tokens = new LinkedHashMap<>();
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (eq > 0 && !line.startsWith("#")) {
                        tokens.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                    }
                }
            }
            boolean changed = false;
            for (String role : ROLES) {
                if (!tokens.containsKey(role)) {
                    tokens.put(role, randomToken());
                    changed = true;
                }
            }
            if (changed) {
                StringBuilder text = new StringBuilder();
                tokens.forEach((role, token) -> text.append(role).append('=').append(token).append('\n'));
                writePrivate(file, text.toString());
            }
            return tokens;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
    }

    private Secrets() {
    }
}
