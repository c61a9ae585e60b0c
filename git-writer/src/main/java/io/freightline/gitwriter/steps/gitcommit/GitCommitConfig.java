package io.freightline.gitwriter.steps.gitcommit;

/**
 * Config of {@code git-commit} (Kargo's shape; {@code author} is deprecated there in favour of git-clone's, and
 * still honoured here).
 *
 * @param path    a working tree checked out by git-clone
 * @param message the commit message; the promotion's trailers are appended to it
 */
public record GitCommitConfig(String path, String message, Author author) {

    public record Author(String name, String email, String signingKey) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "git-commit",
              "type": "object",
              "required": ["path", "message"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "message": {"type": "string"},
                "author": {
                  "type": ["object", "null"],
                  "additionalProperties": false,
                  "properties": {
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                    "signingKey": {"type": ["string", "null"]}
                  }
                }
              }
            }
            """;
}
