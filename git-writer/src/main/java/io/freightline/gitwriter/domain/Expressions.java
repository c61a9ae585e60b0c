package io.freightline.gitwriter.domain;

import io.freightline.template.expr.ExpressionException;

import java.util.Map;

/**
 * The expressions a step evaluates itself (the {@code fromExpression} of the parse steps and {@code http}'s
 * expressions, which Kargo evaluates against data the step just read, not at render time): the same expression
 * language as {@code ${{ }}} ({@code promotion-template}'s {@code expr/Expressions}, Apache Commons JEXL configured to
 * Kargo's syntax: member access with {@code .} and {@code ["key"]}, list indexes, comparisons, {@code && || !},
 * {@code and or not in}, arithmetic, string concatenation, Kargo's and expr-lang's functions, and the public methods
 * of the http step's {@code response}). No loops, no assignments, no {@code new}; reflection, class loading,
 * processes and files stay out of reach.
 */
public final class Expressions {
    private static final String HTTP_VALUES = "io.freightline.gitwriter.steps.http.*";

    /**
     * Evaluates one expression with these top-level variables.
     *
     * @param field what the expression belongs to (e.g. {@code outputs[0].fromExpression}), named in errors
     */
    public static Object eval(String expression, Map<String, ?> variables, String field) throws StepException {
        try {
            return io.freightline.template.expr.Expressions.evaluate(expression, variables, HTTP_VALUES);
        } catch (ExpressionException e) {
            throw StepException.terminal(field + ": cannot evaluate '" + expression + "': " + e.reason());
        }
    }

    /** Whether an expression's value counts as true (a boolean true, or the string "true"). */
    public static boolean truthy(Object value) {
        return Boolean.TRUE.equals(value) || "true".equals(value);
    }

    private Expressions() {
    }
}
