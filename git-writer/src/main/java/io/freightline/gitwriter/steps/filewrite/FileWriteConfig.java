package io.freightline.gitwriter.steps.filewrite;

/**
 * Config of {@code file-write}.
 *
 * @param path     the file to create or replace
 * @param contents its new content (UTF-8)
 */
public record FileWriteConfig(String path, String contents) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "file-write",
              "type": "object",
              "required": ["path", "contents"],
              "additionalProperties": false,
              "properties": {
                "path": {"type": "string", "minLength": 1},
                "contents": {"type": "string"}
              }
            }
            """;
}
