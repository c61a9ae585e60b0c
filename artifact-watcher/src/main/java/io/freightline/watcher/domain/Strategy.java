package io.freightline.watcher.domain;

import io.freightline.events.ArtifactKind;

import java.util.Locale;

/** Kargo's selection strategies. */
public enum Strategy {
    SEMVER, LEXICAL, NEWEST_BUILD, DIGEST, NEWEST_FROM_BRANCH, NEWEST_TAG;

    /** Parses Kargo's spelling ({@code SemVer}, {@code NewestBuild}, ...); null picks the kind's default. */
    public static Strategy of(String text, ArtifactKind kind) {
        if (text == null || text.isBlank()) {
            return kind == ArtifactKind.GIT ? NEWEST_FROM_BRANCH : SEMVER;
        }
        return switch (text.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT)) {
            case "semver" -> SEMVER;
            case "lexical" -> LEXICAL;
            case "newestbuild" -> NEWEST_BUILD;
            case "digest" -> DIGEST;
            case "newestfrombranch" -> NEWEST_FROM_BRANCH;
            case "newesttag" -> NEWEST_TAG;
            default -> throw new IllegalArgumentException("unknown selection strategy '" + text + "'");
        };
    }
}
