package io.freightline.gitwriter.steps.yamlmerge;

import java.util.List;

/**
 * Config of {@code yaml-merge} (Kargo's schema).
 *
 * @param inFiles            YAML files merged in order, each over the ones before it
 * @param outFile            the file written with the result (created or replaced)
 * @param ignoreMissingFiles skip input files that do not exist instead of failing
 */
public record YamlMergeConfig(List<String> inFiles, String outFile, Boolean ignoreMissingFiles) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "yaml-merge",
              "type": "object",
              "required": ["inFiles", "outFile"],
              "additionalProperties": false,
              "properties": {
                "inFiles": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "outFile": {"type": "string", "minLength": 1},
                "ignoreMissingFiles": {"type": "boolean", "default": false}
              }
            }
            """;
}
