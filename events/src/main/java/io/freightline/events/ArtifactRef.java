package io.freightline.events;

/**
 * One artifact version. For an image: {@code repoURL} (registry host/path), {@code tag}, {@code digest}.
 * For a chart: {@code repoURL} (HTTP repo or oci:// URL), {@code name}, {@code tag} = chart version.
 * For Git: {@code repoURL}, {@code commit} (SHA), and {@code branch} or {@code tag}.
 */
public record ArtifactRef(
        ArtifactKind kind,
        String repoURL,
        String name,
        String tag,
        String digest,
        String commit,
        String branch) {

    public static ArtifactRef image(String repoURL, String tag, String digest) {
        return new ArtifactRef(ArtifactKind.IMAGE, repoURL, null, tag, digest, null, null);
    }

    public static ArtifactRef chart(String repoURL, String name, String version) {
        return new ArtifactRef(ArtifactKind.CHART, repoURL, name, version, null, null, null);
    }

    public static ArtifactRef git(String repoURL, String commit, String branch, String tag) {
        return new ArtifactRef(ArtifactKind.GIT, repoURL, null, tag, null, commit, branch);
    }

    /** A stable one-line form, used for content-derived ids and commit messages. */
    public String canonical() {
        return switch (kind) {
            case IMAGE -> "image:" + repoURL + ":" + nz(tag) + "@" + nz(digest);
            case CHART -> "chart:" + repoURL + "/" + nz(name) + ":" + nz(tag);
            case GIT -> "git:" + repoURL + "@" + nz(commit) + (tag != null ? " tag " + tag : "");
        };
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
