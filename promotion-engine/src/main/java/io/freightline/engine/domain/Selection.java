package io.freightline.engine.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.Subscription;
import io.freightline.versions.Policy;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A subscription's selection as the engine applies it to artifact events: whether an artifact belongs to the
 * subscription, and, through the shared version-selection rules ({@link Policy}), whether it is eligible and
 * which of the kept candidates is the newest.
 */
public final class Selection {
    private static final Map<Subscription, Policy> POLICIES = new ConcurrentHashMap<>();

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
        Policy p = policy(s);
        switch (p.strategy()) {
            case NEWEST_FROM_BRANCH -> {
                if (a.commit() == null) return "no commit";
                if (s.branch() != null && a.branch() != null && !s.branch().equals(a.branch())) {
                    return "branch " + a.branch() + " is not " + s.branch();
                }
                return null;
            }
            case DIGEST -> {
                if (a.tag() == null) return a.digest() != null ? null : "no tag";
            }
            default -> {
            }
        }
        return p.rejection(a.tag());
    }

    /** Orders candidates oldest first, by the subscription's strategy. */
    public static Comparator<Candidate> newestLast(Subscription s) {
        return policy(s).newestFirst((Candidate c) -> c.artifact().tag(),
                c -> c.createdAt() != null ? c.createdAt() : c.discoveredAt()).reversed();
    }

    /**
     * Adds an accepted candidate to the subscription's kept candidates (oldest first), dropping the oldest beyond
     * the discovery limit; false when the artifact was already there.
     */
    public static boolean keep(Subscription s, List<Candidate> oldestFirst, Candidate c) {
        if (oldestFirst.stream().anyMatch(k -> k.artifact().equals(c.artifact()))) return false;
        oldestFirst.add(c);
        oldestFirst.sort(newestLast(s));
        int limit = policy(s).limit();
        while (oldestFirst.size() > limit) oldestFirst.remove(0);
        return true;
    }

    /** Validates strategy, constraint and regexes; returns the reason the subscription is invalid, or null. */
    public static String invalid(Subscription s) {
        try {
            policy(s);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static Policy policy(Subscription s) {
        Policy p = POLICIES.get(s);
        if (p == null) {
            p = Policy.of(s); // throws for an invalid subscription, which is then not cached
            POLICIES.put(s, p);
        }
        return p;
    }

    private Selection() {
    }
}
