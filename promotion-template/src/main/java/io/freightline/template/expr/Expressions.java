package io.freightline.template.expr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kargo's expression language for promotion steps: {@code ${{ expr }}} (and {@code ${% expr %}} for expressions that
 * contain {@code }}}) inside config values, evaluated by Apache Commons JEXL.
 * <p>
 * Hand-written here, because no library does it: finding the delimiters in a string (Kargo's are plain markers, not a
 * grammar), a small token-level translation of the expr-lang syntax that JEXL spells differently ({@code nil},
 * {@code in}, {@code contains}, {@code startsWith}, {@code endsWith}, {@code matches} and their {@code not} forms,
 * backtick strings, {@code int()}, {@code float()}; Go time values with {@code date()} and {@code now()}), and Kargo's typing rule: a value that is one whole expression keeps the expression's type, and a
 * string result that reads as JSON (number, boolean, null, object, array, quoted string) becomes that JSON value, so
 * {@code quote()} is how a template keeps {@code "42"} a string. Everything else (parsing, operators, {@code ?.},
 * {@code ??}, member and index access, method calls) is JEXL's.
 */
public final class Expressions {
    private static final ObjectMapper STRICT_JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final JexlEngine JEXL = engine();
    /** Engines that may also call public methods of a caller's classes, by package list. */
    private static final Map<String, JexlEngine> WITH_PACKAGES = new java.util.concurrent.ConcurrentHashMap<>();

    private static JexlEngine engine(String... packages) {
        String[] permitted = new String[packages.length + 1];
        permitted[0] = "io.freightline.template.expr.*";
        System.arraycopy(packages, 0, permitted, 1, packages.length);
        return new JexlBuilder()
                .features(new JexlFeatures()
                        .sideEffect(false).sideEffectGlobal(false).loops(false).newInstance(false)
                        .lambda(false).pragma(false).annotation(false).script(false).register(false)
                        .importPragma(false).namespacePragma(false).localVar(false))
                .permissions(JexlPermissions.RESTRICTED.compose(permitted))
                .strict(true).safe(false).silent(false)
                .cache(1024)
                .create();
    }

    /** One {@code ${{ }}} or {@code ${% %}} in a string: where it is and the expression inside. */
    public record Segment(int start, int end, String expression) {
    }

    /** The roots a string's expressions read: free variables ({@code vars}, {@code outputs}, ...) and functions. */
    public record Uses(Set<String> variables, Set<String> functions) {
        public boolean any(Collection<String> names) {
            return names.stream().anyMatch(n -> variables.contains(n) || functions.contains(n));
        }
    }

    // ------------------------------------------------------------------ finding expressions

    /** Every expression in the string, in order. Throws for an unterminated one. */
    public static List<Segment> segments(String s) {
        List<Segment> out = new ArrayList<>();
        int i = 0;
        while (true) {
            int a = s.indexOf("${{", i), b = s.indexOf("${%", i);
            if (a < 0 && b < 0) return out;
            int start = a < 0 ? b : b < 0 ? a : Math.min(a, b);
            String close = start == a ? "}}" : "%}";
            int end = s.indexOf(close, start + 3);
            if (end < 0) throw new ExpressionException(s, "'" + s.substring(start, start + 3) + "' is not closed by '" + close + "'");
            out.add(new Segment(start, end + 2, s.substring(start + 3, end).strip()));
            i = end + 2;
        }
    }

    public static boolean hasExpression(String s) {
        return s.contains("${{") || s.contains("${%");
    }

    // ------------------------------------------------------------------ evaluating

