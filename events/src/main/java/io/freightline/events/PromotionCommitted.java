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
 * @param pullRequestURL the pull request, in pull-request mode
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
        Instant completedAt) {

    public enum Outcome {
        PUSHED, ALREADY_PRESENT, NO_CHANGE, PR_OPENED, FAILED;

        /** The stage's folder holds the promotion on the branch. */
        public boolean landed() {
            return this == PUSHED || this == ALREADY_PRESENT || this == NO_CHANGE;
        }
    }
}
