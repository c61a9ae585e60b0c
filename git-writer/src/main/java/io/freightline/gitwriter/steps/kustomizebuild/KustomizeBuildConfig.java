package io.freightline.gitwriter.steps.kustomizebuild;

import java.util.List;

/**
 * Config of {@code kustomize-build} (Kargo's shape).
 *
 * @param path         the folder holding kustomization.yaml
 * @param outPath      a file when it ends in .yaml/.yml, else a folder that gets one file per object
 * @param outputFormat file names in a folder: {@code kargo} ({@code [namespace-]kind-name.yaml}, default) or
 *                     {@code kustomize} ({@code [namespace_]group_version_kind_name.yaml})
 * @param plugin       Kustomize's Helm chart plugin settings; setting them enables the plugin (needs helm)
 */
public record KustomizeBuildConfig(String path, String outPath, String outputFormat, Plugin plugin) {

    public record Plugin(Helm helm) {
    }

    public record Helm(List<String> apiVersions, String kubeVersion) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "kustomize-build",
              "type": "object",
              "required": ["path", "outPath"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "outPath": {"type": "string", "minLength": 1},
                "outputFormat": {"enum": ["kargo", "kustomize", null]},
                "plugin": {
                  "type": ["object", "null"],
                  "additionalProperties": false,
                  "properties": {
                    "helm": {
                      "type": ["object", "null"],
                      "additionalProperties": false,
                      "properties": {
                        "apiVersions": {"type": ["array", "null"], "items": {"type": "string"}},
                        "kubeVersion": {"type": ["string", "null"]}
                      }
                    }
                  }
                }
              }
            }
            """;
}
