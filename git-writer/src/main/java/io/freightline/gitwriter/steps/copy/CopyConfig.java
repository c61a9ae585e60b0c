package io.freightline.gitwriter.steps.copy;

import java.util.List;

/**
 * Config of {@code copy}: the environment-by-folder promotion ({@code envs/staging/} → {@code envs/prod/}).
 *
 * @param inPath      the source folder or file
 * @param outPath     the destination folder or file
 * @param include     globs (relative to inPath) of files to copy; all when empty
 * @param exclude     globs of files to leave alone in both folders (environment-specific files)
 * @param deleteExtra delete selected files of outPath that inPath does not have
 */
public record CopyConfig(String inPath, String outPath, List<String> include, List<String> exclude, Boolean deleteExtra) {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "copy",
              "type": "object",
              "required": ["inPath", "outPath"],
              "additionalProperties": false,
              "properties": {
                "inPath": {"type": "string", "minLength": 1},
                "outPath": {"type": "string", "minLength": 1},
                "include": {"type": ["array", "null"], "items": {"type": "string", "minLength": 1}},
                "exclude": {"type": ["array", "null"], "items": {"type": "string", "minLength": 1}},
                "deleteExtra": {"type": ["boolean", "null"]}
              }
            }
            """;
}
