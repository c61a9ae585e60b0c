package io.freightline.gitwriter.steps.jsonupdate;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import io.freightline.gitwriter.domain.KeyPaths;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.gitwriter.domain.json.JsonEdits;

/** Sets values at dotted key paths in a JSON file, keeping every other character of it; missing members are added. */
@ApplicationScoped
public class JsonUpdateStep implements Step<JsonUpdateConfig> {

    @Override
    public String name() {
        return "json-update";
    }

    @Override
    public Class<JsonUpdateConfig> configType() {
        return JsonUpdateConfig.class;
    }

    @Override
    public String schema() {
        return JsonUpdateConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, JsonUpdateConfig config) throws StepException {
        String file = ctx.workspace().resolve(config.path());
        String before = TextFiles.read(ctx.workspace(), file);
        String after = before;
        StringBuilder message = new StringBuilder("Updated ").append(config.path());
        for (JsonUpdateConfig.Update u : config.updates()) {
            after = JsonEdits.set(file, after, KeyPaths.split(u.key()), u.value());
            message.append("\n- ").append(u.key()).append(": ").append(u.value());
        }
        ctx.output("commitMessage", message.toString());
        boolean changed = TextFiles.writeIfChanged(ctx.workspace(), file, before, after);
        return (changed ? "updated " : "already set ") + config.updates().size() + " key(s) in " + file;
    }
}
