package io.freightline.versions;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SemVer constraint in the dialect Kargo accepts (Masterminds semver v3): {@code ||} alternatives of comparators
 * separated by spaces or commas; operators {@code = != > >= => < <= =< ~ ~> ^} (none means {@code =});
 * wildcards {@code x X *} or missing parts ({@code 1.2}, {@code 1.x}, {@code *}); hyphen ranges {@code 1.2 - 1.4.5}.
 * <p>
 * Pre-releases: a pre-release version fails every comparator whose own version has no pre-release (so
 * {@code >=1.0.0} and {@code *} skip {@code 1.1.0-rc.1}, {@code >1.2.3-alpha} takes {@code 1.3.0-beta}), except a
 * plain {@code !=1.2.3}. An empty constraint is no constraint: every version, pre-releases included.
 * <p>
 * Hand-written on purpose: semver4j, which parses and orders the versions here, implements npm's dialect (no
 * {@code !=}, no comma, npm's same-tuple pre-release rule), which disagrees with Kargo on exactly these cases.
 */
public final class Constraint {
    private static final String OPS = "!=|>=|=>|<=|=<|~>|\\^|>|<|=|~";
    private static final String CV = "v?([0-9xX*]+)(\\.[0-9xX*]+)?(\\.[0-9xX*]+)?"
            + "(-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
    private static final String CV_NC = "v?[0-9xX*]+(?:\\.[0-9xX*]+)?(?:\\.[0-9xX*]+)?"
            + "(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
    private static final Pattern HYPHEN = Pattern.compile("\\s*(" + CV_NC + ")\\s+-\\s+(" + CV_NC + ")\\s*");
    private static final Pattern ONE = Pattern.compile("(" + OPS + ")?\\s*(" + CV + ")");
    private static final Pattern SEGMENT = Pattern.compile("\\s*(?:" + OPS + ")?\\s*" + CV_NC + "\\s*"
            + "(?:(?:\\s+|,\\s*)(?:" + OPS + ")?\\s*" + CV_NC + "\\s*)*");

    /** No constraint: every version. */
    public static final Constraint NONE = new Constraint("", List.of());

    private record Comparator(String op, Version con, boolean dirty, boolean minorDirty, boolean patchDirty) {
    }

    private final String text;
    private final List<List<Comparator>> anyOf;

    private Constraint(String text, List<List<Comparator>> anyOf) {
        this.text = text;
        this.anyOf = anyOf;
    }

