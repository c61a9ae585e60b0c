package io.freightline.template.expr;

/** An expression that does not parse or cannot be evaluated; the message names the expression and the reason. */
public class ExpressionException extends RuntimeException {
    private final String expression;
    private final String reason;

    public ExpressionException(String expression, String reason) {
        super("expression '" + expression + "' " + reason);
        this.expression = expression;
        this.reason = reason;
    }

    public String expression() {
        return expression;
    }

    public String reason() {
        return reason;
    }
}
