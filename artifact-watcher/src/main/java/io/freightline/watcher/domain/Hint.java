package io.freightline.watcher.domain;

import java.util.Set;

/** What a webhook says changed. A hint: for {@code poll} subscriptions it only triggers a re-read. */
public sealed interface Hint {

    /**
     * An image or OCI chart pushed to {@code repo} (canonical {@code host/path}).
     *
     * @param tag    the tag, or null for a push by digest
     * @param digest the manifest digest, when the payload has one
     */
    record ImagePush(String repo, String tag, String digest) implements Hint {
    }

    /** A push to a Git repository, known by the canonical forms of its URLs (clone, SSH, web). */
    record GitPush(Set<String> repos, String ref) implements Hint {
    }
}
