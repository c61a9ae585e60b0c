package io.freightline.gitwriter.steps.http;

import java.util.List;

/**
 * Config of {@code http} (Kargo's schema).
 *
 * @param method              GET (default), POST, PUT, PATCH, DELETE or HEAD
 * @param bodyFromFile        a workspace file sent as the body (exclusive with {@code body})
 * @param timeout             per request, Go duration (default 10s)
 * @param pollInterval        between requests while neither expression is met (default 30s)
 * @param responseContentType how to parse the body instead of the response's Content-Type
 */
public record HttpConfig(String method, String url, List<NameValue> headers, List<NameValue> queryParams, String body,
                         String bodyFromFile, Boolean insecureSkipTLSVerify, String proxy, String timeout,
                         String pollInterval, String responseContentType, List<Output> outputs,
                         String successExpression, String failureExpression, String errorExpression) {

    public record NameValue(String name, String value) {
    }

    public record Output(String name, String fromExpression) {
    }

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "http",
              "type": "object",
              "required": ["url"],
              "additionalProperties": false,
              "$defs": {
                "nameValue": {
                  "type": "object",
                  "required": ["name", "value"],
                  "additionalProperties": false,
                  "properties": {"name": {"type": "string", "minLength": 1}, "value": {"type": "string", "minLength": 1}}
                },
                "duration": {"type": "string", "pattern": "^(?:\\\\d+(?:\\\\.\\\\d+)?(ns|us|µs|ms|s|m|h))+$"}
              },
              "not": {"required": ["body", "bodyFromFile"], "properties": {"body": {"minLength": 1}, "bodyFromFile": {"minLength": 1}}},
              "properties": {
                "method": {"type": "string", "pattern": "^(DELETE|GET|HEAD|PATCH|POST|PUT)$"},
                "url": {"type": "string", "minLength": 1},
                "headers": {"type": "array", "items": {"$ref": "#/$defs/nameValue"}},
                "queryParams": {"type": "array", "items": {"$ref": "#/$defs/nameValue"}},
                "body": {"type": "string"},
                "bodyFromFile": {"type": "string"},
                "insecureSkipTLSVerify": {"type": "boolean"},
                "proxy": {"type": "string", "pattern": "^https?://.*$"},
                "timeout": {"$ref": "#/$defs/duration"},
                "pollInterval": {"$ref": "#/$defs/duration"},
                "responseContentType": {"type": "string", "pattern": "^(application/json|application/yaml|text/plain)$"},
                "outputs": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["name", "fromExpression"],
                    "additionalProperties": false,
                    "properties": {"name": {"type": "string", "minLength": 1}, "fromExpression": {"type": "string", "minLength": 1}}
                  }
                },
                "successExpression": {"type": "string"},
                "failureExpression": {"type": "string"},
                "errorExpression": {"type": "string"}
              }
            }
            """;
}
