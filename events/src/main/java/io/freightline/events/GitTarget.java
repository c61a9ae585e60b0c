package io.freightline.events;

/**
 * Where a promotion commits.
 *
 * @param repoURL     the GitOps repository (the Kafka key of promotions)
 * @param branch      the branch to commit to
 * @param pullRequest when set, push to a generated branch and open a pull request instead of pushing to branch
 */
public record GitTarget(String repoURL, String branch, PullRequest pullRequest) {

    /**
     * @param provider gitea, github or gitlab
     * @param apiURL   the provider's API base URL
     * @param repo     owner/name (GitLab: the project path)
     */
    public record PullRequest(String provider, String apiURL, String repo) {
    }
}
