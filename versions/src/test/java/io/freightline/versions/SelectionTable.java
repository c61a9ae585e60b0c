package io.freightline.versions;

import io.freightline.events.ArtifactKind;
import io.freightline.events.Subscription;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The selection table ({@code selection-cases.tsv}): one answer for which tags a subscription accepts and which
 * it selects, newest first. The versions library, the artifact-watcher and the promotion-engine each run it
 * through their own code path ({@link Subject}); every service must give the table's answer.
 */
public final class SelectionTable {
    public static final String RESOURCE = "/selection-cases.tsv";

    /** One candidate of a {@code select} row: a tag (or commit label) and its build/tag/commit time. */
    public record Item(String tag, Instant time) {
    }

    /** One row: the subscription, then either one tag ({@code accepts}) or candidates ({@code select}). */
    public record Row(int line, String check, Subscription subscription, String tag, List<Item> items,
                      String expected, String text) {
        public boolean isSelect() {
            return check.equals("select");
        }
    }

    /** A service's way of answering a row. Throwing {@link IllegalArgumentException} means "error". */
    public interface Subject {
        /** Whether the subscription accepts the tag. */
        boolean accepts(Subscription s, String tag);

        /** The candidates the subscription selects, newest first, as their tags. */
        List<String> select(Subscription s, List<Item> items);
    }

    public static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = SelectionTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is not on the classpath");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) continue;
                rows.add(row(n, line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static Row row(int n, String line) {
        String[] c = line.split("\t", -1);
        if (c.length != 11) throw new IllegalStateException("line " + n + ": expected 11 columns, got " + c.length);
        ArtifactKind kind = ArtifactKind.valueOf(c[1].toUpperCase(Locale.ROOT));
        String repo = switch (kind) {
            case IMAGE -> "registry.example.com/team/app";
            case CHART -> "https://charts.example.com";
            case GIT -> "https://git.example.com/team/app.git";
        };
        Subscription s = new Subscription("sub", kind, repo, kind == ArtifactKind.CHART ? "app" : null,
                opt(c[2]), unescape(opt(c[3])), c[4].equals("-") ? null : Boolean.valueOf(c[4]), null,
                c[7].equals("-") ? null : List.of(c[7].split(",")),
                c[8].equals("-") ? null : Integer.valueOf(c[8]), kind == ArtifactKind.GIT ? "main" : null,
                null, null, "poll", list(c[5]), list(c[6]));
        if (c[0].equals("accepts")) {
            return new Row(n, "accepts", s, unescape(opt(c[9])), List.of(), c[10], line);
        }
        if (!c[0].equals("select")) throw new IllegalStateException("line " + n + ": unknown check " + c[0]);
        List<Item> items = new ArrayList<>();
        for (String it : c[9].split(",")) {
            int at = it.lastIndexOf('@');
            items.add(at < 0 ? new Item(it, null) : new Item(it.substring(0, at), Instant.ofEpochSecond(Long.parseLong(it.substring(at + 1)))));
        }
        return new Row(n, "select", s, null, List.copyOf(items), c[10], line);
    }

    private static String opt(String s) {
        return s.equals("-") ? null : s;
    }

    private static List<String> list(String s) {
        return s.equals("-") ? null : Arrays.asList(s.split(" && "));
    }

    static String unescape(String s) {
        if (s == null) return null;
        if (s.equals("\\e")) return "";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\' || i + 1 == s.length()) {
                b.append(ch);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 's' -> b.append(' ');
                case '\\' -> b.append('\\');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append('\\').append(e);
            }
        }
        return b.toString();
    }

    /** Every row where the subject's answer differs from the table's, described; empty when all agree. */
    public static List<String> failures(Subject subject) {
        List<String> out = new ArrayList<>();
        for (Row row : rows()) {
            String actual;
            try {
                actual = row.isSelect() ? joined(subject.select(row.subscription(), row.items()))
                        : subject.accepts(row.subscription(), row.tag()) ? "yes" : "no";
            } catch (IllegalArgumentException e) {
                actual = "error";
            }
            if (!actual.equals(row.expected())) {
                out.add("line " + row.line() + ": got " + actual + ", expected " + row.expected() + "  [" + row.text() + "]");
            }
        }
        return out;
    }

    private static String joined(List<String> tags) {
        return tags.isEmpty() ? "-" : String.join(",", tags);
    }

    private SelectionTable() {
    }
}
