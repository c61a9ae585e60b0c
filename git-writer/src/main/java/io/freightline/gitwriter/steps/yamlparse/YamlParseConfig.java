package io.freightline.gitwriter.steps.yamlparse;

import io.freightline.gitwriter.domain.ParsedOutputs;

import java.util.List;

/**
 * Config of {@code yaml-parse} (Kargo's schema).
 *
 * @param path    the YAML file
 * @param outputs each output's name and the expression (without {@code ${{ }}}) that reads it from the document,
 *                whose top-level keys are the expression's variables (e.g. {@code image.tag})
 */
public record YamlParseConfig(String path, List<ParsedOutputs.Output> outputs) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "yaml-parse",
              "type": "object",
              "required": ["path", "outputs"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1, "description": "The path to the YAML file to be parsed."},
                "outputs": {
                  "type": "array",
                  "minItems": 1,
                  "items": {
                    "type": "object",
                    "required": ["name", "fromExpression"],
                    "additionalProperties": false,
                    "properties": {
                      "name": {"type": "string", "minLength": 1},
                      "fromExpression": {"type": "string", "minLength": 1}
                    }
                  }
                }
              }
            }
            """;
}
