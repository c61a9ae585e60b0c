package io.freightline.gitwriter.steps.httpdownload;

import java.util.List;

/**
 * Config of {@code http-download} (Kargo's schema).
 *
 * @param outPath        the workspace file the download is saved as
 * @param allowOverwrite replace an existing file (default false: that fails)
 * @param timeout        Go duration (default 5m)
 */
public record HttpDownloadConfig(String url, String outPath, Boolean allowOverwrite, List<NameValue> headers,
                                 List<NameValue> queryParams, Boolean insecureSkipTLSVerify, String timeout) {

    public record NameValue(String name, String value) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "http-download",
              "type": "object",
              "required": ["url", "outPath"],
              "additionalProperties": false,
              "$defs": {
                "nameValue": {
                  "type": "object",
                  "required": ["name", "value"],
                  "additionalProperties": false,
                  "properties": {"name": {"type": "string", "minLength": 1}, "value": {"type": "string", "minLength": 1}}
                }
              },
              "properties": {
                "url": {"type": "string", "minLength": 1},
                "outPath": {"type": "string", "minLength": 1},
                "allowOverwrite": {"type": "boolean"},
                "headers": {"type": "array", "items": {"$ref": "#/$defs/nameValue"}},
                "queryParams": {"type": "array", "items": {"$ref": "#/$defs/nameValue"}},
                "insecureSkipTLSVerify": {"type": "boolean"},
                "timeout": {"type": "string", "pattern": "^(?:\\\\d+(?:\\\\.\\\\d+)?(ns|us|µs|ms|s|m|h))+$"}
              }
            }
            """;
}
