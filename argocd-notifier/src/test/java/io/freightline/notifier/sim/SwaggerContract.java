package io.freightline.notifier.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freightline.testsupport.Contracts;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a request against Argo CD's swagger.json (the contract in shared/contracts/argocd): the path and method
 * exist, every query parameter is declared for the operation, and the JSON body matches the operation's body
 * definition strictly (no undeclared property, right JSON types, int64 as string or number).
 */
public final class SwaggerContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode swagger;

    public SwaggerContract() {
        try {
            swagger = JSON.readTree(Contracts.read("argocd/swagger.json"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The violations of one request; empty when it is valid. */
    public List<String> violations(String method, String path, Map<String, List<String>> query, String body) {
        List<String> out = new ArrayList<>();
        JsonNode op = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = swagger.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String regex = e.getKey().replaceAll("\\{[^}]+}", "[^/]+");
            if (Pattern.matches(regex, path) && e.getValue().has(method.toLowerCase(Locale.ROOT))) {
                op = e.getValue().path(method.toLowerCase(Locale.ROOT));
                break;
            }
        }
        if (op == null) {
            out.add(method + " " + path + ": no such operation in swagger.json");
            return out;
        }
        JsonNode bodySchema = null;
        List<String> declaredQuery = new ArrayList<>();
        for (JsonNode p : op.path("parameters")) {
            if ("query".equals(p.path("in").asText())) {
                declaredQuery.add(p.path("name").asText());
            }
            if ("body".equals(p.path("in").asText())) {
                bodySchema = p.path("schema");
            }
        }
        for (String q : query.keySet()) {
            if (!declaredQuery.contains(q)) {
                out.add(method + " " + path + ": query parameter '" + q + "' is not declared (" + declaredQuery + ")");
            }
        }
        if (bodySchema != null) {
            if (body == null || body.isBlank()) {
                out.add(method + " " + path + ": body required");
            } else {
                try {
                    check(JSON.readTree(body), bodySchema, "body", out);
                } catch (Exception e) {
                    out.add(method + " " + path + ": body is not JSON");
                }
            }
        } else if (body != null && !body.isBlank()) {
            out.add(method + " " + path + ": operation takes no body");
        }
        return out;
    }

    private void check(JsonNode value, JsonNode declared, String where, List<String> out) {
        JsonNode schema = declared;
        if (schema.has("$ref")) {
            String name = schema.path("$ref").asText().replace("#/definitions/", "");
            schema = swagger.path("definitions").path(name);
            if (schema.isMissingNode()) {
                out.add(where + ": unknown definition " + name);
                return;
            }
        }
        String type = schema.path("type").asText("object");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    out.add(where + ": expected object");
                    return;
                }
                JsonNode props = schema.path("properties");
                boolean open = schema.has("additionalProperties");
                value.fields().forEachRemaining(f -> {
                    if (!props.has(f.getKey())) {
                        if (!open) {
                            out.add(where + "." + f.getKey() + ": not a property of the definition");
                        }
                    } else {
                        check(f.getValue(), props.path(f.getKey()), where + "." + f.getKey(), out);
                    }
                });
            }
            case "array" -> {
                if (!value.isArray()) {
                    out.add(where + ": expected array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), where + "[" + i + "]", out);
                }
            }
            case "string" -> {
                boolean int64 = "int64".equals(schema.path("format").asText()) || "uint64".equals(schema.path("format").asText());
                if (!(value.isTextual() || (int64 && value.isIntegralNumber()))) {
                    out.add(where + ": expected string");
                } else if (int64 && value.isTextual() && !value.asText().matches("-?\\d+")) {
                    out.add(where + ": expected an int64 in a string");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    out.add(where + ": expected boolean");
                }
            }
            case "integer", "number" -> {
                if (!value.isNumber()) {
                    out.add(where + ": expected number");
                }
            }
            default -> out.add(where + ": unhandled schema type " + type);
        }
    }
}
