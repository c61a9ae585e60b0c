package io.freightline.gitwriter.steps.helmtemplate;

import java.util.List;

/**
 * Config of {@code helm-template} (Kargo's schema).
 *
 * @param path      the chart folder (holding Chart.yaml)
 * @param outPath   a {@code .yaml}/{@code .yml} file for the whole render, else a folder
 * @param outLayout {@code helm} (default: {@code <outPath>/<chart>/templates/…} as {@code helm --output-dir}) or
 *                  {@code flat} (every rendered file directly in outPath)
 */
public record HelmTemplateConfig(String path, String outPath, String outLayout, String releaseName,
                                 Boolean useReleaseName, String namespace, List<String> valuesFiles,
                                 Boolean ignoreMissingValueFiles, List<SetValue> setValues, Boolean buildDependencies,
                                 Boolean includeCRDs, Boolean disableHooks, Boolean skipTests, String kubeVersion,
                                 List<String> apiVersions) {

    public record SetValue(String key, String value, Boolean literal) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "helm-template",
              "type": "object",
              "required": ["path", "outPath", "releaseName"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "outPath": {"type": "string", "minLength": 1},
                "outLayout": {"type": "string", "enum": ["helm", "flat"]},
                "releaseName": {"type": "string", "minLength": 1},
                "useReleaseName": {"type": "boolean"},
                "namespace": {"type": "string"},
                "valuesFiles": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "ignoreMissingValueFiles": {"type": "boolean"},
                "setValues": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["key", "value"],
                    "additionalProperties": false,
                    "properties": {
                      "key": {"type": "string", "minLength": 1},
                      "value": {"type": "string"},
                      "literal": {"type": "boolean"}
                    }
                  }
                },
                "buildDependencies": {"type": "boolean"},
                "includeCRDs": {"type": "boolean"},
                "disableHooks": {"type": "boolean"},
                "skipTests": {"type": "boolean"},
                "kubeVersion": {"type": "string"},
                "apiVersions": {"type": "array", "items": {"type": "string", "minLength": 1}}
              }
            }
            """;
}
