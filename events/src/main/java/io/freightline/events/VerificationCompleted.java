package io.freightline.events;

import java.time.Instant;
import java.util.List;

/**
 * Whether a stage runs a promotion's revision: Synced and Healthy in Argo CD, and its checks passed.
 *
 * @param outcome  VERIFIED, FAILED (degraded, sync failed, a check failed), TIMED_OUT or ERROR (Argo CD unusable)
 * @param verifier {@code argocd}, or {@code none} when the stage has no Argo CD and the push is enough
 * @param steps    the results of the promotion steps the notifier carried out ({@code argocd-update},
 *                 {@code argocd-wait}), or null
 */
public record VerificationCompleted(
        String promotionId,
        String project,
        String stage,
        String freightId,
        String revision,
        Outcome outcome,
        String message,
        String verifier,
        List<AppStatus> apps,
        List<CheckResult> checks,
        Instant startedAt,
        Instant completedAt,
        List<StepResult> steps) {

    public VerificationCompleted(String promotionId, String project, String stage, String freightId, String revision,
                                 Outcome outcome, String message, String verifier, List<AppStatus> apps,
                                 List<CheckResult> checks, Instant startedAt, Instant completedAt) {
        this(promotionId, project, stage, freightId, revision, outcome, message, verifier, apps, checks, startedAt,
                completedAt, null);
    }

    public enum Outcome {
        VERIFIED, FAILED, TIMED_OUT, ERROR
    }

    /** An Argo CD application as last seen. */
    public record AppStatus(String name, String namespace, String syncStatus, String healthStatus, String revision,
                            String operationPhase, String message) {
    }

    /** One verification check's result: PASSED, FAILED or ERROR. */
    public record CheckResult(String name, String kind, String outcome, String message) {
    }
}
