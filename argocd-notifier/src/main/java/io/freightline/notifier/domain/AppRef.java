package io.freightline.notifier.domain;

/**
 * An Argo CD application a stage maps to.
 *
 * @param namespace   the application's namespace (apps-in-any-namespace), null for the server's default
 * @param project     the Argo CD project, sent so a missing app is a 404 instead of a 403
 * @param sourceIndex for a multi-source app, the 0-based index in {@code spec.sources} this repo feeds; null to find
 *                    it by repo URL
 */
public record AppRef(String name, String namespace, String project, Integer sourceIndex) {

    /** Stable identity for maps and webhook matching. */
    public String key() {
        return (namespace == null ? "" : namespace) + "/" + name;
    }

    public String display() {
        return namespace == null ? name : namespace + "/" + name;
    }
}
