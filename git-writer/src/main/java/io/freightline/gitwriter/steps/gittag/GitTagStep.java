package io.freightline.gitwriter.steps.gittag;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Makes an annotated tag at the head of a checked-out working tree, in the warm clone; a later
 * {@code git-push} with {@code tag} sends it with the batch's other ref updates. Output {@code commit}.
 */
@ApplicationScoped
public class GitTagStep implements Step<GitTagConfig> {

    @Override
    public String name() {
        return "git-tag";
    }

    @Override
    public Class<GitTagConfig> configType() {
        return GitTagConfig.class;
    }

    @Override
    public String schema() {
        return GitTagConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, GitTagConfig config) throws StepException {
        String commit = ctx.git().tag(config.path(), config.tag(), config.message(), Boolean.TRUE.equals(config.force()));
        ctx.output("commit", commit);
        return "tagged " + commit + " as " + config.tag();
    }
}
