package io.freightline.gitwriter.steps.kustomize;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.gitwriter.domain.Workspace;
import io.freightline.gitwriter.domain.yaml.YamlEdits;
import io.freightline.gitwriter.domain.yaml.YamlEdits.ImageEdit;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Sets {@code images[].newTag} / {@code digest} / {@code newName} in a kustomization, byte-preserving. */
@ApplicationScoped
public class KustomizeSetImageStep implements Step<KustomizeSetImageConfig> {
    private static final List<String> FILE_NAMES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    @Override
    public String name() {
        return "kustomize-set-image";
    }

    @Override
    public Class<KustomizeSetImageConfig> configType() {
        return KustomizeSetImageConfig.class;
    }

    @Override
    public String schema() {
        return KustomizeSetImageConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, KustomizeSetImageConfig config) throws StepException {
        Workspace ws = ctx.workspace();
        String folder = ws.resolve(config.path());
        String file = null;
        for (String n : FILE_NAMES) {
            String candidate = ws.resolve(RepoPaths.join(folder, n));
            if (ws.isFile(candidate)) {
                file = candidate;
                break;
            }
        }
        if (file == null) {
            throw StepException.terminal(RepoPaths.join(folder, "kustomization.yaml"), "no kustomization in " + config.path());
        }
        List<ImageEdit> edits = edits(ctx, config);
        String before = TextFiles.read(ws, file);
        String after = before;
        for (ImageEdit e : edits) {
            after = YamlEdits.setImage(file, after, e);
        }
        boolean changed = TextFiles.writeIfChanged(ws, file, before, after);
        StringBuilder msg = new StringBuilder("Updated ").append(config.path()).append(" to use new image")
                .append(edits.size() == 1 ? "" : "s").append("\n");
        edits.forEach(e -> msg.append("\n- ").append(describe(e)));
        ctx.output("commitMessage", msg.toString());
        return (changed ? "set " : "already set ") + edits.stream().map(KustomizeSetImageStep::describe).toList() + " in " + file;
    }

    private static List<ImageEdit> edits(StepContext ctx, KustomizeSetImageConfig config) throws StepException {
        List<ImageEdit> edits = new ArrayList<>();
        if (config.images() == null) {
            List<ArtifactRef> images = ctx.artifacts(ArtifactKind.IMAGE);
            if (images.isEmpty()) {
                throw StepException.terminal("kustomize-set-image: no images given and the freight has none");
            }
            for (ArtifactRef a : images) {
                edits.add(a.tag() != null ? new ImageEdit(a.repoURL(), null, a.tag(), null)
                        : new ImageEdit(a.repoURL(), null, null, a.digest()));
            }
            return edits;
        }
        for (KustomizeSetImageConfig.Image i : config.images()) {
            String tag = i.tag();
            String digest = i.digest();
            if (tag == null && digest == null) {
                ArtifactRef a = ctx.image(i.image()).orElse(null);
                if (a == null && i.newName() == null) {
                    throw StepException.terminal("kustomize-set-image: image " + i.image()
                            + " has no tag or digest and is not in the freight");
                }
                if (a != null) {
                    if (Boolean.TRUE.equals(i.useDigest())) {
                        if (a.digest() == null) {
                            throw StepException.terminal("kustomize-set-image: useDigest, but the freight has no digest for " + i.image());
                        }
                        digest = a.digest();
                    } else if (a.tag() != null) {
                        tag = a.tag();
                    } else {
                        digest = a.digest();
                    }
                }
            }
            edits.add(new ImageEdit(i.image(), i.newName(), tag, digest));
        }
        return edits;
    }

    private static String describe(ImageEdit e) {
        return e.name() + (e.newName() != null ? "→" + e.newName() : "") + (e.newTag() != null ? ":" + e.newTag() : "")
                + (e.digest() != null ? "@" + e.digest() : "");
    }
}
