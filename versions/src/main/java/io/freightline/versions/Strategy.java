package io.freightline.versions;

import io.freightline.events.ArtifactKind;

import java.util.List;
import java.util.Map;

/** Kargo's selection strategies, under Kargo's names. */
public enum Strategy {
    SEMVER("SemVer"), LEXICAL("Lexical"), NEWEST_BUILD("NewestBuild"), DIGEST("Digest"),
    NEWEST_FROM_BRANCH("NewestFromBranch"), NEWEST_TAG("NewestTag");

    /** The strategies each kind of subscription offers; the first is the default. */
    public static final Map<ArtifactKind, List<Strategy>> BY_KIND = Map.of(
            ArtifactKind.IMAGE, List.of(SEMVER, LEXICAL, NEWEST_BUILD, DIGEST),
            ArtifactKind.CHART, List.of(SEMVER),
            ArtifactKind.GIT, List.of(NEWEST_FROM_BRANCH, NEWEST_TAG, SEMVER, LEXICAL));

    private final String kargoName;

    Strategy(String kargoName) {
        this.kargoName = kargoName;
    }

    /** The name as written in a Warehouse ({@code SemVer}, {@code NewestBuild}, ...). */
    public String kargoName() {
        return kargoName;
    }

    /** Whether the strategy looks at tags (allow/ignore filters apply); Digest and NewestFromBranch do not. */
    public boolean tagBased() {
        return this != DIGEST && this != NEWEST_FROM_BRANCH;
    }

    /**
     * The strategy a subscription names (exact Kargo spelling), or the kind's default when it names none.
     *
     * @throws IllegalArgumentException when the name is unknown or not offered for the kind
     */
    public static Strategy of(String name, ArtifactKind kind) {
        List<Strategy> offered = BY_KIND.get(kind);
        if (name == null || name.isBlank()) {
            return offered.get(0);
        }
        for (Strategy s : offered) {
            if (s.kargoName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("strategy " + name + " is not one of "
                + offered.stream().map(Strategy::kargoName).toList());
    }
}
