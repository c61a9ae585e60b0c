package io.freightline.gitwriter;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
import io.freightline.events.GitTarget;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Promotion requests as the engine renders them. */
public final class Promotions {
    public static final String IMAGE = "127.0.0.1:5000/demo/app";

    public static PromotionRequested setImage(String id, String repoURL, String stage, String tag) {
        return request(id, repoURL, stage, tag, null, List.of(new PromotionStep("kustomize-set-image", null,
                Map.of("path", "envs/" + stage, "images", List.of(Map.of("image", IMAGE, "tag", tag))))));
    }

    public static PromotionRequested request(String id, String repoURL, String stage, String tag,
                                             GitTarget.PullRequest pr, List<PromotionStep> steps) {
        FreightRef freight = new FreightRef("f-" + tag, "alias-" + tag, "demo",
                List.of(ArtifactRef.image(IMAGE, tag, null)));
        return new PromotionRequested(id, "demo", stage, freight, new GitTarget(repoURL, "main", pr), steps,
                new ArgoCDTarget(null, List.of(new ArgoCDTarget.App("demo-" + stage, "argocd", null, null)), null, 60L, null),
                null, "test", Instant.parse("2026-01-01T00:00:00Z"));
    }

    private Promotions() {
    }
}
