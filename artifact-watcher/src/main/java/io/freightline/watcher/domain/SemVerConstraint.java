package io.freightline.watcher.domain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SemVer constraint in the syntax Kargo uses (Masterminds/semver): {@code ||} alternatives of comma- or
 * space-separated comparators {@code = != > >= < <= ~ ^}, wildcards ({@code 1.2.x}, {@code *}) and hyphen ranges
 * ({@code 1.2 - 1.4.5}). As there, a prerelease only matches when a comparator of its alternative names one.
 */
public final class SemVerConstraint {
    private static final Pattern COMPARATOR = Pattern.compile(
            "^(!=|>=|=>|<=|=<|>|<|=|~>|~|\\^)?\\s*[vV]?((?:\\d+|[xX*])(?:\\.(?:\\d+|[xX*]))?(?:\\.(?:\\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?)$");

    private record Comparator(String op, SemVer version, int parts) {
    }

    private final List<List<Comparator>> alternatives;
    private final String text;

    private SemVerConstraint(String text, List<List<Comparator>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /** Parses a constraint; throws IllegalArgumentException naming the bad part. */
    public static SemVerConstraint parse(String text) {
        if (text == null || text.isBlank()) {
            return new SemVerConstraint("*", List.of(List.of()));
        }
        List<List<Comparator>> alts = new ArrayList<>();
        for (String alt : text.split("\\|\\|")) {
            String a = alt.trim().replaceAll("\\s+-\\s+", " HYPHEN ");
            a = a.replaceAll("(!=|>=|=>|<=|=<|>|<|=|~>|~|\\^)\\s+", "$1");
            List<Comparator> group = new ArrayList<>();
            String[] tokens = a.split("[\\s,]+");
            for (int i = 0; i < tokens.length; i++) {
                String t = tokens[i];
                if (t.isEmpty()) continue;
                if (i + 2 < tokens.length && tokens[i + 1].equals("HYPHEN")) {
                    group.addAll(expand(">=", tokens[i], text));
                    group.addAll(expand("<=", tokens[i + 2], text));
                    i += 2;
                    continue;
                }
                Matcher m = COMPARATOR.matcher(t);
                if (!m.matches()) {
                    throw new IllegalArgumentException("invalid SemVer constraint '" + text + "' at '" + t + "'");
                }
                group.addAll(expand(m.group(1) == null ? "=" : m.group(1), m.group(2), text));
            }
            alts.add(group);
        }
        return new SemVerConstraint(text, alts);
    }

    private static List<Comparator> expand(String op, String v, String text) {
        op = switch (op) {
            case "=>" -> ">=";
            case "=<" -> "<=";
            case "~>" -> "~";
            default -> op;
        };
        String[] core = v.split("[-+]", 2)[0].split("\\.");
        int parts = 0;
        for (String p : core) {
            if (p.equalsIgnoreCase("x") || p.equals("*")) break;
            parts++;
        }
        String rest = v.contains("-") && parts == 3 ? v.substring(v.indexOf('-')) : "";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            sb.append(i > 0 ? "." : "").append(i < parts ? core[i] : "0");
        }
        SemVer sv = SemVer.parse(sb + rest, false)
                .orElseThrow(() -> new IllegalArgumentException("invalid SemVer constraint '" + text + "'"));
        if (parts == 0) {
            return List.of(); // "*" or "x": anything
        }
        if (parts < 3 && (op.equals("=") || op.equals("!="))) {
            // 1.2 or 1.2.x means the range [1.2.0, 1.3.0)
            SemVer upper = bump(sv, parts - 1);
            if (op.equals("=")) {
                return List.of(new Comparator(">=", sv, 3), new Comparator("<", upper, 3));
            }
            return List.of(new Comparator("!range", sv, parts));
        }
        if (parts < 3 && op.equals(">")) {
            return List.of(new Comparator(">=", bump(sv, parts - 1), 3));
        }
        if (parts < 3 && op.equals("<=")) {
            return List.of(new Comparator("<", bump(sv, parts - 1), 3));
        }
        return List.of(new Comparator(op, sv, parts));
    }

    private static SemVer bump(SemVer v, int index) {
        BigInteger one = BigInteger.ONE;
        return switch (index) {
            case 0 -> new SemVer(v.major().add(one), BigInteger.ZERO, BigInteger.ZERO, List.of(), null, "");
            case 1 -> new SemVer(v.major(), v.minor().add(one), BigInteger.ZERO, List.of(), null, "");
            default -> new SemVer(v.major(), v.minor(), v.patch().add(one), List.of(), null, "");
        };
    }

    public boolean matches(SemVer v) {
        for (List<Comparator> group : alternatives) {
            if (groupMatches(group, v)) return true;
        }
        return false;
    }

    private static boolean groupMatches(List<Comparator> group, SemVer v) {
        if (v.isPrerelease()) {
            // Masterminds: a prerelease only matches if a comparator has a prerelease on the same major.minor.patch
            boolean allowed = group.stream().anyMatch(c -> c.version.isPrerelease()
                    && c.version.withoutPrerelease().compareTo(v.withoutPrerelease()) == 0);
            if (!allowed) return false;
        }
        for (Comparator c : group) {
            if (!test(c, v)) return false;
        }
        return true;
    }

    private static boolean test(Comparator c, SemVer v) {
        int cmp = v.compareTo(c.version);
        return switch (c.op) {
            case "=" -> cmp == 0;
            case "!=" -> cmp != 0;
            case ">" -> cmp > 0;
            case ">=" -> cmp >= 0;
            case "<" -> cmp < 0;
            case "<=" -> cmp <= 0;
            case "!range" -> !(cmp >= 0 && v.compareTo(bump(c.version, c.parts - 1)) < 0);
            // ~1.2.3 := >=1.2.3 <1.3.0; ~1 := >=1.0.0 <2.0.0
            case "~" -> cmp >= 0 && v.compareTo(bump(c.version, c.parts == 1 ? 0 : 1)) < 0;
            // ^1.2.3 := <2.0.0; ^0.2.3 := <0.3.0; ^0.0.3 := <0.0.4
            case "^" -> cmp >= 0 && v.compareTo(bump(c.version, caretIndex(c))) < 0;
            default -> false;
        };
    }

    private static int caretIndex(Comparator c) {
        if (c.version.major().signum() != 0 || c.parts == 1) return 0;
        if (c.version.minor().signum() != 0 || c.parts == 2) return 1;
        return 2;
    }

    @Override
    public String toString() {
        return text;
    }
}
