package io.freightline.notifier;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.VerificationCheck;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Commit events as the git-writer publishes them. */
final class Fixtures {
    static final String PROJECT = "shop";
    static final String REPO = "https://git.example.com/shop/gitops.git";

    static String sha() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "").substring(0, 40);
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static PromotionCommitted commit(String promotionId, String stage, String sha, ArgoCDTarget argocd,
                                     List<VerificationCheck> checks) {
        return commit(promotionId, stage, sha, PromotionCommitted.Outcome.PUSHED, argocd, checks);
    }

    static PromotionCommitted commit(String promotionId, String stage, String sha, PromotionCommitted.Outcome outcome,
                                     ArgoCDTarget argocd, List<VerificationCheck> checks) {
        Instant now = Instant.now();
        return new PromotionCommitted(promotionId, PROJECT, stage, "f" + promotionId, REPO, "main", outcome,
                outcome == PromotionCommitted.Outcome.FAILED ? null : sha,
                outcome == PromotionCommitted.Outcome.FAILED ? "push rejected" : null, List.of(), null, argocd,
                checks, now, now);
    }

    /** The same commit event with the git-writer's step results (and their outputs). */
    static PromotionCommitted withSteps(PromotionCommitted c, List<io.freightline.events.StepResult> steps) {
        return new PromotionCommitted(c.promotionId(), c.project(), c.stage(), c.freightId(), c.repoURL(), c.branch(),
                c.outcome(), c.commitSha(), c.reason(), steps, c.pullRequestURL(), c.argocd(), c.verification(),
                c.requestedAt(), c.completedAt());
    }

    static ArgoCDTarget apps(String server, Long timeoutSeconds, String... names) {
        return new ArgoCDTarget(server, java.util.Arrays.stream(names)
                .map(n -> new ArgoCDTarget.App(n, "argocd", "default", null)).toList(), null, timeoutSeconds, null);
    }

    private Fixtures() {
    }
}
