package io.freightline.gitwriter.steps.copy;

import io.freightline.gitwriter.domain.Glob;
import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.Workspace;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Copies a file or a folder (with include/exclude globs) from one place of the repository to another. */
@ApplicationScoped
public class CopyStep implements Step<CopyConfig> {

    @Override
    public String name() {
        return "copy";
    }

    @Override
    public Class<CopyConfig> configType() {
        return CopyConfig.class;
    }

    @Override
    public String schema() {
        return CopyConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, CopyConfig config) throws StepException {
        Workspace ws = ctx.workspace();
        String in = ws.resolve(config.inPath());
        String out = ws.resolve(config.outPath());
        if (in.equals(out) || out.startsWith(in + "/") || in.startsWith(out + "/") || in.isEmpty() || out.isEmpty()) {
            throw StepException.terminal("copy: inPath and outPath must be different, non-nested, below the root");
        }
        if (ws.isFile(in)) {
            ws.copy(in, out);
            return "copied " + in + " to " + out;
        }
        if (!ws.isDirectory(in)) {
            throw StepException.terminal(in, "no such file or folder");
        }
        List<Glob> include = globs(config.include());
        List<Glob> exclude = globs(config.exclude());
        Set<String> copied = new HashSet<>();
        for (String f : ws.files(in)) {
            String rel = f.substring(in.length() + 1);
            if (Glob.selected(rel, include, exclude)) {
                // resolve again: the destination must not run through a symlink out of the repository
                ws.copy(f, ws.resolve(RepoPaths.join(out, rel)));
                copied.add(rel);
            }
        }
        int deleted = 0;
        if (Boolean.TRUE.equals(config.deleteExtra())) {
            for (String f : ws.files(out)) {
                String rel = f.substring(out.length() + 1);
                if (!copied.contains(rel) && Glob.selected(rel, include, exclude) && ws.delete(f)) {
                    deleted++;
                }
            }
        }
        return "copied " + copied.size() + " file(s) from " + in + " to " + out + (deleted > 0 ? ", deleted " + deleted : "");
    }

    private static List<Glob> globs(List<String> patterns) {
        return patterns == null ? List.of() : patterns.stream().map(Glob::of).toList();
    }

}
