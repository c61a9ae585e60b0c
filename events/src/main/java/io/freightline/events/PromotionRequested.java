package io.freightline.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A promotion to carry out, self-contained: the git-writer and the notifier need no pipeline config to act on it.
 * Keyed by {@code git.repoURL}, so one writer owns a repository at a time.
 *
 * @param promotionId  unique; the {@code Freightline-Promotion} trailer of its commit
 * @param steps        rendered steps, run in order in the repository
 * @param argocd       the stage's Argo CD applications, or null
 * @param verification extra checks after the applications are healthy
 * @param vars         the promotion template's vars, rendered, for the expressions the step runtime evaluates
 */
public record PromotionRequested(
        String promotionId,
        String project,
        String stage,
        FreightRef freight,
        GitTarget git,
        List<PromotionStep> steps,
        ArgoCDTarget argocd,
        List<VerificationCheck> verification,
        String requestedBy,
        Instant requestedAt,
        Map<String, Object> vars) {

    public PromotionRequested(String promotionId, String project, String stage, FreightRef freight, GitTarget git,
                              List<PromotionStep> steps, ArgoCDTarget argocd, List<VerificationCheck> verification,
                              String requestedBy, Instant requestedAt) {
        this(promotionId, project, stage, freight, git, steps, argocd, verification, requestedBy, requestedAt, null);
    }
}
