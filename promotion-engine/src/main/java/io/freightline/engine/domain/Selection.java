package io.freightline.engine.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.Subscription;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** A subscription's selection: which artifacts it accepts, and which of them is the newest. */
public final class Selection {
    /** Strategies per kind, as Kargo names them. */
    public static final Map<ArtifactKind, List<String>> STRATEGIES = Map.of(
            ArtifactKind.IMAGE, List.of("SemVer", "Lexical", "NewestBuild", "Digest"),
            ArtifactKind.CHART, List.of("SemVer"),
            ArtifactKind.GIT, List.of("NewestFromBranch", "NewestTag", "SemVer", "Lexical"));

    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
    private static final Map<String, SemVer.Constraint> CONSTRAINTS = new ConcurrentHashMap<>();

    /** An accepted artifact with when it was built and seen (for NewestBuild and the lead-time metric). */
    public record Candidate(ArtifactRef artifact, Instant createdAt, Instant discoveredAt) {
    }

    /** Whether the artifact belongs to the subscription (kind, repository, chart name). */
    public static boolean subscribes(Subscription s, ArtifactRef a) {
        if (s.kind() != a.kind() || !sameRepo(s.repoURL(), a.repoURL())) {
            return false;
        }
        return s.kind() != ArtifactKind.CHART || s.chartName() == null || s.chartName().equals(a.name());
    }

    static boolean sameRepo(String a, String b) {
        return norm(a).equals(norm(b));
    }

    private static String norm(String url) {
        String s = url.trim();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        if (s.endsWith(".git")) s = s.substring(0, s.length() - 4);
        return s.toLowerCase(Locale.ROOT);
    }

    /** Why the subscription does not accept the artifact, or null when it does. */
    public static String rejection(Subscription s, ArtifactRef a) {
        String version = a.tag();
        if (s.kind() == ArtifactKind.GIT && strategy(s).equals("NewestFromBranch")) {
            if (a.commit() == null) return "no commit";
            if (s.branch() != null && a.branch() != null && !s.branch().equals(a.branch())) {
                return "branch " + a.branch() + " is not " + s.branch();
            }
            return null;
        }
        if (version == null) {
            return s.kind() == ArtifactKind.IMAGE && strategy(s).equals("Digest") && a.digest() != null ? null : "no tag";
        }
        if (s.allowTags() != null && !s.allowTags().isBlank() && !pattern(s.allowTags()).matcher(version).matches()) {
            return "tag " + version + " not allowed by allowTags";
        }
        if (s.ignoreTags() != null && s.ignoreTags().contains(version)) {
            return "tag " + version + " is ignored";
        }
        return switch (strategy(s)) {
            case "SemVer" -> {
                SemVer v = SemVer.parse(version, Boolean.TRUE.equals(s.strictSemvers()));
                if (v == null) yield "tag " + version + " is not a semantic version";
                if (s.constraint() != null && !s.constraint().isBlank() && !constraint(s.constraint()).matches(v)) {
                    yield "version " + version + " does not satisfy " + s.constraint();
                }
                yield null;
            }
            case "Digest" -> s.constraint() == null || s.constraint().equals(version) ? null
                    : "tag " + version + " is not the followed tag " + s.constraint();
            default -> null;
        };
    }

    /** Orders candidates oldest first, by the subscription's strategy; ties by discovery time. */
    public static Comparator<Candidate> newestLast(Subscription s) {
        Comparator<Candidate> byDiscovery = Comparator.comparing(Candidate::discoveredAt,
                Comparator.nullsFirst(Comparator.naturalOrder()));
        return switch (strategy(s)) {
            case "SemVer" -> Comparator.<Candidate, SemVer>comparing(c -> SemVer.parse(c.artifact().tag(), false),
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(byDiscovery);
            case "Lexical" -> Comparator.<Candidate, String>comparing(c -> c.artifact().tag(),
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(byDiscovery);
            case "NewestBuild" -> Comparator.<Candidate, Instant>comparing(
                    c -> c.createdAt() != null ? c.createdAt() : c.discoveredAt(),
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(byDiscovery);
            case "NewestTag" -> Comparator.<Candidate, SemVer>comparing(c -> SemVer.parse(c.artifact().tag(), false),
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(byDiscovery);
            default -> byDiscovery; // Digest, NewestFromBranch: the last one seen is the newest
        };
    }

    public static String strategy(Subscription s) {
        if (s.strategy() != null) return s.strategy();
        return s.kind() == ArtifactKind.GIT ? "NewestFromBranch" : "SemVer";
    }

    /** Validates a constraint or regex; returns the reason it is invalid, or null. */
    public static String invalid(Subscription s) {
        List<String> allowed = STRATEGIES.get(s.kind());
        if (!allowed.contains(strategy(s))) {
            return "strategy " + strategy(s) + " is not one of " + allowed;
        }
        try {
            if (strategy(s).equals("SemVer") && s.constraint() != null) constraint(s.constraint());
        } catch (IllegalArgumentException e) {
            return "constraint: " + e.getMessage();
        }
        try {
            if (s.allowTags() != null) pattern(s.allowTags());
        } catch (RuntimeException e) {
            return "allowTags: not a regular expression: " + e.getMessage();
        }
        return null;
    }

    private static Pattern pattern(String regex) {
        return PATTERNS.computeIfAbsent(regex, Pattern::compile);
    }

    private static SemVer.Constraint constraint(String c) {
        return CONSTRAINTS.computeIfAbsent(c, SemVer.Constraint::parse);
    }

    private Selection() {
    }
}
