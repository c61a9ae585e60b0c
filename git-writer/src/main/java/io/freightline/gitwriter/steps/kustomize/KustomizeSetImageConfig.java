package io.freightline.gitwriter.steps.kustomize;

import java.util.List;

/**
 * Config of {@code kustomize-set-image} (Kargo's shape).
 *
 * @param path   the folder holding kustomization.yaml (or .yml, or Kustomization)
 * @param images the images to set; when omitted, every image of the freight
 */
public record KustomizeSetImageConfig(String path, List<Image> images) {

    /**
     * @param image     the image name as the kustomization's {@code images[].name} (also the freight image to take)
     * @param tag       the tag to set as {@code newTag}; from the freight when neither tag nor digest is given
     * @param digest    the digest to set as {@code digest}
     * @param newName   replaces the image name ({@code newName})
     * @param useDigest take the digest rather than the tag from the freight
     */
    public record Image(String image, String tag, String digest, String newName, Boolean useDigest) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "kustomize-set-image",
              "type": "object",
              "required": ["path"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "images": {
                  "type": ["array", "null"],
                  "items": {
                    "type": "object",
                    "required": ["image"],
                    "additionalProperties": false,
                    "properties": {
                      "image": {"type": "string", "minLength": 1},
                      "tag": {"type": ["string", "null"]},
                      "digest": {"type": ["string", "null"], "pattern": "^[a-z0-9]+:[A-Za-z0-9=_-]+$"},
                      "newName": {"type": ["string", "null"]},
                      "useDigest": {"type": ["boolean", "null"]}
                    }
                  }
                }
              }
            }
            """;
}
