package io.freightline.watcher.domain;

import io.freightline.events.ArtifactReferences;

import java.util.Set;

/** What a webhook says changed. A hint: for {@code poll} subscriptions it only triggers a re-read. */
public sealed interface Hint {

    /**
     * An image or OCI chart pushed to {@code repo} (canonical {@code host/path}).
     *
     * @param tag    the tag, or null for a push by digest
     * @param digest the manifest digest, when the payload has one
     * @throws MalformedPayloadException when the tag does not follow the OCI grammar
     */
    record ImagePush(String repo, String tag, String digest) implements Hint {
        public ImagePush {
            tag = tag == null || tag.isEmpty() ? null : tag;
            // a digest that is not algorithm:hex of the right length is no digest: the registry is asked instead
            digest = digest == null || ArtifactReferences.digestProblem(digest) != null ? null : digest;
            String problem = tag != null ? ArtifactReferences.tagProblem(tag) : null;
            if (problem != null) throw new MalformedPayloadException(problem);
        }
    }

    /** A push to a Git repository, known by the canonical forms of its URLs (clone, SSH, web). */
    record GitPush(Set<String> repos, String ref) implements Hint {
    }
}
