package io.freightline.watcher.domain;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Semantic Version 2.0.0. Lenient parsing (the default, as in Kargo) also takes a leading {@code v} and
 * missing minor/patch parts ({@code v1.2} = 1.2.0); strict parsing takes only full versions.
 */
public record SemVer(BigInteger major, BigInteger minor, BigInteger patch, List<String> prerelease, String build,
                     String original) implements Comparable<SemVer> {

    private static final Pattern STRICT = Pattern.compile(
            "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$");
    private static final Pattern LENIENT = Pattern.compile(
            "^[vV]?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$");

    public static Optional<SemVer> parse(String text, boolean strict) {
        if (text == null || text.length() > 128) {
            return Optional.empty();
        }
        Matcher m = (strict ? STRICT : LENIENT).matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        return Optional.of(new SemVer(num(m.group(1)), num(m.group(2)), num(m.group(3)), pre, m.group(5), text));
    }

    public static Optional<SemVer> parse(String text) {
        return parse(text, false);
    }

    private static BigInteger num(String s) {
        return s == null ? BigInteger.ZERO : new BigInteger(s);
    }

    public boolean isPrerelease() {
        return !prerelease.isEmpty();
    }

    public SemVer withoutPrerelease() {
        return new SemVer(major, minor, patch, List.of(), null, original);
    }

    @Override
    public int compareTo(SemVer o) {
        int c = major.compareTo(o.major);
        if (c == 0) c = minor.compareTo(o.minor);
        if (c == 0) c = patch.compareTo(o.patch);
        if (c != 0) return c;
        // a release sorts after its prereleases
        if (prerelease.isEmpty() || o.prerelease.isEmpty()) {
            return Boolean.compare(prerelease.isEmpty(), o.prerelease.isEmpty());
        }
        for (int i = 0; i < Math.min(prerelease.size(), o.prerelease.size()); i++) {
            String a = prerelease.get(i), b = o.prerelease.get(i);
            boolean an = a.chars().allMatch(Character::isDigit), bn = b.chars().allMatch(Character::isDigit);
            int r = an && bn ? new BigInteger(a).compareTo(new BigInteger(b)) : an ? -1 : bn ? 1 : a.compareTo(b);
            if (r != 0) return r;
        }
        return Integer.compare(prerelease.size(), o.prerelease.size());
    }

    /** Orders equal versions ({@code 1.0} vs {@code 1.0.0}) by their text, so sorting is total. */
    public int compareWithText(SemVer o) {
        int c = compareTo(o);
        return c != 0 ? c : original.compareTo(o.original);
    }
}
