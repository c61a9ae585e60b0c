package io.freightline.gitwriter.steps.yamlparse;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import io.freightline.gitwriter.domain.ParsedOutputs;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.gitwriter.domain.yaml.YamlDocuments;

import java.util.Map;

/** Reads values out of a YAML file (its first document) into the step's outputs. */
@ApplicationScoped
public class YamlParseStep implements Step<YamlParseConfig> {

    @Override
    public String name() {
        return "yaml-parse";
    }

    @Override
    public Class<YamlParseConfig> configType() {
        return YamlParseConfig.class;
    }

    @Override
    public String schema() {
        return YamlParseConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, YamlParseConfig config) throws StepException {
        String file = ctx.workspace().resolve(config.path());
        Map<String, Object> document = YamlDocuments.mapping(file, TextFiles.read(ctx.workspace(), file));
        return ParsedOutputs.write(ctx, file, config.outputs(), document);
    }
}
