package io.freightline.gitwriter.steps.gitcommit;

import io.freightline.gitwriter.domain.GitWork;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Commits a working tree to its checked-out branch, with the promotion's trailers. No change from the head: no commit,
 * and output {@code commit} is the head. A branch that already holds this promotion's commit (a redelivered promotion)
 * gets no second one: {@code commit} is that commit.
 */
@ApplicationScoped
public class GitCommitStep implements Step<GitCommitConfig> {

    @Override
    public String name() {
        return "git-commit";
    }

    @Override
    public Class<GitCommitConfig> configType() {
        return GitCommitConfig.class;
    }

    @Override
    public String schema() {
        return GitCommitConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, GitCommitConfig config) throws StepException {
        GitWork.Author author = config.author() == null ? null
                : new GitWork.Author(config.author().name(), config.author().email());
        GitWork.Committed c = ctx.git().commit(config.path(), config.message(), author);
        ctx.output("commit", c.commit());
        if (c.alreadyPresent()) {
            return "this promotion's commit " + c.commit() + " is already on the branch";
        }
        return c.created() ? "committed " + c.commit() : "nothing to commit in " + config.path();
    }
}
