package io.freightline.gitwriter.steps.tomlupdate;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import io.freightline.gitwriter.domain.KeyPaths;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.gitwriter.domain.toml.TomlEdits;

/** Sets existing scalar values at dotted key paths in a TOML file, keeping every other character of it. */
@ApplicationScoped
public class TomlUpdateStep implements Step<TomlUpdateConfig> {

    @Override
    public String name() {
        return "toml-update";
    }

    @Override
    public Class<TomlUpdateConfig> configType() {
        return TomlUpdateConfig.class;
    }

    @Override
    public String schema() {
        return TomlUpdateConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, TomlUpdateConfig config) throws StepException {
        String file = ctx.workspace().resolve(config.path());
        String before = TextFiles.read(ctx.workspace(), file);
        String after = before;
        StringBuilder message = new StringBuilder("Updated ").append(config.path());
        for (TomlUpdateConfig.Update u : config.updates()) {
            after = TomlEdits.set(file, after, KeyPaths.split(u.key()), u.value());
            message.append("\n- ").append(u.key()).append(": ").append(u.value());
        }
        ctx.output("commitMessage", message.toString());
        boolean changed = TextFiles.writeIfChanged(ctx.workspace(), file, before, after);
        return (changed ? "updated " : "already set ") + config.updates().size() + " key(s) in " + file;
    }
}
