package io.freightline.gitwriter.steps.yaml;

import java.util.List;

/**
 * Config of {@code yaml-update}.
 *
 * @param path     the YAML file (e.g. a Helm values.yaml)
 * @param document which document of a multi-document file (0 = the first)
 * @param updates  the keys to set
 */
public record YamlUpdateConfig(String path, Integer document, List<Update> updates) {

    /**
     * @param key   dotted path with list indexes, e.g. {@code image.tag} or {@code spec.containers.0.image};
     *              a dot inside a key is written {@code \.}
     * @param value the new value (string, number or boolean)
     */
    public record Update(String key, Object value) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "yaml-update",
              "type": "object",
              "required": ["path", "updates"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "document": {"type": ["integer", "null"], "minimum": 0},
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
