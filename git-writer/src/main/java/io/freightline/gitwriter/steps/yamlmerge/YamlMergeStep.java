package io.freightline.gitwriter.steps.yamlmerge;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.gitwriter.domain.yaml.YamlDocuments;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges YAML files in order into one: mappings merge key by key (recursively), scalars and sequences of a later
 * file replace earlier ones, a key set to {@code null} in a later file is removed. The output is written anew
 * (block style), not edited in place.
 */
@ApplicationScoped
public class YamlMergeStep implements Step<YamlMergeConfig> {

    @Override
    public String name() {
        return "yaml-merge";
    }

    @Override
    public Class<YamlMergeConfig> configType() {
        return YamlMergeConfig.class;
    }

    @Override
    public String schema() {
        return YamlMergeConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, YamlMergeConfig config) throws StepException {
        String out = ctx.workspace().resolve(config.outFile());
        if (out.isEmpty() || ctx.workspace().isDirectory(out)) {
            throw StepException.terminal(config.outFile(), "is a folder");
        }
        Object merged = null;
        List<String> used = new ArrayList<>();
        for (String in : config.inFiles()) {
            String file = ctx.workspace().resolve(in);
            if (!ctx.workspace().isFile(file)) {
                if (Boolean.TRUE.equals(config.ignoreMissingFiles())) {
                    continue;
                }
                throw StepException.terminal(in, "no such file (set ignoreMissingFiles to skip missing files)");
            }
            merged = merge(merged, YamlDocuments.first(file, TextFiles.read(ctx.workspace(), file)));
            used.add(in);
        }
        String text = merged == null ? "" : YamlDocuments.dump(merged);
        ctx.workspace().write(out, text.getBytes(StandardCharsets.UTF_8));
        ctx.output("commitMessage", "Merged " + String.join(", ", used) + " into " + config.outFile());
        return "merged " + used.size() + " file(s) into " + out;
    }

    @SuppressWarnings("unchecked")
    static Object merge(Object base, Object over) {
        if (base instanceof Map<?, ?> b && over instanceof Map<?, ?> o) {
            Map<Object, Object> result = new LinkedHashMap<>((Map<Object, Object>) b);
            for (Map.Entry<?, ?> e : o.entrySet()) {
                if (e.getValue() == null) {
                    result.remove(e.getKey());
                } else {
                    result.put(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
                }
            }
            return result;
        }
        return over == null ? base : over;
    }
}
