package io.freightline.gitwriter.steps.gitclear;

/**
 * Config of {@code git-clear}.
 *
 * @param path a working tree checked out by git-clone
 */
public record GitClearConfig(String path) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-clear",
              "type": "object",
              "required": ["path"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1}
              }
            }
            """;
}
