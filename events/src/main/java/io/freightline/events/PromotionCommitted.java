package io.freightline.events;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a promotion's commit, from the git-writer. Carries the request's Argo CD mapping and checks on,
 * so the notifier needs nothing else.
 *
 * @param outcome        PUSHED, ALREADY_PRESENT (a commit with this promotion's trailer was on the branch), NO_CHANGE
 *                       (the steps changed nothing), PR_OPENED, or FAILED
 * @param commitSha      the commit that holds the promotion (the branch head for NO_CHANGE), null when FAILED
 * @param reason         why it failed, or a note
 * @param steps          one result per step of the promotion's steps the git-writer decided on, in order (Kargo's
 *                       statuses Succeeded, Failed, Errored, Skipped), with durations, messages and outputs
 * @param pullRequestURL the pull request, in pull-request mode
 * @param phase          Kargo's phase of the promotion's steps as far as the git-writer ran them: Succeeded, Failed
 *                       (a step failed: {@code fail}, a failure expression; terminal), Errored (a step errored: bad
 *                       config, an expression error, errors up to its {@code retry.errorThreshold}, a timeout), or
 *                       null for events without a step run (e.g. an infrastructure failure before the steps ran)
 * @param failedStep     the alias of the step that failed or errored the promotion, or null
 */
public record PromotionCommitted(
        String promotionId,
        String project,
        String stage,
        String freightId,
        String repoURL,
        String branch,
        Outcome outcome,
        String commitSha,
        String reason,
        List<StepResult> steps,
        String pullRequestURL,
        ArgoCDTarget argocd,
        List<VerificationCheck> verification,
        Instant requestedAt,
        Instant completedAt,
        String phase,
        String failedStep) {

    /** An outcome without a step phase (events from before step results carried it, infrastructure failures). */
    public PromotionCommitted(String promotionId, String project, String stage, String freightId, String repoURL,
                              String branch, Outcome outcome, String commitSha, String reason, List<StepResult> steps,
                              String pullRequestURL, ArgoCDTarget argocd, List<VerificationCheck> verification,
                              Instant requestedAt, Instant completedAt) {
        this(promotionId, project, stage, freightId, repoURL, branch, outcome, commitSha, reason, steps, pullRequestURL,
                argocd, verification, requestedAt, completedAt, null, null);
    }

    public enum Outcome {
        PUSHED, ALREADY_PRESENT, NO_CHANGE, PR_OPENED, FAILED;

        /** The stage's folder holds the promotion on the branch. */
        public boolean landed() {
            return this == PUSHED || this == ALREADY_PRESENT || this == NO_CHANGE;
        }
    }
}
