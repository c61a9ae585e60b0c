package io.freightline.events;

import java.util.List;

/** Immutable freight: an id that is a hash of its sorted artifacts, a human alias, and the artifacts. */
public record FreightRef(String id, String alias, String warehouse, List<ArtifactRef> artifacts) {
}
