package io.freightline.gitwriter.steps.gittag;

/**
 * Config of {@code git-tag} (Kargo's schema).
 *
 * @param path    a checked-out working tree ({@code git-clone})
 * @param tag     the tag name
 * @param message the tag's annotation
 * @param force   let the tag's push replace an existing tag of that name (default false: that fails)
 */
public record GitTagConfig(String path, String tag, String message, Boolean force) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-tag",
              "type": "object",
              "required": ["path", "tag", "message"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "tag": {"type": "string", "minLength": 1},
                "message": {"type": "string", "minLength": 1},
                "force": {"type": "boolean", "default": false}
              }
            }
            """;
}