    /** Evaluates one expression (the text inside the delimiters). */
    public static Object evaluate(String expression, Scope scope) {
        JexlExpression e = parse(expression);
        try {
            return e.evaluate(context(scope));
        } catch (JexlException ex) {
            throw new ExpressionException(expression, reason(ex));
        } catch (RuntimeException ex) {
            throw new ExpressionException(expression, ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
    }

    /**
     * Evaluates one bare expression (no delimiters) over variables a step supplies rather than a promotion's scope:
     * the data a step just read, as Kargo's {@code fromExpression} of the parse steps and the {@code http} step's
     * expressions see it. Same language, translation and functions as {@code ${{ }}}.
     *
     * @param packages packages (e.g. {@code com.example.step.*}) whose classes' public methods the expression may call
     */
    public static Object evaluate(String expression, Map<String, ?> variables, String... packages) {
        JexlEngine engine = packages.length == 0 ? JEXL : WITH_PACKAGES.computeIfAbsent(String.join(",", packages), k -> engine(packages));
        JexlExpression e = parse(engine, expression);
        try {
            return e.evaluate(new ScopeContext(new LinkedHashMap<String, Object>(variables), new Functions(EMPTY)));
        } catch (JexlException ex) {
            throw new ExpressionException(expression, reason(ex));
        } catch (RuntimeException ex) {
            throw new ExpressionException(expression, ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
    }

    private static final Scope EMPTY = new Scope(null, null, null, null, null, null, null);

    /** Evaluates an {@code if:} condition (a whole {@code ${{ }}} or a bare expression) to a boolean. */
    public static boolean condition(String condition, Scope scope) {
        String c = condition.strip();
        List<Segment> segs = hasExpression(c) ? segments(c) : List.of();
        Object r = segs.size() == 1 && segs.get(0).start() == 0 && segs.get(0).end() == c.length()
                ? evaluate(segs.get(0).expression(), scope)
                : segs.isEmpty() ? evaluate(c, scope) : coerce(renderString(c, scope));
        if (r instanceof Boolean b) return b;
        if (r instanceof String s && (s.equals("true") || s.equals("false"))) return Boolean.parseBoolean(s);
        throw new ExpressionException(condition, "must evaluate to true or false, got " + text(r));
    }

    /** Renders every string value of a config tree (maps, lists, scalars; never keys), returning a new tree. */
    public static Object render(Object value, Scope scope) {
        if (value instanceof String s) return hasExpression(s) ? renderValue(s, scope) : s;
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), render(v, scope)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(render(v, scope)));
            return out;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> renderMap(Map<String, Object> config, Scope scope) {
        return (Map<String, Object>) render(config == null ? Map.of() : config, scope);
    }

    /** One string value, typed as Kargo types it. */
    public static Object renderValue(String s, Scope scope) {
        List<Segment> segs = segments(s);
        if (segs.size() == 1 && segs.get(0).start() == 0 && segs.get(0).end() == s.length()) {
            Object r = evaluate(segs.get(0).expression(), scope);
            if (r instanceof String str) return coerce(str);
            if (r instanceof Functions.Version v) return v.toString();
            return r;
        }
        return coerce(renderString(s, scope));
    }

    /** The string with each expression replaced by its result's text (no typing). */
    public static String renderString(String s, Scope scope) {
        StringBuilder sb = new StringBuilder();
        int at = 0;
        for (Segment seg : segments(s)) {
            sb.append(s, at, seg.start()).append(text(evaluate(seg.expression(), scope)));
            at = seg.end();
        }
        return sb.append(s.substring(at)).toString();
    }

    /** Kargo's coercion of an evaluated string: a JSON value if it reads as one, else the string itself. */
    public static Object coerce(String s) {
        String t = s.strip();
        if (t.isEmpty()) return s;
        char c = t.charAt(0);
        boolean jsonish = c == '{' || c == '[' || c == '"' || c == '-' || Character.isDigit(c)
                || t.equals("true") || t.equals("false") || t.equals("null");
        if (!jsonish) return s;
        try {
            Object v = STRICT_JSON.readValue(t, Object.class);
            if (v instanceof java.math.BigDecimal d) return d.stripTrailingZeros().scale() <= 0 ? (Object) d.longValueExact() : d.doubleValue();
            return v;
        } catch (JsonProcessingException | ArithmeticException e) {
            return s;
        }
    }

    /** A value as text inside a larger string: strings as they are, null as empty, objects and arrays as JSON. */
    public static String text(Object v) {
        if (v == null) return "";
        if (v instanceof CharSequence s) return s.toString();
        if (v instanceof Map<?, ?> || v instanceof Collection<?>) {
            try {
                return Functions.COMPACT_JSON.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e.getOriginalMessage());
            }
        }
        return v.toString();
    }

    // ------------------------------------------------------------------ checking without evaluating

    /** A problem with one expression of a config tree: the field path, the expression and the reason. */
    public record Problem(String path, String expression, String reason) {
        @Override
        public String toString() {
            return path + ": expression '" + expression + "' " + reason;
        }
    }

    /** Every expression of the tree that does not parse, with its path under {@code base} (e.g. {@code config}). */
    public static List<Problem> check(Object tree, String base) {
        List<Problem> out = new ArrayList<>();
        walk(tree, base, (path, s) -> {
            try {
                for (Segment seg : segments(s)) {
                    try {
                        parse(seg.expression());
                    } catch (ExpressionException e) {
                        out.add(new Problem(path, seg.expression(), e.reason()));
                    }
                }
            } catch (ExpressionException e) {
                out.add(new Problem(path, s, e.reason()));
            }
        });
        return out;
    }

    /** Which variables and functions the expressions of a tree use (for deciding who can render it). */
    public static Uses uses(Object tree) {
        Set<String> vars = new LinkedHashSet<>(), fns = new LinkedHashSet<>();
        walk(tree, "", (path, s) -> {
            for (Segment seg : segments(s)) {
                Translation t = translate(seg.expression());
                vars.addAll(t.variables);
                fns.addAll(t.functions);
            }
        });
        return new Uses(vars, fns);
    }

    /** Parses an {@code if:} condition without evaluating it (null when it parses). */
    public static String checkCondition(String condition) {
        try {
            String c = condition.strip();
            if (!hasExpression(c)) {
                parse(c);
            } else {
                for (Segment seg : segments(c)) parse(seg.expression());
            }
            return null;
        } catch (ExpressionException e) {
            return e.reason();
        }
    }

    private interface Visitor {
        void string(String path, String value);
    }

    private static void walk(Object v, String path, Visitor visitor) {
        if (v instanceof String s) {
            if (hasExpression(s)) visitor.string(path, s);
        } else if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> walk(x, path.isEmpty() ? String.valueOf(k) : path + "." + k, visitor));
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) walk(l.get(i), path + "[" + i + "]", visitor);
        }
    }

    // ------------------------------------------------------------------ JEXL plumbing

    private static JexlExpression parse(String expression) {
        return parse(JEXL, expression);
    }

    private static JexlExpression parse(JexlEngine engine, String expression) {
        if (expression.isBlank()) throw new ExpressionException(expression, "is empty");
        String jexl = translate(expression).jexl;
        try {
            return engine.createExpression(jexl);
        } catch (JexlException e) {
            throw new ExpressionException(expression, "does not parse: " + reason(e));
        }
    }

    private static String reason(JexlException e) {
        String m = e.getMessage();
        // JEXL prefixes its messages with a source location; keep only the explanation
        int i = m == null ? -1 : m.indexOf(' ');
        String r = i > 0 && m.substring(0, i).contains("@") ? m.substring(i + 1) : m;
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !(cause instanceof JexlException)) r = r + ": " + cause.getMessage();
        return r;
    }

    private static JexlContext context(Scope scope) {
        Functions functions = new Functions(scope);
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("ctx", scope.ctx());
        vars.put("vars", scope.vars());
        vars.put("outputs", scope.outputs());
        if (scope.taskOutputs() != null) vars.put("task", Map.of("outputs", scope.taskOutputs()));
        // Freightline's earlier spelling of ctx.targetFreight.{name,alias}, kept so existing templates still render
        if (scope.ctx().get("targetFreight") instanceof Map<?, ?> tf) {
            Map<String, Object> freight = new LinkedHashMap<>();
            freight.put("id", tf.get("name"));
            freight.put("alias", tf.get("alias"));
            vars.put("freight", freight);
        }
        return new ScopeContext(vars, functions);
    }

    /** Variables from the scope; functions from the default (unnamed) namespace. */
    private static final class ScopeContext extends MapContext implements JexlContext.NamespaceResolver {
        private final Functions functions;

        ScopeContext(Map<String, Object> vars, Functions functions) {
            super(vars);
            this.functions = functions;
        }

        @Override
        public Object resolveNamespace(String name) {
            if (Infix.NAMESPACE.equals(name)) return Infix.OPERATORS;
            return name == null ? functions : null;
        }
    }

    private record Translation(String jexl, Set<String> variables, Set<String> functions) {
    }

    /**
     * Token-level rewrite of expr-lang into JEXL. String literals are copied (backtick strings become single-quoted
     * ones); identifiers that are operators in expr become JEXL's operators; free identifiers and function names are
     * collected on the way.
     */
    private static Translation translate(String e) {
        StringBuilder out = new StringBuilder();
        Set<String> vars = new LinkedHashSet<>(), fns = new LinkedHashSet<>();
        int n = e.length();
        char prevSignificant = 0;
        String prevWord = null;
        for (int i = 0; i < n; ) {
            char c = e.charAt(i);
            if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && e.charAt(j) != c) j += e.charAt(j) == '\\' ? 2 : 1;
                j = Math.min(j + 1, n);
                out.append(e, i, j);
                i = j;
                prevSignificant = c;
                prevWord = null;
            } else if (c == '`') {
                int j = e.indexOf('`', i + 1);
                if (j < 0) j = n;
                String raw = e.substring(i + 1, j);
                out.append('\'').append(raw.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
                i = Math.min(j + 1, n);
                prevSignificant = '\'';
                prevWord = null;
            } else if (Character.isJavaIdentifierStart(c) && c != '$') {
                int j = i + 1;
                while (j < n && Character.isJavaIdentifierPart(e.charAt(j)) && e.charAt(j) != '$') j++;
                String word = e.substring(i, j);
                int k = j;
                while (k < n && Character.isWhitespace(e.charAt(k))) k++;
                boolean call = k < n && e.charAt(k) == '(';
                boolean member = prevSignificant == '.';
                String replacement = word;
                if (!member) {
                    switch (word) {
                        case "nil" -> replacement = "null";
                        case "startsWith" -> replacement = call ? word : "=^";
                        case "endsWith" -> replacement = call ? word : "=$";
                        case "matches" -> replacement = call ? word : "=~";
                        case "in" -> replacement = "=~";
                        case "contains" -> replacement = call ? word : String.valueOf(CONTAINS);
                        case "int" -> replacement = call ? "toInt" : word;
                        case "float" -> replacement = call ? "toFloat" : word;
                        default -> {
                        }
                    }
                    boolean infix = !call && (word.equals("in") || word.equals("contains") || word.equals("matches")
                            || word.equals("startsWith") || word.equals("endsWith"));
                    if ("not".equals(prevWord) && infix) {
                        // drop the "not" we already wrote: "not in", "not contains", ... are one operator each
                        int at = out.lastIndexOf("not");
                        out.delete(at, at + 3);
                        replacement = replacement.equals(String.valueOf(CONTAINS)) ? String.valueOf(NOT_CONTAINS)
                                : "!" + replacement.substring(1);
                    }
                    if (call) {
                        fns.add(word);
                    } else if (replacement.equals(word) && !isKeyword(word)) {
                        vars.add(word);
                    }
                }
                out.append(replacement);
                i = j;
                prevSignificant = 'a';
                prevWord = word;
            } else {
                out.append(c);
                if (!Character.isWhitespace(c)) {
                    // "?." is member access too
                    prevSignificant = c;
                    prevWord = null;
                }
                i++;
            }
        }
        return new Translation(Infix.rewrite(out.toString()), vars, fns);
    }

    /** Placeholders the translation leaves for expr-lang's {@code contains} and {@code not contains}. */
    static final char CONTAINS = '\u0001', NOT_CONTAINS = '\u0002';

    private static boolean isKeyword(String w) {
        return switch (w) {
            case "true", "false", "null", "and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod",
                 "empty", "size", "in", "contains", "matches", "startsWith", "endsWith" -> true;
            default -> false;
        };
    }

    private Expressions() {
    }
}
