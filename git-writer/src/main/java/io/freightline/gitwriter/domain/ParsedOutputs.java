package io.freightline.gitwriter.domain;

import java.util.List;
import java.util.Map;

/** What {@code json-parse}, {@code toml-parse} and {@code yaml-parse} share: expressions over a parsed document into outputs. */
public final class ParsedOutputs {

    /** One entry of a parse step's {@code outputs}: its name and the expression (without {@code ${{ }}}) reading it. */
    public record Output(String name, String fromExpression) {
    }

    private ParsedOutputs() {
    }

    /** Evaluates every output's expression against the document, whose top-level keys are the variables. */
    public static String write(StepContext ctx, String file, List<Output> outputs, Map<String, Object> document)
            throws StepException {
        int n = 0;
        for (Output o : outputs) {
            ctx.output(o.name(), Expressions.eval(o.fromExpression(), document, "outputs[" + n++ + "].fromExpression"));
        }
        return "read " + outputs.size() + " output(s) from " + file;
    }
}
