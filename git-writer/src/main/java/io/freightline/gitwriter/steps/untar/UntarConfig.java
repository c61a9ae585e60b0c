package io.freightline.gitwriter.steps.untar;

/**
 * Config of {@code untar} (Kargo's schema).
 *
 * @param inPath          the tar file (gzip is detected from its first bytes)
 * @param outPath         the folder to extract into
 * @param stripComponents leading path components removed from every entry name
 * @param ignore          {@code .gitignore}-syntax patterns of entries not to extract
 */
public record UntarConfig(String inPath, String outPath, Integer stripComponents, String ignore) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "untar",
              "type": "object",
              "required": ["inPath", "outPath"],
              "additionalProperties": false,
              "properties": {
                "inPath": {"type": "string", "minLength": 1},
                "outPath": {"type": "string", "minLength": 1},
                "stripComponents": {"type": "integer", "minimum": 0},
                "ignore": {"type": "string", "minLength": 1}
              }
            }
            """;
}
