package io.freightline.watcher.domain;

import io.freightline.template.expr.ExpressionException;
import io.freightline.template.expr.Expressions;
import io.freightline.template.expr.GoTime;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTag;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kargo's Warehouse git {@code expressionFilter}: an expr-lang expression over a commit's metadata
 * ({@code id}, {@code commitDate}, {@code author}, {@code committer}, {@code subject}) for NewestFromBranch, or a
 * tag's ({@code tag}, {@code id}, {@code creatorDate}, {@code author}, {@code committer}, {@code subject},
 * {@code tagger}, {@code annotation}) for the tag strategies. A commit or tag is eligible when the expression is true;
 * a non-boolean result counts as Go's {@code strconv.ParseBool} reads its text ({@code 1}, {@code t}, {@code 0}, ...).
 * An expression that does not parse, fails or gives anything else is an error ({@link Invalid}), never a skip.
 */
public final class ExpressionFilter {
    private final String expression;

    /** An expression filter that cannot be applied: the message names the expression and the reason. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    private ExpressionFilter(String expression) {
        this.expression = expression;
    }

    /** The filter, or null for a blank expression (everything eligible). Throws {@link Invalid} if it does not parse. */
    public static ExpressionFilter of(String expression) {
        if (expression == null || expression.isBlank()) return null;
        String problem = Expressions.checkCondition(expression);
        if (problem != null) throw new Invalid("expressionFilter '" + expression + "' " + problem);
        return new ExpressionFilter(expression.strip());
    }

    /** Whether a branch commit is eligible. */
    public boolean acceptsCommit(RevCommit c) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", c.name());
        vars.put("commitDate", GoTime.of(c.getCommitterIdent().getWhenAsInstant()));
        vars.put("author", person(c.getAuthorIdent()));
        vars.put("committer", person(c.getCommitterIdent()));
        vars.put("subject", c.getShortMessage());
        return accepts(vars, "commit " + c.name());
    }

    /** Whether a tag is eligible; {@code annotated} is null for a lightweight tag. */
    public boolean acceptsTag(String tag, RevCommit c, RevTag annotated) {
        PersonIdent tagger = annotated == null ? null : annotated.getTaggerIdent();
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("tag", tag);
        vars.put("id", c.name());
        vars.put("creatorDate", GoTime.of(tagger != null ? tagger.getWhenAsInstant() : c.getCommitterIdent().getWhenAsInstant()));
        vars.put("author", person(c.getAuthorIdent()));
        vars.put("committer", person(c.getCommitterIdent()));
        vars.put("subject", c.getShortMessage());
        vars.put("tagger", tagger == null ? "" : person(tagger));
        vars.put("annotation", annotated == null ? "" : annotated.getShortMessage());
        return accepts(vars, "tag " + tag);
    }

    private boolean accepts(Map<String, Object> vars, String what) {
        Object r;
        try {
            r = Expressions.evaluate(expression, vars);
        } catch (ExpressionException e) {
            throw new Invalid("expressionFilter '" + expression + "' failed on " + what + ": " + e.reason());
        }
        if (r instanceof Boolean b) return b;
        String text = Expressions.text(r);
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new Invalid("expressionFilter '" + expression + "' must give true or false, gave '" + text
                    + "' on " + what);
        };
    }

    private static String person(PersonIdent p) {
        return p.getName() + " <" + p.getEmailAddress() + ">";
    }

    @Override
    public String toString() {
        return expression;
    }
}
