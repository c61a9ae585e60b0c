package io.freightline.gitwriter.steps.gitpush;

import io.freightline.gitwriter.domain.GitWork;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Pushes a working tree's commits (or a tag) to the remote. The push itself goes out with every other push of the
 * batch, as one compare-and-swap per branch; when the branch moved meanwhile, the promotion runs again on the new
 * head. Outputs {@code branch}, {@code commit}, {@code commitURL}.
 */
@ApplicationScoped
public class GitPushStep implements Step<GitPushConfig> {

    @Override
    public String name() {
        return "git-push";
    }

    @Override
    public Class<GitPushConfig> configType() {
        return GitPushConfig.class;
    }

    @Override
    public String schema() {
        return GitPushConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, GitPushConfig config) throws StepException {
        boolean generate = Boolean.TRUE.equals(config.generateTargetBranch());
        boolean force = Boolean.TRUE.equals(config.force());
        if (config.tag() != null && (config.targetBranch() != null || generate || force)) {
            throw StepException.terminal("git-push: tag is mutually exclusive with targetBranch, generateTargetBranch and force");
        }
        if (generate && config.targetBranch() != null) {
            throw StepException.terminal("git-push: targetBranch and generateTargetBranch are mutually exclusive");
        }
        GitWork.Pushed p = config.tag() != null
                ? ctx.git().pushTag(config.path(), config.tag(), config.provider())
                : ctx.git().push(config.path(), config.targetBranch(), generate, force, config.provider());
        if (p.branch() != null) {
            ctx.output("branch", p.branch());
        }
        ctx.output("commit", p.commit());
        if (p.commitURL() != null) {
            ctx.output("commitURL", p.commitURL());
        }
        return config.tag() != null ? "pushes tag " + config.tag() : "pushes " + p.commit() + " to " + p.branch();
    }
}
