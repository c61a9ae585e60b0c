package io.freightline.gitwriter.steps.jsonparse;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import io.freightline.gitwriter.domain.ParsedOutputs;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.events.EventCodec;

import java.util.Map;

/** Reads values out of a JSON file into the step's outputs. */
@ApplicationScoped
public class JsonParseStep implements Step<JsonParseConfig> {

    @Override
    public String name() {
        return "json-parse";
    }

    @Override
    public Class<JsonParseConfig> configType() {
        return JsonParseConfig.class;
    }

    @Override
    public String schema() {
        return JsonParseConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, JsonParseConfig config) throws StepException {
        String file = ctx.workspace().resolve(config.path());
        Map<String, Object> document = load(file, TextFiles.read(ctx.workspace(), file));
        return ParsedOutputs.write(ctx, file, config.outputs(), document);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String file, String text) throws StepException {
        Object doc;
        try {
            doc = EventCodec.mapper().readValue(text, Object.class);
        } catch (Exception e) {
            throw StepException.terminal(file, "is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(doc instanceof Map)) {
            throw StepException.terminal(file, "is not a JSON object");
        }
        return (Map<String, Object>) doc;
    }
}
