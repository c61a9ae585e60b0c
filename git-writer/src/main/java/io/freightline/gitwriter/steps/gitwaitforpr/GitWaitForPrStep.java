package io.freightline.gitwriter.steps.gitwaitforpr;

import io.freightline.gitwriter.client.PullRequestProvider;
import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.GoDurations;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Looks at a pull request once: merged → outputs {@code commit} (the merge commit) and {@code pr}; closed without a
 * merge → terminal error; still open → a retryable error saying so. In a promotion the writer's pull-request flow
 * runs it again every poll interval, off the repository's writer thread, until it succeeds, fails or times out.
 */
@ApplicationScoped
public class GitWaitForPrStep implements Step<GitWaitForPrConfig> {
    /** Start of the message of the "still open" answer, which the pull-request flow waits on. */
    public static final String STILL_OPEN = "still open";
    private final String token;

    @Inject
    public GitWaitForPrStep(GitWriterConfig config) {
        this(PullRequestProvider.token(config));
    }

    public GitWaitForPrStep(String token) {
        this.token = token;
    }

    @Override
    public String name() {
        return "git-wait-for-pr";
    }

    @Override
    public Class<GitWaitForPrConfig> configType() {
        return GitWaitForPrConfig.class;
    }

    @Override
    public String schema() {
        return GitWaitForPrConfig.SCHEMA;
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    public boolean retryable() {
        return true;
    }

    @Override
    public String run(StepContext ctx, GitWaitForPrConfig c) throws StepException {
        if (c.pollInterval() != null) {
            GoDurations.parse("pollInterval", c.pollInterval());
        }
        PullRequestProvider api = PullRequestProvider.forStep(name(), c.repoURL(), c.provider(), c.insecureSkipTLSVerify(), token);
        PullRequestProvider.PullRequest pr = api.get(c.prNumber());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", pr.number());
        out.put("url", pr.url());
        out.put("open", pr.open());
        out.put("merged", pr.merged());
        switch (pr.state()) {
            case OPEN -> throw StepException.retryable("pull request " + pr.number() + " is " + STILL_OPEN
                    + " (" + pr.url() + "): waiting for it to be merged", null);
            case CLOSED -> throw StepException.terminal("pull request " + pr.number() + " (" + pr.url()
                    + ") was closed without being merged");
            case MERGED -> {
                if (pr.mergeSha() == null) {
                    throw StepException.terminal("pull request " + pr.number() + " is merged but " + api.provider()
                            + " names no merge commit");
                }
                ctx.output("commit", pr.mergeSha());
                ctx.output("pr", out);
                return "pull request " + pr.number() + " merged as " + pr.mergeSha();
            }
        }
        throw new IllegalStateException("unknown state " + pr.state());
    }
}
