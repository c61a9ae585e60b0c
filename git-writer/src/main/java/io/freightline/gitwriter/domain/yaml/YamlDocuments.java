package io.freightline.gitwriter.domain.yaml;

import io.freightline.gitwriter.domain.StepException;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** YAML read as plain values (maps, lists, scalars) for steps that read or merge documents rather than edit them. */
public final class YamlDocuments {

    /** The first document of a file; null for an empty file. */
    public static Object first(String file, String text) throws StepException {
        try {
            Iterator<Object> docs = new Load(LoadSettings.builder().build()).loadAllFromString(text).iterator();
            return docs.hasNext() ? docs.next() : null;
        } catch (YamlEngineException e) {
            throw StepException.terminal(file, "is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The first document, which must be a mapping (an empty file is an empty mapping). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> mapping(String file, String text) throws StepException {
        Object doc = first(file, text);
        if (doc == null) {
            return new LinkedHashMap<>();
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw StepException.terminal(file, "is not a YAML mapping");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** Block-style YAML of plain values. */
    public static String dump(Object value) {
        return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(value);
    }

    private YamlDocuments() {
    }
}
