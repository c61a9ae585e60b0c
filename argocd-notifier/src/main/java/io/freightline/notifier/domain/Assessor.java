package io.freightline.notifier.domain;

import java.util.Set;

/**
 * Decides, from one application snapshot, whether the promoted revision is deployed. "Done" means what Kargo and
 * {@code argocd app wait --sync --health --operation} mean: no pending operation, the last operation Succeeded at the
 * revision, sync status Synced at the revision, health Healthy.
 */
public final class Assessor {
    /** The {@code infos} entry we put on our sync operations, so a replay recognizes its own operation. */
    public static final String INFO_PROMOTION = "freightline.io/promotion";

    private static final Set<String> RUNNING = Set.of("Running", "Terminating");
    private static final Set<String> FAILED = Set.of("Failed", "Error");
    private static final Set<String> BAD_HEALTH = Set.of("Degraded", "Missing");

    /**
     * @param sourceIndex   -1 for a single-source app, else the index in {@code spec.sources}
     * @param syncRequested whether this verification's sync request was accepted
     */
    public static Assessment assess(AppSnapshot app, String revision, int sourceIndex, String promotionId,
                                    boolean syncRequested) {
        AppSnapshot.Operation pending = app.pendingOperation();
        if (pending != null) {
            return ours(pending, promotionId) || (syncRequested && atRevision(pending, revision, sourceIndex))
                    ? new Assessment.Wait("sync operation requested, waiting for it to run")
                    : new Assessment.OtherOperation("an operation " + by(pending) + " is pending");
        }
        AppSnapshot.OperationState state = app.operationState();
        String phase = state == null ? null : state.phase();
        if (phase != null && RUNNING.contains(phase)) {
            boolean mine = state.operation() != null && ours(state.operation(), promotionId);
            String msg = "operation " + phase + (state.message() == null ? "" : ": " + state.message());
            return mine || (syncRequested && state.operation() != null && atRevision(state.operation(), revision, sourceIndex))
                    ? new Assessment.Wait("sync " + msg)
                    : new Assessment.OtherOperation(msg + " (started " + by(state.operation()) + ")");
        }
        if (phase == null) {
            return syncRequested ? new Assessment.Wait("waiting for the sync operation to start")
                    : new Assessment.NeedsSync("no sync operation has run yet");
        }
        String ran = Revisions.at(state.resultRevision(), state.resultRevisions(), sourceIndex);
        if (ran == null && state.operation() != null) {
            ran = Revisions.at(state.operation().revision(), state.operation().revisions(), sourceIndex);
        }
        boolean atRevision = Revisions.matches(ran, revision);
        boolean mine = state.operation() != null && ours(state.operation(), promotionId);
        if (FAILED.contains(phase)) {
            if (atRevision && (mine || syncRequested)) {
                return new Assessment.Failed("sync " + phase + " at " + Revisions.abbrev(revision) + ": "
                        + (state.message() == null ? "no message" : state.message()));
            }
            return syncRequested ? new Assessment.Wait("waiting for the sync operation to start")
                    : new Assessment.NeedsSync("last operation " + phase + " at " + Revisions.abbrev(ran));
        }
        if (!atRevision) {
            return syncRequested ? new Assessment.Wait("waiting for a sync to " + Revisions.abbrev(revision))
                    : new Assessment.NeedsSync("last sync was at " + Revisions.abbrev(ran));
        }
        // The last operation ran our revision; now the app must converge on it.
        if (!"Synced".equals(app.syncStatus())) {
            return new Assessment.Wait("sync status " + app.syncStatus());
        }
        String compared = app.syncRevisionAt(sourceIndex);
        if (!Revisions.matches(compared, revision)) {
            return new Assessment.Wait("Synced at " + Revisions.abbrev(compared) + ", not yet at "
                    + Revisions.abbrev(revision));
        }
        String health = app.healthStatus();
        if ("Healthy".equals(health)) {
            return new Assessment.Done("Synced and Healthy at " + Revisions.abbrev(revision));
        }
        if (health != null && BAD_HEALTH.contains(health)) {
            return new Assessment.Failed("health " + health
                    + (app.healthMessage() == null ? "" : ": " + app.healthMessage()));
        }
        return new Assessment.Wait("health " + (health == null ? "Unknown" : health)
                + (app.healthMessage() == null ? "" : ": " + app.healthMessage()));
    }

    /**
     * Which source of the app the promoted repo feeds: -1 for a single-source app, the given index, or the source
     * whose repo URL matches. Empty when a multi-source app has no such source.
     */
    public static java.util.OptionalInt sourceIndex(AppSnapshot app, Integer configured, String repoURL) {
        if (!app.multiSource()) {
            return java.util.OptionalInt.of(-1);
        }
        if (configured != null) {
            return configured >= 0 && configured < app.sourceRepoURLs().size()
                    ? java.util.OptionalInt.of(configured) : java.util.OptionalInt.empty();
        }
        String want = Revisions.normalizeRepo(repoURL);
        for (int i = 0; i < app.sourceRepoURLs().size(); i++) {
            if (!want.isEmpty() && want.equals(Revisions.normalizeRepo(app.sourceRepoURLs().get(i)))) {
                return java.util.OptionalInt.of(i);
            }
        }
        return java.util.OptionalInt.empty();
    }

    /** Whether the last operation Succeeded at the revision and the app is Synced at it (health aside). */
    public static boolean syncedAt(AppSnapshot app, String revision, int sourceIndex) {
        AppSnapshot.OperationState state = app.operationState();
        if (app.pendingOperation() != null || state == null || !"Succeeded".equals(state.phase())) {
            return false;
        }
        String ran = Revisions.at(state.resultRevision(), state.resultRevisions(), sourceIndex);
        return Revisions.matches(ran, revision) && "Synced".equals(app.syncStatus())
                && Revisions.matches(app.syncRevisionAt(sourceIndex), revision);
    }

    private static boolean ours(AppSnapshot.Operation op, String promotionId) {
        return promotionId != null && promotionId.equals(op.info().get(INFO_PROMOTION));
    }

    private static boolean atRevision(AppSnapshot.Operation op, String revision, int sourceIndex) {
        return Revisions.matches(Revisions.at(op.revision(), op.revisions(), sourceIndex), revision);
    }

    private static String by(AppSnapshot.Operation op) {
        if (op == null) {
            return "by someone else";
        }
        if (op.automated()) {
            return "by automated sync";
        }
        return op.initiatedBy() == null ? "by someone else" : "by " + op.initiatedBy();
    }

    private Assessor() {
    }
}
