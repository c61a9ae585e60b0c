package io.freightline.gitwriter.steps.fail;

/**
 * Config of {@code fail}.
 *
 * @param message why the promotion fails (optional)
 */
public record FailConfig(String message) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "fail",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "message": {"type": "string", "minLength": 1}
              }
            }
            """;
}
