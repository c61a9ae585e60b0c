package io.freightline.versions;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactReferences;
import io.freightline.events.Subscription;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * One subscription's version selection, as Kargo defines it: which tags are eligible (tag grammar, ignore and
 * allow regexes, the strategy's own rule) and how eligible artifacts are ordered, newest first, up to the
 * discovery limit. Immutable and thread-safe; build it once per subscription with {@link #of(Subscription)}.
 *
 * @param kind       what the subscription follows
 * @param strategy   the selection strategy
 * @param constraint the SemVer constraint (SemVer only; {@link Constraint#NONE} otherwise)
 * @param digestTag  the mutable tag a Digest subscription follows (null otherwise)
 * @param strict     only full {@code major.minor.patch} versions count (SemVer only)
 * @param allow      a tag must match one of these (unanchored RE2, as Go's {@code MatchString}); none = any
 * @param ignore     a tag matching one of these is never eligible
 * @param ignoreTags exact tags that are never eligible (the older {@code ignoreTags})
 * @param limit      at most this many artifacts are kept
 */
public record Policy(ArtifactKind kind, Strategy strategy, Constraint constraint, String digestTag, boolean strict,
                     List<Pattern> allow, List<Pattern> ignore, Set<String> ignoreTags, int limit) {

    /** Kargo's default {@code discoveryLimit}. */
    public static final int DEFAULT_LIMIT = 20;
    /** Kargo's maximum {@code discoveryLimit}. */
    public static final int MAX_LIMIT = 100;

    /**
     * The policy of a subscription.
     *
     * @throws IllegalArgumentException naming the field that is invalid (strategy, constraint, a regex)
     */
    public static Policy of(Subscription s) {
        Strategy strategy = Strategy.of(s.strategy(), s.kind());
        Constraint constraint = Constraint.NONE;
        String digestTag = null;
        if (strategy == Strategy.DIGEST) {
            digestTag = s.constraint();
            if (digestTag == null || digestTag.isBlank()) {
                throw new IllegalArgumentException("constraint: the Digest strategy needs the tag to follow");
            }
            String bad = ArtifactReferences.tagProblem(digestTag);
            if (bad != null) {
                throw new IllegalArgumentException("constraint: " + bad);
            }
        } else if (strategy == Strategy.SEMVER) {
            constraint = Constraint.parse(s.constraint());
        }
        // Kargo: strictSemvers defaults to true for images and Git; chart versions are always read leniently.
        boolean strict = s.kind() != ArtifactKind.CHART && !Boolean.FALSE.equals(s.strictSemvers());
        List<Pattern> allow = new ArrayList<>(compile("allowTagsRegexes", s.allowTagsRegexes()));
        if (s.allowTags() != null && !s.allowTags().isBlank()) {
            allow.addAll(compile("allowTags", List.of(s.allowTags())));
        }
        int limit = s.discoveryLimit() == null || s.discoveryLimit() <= 0 ? DEFAULT_LIMIT
                : Math.min(s.discoveryLimit(), MAX_LIMIT);
        return new Policy(s.kind(), strategy, constraint, digestTag, strict, List.copyOf(allow),
                compile("ignoreTagsRegexes", s.ignoreTagsRegexes()),
                s.ignoreTags() == null ? Set.of() : Set.copyOf(s.ignoreTags()), limit);
    }

    private static List<Pattern> compile(String field, List<String> regexes) {
        if (regexes == null) {
            return List.of();
        }
        List<Pattern> out = new ArrayList<>();
        for (String r : regexes) {
            try {
                out.add(Pattern.compile(Objects.requireNonNull(r, "null")));
            } catch (PatternSyntaxException | NullPointerException e) {
                throw new IllegalArgumentException(field + ": '" + r + "' is not a regular expression: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** Whether the tag is eligible. */
    public boolean accepts(String tag) {
        return rejection(tag) == null;
    }

    /** Why the tag is not eligible, or null when it is. */
    public String rejection(String tag) {
        if (strategy == Strategy.NEWEST_FROM_BRANCH) {
            return null; // commits of a branch: tags play no part
        }
        if (tag == null || tag.isEmpty()) {
            return "no tag";
        }
        String bad = kind == ArtifactKind.CHART ? ArtifactReferences.chartVersionProblem(tag)
                : kind == ArtifactKind.GIT ? ArtifactReferences.gitTagProblem(tag) : ArtifactReferences.tagProblem(tag);
        if (bad != null) {
            return bad;
        }
        if (strategy == Strategy.DIGEST) {
            return tag.equals(digestTag) ? null : "tag " + tag + " is not the followed tag " + digestTag;
        }
        for (Pattern p : ignore) {
            if (p.matcher(tag).find()) return "tag " + tag + " matches ignoreTagsRegexes '" + p.pattern() + "'";
        }
        if (ignoreTags.contains(tag)) {
            return "tag " + tag + " is in ignoreTags";
        }
        if (!allow.isEmpty() && allow.stream().noneMatch(p -> p.matcher(tag).find())) {
            return "tag " + tag + " matches no allowTagsRegexes";
        }
        if (strategy == Strategy.SEMVER) {
            Version v = Version.parse(tag, strict).orElse(null);
            if (v == null) {
                return "tag " + tag + " is not a " + (strict ? "strict " : "") + "semantic version";
            }
            if (!constraint.matches(v)) {
                return "version " + tag + " does not satisfy " + constraint;
            }
        }
        return null;
    }

    /**
     * The order of eligible artifacts, newest first: SemVer by precedence, then tag text; Lexical by tag text;
     * NewestBuild and NewestTag by {@code time} (build time, tag creation time), then tag text; Digest and
     * NewestFromBranch by {@code time} (when it was seen, the commit time). A null time counts as oldest.
     */
    public <T> Comparator<T> newestFirst(Function<T, String> tag, Function<T, Instant> time) {
        Comparator<T> byTag = Comparator.comparing(tag, Comparator.nullsFirst(Comparator.<String>naturalOrder()));
        Comparator<T> byTime = Comparator.comparing(time, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));
        Comparator<T> oldestFirst = switch (strategy) {
            case SEMVER -> Comparator.comparing((T t) -> tag.apply(t) == null ? null : Version.parse(tag.apply(t), strict).orElse(null),
                    Comparator.nullsFirst(Version::compareWithText));
            case LEXICAL -> byTag;
            case NEWEST_BUILD, NEWEST_TAG, DIGEST, NEWEST_FROM_BRANCH -> byTime.thenComparing(byTag);
        };
        return oldestFirst.reversed();
    }

    /** The eligible items, newest first, at most {@link #limit()}; duplicates (by tag) counted once. */
    public <T> List<T> select(Collection<T> items, Function<T, String> tag, Function<T, Instant> time) {
        List<T> eligible = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (T item : items) {
            String t = tag.apply(item);
            if (accepts(t) && (!strategy.tagBased() || seen.add(t))) eligible.add(item);
        }
        eligible.sort(newestFirst(tag, time));
        return eligible.size() > limit ? List.copyOf(eligible.subList(0, limit)) : List.copyOf(eligible);
    }

    /** Convenience for plain tag lists: the eligible tags, newest first, at most {@link #limit()}. */
    public List<String> selectTags(Collection<String> tags, Function<String, Instant> time) {
        return select(tags, Function.identity(), time);
    }
}
