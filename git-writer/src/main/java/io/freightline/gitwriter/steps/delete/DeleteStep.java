package io.freightline.gitwriter.steps.delete;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

/** Deletes a file or a folder. */
@ApplicationScoped
public class DeleteStep implements Step<DeleteConfig> {

    @Override
    public String name() {
        return "delete";
    }

    @Override
    public Class<DeleteConfig> configType() {
        return DeleteConfig.class;
    }

    @Override
    public String schema() {
        return DeleteConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, DeleteConfig config) throws StepException {
        String path = ctx.workspace().resolve(config.path());
        if (path.isEmpty()) {
            throw StepException.terminal("delete: refusing to delete the whole repository");
        }
        if (ctx.workspace().delete(path)) {
            return "deleted " + path;
        }
        if (Boolean.TRUE.equals(config.strict())) {
            throw StepException.terminal(path, "nothing to delete");
        }
        return "nothing at " + path;
    }
}
