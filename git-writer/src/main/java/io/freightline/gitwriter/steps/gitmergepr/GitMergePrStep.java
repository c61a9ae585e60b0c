package io.freightline.gitwriter.steps.gitmergepr;

import io.freightline.gitwriter.client.PullRequestProvider;
import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.GoDurations;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.gitwaitforpr.GitWaitForPrStep;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * Merges a pull request through the Git host's API (a synchronous merge; merge queues are not used) and outputs
 * {@code commit}, the merge commit. Already merged → that merge commit (so a repeated promotion merges nothing
 * twice). Not mergeable yet (draft, pending checks, the host declining): terminal, or with {@code wait: true} a
 * retryable "still open" answer that the pull-request flow tries again every poll interval.
 */
@ApplicationScoped
public class GitMergePrStep implements Step<GitMergePrConfig> {
    private final String token;

    @Inject
    public GitMergePrStep(GitWriterConfig config) {
        this(PullRequestProvider.token(config));
    }

    public GitMergePrStep(String token) {
        this.token = token;
    }

    @Override
    public String name() {
        return "git-merge-pr";
    }

    @Override
    public Class<GitMergePrConfig> configType() {
        return GitMergePrConfig.class;
    }

    @Override
    public String schema() {
        return GitMergePrConfig.SCHEMA;
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(120); // read, merge, read again
    }

    @Override
    public boolean retryable() {
        return true;
    }

    @Override
    public String run(StepContext ctx, GitMergePrConfig c) throws StepException {
        if (c.pollInterval() != null) {
            GoDurations.parse("pollInterval", c.pollInterval());
        }
        PullRequestProvider api = PullRequestProvider.forStep(name(), c.repoURL(), c.provider(), c.insecureSkipTLSVerify(), token);
        PullRequestProvider.Merge m = api.merge(c.prNumber(), c.mergeMethod());
        if (!m.merged()) {
            String msg = "pull request " + c.prNumber() + " is not mergeable yet (" + m.notReadyReason() + ")";
            if (Boolean.TRUE.equals(c.waitForMergeable())) {
                throw StepException.retryable(msg + ": " + GitWaitForPrStep.STILL_OPEN + ", waiting", null);
            }
            throw StepException.terminal(msg + "; set wait: true to wait for it");
        }
        String sha = m.pullRequest().mergeSha();
        if (sha == null) {
            throw StepException.terminal("pull request " + c.prNumber() + " is merged but " + api.provider()
                    + " names no merge commit");
        }
        ctx.output("commit", sha);
        return "merged pull request " + c.prNumber() + " as " + sha;
    }
}
