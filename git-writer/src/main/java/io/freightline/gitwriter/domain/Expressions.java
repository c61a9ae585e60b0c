package io.freightline.gitwriter.domain;

import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;

import java.util.Map;

/**
 * The expressions a step evaluates itself (the {@code fromExpression} of the parse steps and {@code http}, which
 * Kargo evaluates against data the step just read, not at render time). Apache Commons JEXL in strict mode covers
 * the subset of expr-lang these use: member access with {@code .} and {@code ["key"]}, list indexes, comparisons,
 * {@code && || !}, arithmetic, string concatenation and the methods of the values given (e.g. the http step's
 * {@code response.header(name)}). No loops, no assignments, no {@code new}; JEXL's restricted permissions keep
 * reflection, class loading, processes and files out of reach.
 */
public final class Expressions {
    private static final JexlEngine JEXL = new JexlBuilder()
            .strict(true).silent(false).safe(false).antish(false)
            .features(new JexlFeatures().sideEffect(false).sideEffectGlobal(false).loops(false).newInstance(false)
                    .lambda(false).importPragma(false).pragma(false).annotation(false))
            .permissions(JexlPermissions.RESTRICTED.compose("io.freightline.gitwriter.steps.http.*"))
            .create();

    /**
     * Evaluates one expression with these top-level variables.
     *
     * @param field what the expression belongs to (e.g. {@code outputs[0].fromExpression}), named in errors
     */
    public static Object eval(String expression, Map<String, ?> variables, String field) throws StepException {
        MapContext ctx = new MapContext();
        variables.forEach(ctx::set);
        try {
            return JEXL.createExpression(expression).evaluate(ctx);
        } catch (JexlException e) {
            throw StepException.terminal(field + ": cannot evaluate '" + expression + "': " + reason(e));
        }
    }

    /** Whether an expression's value counts as true (a boolean true, or the string "true"). */
    public static boolean truthy(Object value) {
        return Boolean.TRUE.equals(value) || "true".equals(value);
    }

    private static String reason(JexlException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.lastIndexOf(' ');
        if (e instanceof JexlException.Variable v) {
            return "undefined " + (v.isUndefined() ? "variable " : "value of ") + v.getVariable();
        }
        if (e instanceof JexlException.Property p) {
            return "no property '" + p.getProperty() + "'";
        }
        if (e instanceof JexlException.Parsing || e instanceof JexlException.Feature) {
            return "syntax error" + (m == null ? "" : " (" + m.substring(m.indexOf('@') < 0 ? 0 : m.indexOf('@')) + ")");
        }
        return i < 0 ? String.valueOf(m) : m;
    }

    private Expressions() {
    }
}
