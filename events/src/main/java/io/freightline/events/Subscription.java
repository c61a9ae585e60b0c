package io.freightline.events;

import java.util.List;

/**
 * One artifact source of a warehouse, as the watcher must follow it (Kargo's {@code spec.subscriptions[]}).
 *
 * @param name           unique in the warehouse (defaults to the repoURL)
 * @param kind           image, chart or git
 * @param repoURL        registry host/path, Helm repo URL (http(s):// or oci://), or Git URL
 * @param chartName      the chart within an HTTP Helm repository
 * @param strategy       SemVer, Lexical, NewestBuild, Digest (images); NewestFromBranch, NewestTag, SemVer (git)
 * @param constraint     a SemVer constraint such as {@code ^1.2.0}, or for Digest the mutable tag to follow
 * @param strictSemvers  only accept full SemVer versions (no {@code 1.2})
 * @param allowTags      older single allow regex (Kargo's deprecated {@code allowTags}); counts as one more
 *                       entry of {@code allowTagsRegexes}
 * @param ignoreTags     older list of exact tags to skip (Kargo's deprecated {@code ignoreTags})
 * @param discoveryLimit how many versions to keep per scan
 * @param branch         the Git branch for NewestFromBranch
 * @param includePaths   Git path filters: a commit counts if it touches one of them
 * @param excludePaths   Git path filters: a commit that only touches these does not count
 * @param discovery      {@code poll} (default: webhooks trigger a re-read) or {@code webhook} (trust authenticated
 *                       webhook payloads, for registries the watcher cannot reach)
 * @param allowTagsRegexes  a tag is eligible only if it matches one of these (RE2, unanchored); none = all
 * @param ignoreTagsRegexes a tag that matches one of these (RE2, unanchored) is never eligible
 * @param platform       images: only images (or index entries) for this {@code os/arch[/variant]}, e.g.
 *                       {@code linux/amd64} (Kargo's {@code platform}); null = any
 * @param expressionFilter Git: Kargo's {@code expressionFilter}, an expression over each commit's (or tag's)
 *                       metadata that must be true for it to be eligible; null = all
 */
public record Subscription(
        String name,
        ArtifactKind kind,
        String repoURL,
        String chartName,
        String strategy,
        String constraint,
        Boolean strictSemvers,
        String allowTags,
        List<String> ignoreTags,
        Integer discoveryLimit,
        String branch,
        List<String> includePaths,
        List<String> excludePaths,
        String discovery,
        List<String> allowTagsRegexes,
        List<String> ignoreTagsRegexes,
        String platform,
        String expressionFilter) {

    /** A subscription without {@code platform}/{@code expressionFilter}. */
    public Subscription(String name, ArtifactKind kind, String repoURL, String chartName, String strategy,
                        String constraint, Boolean strictSemvers, String allowTags, List<String> ignoreTags,
                        Integer discoveryLimit, String branch, List<String> includePaths, List<String> excludePaths,
                        String discovery, List<String> allowTagsRegexes, List<String> ignoreTagsRegexes) {
        this(name, kind, repoURL, chartName, strategy, constraint, strictSemvers, allowTags, ignoreTags,
                discoveryLimit, branch, includePaths, excludePaths, discovery, allowTagsRegexes, ignoreTagsRegexes,
                null, null);
    }

    /** A subscription without {@code allowTagsRegexes}/{@code ignoreTagsRegexes}. */
    public Subscription(String name, ArtifactKind kind, String repoURL, String chartName, String strategy,
                        String constraint, Boolean strictSemvers, String allowTags, List<String> ignoreTags,
                        Integer discoveryLimit, String branch, List<String> includePaths, List<String> excludePaths,
                        String discovery) {
        this(name, kind, repoURL, chartName, strategy, constraint, strictSemvers, allowTags, ignoreTags,
                discoveryLimit, branch, includePaths, excludePaths, discovery, null, null);
    }
}
