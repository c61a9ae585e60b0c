package io.freightline.gitwriter.steps.jsonupdate;

import java.util.List;

/**
 * Config of {@code json-update} (Kargo's schema).
 *
 * @param path    the JSON file
 * @param updates the keys to set, dotted paths as in Kargo ({@code image.tag}, {@code containers.0.image},
 *                {@code example\\.com/version} for a dot inside a key)
 */
public record JsonUpdateConfig(String path, List<Update> updates) {

    public record Update(String key, Object value) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "json-update",
              "type": "object",
              "required": ["path", "updates"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1, "description": "The path to a JSON file."},
                "updates": {
                  "type": "array",
                  "minItems": 1,
                  "items": {
                    "type": "object",
                    "required": ["key", "value"],
                    "additionalProperties": false,
                    "properties": {
                      "key": {"type": "string", "minLength": 1},
                      "value": {"type": ["string", "number", "boolean", "null"]}
                    }
                  }
                }
              }
            }
            """;
}
