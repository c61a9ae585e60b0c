package io.freightline.gitwriter.steps.tomlparse;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import io.freightline.gitwriter.domain.ParsedOutputs;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.events.EventCodec;
import io.freightline.gitwriter.domain.toml.TomlEdits;

import java.util.Map;

/** Reads values out of a TOML file into the step's outputs. */
@ApplicationScoped
public class TomlParseStep implements Step<TomlParseConfig> {

    @Override
    public String name() {
        return "toml-parse";
    }

    @Override
    public Class<TomlParseConfig> configType() {
        return TomlParseConfig.class;
    }

    @Override
    public String schema() {
        return TomlParseConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, TomlParseConfig config) throws StepException {
        String file = ctx.workspace().resolve(config.path());
        Map<String, Object> document = load(file, TextFiles.read(ctx.workspace(), file));
        return ParsedOutputs.write(ctx, file, config.outputs(), document);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String file, String text) throws StepException {
        return EventCodec.mapper().convertValue(TomlEdits.parse(file, text), Map.class);
    }
}
