package io.freightline.gitwriter.steps.tar;

/**
 * Config of {@code tar} (Kargo's schema).
 *
 * @param inPath  the folder (or file) to archive
 * @param outPath the archive to create (replaced if it exists)
 * @param ignore  {@code .gitignore}-syntax patterns, one a line, of files to leave out
 * @param gzip    compress with gzip (default false)
 */
public record TarConfig(String inPath, String outPath, String ignore, Boolean gzip) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "tar",
              "type": "object",
              "required": ["inPath", "outPath"],
              "additionalProperties": false,
              "properties": {
                "inPath": {"type": "string", "minLength": 1},
                "outPath": {"type": "string", "minLength": 1},
                "ignore": {"type": "string", "minLength": 1},
                "gzip": {"type": "boolean"}
              }
            }
            """;
}
