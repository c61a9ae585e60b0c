package io.freightline.gitwriter.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a step sees: the files, the Git checkouts and the promotion it is part of, and where it puts its outputs.
 *
 * @param outputs the running step's outputs (Kargo's {@code outputs.<alias>.<name>}); a fresh map per step
 */
public record StepContext(Workspace workspace, FreightRef freight, String project, String stage, String promotionId,
                          GitWork git, Map<String, Object> outputs) {

    public StepContext(Workspace workspace, FreightRef freight, String project, String stage, String promotionId) {
        this(workspace, freight, project, stage, promotionId, GitWork.NONE, new LinkedHashMap<>());
    }

    /** The context one step runs in: its own (guarded) view of the files and an empty output map. */
    public StepContext forStep(FencedWorkspace fenced) {
        return new StepContext(fenced, freight, project, stage, promotionId, fenced.fence(git), new LinkedHashMap<>());
    }

    /** Records one output of the running step. */
    public void output(String name, Object value) {
        outputs.put(name, value);
    }

    public List<ArtifactRef> artifacts(ArtifactKind kind) {
        if (freight == null || freight.artifacts() == null) {
            return List.of();
        }
        return freight.artifacts().stream().filter(a -> a.kind() == kind).toList();
    }

    /** The freight's image with this repository (registry host/path). */
    public Optional<ArtifactRef> image(String repoURL) {
        return artifacts(ArtifactKind.IMAGE).stream().filter(a -> a.repoURL().equals(repoURL)).findFirst();
    }
}
