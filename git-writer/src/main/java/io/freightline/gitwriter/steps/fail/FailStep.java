package io.freightline.gitwriter.steps.fail;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

/** Fails the promotion (terminal), with the configured message; used behind an {@code if}. */
@ApplicationScoped
public class FailStep implements Step<FailConfig> {

    @Override
    public String name() {
        return "fail";
    }

    @Override
    public Class<FailConfig> configType() {
        return FailConfig.class;
    }

    @Override
    public String schema() {
        return FailConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, FailConfig config) throws StepException {
        throw StepException.terminal(config.message() == null ? "failed by a fail step" : config.message());
    }
}
