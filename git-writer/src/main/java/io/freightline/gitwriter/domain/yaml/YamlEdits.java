package io.freightline.gitwriter.domain.yaml;

import io.freightline.gitwriter.domain.StepException;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The edits the promotion steps make, each a surgical change of the original text (see {@link YamlText}). */
public final class YamlEdits {

    /**
     * Sets the scalar at a key path ({@code a.b.0.c}: mapping keys and list indexes) of one document, creating
     * missing mapping keys at the end of their mapping. Returns the new text.
     */
    public static String set(String file, String text, int document, List<String> path, Object value) throws StepException {
        YamlText y = YamlText.parse(file, text);
        Node cur = y.document(document);
        String dotted = String.join(".", path);
        for (int i = 0; i < path.size(); i++) {
            String seg = path.get(i);
            List<String> rest = path.subList(i + 1, path.size());
            if (cur instanceof MappingNode m) {
                Optional<NodeTuple> t = YamlText.entry(m, seg);
                if (t.isEmpty()) {
                    if (m.getValue().isEmpty() && m.getFlowStyle() != FlowStyle.FLOW) {
                        throw StepException.terminal(file, "cannot add '" + dotted + "' to an empty mapping");
                    }
                    int indent = m.getValue().isEmpty() ? 0 : YamlText.column(m.getValue().get(0).getKeyNode());
                    String block = rest.isEmpty() ? " " + YamlText.render(value)
                            : nested(y, rest, value, indent + indentStep(y));
                    if (m.getFlowStyle() == FlowStyle.FLOW && !rest.isEmpty()) {
                        throw StepException.terminal(file, "cannot add nested key '" + dotted + "' inside a flow mapping");
                    }
                    return y.insertEntry(m, seg, block);
                }
                if (y.isAlias(t.get())) {
                    throw StepException.terminal(file, "'" + String.join(".", path.subList(0, i + 1))
                            + "' (line " + y.line(t.get().getKeyNode()) + ") is an alias of an anchor defined at line "
                            + y.line(t.get().getValueNode()) + "; update the anchored value instead");
                }
                Node v = t.get().getValueNode();
                if (!rest.isEmpty() && v instanceof ScalarNode sv && sv.getValue().isEmpty()
                        && sv.getScalarStyle() == org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN) {
                    int indent = YamlText.column(t.get().getKeyNode()) + indentStep(y);
                    return y.replaceNode(v, nested(y, rest, value, indent));
                }
                cur = v;
            } else if (cur instanceof SequenceNode s) {
                int idx;
                try {
                    idx = Integer.parseInt(seg);
                } catch (NumberFormatException e) {
                    throw StepException.terminal(file, "'" + dotted + "': '" + seg + "' must be a list index at line " + y.line(s));
                }
                if (idx < 0 || idx >= s.getValue().size()) {
                    throw StepException.terminal(file, "'" + dotted + "': index " + idx + " is out of range (the list at line "
                            + y.line(s) + " has " + s.getValue().size() + " items)");
                }
                cur = s.getValue().get(idx);
            } else {
                throw StepException.terminal(file, "'" + dotted + "': '" + String.join(".", path.subList(0, i))
                        + "' is a scalar at line " + y.line(cur) + ", not a mapping or list");
            }
        }
        if (!(cur instanceof ScalarNode scalar)) {
            throw StepException.terminal(file, "'" + dotted + "' is a " + (cur instanceof MappingNode ? "mapping" : "list")
                    + " at line " + y.line(cur) + ", not a scalar");
        }
        return y.replaceScalar(scalar, value);
    }

    /** One image of a kustomization's {@code images:} transformer; null fields are left alone. */
    public record ImageEdit(String name, String newName, String newTag, String digest) {
        List<String[]> fields() {
            List<String[]> f = new ArrayList<>();
            if (newName != null) {
                f.add(new String[]{"newName", newName});
            }
            if (newTag != null) {
                f.add(new String[]{"newTag", newTag});
            }
            if (digest != null) {
                f.add(new String[]{"digest", digest});
            }
            return f;
        }
    }

    /** Sets an image in a kustomization's {@code images:} list, adding the entry or the list when missing. */
    public static String setImage(String file, String text, ImageEdit edit) throws StepException {
        String out = text;
        for (String[] field : edit.fields()) {
            out = setImageField(file, out, edit.name(), field[0], field[1]);
        }
        return out;
    }