    /** Parses a constraint; {@link IllegalArgumentException} names the part that is not understood. */
    public static Constraint parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        Matcher h = HYPHEN.matcher(text);
        StringBuilder rewritten = new StringBuilder();
        while (h.find()) {
            h.appendReplacement(rewritten, Matcher.quoteReplacement(">= " + h.group(1) + ", <= " + h.group(2)));
        }
        h.appendTail(rewritten);
        List<List<Comparator>> anyOf = new ArrayList<>();
        for (String segment : rewritten.toString().split("\\|\\|", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("invalid SemVer constraint '" + text + "': cannot read '"
                        + segment.trim() + "'");
            }
            List<Comparator> all = new ArrayList<>();
            Matcher m = ONE.matcher(segment);
            while (m.find()) {
                all.add(comparator(m, text));
            }
            anyOf.add(List.copyOf(all));
        }
        return new Constraint(text, List.copyOf(anyOf));
    }

    private static Comparator comparator(Matcher m, String text) {
        String op = m.group(1) == null ? "=" : switch (m.group(1)) {
            case "=>" -> ">=";
            case "=<" -> "<=";
            case "~>" -> "~";
            default -> m.group(1);
        };
        String major = m.group(3), minor = m.group(4), patch = m.group(5), pre = m.group(6) == null ? "" : m.group(6);
        String ver = m.group(2);
        boolean dirty = false, minorDirty = false, patchDirty = false;
        if (isX(major)) {
            ver = "0.0.0" + pre;
            dirty = true;
        } else if (minor == null || isX(minor.substring(1))) {
            ver = major + ".0.0" + pre;
            dirty = minorDirty = true;
        } else if (patch == null || isX(patch.substring(1))) {
            ver = major + minor + ".0" + pre;
            dirty = patchDirty = true;
        }
        Version con = Version.parse(ver).orElseThrow(() -> new IllegalArgumentException(
                "invalid SemVer constraint '" + text + "': '" + m.group(2) + "' is not a version"));
        return new Comparator(op, con, dirty, minorDirty, patchDirty);
    }

    private static boolean isX(String s) {
        return s.equals("x") || s.equals("X") || s.equals("*");
    }

    /** Whether the version satisfies one alternative (all of its comparators). */
    public boolean matches(Version v) {
        if (anyOf.isEmpty()) {
            return true;
        }
        for (List<Comparator> all : anyOf) {
            if (all.stream().allMatch(c -> check(c, v))) {
                return true;
            }
        }
        return false;
    }

    private static boolean check(Comparator c, Version v) {
        boolean blocked = v.isPrerelease() && !c.con.isPrerelease();
        if (c.op.equals("!=")) {
            return notEqual(c, v, blocked);
        }
        if (blocked) {
            return false;
        }
        int cmp = v.compareTo(c.con);
        return switch (c.op) {
            case "=" -> c.dirty ? tilde(c, v) : cmp == 0;
            case ">" -> greater(c, v, cmp);
            case "<" -> cmp < 0;
            case ">=" -> cmp >= 0;
            case "<=" -> lessOrEqual(c, v, cmp);
            case "~" -> tilde(c, v);
            case "^" -> caret(c, v);
            default -> throw new IllegalStateException(c.op);
        };
    }

    private static boolean notEqual(Comparator c, Version v, boolean blocked) {
        if (c.dirty) {
            if (blocked) return false;
            if (c.con.major() != v.major()) return true;
            if (c.con.minor() != v.minor() && !c.minorDirty) return true;
            if (c.minorDirty) return false;
            if (c.con.patch() != v.patch() && !c.patchDirty) return true;
            if (c.patchDirty) {
                return (v.isPrerelease() || c.con.isPrerelease()) && !v.prerelease().equals(c.con.prerelease());
            }
        }
        return v.compareTo(c.con) != 0;
    }

    private static boolean greater(Comparator c, Version v, int cmp) {
        if (!c.dirty) return cmp > 0;
        if (v.major() != c.con.major()) return v.major() > c.con.major();
        if (c.minorDirty) return false;
        if (c.patchDirty) return v.minor() > c.con.minor();
        return cmp > 0;
    }

    private static boolean lessOrEqual(Comparator c, Version v, int cmp) {
        if (!c.dirty) return cmp <= 0;
        if (v.major() > c.con.major()) return false;
        return !(v.major() == c.con.major() && v.minor() > c.con.minor() && !c.minorDirty);
    }

    private static boolean tilde(Comparator c, Version v) {
        if (v.compareTo(c.con) < 0) return false;
        if (c.con.major() == 0 && c.con.minor() == 0 && c.con.patch() == 0 && !c.minorDirty && !c.patchDirty) {
            return true;
        }
        if (v.major() != c.con.major()) return false;
        return v.minor() == c.con.minor() || c.minorDirty;
    }

    private static boolean caret(Comparator c, Version v) {
        if (v.compareTo(c.con) < 0) return false;
        if (c.con.major() > 0 || c.minorDirty) return v.major() == c.con.major();
        if (v.major() > 0) return false;
        if (c.con.minor() > 0 || c.patchDirty) return v.minor() == c.con.minor();
        if (v.minor() > 0) return false;
        return v.patch() == c.con.patch();
    }

    @Override
    public String toString() {
        return text;
    }
}
