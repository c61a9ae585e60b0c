package io.freightline.engine.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Semantic versions and constraints in the dialect Kargo uses (Masterminds/semver): {@code ^1.2}, {@code ~1.2.3},
 * {@code >=1.0.0 <2.0.0}, {@code >= 1.0, < 2}, {@code 1.2.x}, {@code 1.x || 2.x}. Pre-releases only satisfy a
 * constraint that names a pre-release.
 */
public record SemVer(long major, long minor, long patch, String pre, int parts) implements Comparable<SemVer> {
    private static final Pattern VERSION = Pattern.compile(
            "v?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?");

    /** Parses a tag as a version; null when it is not one (or, strict, not a full major.minor.patch). */
    public static SemVer parse(String text, boolean strict) {
        if (text == null) {
            return null;
        }
        Matcher m = VERSION.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        int parts = m.group(3) != null ? 3 : m.group(2) != null ? 2 : 1;
        if (strict && parts < 3) {
            return null;
        }
        try {
            return new SemVer(Long.parseLong(m.group(1)), m.group(2) == null ? 0 : Long.parseLong(m.group(2)),
                    m.group(3) == null ? 0 : Long.parseLong(m.group(3)), m.group(4), parts);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int compareTo(SemVer o) {
        int c = Long.compare(major, o.major);
        if (c == 0) c = Long.compare(minor, o.minor);
        if (c == 0) c = Long.compare(patch, o.patch);
        if (c != 0) return c;
        if (pre == null || o.pre == null) {
            return pre == null ? (o.pre == null ? 0 : 1) : -1;
        }
        String[] a = pre.split("\\."), b = o.pre.split("\\.");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            boolean an = a[i].matches("\\d+"), bn = b[i].matches("\\d+");
            int r = an && bn ? new java.math.BigInteger(a[i]).compareTo(new java.math.BigInteger(b[i]))
                    : an ? -1 : bn ? 1 : a[i].compareTo(b[i]);
            if (r != 0) return r;
        }
        return Integer.compare(a.length, b.length);
    }

    /** A parsed constraint; {@link #matches} is thread-safe. */
    public static final class Constraint {
        private final List<List<Cmp>> anyOf;
        private final boolean allowsPre;
        private final String text;

        private record Cmp(String op, SemVer v, int parts, boolean wildcard) {
        }

        private Constraint(String text, List<List<Cmp>> anyOf, boolean allowsPre) {
            this.text = text;
            this.anyOf = anyOf;
            this.allowsPre = allowsPre;
        }

        /** @throws IllegalArgumentException naming the part that is not understood */
        public static Constraint parse(String text) {
            if (text == null || text.isBlank() || text.trim().equals("*")) {
                return new Constraint("*", List.of(List.of()), false);
            }
            List<List<Cmp>> anyOf = new ArrayList<>();
            for (String alt : text.split("\\|\\|")) {
                List<Cmp> all = new ArrayList<>();
                String norm = alt.trim().replaceAll("(>=|<=|!=|>|<|=|\\^|~)\\s+", "$1").replace(",", " ");
                for (String tok : norm.trim().split("\\s+")) {
                    if (!tok.isEmpty()) {
                        all.add(cmp(tok));
                    }
                }
                anyOf.add(all);
            }
            return new Constraint(text, anyOf, text.contains("-"));
        }

        private static Cmp cmp(String tok) {
            Matcher m = Pattern.compile("(>=|<=|!=|>|<|=|\\^|~>|~)?(.+)").matcher(tok);
            if (!m.matches()) {
                throw new IllegalArgumentException("bad constraint '" + tok + "'");
            }
            String op = m.group(1) == null ? "=" : m.group(1).equals("~>") ? "~" : m.group(1);
            String ver = m.group(2);
            boolean wildcard = false;
            String[] segs = ver.replaceFirst("^v", "").split("\\.", 3);
            int parts = 0;
            StringBuilder concrete = new StringBuilder();
            for (String seg : segs) {
                if (seg.equals("x") || seg.equals("X") || seg.equals("*")) {
                    wildcard = true;
                    break;
                }
                concrete.append(parts == 0 ? "" : ".").append(seg);
                parts++;
            }
            if (parts == 0) {
                return new Cmp("*", null, 0, true);
            }
            SemVer v = SemVer.parse(concrete.toString(), false);
            if (v == null) {
                throw new IllegalArgumentException("bad version '" + ver + "' in constraint");
            }
            return new Cmp(op, v, v.parts(), wildcard || v.parts() < 3);
        }

        public boolean matches(SemVer v) {
            if (v.pre() != null && !allowsPre) {
                return false;
            }
            for (List<Cmp> all : anyOf) {
                if (all.stream().allMatch(c -> test(c, v))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean test(Cmp c, SemVer v) {
            if (c.op().equals("*")) return true;
            SemVer lo = c.v();
            SemVer hi = upper(c);
            return switch (c.op()) {
                case "=" -> c.wildcard() ? v.compareTo(floor(lo)) >= 0 && v.compareTo(hi) < 0 : v.compareTo(lo) == 0;
                case "!=" -> c.wildcard() ? v.compareTo(floor(lo)) < 0 || v.compareTo(hi) >= 0 : v.compareTo(lo) != 0;
                case ">" -> c.wildcard() ? v.compareTo(hi) >= 0 : v.compareTo(lo) > 0;
                case ">=" -> v.compareTo(floor(lo)) >= 0;
                case "<" -> v.compareTo(floor(lo)) < 0;
                case "<=" -> c.wildcard() ? v.compareTo(hi) < 0 : v.compareTo(lo) <= 0;
                case "~" -> v.compareTo(floor(lo)) >= 0 && v.compareTo(c.parts() == 1
                        ? new SemVer(lo.major() + 1, 0, 0, "0", 3) : new SemVer(lo.major(), lo.minor() + 1, 0, "0", 3)) < 0;
                case "^" -> v.compareTo(floor(lo)) >= 0 && v.compareTo(caret(lo, c.parts())) < 0;
                default -> false;
            };
        }

        private static SemVer floor(SemVer v) {
            return v.pre() == null ? new SemVer(v.major(), v.minor(), v.patch(), "0", 3) : v;
        }

        private static SemVer upper(Cmp c) {
            SemVer v = c.v();
            return switch (c.parts()) {
                case 1 -> new SemVer(v.major() + 1, 0, 0, "0", 3);
                case 2 -> new SemVer(v.major(), v.minor() + 1, 0, "0", 3);
                default -> new SemVer(v.major(), v.minor(), v.patch() + 1, "0", 3);
            };
        }

        private static SemVer caret(SemVer v, int parts) {
            if (v.major() > 0 || parts == 1) return new SemVer(v.major() + 1, 0, 0, "0", 3);
            if (v.minor() > 0 || parts == 2) return new SemVer(0, v.minor() + 1, 0, "0", 3);
            return new SemVer(0, 0, v.patch() + 1, "0", 3);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
