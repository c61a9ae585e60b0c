package io.freightline.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a campaign measured (figures), what it printed, and every violation of a promise it found. */
public final class Report {
    private final String title;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Object> figures = Collections.synchronizedMap(new LinkedHashMap<>());

    public Report(String title) {
        this.title = title;
    }

    public void line(String format, Object... args) {
        String s = args.length == 0 ? format : String.format(format, args);
        lines.add(s);
        System.out.println("[" + title + "] " + s);
    }

    public void violation(String format, Object... args) {
        String s = args.length == 0 ? format : String.format(format, args);
        violations.add(s);
        System.out.println("[" + title + "] VIOLATION " + s);
    }

    public void figure(String name, Object value) {
        figures.put(name, value);
    }

    public void add(String name, long delta) {
        synchronized (figures) {
            figures.merge(name, delta, (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
        }
    }

    public long count(String name) {
        Object v = figures.get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    public Map<String, Object> figures() {
        synchronized (figures) {
            return new LinkedHashMap<>(figures);
        }
    }

    /** The figures and violations as text, as printed at the end of a run. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("== ").append(title).append(" ==\n");
        figures().forEach((k, v) -> sb.append(String.format("  %-48s %s%n", k, v)));
        List<String> v = violations();
        sb.append("  violations: ").append(v.size()).append('\n');
        v.forEach(s -> sb.append("   - ").append(s).append('\n'));
        return sb.toString();
    }
}
