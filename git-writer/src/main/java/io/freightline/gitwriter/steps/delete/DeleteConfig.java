package io.freightline.gitwriter.steps.delete;

/**
 * Config of {@code delete}.
 *
 * @param path   the file or folder to delete
 * @param strict fail when nothing is there (default: succeed)
 */
public record DeleteConfig(String path, Boolean strict) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "delete",
              "type": "object",
              "required": ["path"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "strict": {"type": ["boolean", "null"]}
              }
            }
            """;
}