    private static String setImageField(String file, String text, String image, String key, String value) throws StepException {
        YamlText y = YamlText.parse(file, text);
        if (y.documents().isEmpty() || !(y.documents().get(0) instanceof MappingNode root)) {
            throw StepException.terminal(file, "is not a kustomization (no top-level mapping)");
        }
        String nl = y.newline();
        Optional<NodeTuple> images = YamlText.entry(root, "images");
        if (images.isEmpty()) {
            int keyCol = root.getValue().isEmpty() ? 0 : YamlText.column(root.getValue().get(0).getKeyNode());
            int dash = keyCol + sequenceOffset(y, root);
            return y.insertEntry(root, "images", newList(dash, image, key, value, nl));
        }
        Node list = images.get().getValueNode();
        if (list instanceof ScalarNode sv && sv.getValue().isEmpty()
                || list instanceof SequenceNode s0 && s0.getValue().isEmpty()) {
            int dash = YamlText.column(images.get().getKeyNode()) + sequenceOffset(y, root);
            return y.replaceNode(list, newList(dash, image, key, value, nl));
        }
        if (!(list instanceof SequenceNode seq)) {
            throw StepException.terminal(file, "'images' at line " + y.line(list) + " is not a list");
        }
        for (Node item : seq.getValue()) {
            if (item instanceof MappingNode m && YamlText.entry(m, "name")
                    .filter(t -> t.getValueNode() instanceof ScalarNode n && n.getValue().equals(image)).isPresent()) {
                Optional<NodeTuple> field = YamlText.entry(m, key);
                if (field.isPresent()) {
                    if (!(field.get().getValueNode() instanceof ScalarNode fv)) {
                        throw StepException.terminal(file, "'" + key + "' of image " + image + " is not a scalar");
                    }
                    return y.replaceScalar(fv, value);
                }
                if (m.getFlowStyle() == FlowStyle.FLOW) {
                    return y.insertEntry(m, key, " " + YamlText.render(value));
                }
                return y.insertEntry(m, key, " " + YamlText.render(value));
            }
        }
        return y.appendItem(seq, List.of(new String[]{"name", YamlText.render(image)},
                new String[]{key, YamlText.render(value)}));
    }

    private static String newList(int dash, String image, String key, String value, String nl) {
        return nl + " ".repeat(dash) + "- name: " + YamlText.render(image) + nl
                + " ".repeat(dash + 2) + key + ": " + YamlText.render(value);
    }

    /**
     * Sets the version of a dependency in a Helm {@code Chart.yaml}; {@code repository} (when not null) must match
     * too. Returns the new text.
     */
    public static String setDependencyVersion(String file, String text, String name, String repository, String version)
            throws StepException {
        YamlText y = YamlText.parse(file, text);
        if (y.documents().isEmpty() || !(y.documents().get(0) instanceof MappingNode root)) {
            throw StepException.terminal(file, "is not a Chart.yaml (no top-level mapping)");
        }
        Optional<NodeTuple> deps = YamlText.entry(root, "dependencies");
        if (deps.isEmpty() || !(deps.get().getValueNode() instanceof SequenceNode seq)) {
            throw StepException.terminal(file, "has no 'dependencies' list");
        }
        for (Node item : seq.getValue()) {
            if (item instanceof MappingNode m && scalar(m, "name").filter(name::equals).isPresent()
                    && (repository == null || scalar(m, "repository").map(r -> sameRepo(r, repository)).orElse(false))) {
                Optional<NodeTuple> v = YamlText.entry(m, "version");
                if (v.isPresent() && v.get().getValueNode() instanceof ScalarNode sv) {
                    return y.replaceScalar(sv, version);
                }
                return y.insertEntry(m, "version", " " + YamlText.render(version));
            }
        }
        throw StepException.terminal(file, "has no dependency '" + name + "'"
                + (repository == null ? "" : " from " + repository));
    }

    private static boolean sameRepo(String a, String b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(String r) {
        String s = r.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static Optional<String> scalar(MappingNode m, String key) {
        return YamlText.entry(m, key).map(NodeTuple::getValueNode)
                .filter(ScalarNode.class::isInstance).map(n -> ((ScalarNode) n).getValue());
    }

    /** Text of nested mapping lines for the remaining keys of a path, starting with a newline. */
    private static String nested(YamlText y, List<String> keys, Object value, int indent) {
        String nl = y.newline();
        StringBuilder b = new StringBuilder();
        int col = indent;
        for (int i = 0; i < keys.size(); i++) {
            b.append(nl).append(" ".repeat(col)).append(keys.get(i)).append(':');
            col += indentStep(y);
        }
        return b.append(' ').append(YamlText.render(value)).toString();
    }

    /** How far the file indents a nested mapping (2 when it has none). */
    private static int indentStep(YamlText y) {
        for (Node doc : y.documents()) {
            if (doc instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getValueNode() instanceof MappingNode child && child.getFlowStyle() != FlowStyle.FLOW
                            && !child.getValue().isEmpty() && !y.isAlias(t)) {
                        int step = YamlText.column(child.getValue().get(0).getKeyNode()) - YamlText.column(t.getKeyNode());
                        if (step > 0) {
                            return step;
                        }
                    }
                }
            }
        }
        return 2;
    }

    /** Whether the file's top-level lists put "- " under the key (0) or indent it (e.g. 2). */
    private static int sequenceOffset(YamlText y, MappingNode root) {
        for (NodeTuple t : root.getValue()) {
            if (t.getValueNode() instanceof SequenceNode s && s.getFlowStyle() != FlowStyle.FLOW && !s.getValue().isEmpty()
                    && !y.isAlias(t)) {
                Node first = s.getValue().get(0);
                int itemCol = YamlText.column(first);
                int keyCol = YamlText.column(t.getKeyNode());
                return Math.max(0, itemCol - 2 - keyCol);
            }
        }
        return 0;
    }

    private YamlEdits() {
    }
}
