package io.freightline.gitwriter.steps.gitclone;

import java.util.List;

/**
 * Config of {@code git-clone} (Kargo's shape). {@code insecureSkipTLSVerify}, {@code blobless},
 * {@code recurseSubmodules} and {@code checkout[].sparse} are accepted; the warm clone already holds every object and
 * a checkout is an in-memory tree, so they change nothing.
 *
 * @param repoURL  the repository; must be the promotion's own ({@code git.repoURL})
 * @param author   default author of the commits made in these checkouts
 * @param checkout what to check out where
 */
public record GitCloneConfig(String repoURL, Boolean insecureSkipTLSVerify, Boolean blobless, Boolean recurseSubmodules,
                             Author author, List<Checkout> checkout) {

    public record Author(String name, String email, String signingKey) {
    }

    public record Checkout(String as, String branch, Boolean create, String commit, String tag, String path,
                           List<String> sparse) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-clone",
              "type": "object",
              "required": ["repoURL", "checkout"],
              "additionalProperties": false,
              "properties": {
                "repoURL": {"type": "string", "minLength": 1},
                "insecureSkipTLSVerify": {"type": ["boolean", "null"]},
                "blobless": {"type": ["boolean", "null"]},
                "recurseSubmodules": {"type": ["boolean", "null"]},
                "author": {
                  "type": ["object", "null"],
                  "additionalProperties": false,
                  "properties": {
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                    "signingKey": {"type": ["string", "null"]}
                  }
                },
                "checkout": {
                  "type": "array",
                  "minItems": 1,
                  "items": {
                    "type": "object",
                    "required": ["path"],
                    "additionalProperties": false,
                    "properties": {
                      "as": {"type": ["string", "null"]},
                      "branch": {"type": ["string", "null"]},
                      "create": {"type": ["boolean", "null"]},
                      "commit": {"type": ["string", "null"]},
                      "tag": {"type": ["string", "null"]},
                      "path": {"type": "string", "minLength": 1},
                      "sparse": {"type": ["array", "null"], "items": {"type": "string"}}
                    }
                  }
                }
              }
            }
            """;
}
