package io.freightline.gitwriter.steps.composeoutput;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * Makes every key of its config an output (the values' expressions are evaluated before the step runs, like every
 * step's config), so later steps and a PromotionTask's callers can read combined values under one alias.
 */
@ApplicationScoped
@SuppressWarnings("rawtypes")
public class ComposeOutputStep implements Step<Map> {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "compose-output",
              "type": "object",
              "minProperties": 1
            }
            """;

    @Override
    public String name() {
        return "compose-output";
    }

    @Override
    public Class<Map> configType() {
        return Map.class;
    }

    @Override
    public String schema() {
        return SCHEMA;
    }

    @Override
    public String run(StepContext ctx, Map config) throws StepException {
        for (Object e : config.entrySet()) {
            Map.Entry<?, ?> entry = (Map.Entry<?, ?>) e;
            ctx.output(String.valueOf(entry.getKey()), entry.getValue());
        }
        return "composed " + config.size() + " output(s)";
    }
}
