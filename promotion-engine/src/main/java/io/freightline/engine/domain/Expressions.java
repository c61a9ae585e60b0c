package io.freightline.engine.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@code ${{ }}} expressions in step config: {@code imageFrom("<repo>").Tag|Digest|RepoURL},
 * {@code chartFrom("<repo>"[, "<name>"]).Version}, {@code commitFrom("<repo>").ID|Tag|Branch},
 * {@code ctx.project|stage|promotion}, {@code freight.id|alias}, {@code vars.<name>}.
 */
public final class Expressions {
    private static final Pattern EXPR = Pattern.compile("\\$\\{\\{\\s*(.*?)\\s*}}");
    private static final Pattern CALL = Pattern.compile(
            "(imageFrom|chartFrom|commitFrom)\\(\\s*[\"']([^\"']+)[\"']\\s*(?:,\\s*[\"']([^\"']+)[\"']\\s*)?\\)\\.(\\w+)");

    /** What expressions can read. */
    public record Context(String project, String stage, String promotion, String freightId, String freightAlias,
                          List<ArtifactRef> artifacts, Map<String, String> vars) {
    }

    /** An expression that cannot be evaluated (unknown function, artifact not in the freight). */
    public static class RenderException extends RuntimeException {
        public RenderException(String message) {
            super(message);
        }
    }

    /** Renders every string inside a config tree (maps, lists, scalars), returning a new tree. */
    public static Map<String, Object> render(Map<String, Object> config, Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        config.forEach((k, v) -> out.put(k, renderValue(v, ctx)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object renderValue(Object v, Context ctx) {
        if (v instanceof String s) return renderString(s, ctx);
        if (v instanceof Map<?, ?> m) return render((Map<String, Object>) m, ctx);
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(e -> out.add(renderValue(e, ctx)));
            return out;
        }
        return v;
    }

    public static String renderString(String s, Context ctx) {
        Matcher m = EXPR.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(eval(m.group(1), ctx)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Every expression in a config tree that does not parse (for manifest validation), as reasons. */
    public static List<String> check(Object v) {
        List<String> problems = new ArrayList<>();
        walk(v, problems);
        return problems;
    }

    private static void walk(Object v, List<String> problems) {
        if (v instanceof String s) {
            Matcher m = EXPR.matcher(s);
            while (m.find()) {
                String e = m.group(1);
                if (!CALL.matcher(e).matches() && !e.matches("(ctx\\.(project|stage|promotion)|freight\\.(id|alias)|vars\\.[\\w-]+)")) {
                    problems.add("unknown expression '${{ " + e + " }}'");
                }
            }
        } else if (v instanceof Map<?, ?> m) {
            m.values().forEach(x -> walk(x, problems));
        } else if (v instanceof List<?> l) {
            l.forEach(x -> walk(x, problems));
        }
    }

    private static String eval(String e, Context ctx) {
        switch (e) {
            case "ctx.project": return ctx.project();
            case "ctx.stage": return ctx.stage();
            case "ctx.promotion": return ctx.promotion();
            case "freight.id": return ctx.freightId();
            case "freight.alias": return ctx.freightAlias();
            default:
        }
        if (e.startsWith("vars.")) {
            String value = ctx.vars().get(e.substring(5));
            if (value == null) throw new RenderException("no variable '" + e.substring(5) + "'");
            return value;
        }
        Matcher m = CALL.matcher(e);
        if (!m.matches()) throw new RenderException("unknown expression '${{ " + e + " }}'");
        ArtifactKind kind = switch (m.group(1)) {
            case "imageFrom" -> ArtifactKind.IMAGE;
            case "chartFrom" -> ArtifactKind.CHART;
            default -> ArtifactKind.GIT;
        };
        String repo = m.group(2), name = m.group(3), field = m.group(4);
        ArtifactRef a = ctx.artifacts().stream()
                .filter(x -> x.kind() == kind && Selection.sameRepo(x.repoURL(), repo) && (name == null || name.equals(x.name())))
                .findFirst().orElseThrow(() -> new RenderException(m.group(1) + "(\"" + repo + "\"): no such artifact in the freight"));
        String value = switch (field) {
            case "Tag", "Version" -> a.tag();
            case "Digest" -> a.digest();
            case "RepoURL" -> a.repoURL();
            case "ID" -> a.commit();
            case "Branch" -> a.branch();
            case "Name" -> a.name();
            default -> throw new RenderException("unknown field ." + field + " of " + m.group(1));
        };
        if (value == null) throw new RenderException(m.group(1) + "(\"" + repo + "\")." + field + " is empty in the freight");
        return value;
    }

    private Expressions() {
    }
}
