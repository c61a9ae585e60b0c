package io.freightline.watcher.domain;

import io.freightline.events.Subscription;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tags of a subscription count and in which order: the strategy, the SemVer constraint, allow/ignore
 * filters and the discovery limit. Pure; the sources feed it tag lists.
 */
public record TagPolicy(Strategy strategy, SemVerConstraint constraint, String digestTag, boolean strict,
                        Pattern allow, List<String> ignore, int limit) {

    public static final int DEFAULT_LIMIT = 20;

    public static TagPolicy of(Subscription s) {
        Strategy strategy = Strategy.of(s.strategy(), s.kind());
        boolean digest = strategy == Strategy.DIGEST;
        return new TagPolicy(strategy,
                digest ? null : SemVerConstraint.parse(s.constraint()),
                digest ? s.constraint() : null,
                Boolean.TRUE.equals(s.strictSemvers()),
                s.allowTags() == null || s.allowTags().isBlank() ? null : Pattern.compile(s.allowTags()),
                s.ignoreTags() == null ? List.of() : List.copyOf(s.ignoreTags()),
                s.discoveryLimit() == null || s.discoveryLimit() <= 0 ? DEFAULT_LIMIT : Math.min(s.discoveryLimit(), 100));
    }

    /** Does this tag pass the allow/ignore filters and the strategy's own rule (SemVer + constraint, Digest tag)? */
    public boolean accepts(String tag) {
        if (tag == null || tag.isEmpty()) return false;
        if (allow != null && !allow.matcher(tag).matches()) return false;
        for (String ig : ignore) {
            if (ig.equals(tag) || regexMatches(ig, tag)) return false;
        }
        return switch (strategy) {
            case DIGEST -> tag.equals(digestTag);
            case SEMVER, NEWEST_TAG -> strategy == Strategy.NEWEST_TAG
                    || SemVer.parse(tag, strict).map(constraint::matches).orElse(false);
            default -> true;
        };
    }

    private static boolean regexMatches(String regex, String tag) {
        try {
            return Pattern.compile(regex).matcher(tag).matches();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /** The accepted tags, newest first, at most {@link #limit()}; NewestBuild needs each tag's build time. */
    public List<String> select(Collection<String> tags, Map<String, Instant> builtAt) {
        List<String> accepted = new ArrayList<>(tags.stream().filter(this::accepts).distinct().toList());
        Comparator<String> order = switch (strategy) {
            case SEMVER -> Comparator.comparing((String t) -> SemVer.parse(t, strict).orElseThrow(), SemVer::compareWithText);
            case NEWEST_BUILD, NEWEST_TAG -> Comparator.comparing((String t) -> builtAt.getOrDefault(t, Instant.EPOCH))
                    .thenComparing(Comparator.naturalOrder());
            default -> Comparator.naturalOrder();
        };
        accepted.sort(order.reversed());
        return accepted.size() > limit ? List.copyOf(accepted.subList(0, limit)) : List.copyOf(accepted);
    }
}
