package io.freightline.notifier.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A small JSONPath-like condition on a JSON body: {@code $.status == "UP"}, {@code $.checks[0].latencyMs < 250},
 * {@code $['app.version'] =~ "^1\\."}, or a bare path ({@code $.ready}) that must exist and be truthy.
 * Operators: {@code == != < <= > >= =~}; literals: numbers, quoted strings, true, false, null.
 */
public final class JsonCondition {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] OPERATORS = {"==", "!=", "<=", ">=", "=~", "<", ">"};

    private final String text;
    private final List<Object> path;
    private final String operator;
    private final JsonNode literal;

    private JsonCondition(String text, List<Object> path, String operator, JsonNode literal) {
        this.text = text;
        this.path = path;
        this.operator = operator;
        this.literal = literal;
    }

    /** Parses a condition; throws IllegalArgumentException with the problem. */
    public static JsonCondition parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty condition");
        }
        String t = text.trim();
        int opAt = -1;
        String op = null;
        char quote = 0;
        for (int i = 0; i < t.length() && op == null; i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                continue;
            }
            for (String candidate : OPERATORS) {
                if (t.startsWith(candidate, i)) {
                    op = candidate;
                    opAt = i;
                    break;
                }
            }
        }
        String pathText = op == null ? t : t.substring(0, opAt).trim();
        JsonNode lit = null;
        if (op != null) {
            String litText = t.substring(opAt + op.length()).trim();
            if (litText.startsWith("'") && litText.endsWith("'") && litText.length() >= 2) {
                lit = MAPPER.getNodeFactory().textNode(litText.substring(1, litText.length() - 1));
            } else {
                try {
                    lit = MAPPER.readTree(litText);
                } catch (Exception e) {
                    throw new IllegalArgumentException("cannot read literal '" + litText + "' in condition: " + text);
                }
                if (lit == null || lit.isMissingNode()) {
                    throw new IllegalArgumentException("missing literal in condition: " + text);
                }
            }
            if ("=~".equals(op) && !lit.isTextual()) {
                throw new IllegalArgumentException("=~ needs a quoted regular expression: " + text);
            }
        }
        return new JsonCondition(text, parsePath(pathText), op, lit);
    }

    /** Evaluates against a body; an unreadable body or missing field is false, with the reason. */
    public Result test(String body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body == null ? "" : body);
        } catch (Exception e) {
            return new Result(false, "body is not JSON");
        }
        if (root == null || root.isMissingNode()) {
            return new Result(false, "empty body");
        }
        JsonNode value = root;
        for (Object step : path) {
            value = step instanceof Integer i ? value.path(i) : value.path((String) step);
        }
        if (operator == null) {
            boolean ok = !value.isMissingNode() && !value.isNull() && !(value.isBoolean() && !value.asBoolean())
                    && !(value.isTextual() && value.asText().isEmpty());
            return new Result(ok, text + (ok ? " holds" : " is " + describe(value)));
        }
        if (value.isMissingNode()) {
            return new Result(false, text + ": path not found");
        }
        boolean ok = switch (operator) {
            case "==" -> equal(value, literal);
            case "!=" -> !equal(value, literal);
            case "=~" -> value.isValueNode() && Pattern.compile(literal.asText()).matcher(value.asText()).find();
            default -> compare(value, literal, operator);
        };
        return new Result(ok, text + (ok ? " holds" : " is false (value " + describe(value) + ")"));
    }

    public String text() {
        return text;
    }

    public record Result(boolean ok, String message) {
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isTextual() && b.isNumber()) {
            return a.asText().equals(b.asText());
        }
        return a.equals(b);
    }

    private static boolean compare(JsonNode a, JsonNode b, String op) {
        int c;
        if (b.isNumber()) {
            double av;
            if (a.isNumber()) {
                av = a.asDouble();
            } else if (a.isTextual()) {
                try {
                    av = Double.parseDouble(a.asText());
                } catch (NumberFormatException e) {
                    return false;
                }
            } else {
                return false;
            }
            c = Double.compare(av, b.asDouble());
        } else if (b.isTextual() && a.isTextual()) {
            c = a.asText().compareTo(b.asText());
        } else {
            return false;
        }
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    private static String describe(JsonNode v) {
        if (v.isMissingNode()) {
            return "missing";
        }
        String s = v.toString();
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    private static List<Object> parsePath(String p) {
        if (!p.startsWith("$")) {
            throw new IllegalArgumentException("path must start with $: " + p);
        }
        List<Object> steps = new ArrayList<>();
        int i = 1;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '.') {
                int j = i + 1;
                while (j < p.length() && p.charAt(j) != '.' && p.charAt(j) != '[') {
                    j++;
                }
                if (j == i + 1) {
                    throw new IllegalArgumentException("empty field name in path: " + p);
                }
                steps.add(p.substring(i + 1, j));
                i = j;
            } else if (c == '[') {
                int close = p.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed [ in path: " + p);
                }
                String inner = p.substring(i + 1, close).trim();
                if ((inner.startsWith("'") && inner.endsWith("'")) || (inner.startsWith("\"") && inner.endsWith("\""))) {
                    steps.add(inner.substring(1, inner.length() - 1));
                } else {
                    try {
                        steps.add(Integer.parseInt(inner));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("index must be a number or a quoted name: " + p);
                    }
                }
                i = close + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' in path: " + p);
            }
        }
        return steps;
    }
}
