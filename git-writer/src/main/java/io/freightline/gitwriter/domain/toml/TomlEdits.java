package io.freightline.gitwriter.domain.toml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.freightline.gitwriter.domain.StepException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Surgical TOML edits: only the characters of the value at a key path are replaced; comments, spacing, key order,
 * quoting of other values and line endings stay. No maintained Java TOML library keeps a document's formatting
 * through a write (Jackson's TOML module reads into a tree and writes a new document), so this scanner finds the
 * value's span; Jackson parses the file before (a clear error for broken TOML) and after the edit (the new value
 * must be what was asked for), so a scanner mistake can never be written back.
 */
public final class TomlEdits {
    private static final TomlMapper TOML = new TomlMapper();

    /** Parses a TOML document (terminal error naming the file when it is not TOML). */
    public static JsonNode parse(String file, String text) throws StepException {
        try {
            return TOML.readTree(text);
        } catch (Exception e) {
            throw StepException.terminal(file, "is not valid TOML: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Sets the scalar at an existing key path ({@code package.version}, {@code values.1},
     * {@code products.0.name} for the first {@code [[products]]} table). Missing keys and non-scalar values are
     * terminal errors, as in Kargo.
     */
    public static String set(String file, String text, List<String> path, Object value) throws StepException {
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw StepException.terminal(file, "the value of " + String.join(".", path) + " must be a string, number or boolean");
        }
        JsonNode before = parse(file, text);
        JsonNode old = at(before, path);
        if (old == null || old.isMissingNode()) {
            throw StepException.terminal(file, "has no key " + String.join(".", path) + " (toml-update changes existing keys only)");
        }
        if (old.isContainerNode()) {
            throw StepException.terminal(file, String.join(".", path) + " is a table or an array: only scalars are updated");
        }
        int[] span;
        try {
            span = new Scanner(text).find(path);
        } catch (RuntimeException e) {
            span = null; // the file parsed above, so this is a form the scanner does not follow
        }
        if (span == null) {
            throw StepException.terminal(file, "the value of " + String.join(".", path)
                    + " is written in a form this editor does not rewrite (e.g. a dotted key spread over tables)");
        }
        String oldText = text.substring(span[0], span[1]);
        String after = text.substring(0, span[0]) + format(value, oldText) + text.substring(span[1]);
        JsonNode check = at(parse(file, after), path);
        if (check == null || !Objects.equals(check.asText(), String.valueOf(value))) {
            throw StepException.terminal(file, "editing " + String.join(".", path) + " in place did not give the expected value");
        }
        return after;
    }

    private static JsonNode at(JsonNode root, List<String> path) {
        JsonNode n = root;
        for (String p : path) {
            if (n == null) {
                return null;
            }
            n = n.isArray() ? (p.matches("\\d+") ? n.get(Integer.parseInt(p)) : null) : n.get(p);
        }
        return n;
    }

    /** The new value in TOML; a string keeps a literal ({@code '…'}) style when it can. */
    static String format(Object value, String oldText) {
        if (!(value instanceof String s)) {
            return String.valueOf(value);
        }
        if (oldText.startsWith("'") && !oldText.startsWith("'''") && s.indexOf('\'') < 0 && s.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
            return "'" + s + "'";
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "parse error";
        }
        int i = m.indexOf('\n');
        return i < 0 ? m : m.substring(0, i);
    }

    /** A reader of TOML's structure that knows where every value starts and ends. */
    private static final class Scanner {
        private final String s;
        private int i;

        Scanner(String s) {
            this.s = s;
        }

        int[] find(List<String> target) {
            List<String> table = List.of();
            Map<String, Integer> arrayTables = new HashMap<>();
            while (i < s.length()) {
                skipSpaceAndComments(true);
                if (i >= s.length()) {
                    break;
                }
                if (s.startsWith("[[", i)) {
                    i += 2;
                    List<String> keys = keys();
                    expect("]]");
                    String k = String.join("\u0000", keys);
                    int n = arrayTables.merge(k, 1, Integer::sum) - 1;
                    // nested tables of an earlier element restart when the parent element changes
                    arrayTables.keySet().removeIf(other -> other.startsWith(k + "\u0000"));
                    List<String> t = new ArrayList<>(withIndexes(keys, arrayTables));
                    t.add(String.valueOf(n));
                    table = t;
                } else if (s.charAt(i) == '[') {
                    i++;
                    List<String> keys = keys();
                    expect("]");
                    table = withIndexes(keys, arrayTables);
                } else {
                    List<String> full = new ArrayList<>(table);
                    full.addAll(keys());
                    skipBlanks();
                    expect("=");
                    skipBlanks();
                    int[] hit = value(full, target);
                    if (hit != null) {
                        return hit;
                    }
                }
            }
            return null;
        }

        /** Keys of a table header get the current index of each enclosing array of tables. */
        private static List<String> withIndexes(List<String> keys, Map<String, Integer> arrayTables) {
            List<String> out = new ArrayList<>();
            for (int k = 0; k < keys.size(); k++) {
                out.add(keys.get(k));
                Integer n = arrayTables.get(String.join("\u0000", keys.subList(0, k + 1)));
                if (n != null && k < keys.size() - 1) {
                    out.add(String.valueOf(n - 1));
                }
            }
            return out;
        }

        /** Reads a value at {@code i} whose key path is {@code here}; returns the target's span if it is inside. */
        private int[] value(List<String> here, List<String> target) {
            int start = i;
            boolean isTarget = here.equals(target);
            boolean inside = !isTarget && target.size() > here.size() && target.subList(0, here.size()).equals(here);
            char c = s.charAt(i);
            int[] hit = null;
            if (c == '[') {
                i++;
                int n = 0;
                while (true) {
                    skipSpaceAndComments(true);
                    if (s.charAt(i) == ']') {
                        i++;
                        break;
                    }
                    List<String> el = new ArrayList<>(here);
                    el.add(String.valueOf(n++));
                    int[] h = value(el, target);
                    if (hit == null && inside) {
                        hit = h;
                    }
                    skipSpaceAndComments(true);
                    if (s.charAt(i) == ',') {
                        i++;
                    }
                }
            } else if (c == '{') {
                i++;
                while (true) {
                    skipBlanks();
                    if (s.charAt(i) == '}') {
                        i++;
                        break;
                    }
                    List<String> full = new ArrayList<>(here);
                    full.addAll(keys());
                    skipBlanks();
                    expect("=");
                    skipBlanks();
                    int[] h = value(full, target);
                    if (hit == null && inside) {
                        hit = h;
                    }
                    skipBlanks();
                    if (s.charAt(i) == ',') {
                        i++;
                    }
                }
            } else if (s.startsWith("\"\"\"", i) || s.startsWith("'''", i)) {
                String q = s.substring(i, i + 3);
                int end = s.indexOf(q, i + 3);
                while (q.equals("\"\"\"") && end > 0 && escaped(end)) {
                    end = s.indexOf(q, end + 1);
                }
                // up to two more quotes may belong to the content
                end += 3;
                while (end < s.length() && s.charAt(end) == q.charAt(0)) {
                    end++;
                }
                i = end;
            } else if (c == '"') {
                i++;
                while (s.charAt(i) != '"') {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else if (c == '\'') {
                i = s.indexOf('\'', i + 1) + 1;
            } else {
                while (i < s.length() && " \t\r\n,]}#".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
            }
            if (isTarget) {
                return new int[]{start, i};
            }
            return hit;
        }

        private boolean escaped(int at) {
            int n = 0;
            while (at - 1 - n >= 0 && s.charAt(at - 1 - n) == '\\') {
                n++;
            }
            return n % 2 == 1;
        }

        /** A dotted key: bare, "basic" or 'literal' parts. */
        private List<String> keys() {
            List<String> keys = new ArrayList<>();
            while (true) {
                skipBlanks();
                char c = s.charAt(i);
                if (c == '"') {
                    StringBuilder b = new StringBuilder();
                    i++;
                    while (s.charAt(i) != '"') {
                        if (s.charAt(i) == '\\') {
                            char e = s.charAt(i + 1);
                            switch (e) {
                                case 'n' -> b.append('\n');
                                case 't' -> b.append('\t');
                                case 'r' -> b.append('\r');
                                case 'b' -> b.append('\b');
                                case 'f' -> b.append('\f');
                                case 'u' -> {
                                    b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                                    i += 4;
                                }
                                case 'U' -> {
                                    b.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 10), 16));
                                    i += 8;
                                }
                                default -> b.append(e);
                            }
                            i += 2;
                        } else {
                            b.append(s.charAt(i++));
                        }
                    }
                    i++;
                    keys.add(b.toString());
                } else if (c == '\'') {
                    int end = s.indexOf('\'', i + 1);
                    keys.add(s.substring(i + 1, end));
                    i = end + 1;
                } else {
                    int st = i;
                    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '-')) {
                        i++;
                    }
                    keys.add(s.substring(st, i));
                }
                skipBlanks();
                if (i < s.length() && s.charAt(i) == '.') {
                    i++;
                    continue;
                }
                return keys;
            }
        }

        private void expect(String token) {
            if (!s.startsWith(token, i)) {
                throw new IllegalStateException("expected " + token + " at " + i);
            }
            i += token.length();
        }

        private void skipBlanks() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        private void skipSpaceAndComments(boolean newlines) {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                    i++;
                } else if (c == '#') {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else {
                    return;
                }
            }
        }
    }

    private TomlEdits() {
    }
}
