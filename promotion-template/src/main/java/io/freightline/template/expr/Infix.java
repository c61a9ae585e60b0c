package io.freightline.template.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * expr-lang's {@code a contains b} (and {@code a not contains b}), which JEXL has no operator for: the translated
 * JEXL text gets {@code expr:contains(a, b)} in place of the operator, with the operands found by expr-lang's
 * precedence (comparisons, {@code in}, {@code matches}, ... bind equally and from the left; {@code &&}, {@code ||},
 * {@code ?:} and the enclosing brackets end an operand; arithmetic, unary operators, member access and calls stay in it).
 */
public final class Infix {
    static final String NAMESPACE = "expr";
    static final Operators OPERATORS = new Operators();

    /** The operator functions translated expressions call. */
    @SuppressWarnings("unused") // called from expressions
    public static final class Operators {
        /** Substring test for strings, membership for lists and maps' keys, as expr-lang's {@code contains}. */
        public boolean contains(Object container, Object value) {
            if (container == null) throw new IllegalArgumentException("'contains' needs a string or list on its left, got null");
            if (container instanceof CharSequence s) {
                if (!(value instanceof CharSequence v)) {
                    throw new IllegalArgumentException("'contains' needs a string on its right, got " + Expressions.text(value));
                }
                return s.toString().contains(v);
            }
            if (container instanceof java.util.Collection<?> c) return c.contains(value);
            if (container.getClass().isArray()) {
                for (int i = 0; i < java.lang.reflect.Array.getLength(container); i++) {
                    if (java.util.Objects.equals(java.lang.reflect.Array.get(container, i), value)) return true;
                }
                return false;
            }
            if (container instanceof java.util.Map<?, ?> m) return m.containsKey(value);
            throw new IllegalArgumentException("'contains' needs a string or list on its left, got " + Expressions.text(container));
        }
    }

    private record Token(int start, int end, String text) {
    }

    private static final Set<String> BOUNDARY = Set.of("||", "&&", "and", "or", "==", "!=", "<", ">", "<=", ">=",
            "=~", "!~", "=^", "!^", "=$", "!$", "?", ":", "?:", ",", ";", "|", "eq", "ne", "lt", "gt", "le", "ge",
            String.valueOf(Expressions.CONTAINS), String.valueOf(Expressions.NOT_CONTAINS));
    private static final List<String> PUNCT = List.of("?.", "??", "?:", "||", "&&", "==", "!=", "<=", ">=", "=~", "!~",
            "=^", "!^", "=$", "!$");

    static String rewrite(String jexl) {
        String s = jexl;
        while (s.indexOf(Expressions.CONTAINS) >= 0 || s.indexOf(Expressions.NOT_CONTAINS) >= 0) {
            List<Token> tokens = tokens(s);
            int op = 0;
            while (!tokens.get(op).text().equals(String.valueOf(Expressions.CONTAINS))
                    && !tokens.get(op).text().equals(String.valueOf(Expressions.NOT_CONTAINS))) op++;
            int from = op, depth = 0;
            while (from > 0) {
                String t = tokens.get(from - 1).text();
                if (isClose(t)) depth++;
                else if (isOpen(t) && depth-- == 0) break;
                else if (depth == 0 && BOUNDARY.contains(t)) break;
                from--;
            }
            int to = op;
            depth = 0;
            while (to + 1 < tokens.size()) {
                String t = tokens.get(to + 1).text();
                if (isOpen(t)) depth++;
                else if (isClose(t) && depth-- == 0) break;
                else if (depth == 0 && BOUNDARY.contains(t)) break;
                to++;
            }
            if (from == op || to == op) {
                throw new ExpressionException(jexl.replace(Expressions.CONTAINS, ' ').replace(Expressions.NOT_CONTAINS, ' '),
                        "does not parse: 'contains' needs a value on each side");
            }
            boolean negated = tokens.get(op).text().equals(String.valueOf(Expressions.NOT_CONTAINS));
            String left = s.substring(tokens.get(from).start(), tokens.get(op).start()).strip();
            String right = s.substring(tokens.get(op).end(), tokens.get(to).end()).strip();
            s = s.substring(0, tokens.get(from).start()) + (negated ? "!" : "") + "(" + NAMESPACE + ":contains(" + left
                    + ", " + right + "))" + s.substring(tokens.get(to).end());
        }
        return s;
    }

    private static boolean isOpen(String t) {
        return t.equals("(") || t.equals("[") || t.equals("{");
    }

    private static boolean isClose(String t) {
        return t.equals(")") || t.equals("]") || t.equals("}");
    }

    /** JEXL text as tokens: quoted strings, words, numbers, operators and brackets (whitespace dropped). */
    private static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            int j = i + 1;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '"' || c == '\'') {
                while (j < n && s.charAt(j) != c) j += s.charAt(j) == '\\' ? 2 : 1;
                j = Math.min(j + 1, n);
            } else if (Character.isJavaIdentifierPart(c) && c != Expressions.CONTAINS && c != Expressions.NOT_CONTAINS) {
                while (j < n && (Character.isJavaIdentifierPart(s.charAt(j)) || s.charAt(j) == '.' && Character.isDigit(c))
                        && s.charAt(j) != Expressions.CONTAINS && s.charAt(j) != Expressions.NOT_CONTAINS) j++;
            } else {
                for (String p : PUNCT) {
                    if (s.startsWith(p, i)) {
                        j = i + p.length();
                        break;
                    }
                }
            }
            out.add(new Token(i, j, s.substring(i, j)));
            i = j;
        }
        return out;
    }

    private Infix() {
    }
}
