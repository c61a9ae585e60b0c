package io.freightline.gitwriter.domain;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;

import java.util.List;
import java.util.Optional;

/** What a step sees: the files and the promotion it is part of. */
public record StepContext(Workspace workspace, FreightRef freight, String project, String stage, String promotionId) {

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
