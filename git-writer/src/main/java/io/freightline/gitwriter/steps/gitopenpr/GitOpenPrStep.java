package io.freightline.gitwriter.steps.gitopenpr;

import io.freightline.gitwriter.client.PullRequestProvider;
import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a pull request from {@code sourceBranch} to {@code targetBranch} through the Git host's API. An open pull
 * request for the same source and target is reused (a redelivered or repeated promotion opens no second one).
 * Outputs {@code pr.id} and {@code pr.url}. In a promotion it runs after the batch's push (see the writer's README).
 */
@ApplicationScoped
public class GitOpenPrStep implements Step<GitOpenPrConfig> {
    private final String token;

    @Inject
    public GitOpenPrStep(GitWriterConfig config) {
        this(PullRequestProvider.token(config));
    }

    /** @param token the API token (null: anonymous) */
    public GitOpenPrStep(String token) {
        this.token = token;
    }

    @Override
    public String name() {
        return "git-open-pr";
    }

    @Override
    public Class<GitOpenPrConfig> configType() {
        return GitOpenPrConfig.class;
    }

    @Override
    public String schema() {
        return GitOpenPrConfig.SCHEMA;
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(90); // a few API calls of up to 30 s each
    }

    @Override
    public boolean retryable() {
        return true;
    }

    @Override
    public String run(StepContext ctx, GitOpenPrConfig c) throws StepException {
        PullRequestProvider api = PullRequestProvider.forStep(name(), c.repoURL(), c.provider(), c.insecureSkipTLSVerify(), token);
        String alias = ctx.freight() == null ? null : ctx.freight().alias() != null ? ctx.freight().alias() : ctx.freight().id();
        String title = c.title() != null ? c.title()
                : "Promote " + (alias != null ? alias : c.sourceBranch()) + " to " + (ctx.stage() != null ? ctx.stage() : c.targetBranch());
        String description = c.description() != null ? c.description()
                : "Promotion " + ctx.promotionId() + " of project " + ctx.project() + ": merges " + c.sourceBranch()
                + " into " + c.targetBranch() + ".";
        List<String> labels = c.labels() == null ? List.of() : c.labels();
        PullRequestProvider.PullRequest pr = api.open(c.sourceBranch(), c.targetBranch(), title, description, labels, true);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", pr.number());
        out.put("url", pr.url());
        ctx.output("pr", out);
        return "pull request " + pr.number() + " (" + pr.url() + ") from " + c.sourceBranch() + " to " + c.targetBranch();
    }
}
