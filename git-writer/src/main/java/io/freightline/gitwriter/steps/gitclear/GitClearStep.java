package io.freightline.gitwriter.steps.gitclear;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

/** Deletes every file of a checked-out working tree, so the next steps write its whole content afresh. */
@ApplicationScoped
public class GitClearStep implements Step<GitClearConfig> {

    @Override
    public String name() {
        return "git-clear";
    }

    @Override
    public Class<GitClearConfig> configType() {
        return GitClearConfig.class;
    }

    @Override
    public String schema() {
        return GitClearConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, GitClearConfig config) throws StepException {
        ctx.git().clear(config.path());
        return "cleared " + config.path();
    }
}
