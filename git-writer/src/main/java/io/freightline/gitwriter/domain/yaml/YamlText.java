package io.freightline.gitwriter.domain.yaml;

import io.freightline.gitwriter.domain.StepException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A YAML file parsed into nodes with their positions, for surgical edits: every change replaces or inserts a range
 * of the original text and leaves every other byte (comments, order, quoting, indentation, line endings) as it was.
 * Positions of snakeyaml marks count code points; {@link #at(int)} turns them into {@code String} indexes.
 */
public final class YamlText {
    private static final Pattern NON_STRING = Pattern.compile(
            "(?i)~|null|true|false|yes|no|on|off|y|n"
                    + "|[-+]?(?:0|[1-9][0-9_]*)|0[0-7_]+|0o[0-7_]+|0x[0-9a-f_]+|0b[01_]+"
                    + "|[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*(?:e[-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:\\.[0-9_]*)?e[-+]?[0-9]+"
                    + "|[-+]?\\.inf|\\.nan|[0-9]+(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");

    private final String file;
    private final String text;
    private final List<Node> documents;
    private final int[] charIndex;

    private YamlText(String file, String text, List<Node> documents, int[] charIndex) {
        this.file = file;
        this.text = text;
        this.documents = documents;
        this.charIndex = charIndex;
    }

    public static YamlText parse(String file, String text) throws StepException {
        LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(true)
                .setMaxAliasesForCollections(10_000).setCodePointLimit(16 * 1024 * 1024).build();
        List<Node> docs = new ArrayList<>();
        try {
            for (Node n : new Compose(settings).composeAllFromString(text)) {
                docs.add(n);
            }
        } catch (YamlEngineException e) {
            throw StepException.terminal(file, "not valid YAML: " + firstLine(e.getMessage()));
        }
        int[] index = null;
        if (text.codePointCount(0, text.length()) != text.length()) {
            index = new int[text.codePointCount(0, text.length()) + 1];
            int cp = 0;
            for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
                index[cp++] = i;
            }
            index[cp] = text.length();
        }
        return new YamlText(file, text, docs, index);
    }

    public String file() {
        return file;
    }

    public String text() {
        return text;
    }

    public List<Node> documents() {
        return documents;
    }

    /** The document at the index, which must be there. */
    public Node document(int i) throws StepException {
        if (i < 0 || i >= documents.size()) {
            throw StepException.terminal(file, "has no YAML document #" + i);
        }
        return documents.get(i);
    }

    /** The line ending the file uses. */
    public String newline() {
        return text.contains("\r\n") ? "\r\n" : "\n";
    }

    /** A mark's code point index as a String index. */
    public int at(int codePointIndex) {
        return charIndex == null ? codePointIndex : charIndex[codePointIndex];
    }

    public int start(Node n) {
        return at(n.getStartMark().orElseThrow().getIndex());
    }

    public int end(Node n) {
        return at(n.getEndMark().orElseThrow().getIndex());
    }

    public static int column(Node n) {
        return n.getStartMark().orElseThrow().getColumn();
    }

    /** The entry with this key in a mapping. */
    public static Optional<NodeTuple> entry(MappingNode map, String key) {
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** True when an entry's value is an alias ({@code *name}): its node is defined elsewhere in the file. */
    public boolean isAlias(NodeTuple t) {
        return start(t.getValueNode()) < end(t.getKeyNode());
    }

    /** Replaces a scalar's text with a new value, keeping its quoting style (and its anchor or tag). */
    public String replaceScalar(ScalarNode node, Object value) throws StepException {
        ScalarStyle style = node.getScalarStyle();
        if (style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) {
            throw StepException.terminal(file, "value at line " + line(node) + " is a block scalar; refusing to rewrite it");
        }
        int s = start(node);
        int e = end(node);
        // skip an anchor (&a) or tag (!t) that precedes the value: they must stay
        while (s < e && (text.charAt(s) == '&' || text.charAt(s) == '!')) {
            while (s < e && !Character.isWhitespace(text.charAt(s))) {
                s++;
            }
            while (s < e && (text.charAt(s) == ' ' || text.charAt(s) == '\t')) {
                s++;
            }
        }
        if (style == ScalarStyle.PLAIN && text.substring(s, e).contains("\n")) {
            throw StepException.terminal(file, "value at line " + line(node) + " is a multi-line plain scalar; refusing to rewrite it");
        }
        boolean wasNonString = style == ScalarStyle.PLAIN && !node.getValue().isEmpty()
                && NON_STRING.matcher(node.getValue()).matches();
        String rendered = render(value, style, wasNonString);
        if (s == e && s > 0 && text.charAt(s - 1) == ':') {
            rendered = " " + rendered;
        }
        return text.substring(0, s) + rendered + text.substring(e);
    }

    /**
     * Inserts {@code key: value} lines at the end of a mapping (block: indented like its keys; flow: before the
     * closing brace). {@code block} is the text after {@code key:} — a scalar (" v") or a nested block starting
     * with a newline, indented relative to column 0.
     */
    public String insertEntry(MappingNode map, String key, String block) {
        String nl = newline();
        if (map.getFlowStyle() == FlowStyle.FLOW) {
            int e = end(map) - 1; // the closing brace
            String sep = map.getValue().isEmpty() ? "" : ", ";
            return text.substring(0, e) + sep + key + ":" + block.replace("\n", " ").stripTrailing() + text.substring(e);
        }
        int indent = column(map.getValue().get(0).getKeyNode());
        String line = " ".repeat(indent) + key + ":" + block + nl;
        return insertAfterLineOf(lastContentEnd(map), line);
    }

    /** Appends an item to a block sequence, with the dash and key columns of its first item. */
    public String appendItem(SequenceNode seq, List<String[]> keyValues) throws StepException {
        if (seq.getFlowStyle() == FlowStyle.FLOW) {
            throw StepException.terminal(file, "flow-style list at line " + line(seq) + " is not supported; use a block list");
        }
        String nl = newline();
        Node first = seq.getValue().get(0);
        int dash = dashColumn(first);
        int keyCol = first instanceof MappingNode m ? column(m.getValue().get(0).getKeyNode()) : dash + 2;
        StringBuilder item = new StringBuilder();
        for (int i = 0; i < keyValues.size(); i++) {
            String prefix = i == 0 ? " ".repeat(dash) + "-" + " ".repeat(Math.max(1, keyCol - dash - 1)) : " ".repeat(keyCol);
            item.append(prefix).append(keyValues.get(i)[0]).append(": ").append(keyValues.get(i)[1]).append(nl);
        }
        return insertAfterLineOf(lastContentEnd(seq), item.toString());
    }

    /** The column of the "- " of a sequence item (the item's own column minus the gap after the dash). */
    private int dashColumn(Node item) {
        int s = start(item);
        int i = s - 1;
        while (i >= 0 && text.charAt(i) == ' ') {
            i--;
        }
        if (i >= 0 && text.charAt(i) == '-') {
            int lineStart = text.lastIndexOf('\n', i) + 1;
            return text.codePointCount(lineStart, i);
        }
        return Math.max(0, column(item) - 2);
    }

    /** Replaces a whole node (e.g. an empty {@code []} or null value) with new text. */
    public String replaceNode(Node node, String replacement) {
        int s = start(node);
        int e = end(node);
        String r = replacement;
        if (s == e && s > 0 && text.charAt(s - 1) == ':' && !r.startsWith("\n") && !r.startsWith("\r")) {
            r = " " + r;
        }
        return text.substring(0, s) + r + text.substring(e);
    }

    /** The String index just past the last character of content that belongs to a node. */
    public int lastContentEnd(Node node) {
        if (node instanceof MappingNode m && m.getFlowStyle() != FlowStyle.FLOW && !m.getValue().isEmpty()) {
            NodeTuple last = m.getValue().get(m.getValue().size() - 1);
            if (isAlias(last)) {
                return aliasEnd(last);
            }
            Node v = last.getValueNode();
            if (v instanceof ScalarNode sv && sv.getValue().isEmpty() && start(v) == end(v)) {
                return end(last.getKeyNode());
            }
            return lastContentEnd(v);
        }
        if (node instanceof SequenceNode s && s.getFlowStyle() != FlowStyle.FLOW && !s.getValue().isEmpty()) {
            List<Node> items = s.getValue();
            Node last = items.get(items.size() - 1);
            int from = items.size() > 1 ? lastContentEnd(items.get(items.size() - 2)) : start(s);
            if (start(last) < from) {
                // an alias item (- *name): its node lies earlier in the file
                int star = text.indexOf('*', from);
                return lineEnd(star < 0 ? from : star);
            }
            return lastContentEnd(last);
        }
        return end(node);
    }

    private int aliasEnd(NodeTuple t) {
        int i = end(t.getKeyNode());
        while (i < text.length() && text.charAt(i) != '*') {
            i++;
        }
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private int lineEnd(int from) {
        int nlAt = text.indexOf('\n', from);
        return nlAt < 0 ? text.length() : nlAt;
    }

    /** Inserts whole lines after the line holding {@code pos} (or at pos when it starts a line). */
    private String insertAfterLineOf(int pos, String lines) {
        if (pos > 0 && text.charAt(pos - 1) == '\n') {
            return text.substring(0, pos) + lines + text.substring(pos);
        }
        int nlAt = text.indexOf('\n', pos);
        if (nlAt < 0) {
            // the file ends on this line without a final newline: keep it that way
            String nl = newline();
            String trimmed = lines.endsWith(nl) ? lines.substring(0, lines.length() - nl.length()) : lines;
            return text + nl + trimmed;
        }
        return text.substring(0, nlAt + 1) + lines + text.substring(nlAt + 1);
    }

    public int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    /** Renders a value for a new scalar (plain when that reads back as the same string, else double-quoted). */
    public static String render(Object value) {
        return render(value, null, false);
    }

    static String render(Object value, ScalarStyle style, boolean originalNonString) {
        if (value == null) {
            return style == ScalarStyle.PLAIN || style == null ? "null" : "\"\"";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        String s = value.toString();
        if (style == ScalarStyle.SINGLE_QUOTED && !s.contains("\n")) {
            return "'" + s.replace("'", "''") + "'";
        }
        if (style == ScalarStyle.DOUBLE_QUOTED) {
            return doubleQuoted(s);
        }
        if (plainSafe(s) && (!NON_STRING.matcher(s).matches() || originalNonString)) {
            return s;
        }
        return doubleQuoted(s);
    }

    static boolean plainSafe(String s) {
        if (s.isEmpty() || !s.equals(s.strip())) {
            return false;
        }
        if ("-?:,[]{}#&*!|>'\"%@`".indexOf(s.charAt(0)) >= 0) {
            return false;
        }
        if (s.contains(": ") || s.contains(" #") || s.endsWith(":")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String doubleQuoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int i = s.indexOf('\n');
        return (i < 0 ? s : s.substring(0, i)).strip();
    }
}
