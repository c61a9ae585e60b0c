package io.freightline.gitwriter.steps.yaml;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.KeyPaths;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.gitwriter.domain.yaml.YamlEdits;
import jakarta.enterprise.context.ApplicationScoped;

/** Sets scalars at dotted key paths in any YAML file (Helm values, manifests), byte-preserving. */
@ApplicationScoped
public class YamlUpdateStep implements Step<YamlUpdateConfig> {

    @Override
    public String name() {
        return "yaml-update";
    }

    @Override
    public Class<YamlUpdateConfig> configType() {
        return YamlUpdateConfig.class;
    }

    @Override
    public String schema() {
        return YamlUpdateConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, YamlUpdateConfig config) throws StepException {
        String file = ctx.workspace().resolve(config.path());
        String before = TextFiles.read(ctx.workspace(), file);
        String after = before;
        int doc = config.document() == null ? 0 : config.document();
        for (YamlUpdateConfig.Update u : config.updates()) {
            after = YamlEdits.set(file, after, doc, KeyPaths.split(u.key()), u.value());
        }
        boolean changed = TextFiles.writeIfChanged(ctx.workspace(), file, before, after);
        return (changed ? "updated " : "already set ") + config.updates().size() + " key(s) in " + file;
    }
}
