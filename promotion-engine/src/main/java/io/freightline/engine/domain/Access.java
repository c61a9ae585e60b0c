package io.freightline.engine.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Bearer tokens mapped to roles per project. Lines are {@code role=token} (every project) or
 * {@code role@project=token}. Tokens are kept only as SHA-256 digests and compared in constant time.
 */
public final class Access {
    public enum Role {
        viewer, promoter, admin;

        public boolean covers(Role needed) {
            return ordinal() >= needed.ordinal();
        }
    }

    /** @param project null for every project */
    public record Grant(Role role, String project, byte[] digest, String subject) {
    }

    /** Who called: the grants of the token, and a printable subject for the audit trail (never the token). */
    public record Caller(String subject, List<Grant> grants) {
        public boolean can(String project, Role role) {
            return grants.stream().anyMatch(g -> g.role().covers(role) && (g.project() == null || g.project().equals(project)));
        }
    }

    public enum Decision { ALLOW, UNAUTHENTICATED, FORBIDDEN }

    private final List<Grant> grants;

    private Access(List<Grant> grants) {
        this.grants = grants;
    }

    /** Parses token lines; blank lines and {@code #} comments are skipped. */
    public static Access parse(List<String> lines) {
        List<Grant> out = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq <= 0 || eq == line.length() - 1) {
                throw new IllegalArgumentException("token entry must be role=token or role@project=token");
            }
            String who = line.substring(0, eq).trim();
            String token = line.substring(eq + 1).trim();
            String project = null;
            int at = who.indexOf('@');
            if (at >= 0) {
                project = who.substring(at + 1);
                who = who.substring(0, at);
            }
            Role role;
            try {
                role = Role.valueOf(who.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + who + "' (viewer, promoter, admin)");
            }
            byte[] digest = sha256(token);
            String subject = role + (project == null ? "" : "@" + project) + "#" + HexFormat.of().formatHex(digest).substring(0, 8);
            out.add(new Grant(role, project, digest, subject));
        }
        return new Access(List.copyOf(out));
    }

    /** The caller of a token, or null when the token is unknown. Every grant is compared (no early exit). */
    public Caller caller(String token) {
        if (token == null || token.isEmpty()) return null;
        byte[] d = sha256(token);
        List<Grant> mine = new ArrayList<>();
        for (Grant g : grants) {
            if (MessageDigest.isEqual(g.digest(), d)) mine.add(g);
        }
        if (mine.isEmpty()) return null;
        return new Caller(mine.get(0).subject(), mine);
    }

    public Decision decide(String token, String project, Role needed) {
        Caller c = caller(token);
        if (c == null) return Decision.UNAUTHENTICATED;
        return c.can(project, needed) ? Decision.ALLOW : Decision.FORBIDDEN;
    }

    public int size() {
        return grants.size();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
