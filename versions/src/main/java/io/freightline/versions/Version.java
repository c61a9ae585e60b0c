package io.freightline.versions;

import org.semver4j.Semver;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tag read as a semantic version, in the two ways Kargo reads tags (Masterminds semver v3):
 * <ul>
 *   <li>lenient: an optional {@code v}, one to three numeric parts ({@code v1.2} = 1.2.0, leading zeros of the
 *   numeric parts ignored), then SemVer 2.0.0 pre-release and build metadata;</li>
 *   <li>strict ({@code strictSemvers}): after an optional {@code v}, a full SemVer 2.0.0 {@code major.minor.patch}
 *   with no leading zeros.</li>
 * </ul>
 * Pre-release identifiers follow SemVer 2.0.0 in both (no leading zero in a numeric identifier). Ordering, equality
 * and build-metadata handling are semver4j's (SemVer 2.0.0 precedence); {@link #original()} is the tag as written.
 * Numeric parts above {@link Integer#MAX_VALUE} are not versions here (semver4j's range; Kargo's is 2^64-1).
 */
public final class Version implements Comparable<Version> {
    // Masterminds' lenient shape; the pre-release/build grammar is checked again by semver4j's strict parser.
    private static final Pattern LENIENT = Pattern.compile(
            "v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");
    private static final BigInteger MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    /** Tags are at most 128 characters (OCI); longer text is never a version. */
    private static final int MAX_LENGTH = 128;

    private final Semver semver;
    private final String original;

    private Version(Semver semver, String original) {
        this.semver = semver;
        this.original = original;
    }

    /** The tag as a version, or empty when it is not one (in the strict sense when {@code strict}). */
    public static Optional<Version> parse(String tag, boolean strict) {
        if (tag == null || tag.isEmpty() || tag.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Matcher m = LENIENT.matcher(tag);
        if (!m.matches()) {
            return Optional.empty();
        }
        if (strict && (m.group(2) == null || m.group(3) == null)) {
            return Optional.empty();
        }
        String[] parts = {m.group(1), m.group(2), m.group(3)};
        StringBuilder normal = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            String p = parts[i] == null ? "0" : parts[i];
            if (strict && p.length() > 1 && p.charAt(0) == '0') {
                return Optional.empty();
            }
            BigInteger n = new BigInteger(p);
            if (n.compareTo(MAX) > 0) {
                return Optional.empty();
            }
            normal.append(i > 0 ? "." : "").append(n);
        }
        if (m.group(4) != null) normal.append(m.group(4));
        if (m.group(5) != null) normal.append(m.group(5));
        Semver s = Semver.parse(normal.toString());
        return s == null ? Optional.empty() : Optional.of(new Version(s, tag));
    }

    /** Lenient parse, for constraint operands and chart versions. */
    public static Optional<Version> parse(String tag) {
        return parse(tag, false);
    }

    public int major() {
        return semver.getMajor();
    }

    public int minor() {
        return semver.getMinor();
    }

    public int patch() {
        return semver.getPatch();
    }

    public boolean isPrerelease() {
        return !semver.getPreRelease().isEmpty();
    }

    /** The tag as written. */
    public String original() {
        return original;
    }

    /** SemVer 2.0.0 precedence (build metadata ignored). */
    @Override
    public int compareTo(Version o) {
        return semver.compareTo(o.semver);
    }

    /** Precedence, then the tag text: a total order, as Kargo sorts ({@code 1.0} and {@code 1.0.0} both kept). */
    public int compareWithText(Version o) {
        int c = compareTo(o);
        return c != 0 ? c : original.compareTo(o.original);
    }

    /** The pre-release identifiers, empty for a release. */
    public List<String> prerelease() {
        return semver.getPreRelease();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && v.semver.equals(semver) && v.original.equals(original);
    }

    @Override
    public int hashCode() {
        return original.hashCode();
    }

    @Override
    public String toString() {
        return original;
    }
}
