package io.freightline.gitwriter.steps.helm;

import java.util.List;

/**
 * Config of {@code helm-update-chart} (Kargo's shape).
 *
 * @param path   the chart folder holding Chart.yaml
 * @param charts the dependencies to update; when omitted, every chart of the freight that is a dependency
 */
public record HelmUpdateChartConfig(String path, List<Chart> charts) {

    /**
     * @param repository the dependency's repository (HTTP URL or oci://)
     * @param name       the dependency's name
     * @param version    the version to set; from the freight when omitted
     */
    public record Chart(String repository, String name, String version) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "helm-update-chart",
              "type": "object",
              "required": ["path"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "charts": {
                  "type": ["array", "null"],
                  "items": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": false,
                    "properties": {
                      "repository": {"type": ["string", "null"]},
                      "name": {"type": "string", "minLength": 1},
                      "version": {"type": ["string", "null"], "minLength": 1}
                    }
                  }
                }
              }
            }
            """;
}
