package io.freightline.notifier.domain;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.VerificationCheck;
import io.freightline.events.VerificationCompleted;
import io.freightline.events.VerificationCompleted.Outcome;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Runs verifications: for each landed commit, syncs the stage's Argo CD applications at the commit, follows them
 * until done (or failed, or timed out), runs the extra checks, and publishes the outcome exactly once per
 * promotion+revision.
 * <p>
 * Nothing here blocks the caller: each verification is a small state machine advanced by short steps (one or two
 * HTTP calls each) on a bounded worker pool, scheduled by a timer at the poll interval, at a retry backoff, or at
 * once when a webhook wakes it. Thousands of verifications can wait at once without holding a thread each. The
 * caller's {@code ack} runs only after the outcome was published, so the Kafka offset of a commit event is
 * committed only once its verification is durable.
 */
public final class Verifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Verifier.class.getName());

    /** Tunables (see the config keys in the README). */
    public record Settings(Duration defaultTimeout, Duration maxTimeout, Duration pollInterval,
                           Duration syncWindowRetry, Duration initialBackoff, Duration maxBackoff, int workers,
                           int completedCacheSize, String defaultPrometheus) {
    }

    /** Publishes a verification; the stage completes once the event is durable on Kafka. */
    public interface Publisher {
        CompletionStage<Void> publish(VerificationCompleted event);
    }

    /** What {@link #submit} did with a commit event. */
    public enum Admission { STARTED, JOINED, ALREADY_DONE, NOTHING_TO_VERIFY }

    private final ArgoCdGateway argo;
    private final CheckGateway checkGateway;
    private final Publisher publisher;
    private final VerificationListener listener;
    private final Settings settings;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final Map<String, Run> inFlight = new ConcurrentHashMap<>();
    private final Map<String, String> latestByStage = new ConcurrentHashMap<>();
    private final Map<String, Outcome> completed;

    public Verifier(ArgoCdGateway argo, CheckGateway checks, Publisher publisher, VerificationListener listener,
                    Settings settings, Clock clock) {
        this.argo = argo;
        this.checkGateway = checks;
        this.publisher = publisher;
        this.listener = listener;
        this.settings = settings;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("notifier-timer"));
        this.workers = Executors.newFixedThreadPool(settings.workers(), threads("notifier-worker"));
        int cap = settings.completedCacheSize();
        this.completed = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
                return size() > cap;
            }
        });
    }

    /**
     * Takes a commit event. {@code ack} runs once the event needs nothing more from us: at once when there is
     * nothing to verify or it was already verified, else after its verification is published.
     */
    public Admission submit(PromotionCommitted commit, Runnable ack) {
        if (commit.outcome() == null || !commit.outcome().landed()) {
            ack.run();
            return Admission.NOTHING_TO_VERIFY;
        }
        String key = commit.promotionId() + "@" + commit.commitSha();
        Run run;
        synchronized (this) {
            if (completed.containsKey(key)) {
                ack.run();
                return Admission.ALREADY_DONE;
            }
            Run existing = inFlight.get(key);
            if (existing != null) {
                existing.acks.add(ack);
                return Admission.JOINED;
            }
            run = new Run(commit, key, clock.instant(), timeout(commit.argocd()));
            try {
                run.waits = WaitSteps.of(commit);
            } catch (WaitSteps.Invalid e) {
                run.waits = List.of();
                run.invalid = e.getMessage();
            }
            run.acks.add(ack);
            inFlight.put(key, run);
            String previous = latestByStage.put(commit.project() + "/" + commit.stage(), key);
            Run older = previous == null || previous.equals(key) ? null : inFlight.get(previous);
            if (older != null && !older.commit.promotionId().equals(commit.promotionId())) {
                // A newer promotion of the stage owns its apps now: the older one must stop syncing its revision.
                older.supersededBy = commit.promotionId();
                schedule(older, Duration.ZERO);
            }
        }
        if (run.invalid != null) {
            finish(run, Outcome.ERROR, run.invalid, "argocd");
        } else if (commit.argocd() == null && run.waits.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "stage {0}/{1} has no Argo CD: promotion {2} is verified on push at {3}",
                    commit.project(), commit.stage(), commit.promotionId(), Revisions.abbrev(commit.commitSha()));
            finish(run, Outcome.VERIFIED, "the stage has no Argo CD applications: verified on push", "none");
        } else if (commit.argocd() != null && (commit.commitSha() == null || commit.commitSha().isBlank())) {
            finish(run, Outcome.ERROR, "the commit event has no commitSha: nothing to sync", "argocd");
        } else if (!argo.configured(server(run))) {
            String server = server(run);
            finish(run, Outcome.ERROR, "Argo CD server '" + serverName(server)
                    + "' is not configured in the notifier (freightline.notifier.argocd.url"
                    + (server == null || "default".equals(server) ? ""
                    : " / freightline.notifier.argocd.servers." + server + ".url") + ")", "argocd");
        } else {
            schedule(run, Duration.ZERO);
        }
        return Admission.STARTED;
    }

    /**
     * A hint (Argo CD notification webhook) that an application changed: verifications following it look again now
     * instead of at their next poll.
     *
     * @return how many verifications were woken
     */
    public int wake(String appName, String appNamespace) {
        int woken = 0;
        for (Run run : inFlight.values()) {
            List<AppTrack> apps = run.waitApps != null ? run.waitApps : run.apps;
            if (run.checks != null || apps == null) {
                continue;
            }
            for (AppTrack app : apps) {
                if (app.ref.name().equals(appName) && (appNamespace == null || app.ref.namespace() == null
                        || appNamespace.equals(app.ref.namespace()))) {
                    woken++;
                    if (run.running.get()) {
                        run.wake = true;
                    } else {
                        schedule(run, Duration.ZERO);
                    }
                    break;
                }
            }
        }
        return woken;
    }

    /** Verifications being followed right now. */
    public int inFlight() {
        return inFlight.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }

    // ---- the state machine ----

    private Duration timeout(ArgoCDTarget target) {
        Duration t = target == null || target.timeoutSeconds() == null ? settings.defaultTimeout()
                : Duration.ofSeconds(target.timeoutSeconds());
        return t.compareTo(settings.maxTimeout()) > 0 ? settings.maxTimeout() : t;
    }

    private void schedule(Run run, Duration delay) {
        synchronized (run) {
            if (run.finished) {
                return;
            }
            if (run.next != null) {
                run.next.cancel(false);
            }
            try {
                run.next = timer.schedule(() -> workers.execute(() -> step(run)),
                        Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: the unacked commit event is replayed after restart
            }
        }
    }

    private void step(Run run) {
        if (!run.running.compareAndSet(false, true)) {
            run.wake = true;
            return;
        }
        Duration next;
        try {
            next = advance(run);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "verification " + run.key + " failed unexpectedly", e);
            finish(run, Outcome.ERROR, "internal error: " + e, "argocd");
            next = null;
        } finally {
            run.running.set(false);
        }
        if (next != null) {
            if (run.wake) {
                run.wake = false;
                next = Duration.ZERO;
            }
            schedule(run, next);
        }
    }

    /** One step; returns when to take the next one, or null when the verification is finished. */
    private Duration advance(Run run) {
        if (run.finished) {
            return null;
        }
        if (run.supersededBy != null) {
            finish(run, Outcome.FAILED, "superseded by promotion " + run.supersededBy
                    + " of the same stage before verification finished", "argocd");
            return null;
        }
        if (run.checks != null) {
            return advanceChecks(run);
        }
        Instant now = clock.instant();
        if (!now.isBefore(run.deadline)) {
            timedOut(run);
            return null;
        }
        ArgoCDTarget target = run.commit.argocd();
        String server = server(run);
        String revision = run.commit.commitSha();
        try {
            if (target == null || run.appsDoneAt != null) {
                Duration next = advanceWaits(run, server, now);
                run.transientFailures = 0;
                run.lastError = null;
                return next;
            }
            if (run.apps == null) {
                List<AppTrack> apps = resolve(target);
                if (apps.isEmpty()) {
                    finish(run, Outcome.ERROR, "label selector '" + target.labelSelector()
                            + "' matched no Argo CD applications", "argocd");
                    return null;
                }
                run.apps = apps;
            }
            Duration next = settings.pollInterval();
            boolean allDone = true;
            boolean allSynced = true;
            for (AppTrack app : run.apps) {
                if (app.done) {
                    continue;
                }
                if (!app.planned) {
                    updateSources(run, app, server);
                }
                String rev = app.revision != null ? app.revision : revision;
                AppSnapshot snap = look(server, app, target);
                app.last = snap;
                if (!app.authorized) { // before any sync
                    AuthorizedStage.check(snap.authorizedStage(), app.ref, run.commit.project(), run.commit.stage());
                    app.authorized = true;
                }
                if (app.sourceIndex == null) {
                    OptionalInt idx = Assessor.sourceIndex(snap, app.ref.sourceIndex(), run.commit.repoURL());
                    if (idx.isEmpty()) {
                        finish(run, Outcome.ERROR, app.ref.display() + " is a multi-source application with no source"
                                + " for " + run.commit.repoURL() + " (set sourceIndex in the argocd-update step)",
                                "argocd");
                        return null;
                    }
                    app.sourceIndex = idx.getAsInt();
                }
                Assessment verdict = Assessor.assess(snap, rev, app.sourceIndex, run.commit.promotionId(),
                        app.syncRequested);
                app.note = verdict.reason();
                if (verdict instanceof Assessment.Done) {
                    app.done = true;
                } else if (verdict instanceof Assessment.Failed f) {
                    finish(run, Outcome.FAILED, app.ref.display() + ": " + f.reason(), "argocd");
                    return null;
                } else if (verdict instanceof Assessment.NeedsSync) {
                    Duration due = syncUnlessWindowBlocks(run, app, server, rev, now);
                    next = due != null && due.compareTo(next) < 0 ? due : next;
                } else if (verdict instanceof Assessment.OtherOperation o) {
                    app.note = o.reason() + "; waiting for it, not overriding it";
                }
                allDone &= app.done;
                allSynced &= app.done || Assessor.syncedAt(snap, rev, app.sourceIndex);
            }
            run.transientFailures = 0;
            run.lastError = null;
            Duration elapsed = Duration.between(run.started, clock.instant());
            if (allSynced && !run.syncedReported) {
                run.syncedReported = true;
                listener.synced(run.commit.project(), run.commit.stage(), elapsed);
            }
            if (allDone) {
                run.appsDoneAt = clock.instant();
                listener.healthy(run.commit.project(), run.commit.stage(), elapsed);
                return run.waits.isEmpty() ? startChecks(run) : Duration.ZERO;
            }
            return untilDeadline(run, next);
        } catch (SourceUpdates.Invalid | WaitSteps.Invalid | AuthorizedStage.Refused e) {
            finish(run, Outcome.ERROR, e.getMessage(), "argocd");
            return null;
        } catch (ArgoCdException e) {
            if (!e.retryable()) {
                finish(run, Outcome.ERROR, (run.waitStarted != null ? waitName(run) + ": " : "") + e.getMessage(),
                        "argocd");
                return null;
            }
            run.transientFailures++;
            run.lastError = e.getMessage();
            long factor = 1L << Math.min(16, run.transientFailures - 1);
            Duration backoff = settings.initialBackoff().multipliedBy(factor);
            if (backoff.compareTo(settings.maxBackoff()) > 0) {
                backoff = settings.maxBackoff();
            }
            LOG.log(System.Logger.Level.WARNING, "verification {0}: Argo CD call failed ({1}), retrying in {2} ms",
                    run.key, e.getMessage(), backoff.toMillis());
            return untilDeadline(run, backoff);
        }
    }

    private static String server(Run run) {
        return run.commit.argocd() == null ? null : run.commit.argocd().server();
    }

    private static String waitName(Run run) {
        return "argocd-wait step '" + run.waits.get(run.waitIndex).alias() + "'";
    }

    /**
     * Kargo's {@code argocd-wait} steps, in order, after the {@code argocd-update} apps are Synced and Healthy (or at
     * once when the stage has no {@code argocd-update}): reads each selected app at every poll (or webhook wake) until
     * it meets the step's {@code waitFor}; the checks follow the last step.
     */
    private Duration advanceWaits(Run run, String server, Instant now) {
        WaitSteps.Step step = run.waits.get(run.waitIndex);
        if (run.waitApps == null) {
            if (run.waitStarted == null) {
                run.waitStarted = now;
            }
            List<AppTrack> apps = new ArrayList<>();
            for (int i = 0; i < step.apps().size(); i++) {
                WaitSteps.Selection sel = step.apps().get(i);
                if (sel.name() != null) {
                    apps.add(new AppTrack(new AppRef(sel.name(), sel.namespace(), null, null), sel.waitFor()));
                    continue;
                }
                List<AppSnapshot> found = argo.list(server, sel.labelSelector()).stream()
                        .filter(s -> s.namespace() == null || s.namespace().equals(sel.namespace())).toList();
                if (found.isEmpty()) {
                    throw new WaitSteps.Invalid(waitName(run) + ": config.apps[" + i + "].selector: no Argo CD "
                            + "application matches '" + sel.labelSelector() + "' in namespace " + sel.namespace());
                }
                for (AppSnapshot s : found) {
                    apps.add(new AppTrack(new AppRef(s.name(), sel.namespace(), null, null), sel.waitFor()));
                }
            }
            run.waitApps = apps;
        }
        boolean all = true;
        for (AppTrack app : run.waitApps) {
            AppSnapshot snap = argo.get(server, app.ref, null);
            app.last = snap;
            String why;
            try {
                why = WaitSteps.notReady(snap, app.waitFor, app.previousHealth);
            } catch (WaitSteps.Regressed e) {
                app.note = e.getMessage();
                finish(run, Outcome.FAILED, waitName(run) + ": " + app.ref.display() + ": " + e.getMessage(), "argocd");
                return null;
            }
            app.previousHealth = snap.healthStatus();
            app.note = why == null ? "ready (" + String.join(", ", new java.util.TreeSet<>(app.waitFor)) + ")" : why;
            all &= why == null;
        }
        if (!all) {
            return untilDeadline(run, settings.pollInterval());
        }
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (AppTrack a : run.waitApps) {
            outputs.add(appOutput(a));
        }
        run.waitResults.add(new io.freightline.events.StepResult("argocd-wait", step.alias(), "Succeeded", null,
                Duration.between(run.waitStarted, clock.instant()).toMillis(), Map.of("apps", outputs), run.waitStarted));
        run.waited.addAll(run.waitApps);
        run.waitIndex++;
        run.waitApps = null;
        run.waitStarted = null;
        return run.waitIndex == run.waits.size() ? startChecks(run) : Duration.ZERO;
    }

    private static Map<String, Object> appOutput(AppTrack a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.ref.name());
        m.put("namespace", a.last != null && a.last.namespace() != null ? a.last.namespace() : a.ref.namespace());
        return m;
    }

    /**
     * Kargo's {@code argocd-update} source updates: evaluates what is left of their expressions with the earlier
     * steps' outputs, patches the Application when a source differs from what is asked (nothing when it already is:
     * a replay patches nothing), and makes the source's {@code desiredRevision} the revision to sync and wait for.
     */
    private void updateSources(Run run, AppTrack app, String server) {
        if (app.sources != null && !app.sources.isEmpty()) {
            List<io.freightline.events.ArgoCDTarget.SourceUpdate> resolved =
                    SourceUpdates.resolve(app.sources, run.commit, app.ref.display());
            com.fasterxml.jackson.databind.JsonNode current = argo.application(server, app.ref);
            com.fasterxml.jackson.databind.JsonNode annotation = current.path("metadata").path("annotations")
                    .path(AuthorizedStage.ANNOTATION);
            AuthorizedStage.check(annotation.isTextual() ? annotation.asText() : null, app.ref, run.commit.project(),
                    run.commit.stage()); // before the patch
            app.authorized = true;
            SourceUpdates.Plan plan = SourceUpdates.plan(current, resolved, app.ref.display());
            if (plan.mergePatch() != null) {
                argo.patch(server, app.ref, plan.mergePatch());
                LOG.log(System.Logger.Level.INFO, "promotion {0}: updated {1}: {2}", run.commit.promotionId(),
                        app.ref.display(), String.join(", ", plan.changes()));
            }
            if (plan.revision() != null) {
                app.revision = plan.revision();
                app.sourceIndex = plan.sourceIndex();
            }
        }
        app.planned = true;
    }

    /** The wait, shortened so that the step after it comes no later than the stage timeout. */
    private Duration untilDeadline(Run run, Duration wait) {
        Duration left = Duration.between(clock.instant(), run.deadline);
        if (left.isNegative()) {
            return Duration.ZERO;
        }
        return left.compareTo(wait) < 0 ? left : wait;
    }

    private AppSnapshot look(String server, AppTrack app, ArgoCDTarget target) {
        if (!app.refreshed) {
            app.refreshed = true;
            // Make Argo CD see the new commit before we judge; a slow refresh is not worth failing over.
            String refresh = Boolean.TRUE.equals(target.hardRefresh()) ? "hard" : "normal";
            try {
                return argo.get(server, app.ref, refresh);
            } catch (ArgoCdException.Unavailable e) {
                LOG.log(System.Logger.Level.INFO, "refresh of {0} did not finish ({1}); reading it as is",
                        app.ref.display(), e.getMessage());
            }
        }
        return argo.get(server, app.ref, null);
    }

    private List<AppTrack> resolve(ArgoCDTarget target) {
        List<AppTrack> apps = new ArrayList<>();
        if (target.apps() != null) {
            for (ArgoCDTarget.App a : target.apps()) {
                AppTrack t = new AppTrack(new AppRef(a.name(), a.namespace(), a.project(), a.sourceIndex()));
                t.sources = a.sources();
                apps.add(t);
            }
        }
        if (target.labelSelector() != null && !target.labelSelector().isBlank()) {
            for (AppSnapshot s : argo.list(target.server(), target.labelSelector())) {
                AppRef ref = new AppRef(s.name(), s.namespace(), null, null);
                if (apps.stream().noneMatch(t -> t.ref.name().equals(ref.name())
                        && java.util.Objects.equals(t.ref.namespace(), ref.namespace()))) {
                    apps.add(new AppTrack(ref));
                }
            }
        }
        return apps;
    }

    /**
     * Requests the sync, unless a sync window refused it before and Argo CD's {@code canSync} still says no: then
     * the sync waits, and {@code canSync} is read again at every poll until it turns true or the stage times out.
     * When the windows cannot be read, the sync itself is retried every {@code syncWindowRetry}.
     *
     * @return when the next step is due if sooner than the poll interval, else null
     */
    private Duration syncUnlessWindowBlocks(Run run, AppTrack app, String server, String revision, Instant now) {
        if (app.windowRetryAt != null && now.isBefore(app.windowRetryAt)) {
            app.note = app.windowMessage;
            return Duration.between(now, app.windowRetryAt);
        }
        if (app.windowBlocked && app.windowRetryAt == null && !canSyncNow(run, app, server, now)) {
            return null;
        }
        requestSync(run, app, server, revision, now);
        return null;
    }

    private void requestSync(Run run, AppTrack app, String server, String revision, Instant now) {
        try {
            argo.sync(server, app.ref, new ArgoCdGateway.SyncSpec(revision, app.sourceIndex, run.commit.promotionId()));
            app.syncRequested = true;
            app.windowBlocked = false;
            app.windowRetryAt = null;
            app.windowMessage = null;
            app.note = "sync to " + Revisions.abbrev(revision) + " requested";
        } catch (ArgoCdException.OperationInProgress e) {
            app.note = "another operation is already in progress; waiting for it, not overriding it";
        } catch (ArgoCdException.SyncWindowBlocked e) {
            app.windowRetryAt = null;
            app.windowBlocked = !canSyncNow(run, app, server, now);
            if (!app.windowBlocked) {
                // the window opened (or the project's windows changed) between the refusal and our look at them
                app.note = "sync refused by a sync window (" + e.getMessage() + ") but Argo CD reports canSync true"
                        + " now; trying again at the next poll";
            }
        }
    }

    /**
     * Reads the app's sync windows ({@code GET …/syncwindows}) and notes what blocks the sync. A failure to read
     * them never fails the verification: the sync is then retried blindly every {@code syncWindowRetry}.
     */
    private boolean canSyncNow(Run run, AppTrack app, String server, Instant now) {
        SyncWindows windows;
        try {
            windows = argo.syncWindows(server, app.ref);
        } catch (ArgoCdException e) {
            app.windowRetryAt = now.plus(settings.syncWindowRetry());
            app.windowMessage = "sync refused by a sync window; its windows could not be read (" + e.getMessage()
                    + "); retrying the sync every " + human(settings.syncWindowRetry());
            app.note = app.windowMessage;
            LOG.log(System.Logger.Level.INFO, "{0}: {1}", app.ref.display(), app.windowMessage);
            return false;
        }
        if (windows.canSync()) {
            return true;
        }
        String blocked = "sync refused: " + windows.blockedBy();
        if (!blocked.equals(app.windowMessage)) {
            // once per change of the blocking windows, not at every poll
            LOG.log(System.Logger.Level.INFO, "promotion {0} in {1}/{2}: {3}: {4}; checking canSync every {5} until "
                            + "the stage times out at {6}", run.commit.promotionId(), run.commit.project(),
                    run.commit.stage(), app.ref.display(), blocked, human(settings.pollInterval()), run.deadline);
        }
        app.windowMessage = blocked;
        app.note = blocked;
        return false;
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private void timedOut(Run run) {
        String server = serverName(server(run));
        if (run.lastError != null) {
            finish(run, Outcome.ERROR, "Argo CD server '" + server + "' unusable until the stage timeout: "
                    + run.lastError, "argocd");
            return;
        }
        if (run.waitStarted != null) {
            String waiting = run.waitApps == null ? "applications not resolved" : run.waitApps.stream()
                    .filter(a -> a.note == null || !a.note.startsWith("ready"))
                    .map(a -> a.ref.display() + ": " + a.note).collect(Collectors.joining("; "));
            finish(run, Outcome.TIMED_OUT, waitName(run) + ": not ready after "
                    + Duration.between(run.started, run.deadline).toSeconds() + " s (the stage timeout): " + waiting,
                    "argocd");
            return;
        }
        String waiting = run.apps == null ? "applications not resolved" : run.apps.stream().filter(a -> !a.done)
                .map(a -> a.ref.display() + ": " + a.note).collect(Collectors.joining("; "));
        finish(run, Outcome.TIMED_OUT, "not Synced and Healthy at " + Revisions.abbrev(run.commit.commitSha())
                + " after " + Duration.between(run.started, run.deadline).toSeconds() + " s: " + waiting, "argocd");
    }

    // ---- checks ----

    private Duration startChecks(Run run) {
        List<VerificationCheck> specs = run.commit.verification();
        if (specs == null || specs.isEmpty()) {
            finish(run, Outcome.VERIFIED, verifiedMessage(run), "argocd");
            return null;
        }
        List<CheckTrack> tracks = new ArrayList<>();
        for (VerificationCheck c : specs) {
            CheckTrack t = new CheckTrack();
            try {
                t.spec = CheckSpec.parse(c, settings.defaultPrometheus());
            } catch (IllegalArgumentException e) {
                String name = c.name() == null ? c.kind() : c.name();
                t.result = new VerificationCompleted.CheckResult(name, c.kind(), "ERROR", e.getMessage());
            }
            tracks.add(t);
        }
        run.checks = tracks;
        return Duration.ZERO;
    }

    private Duration advanceChecks(Run run) {
        Instant now = clock.instant();
        for (CheckTrack t : run.checks) {
            if (t.result != null) {
                if (!"PASSED".equals(t.result.outcome())) {
                    break;
                }
                continue;
            }
            if (!now.isBefore(run.hardDeadline)) {
                t.result = result(t.spec, "FAILED", "the verification reached its maximum time ("
                        + settings.maxTimeout().toSeconds() + " s) before the check finished");
                break;
            }
            if (t.started == null) {
                t.started = now;
            }
            Duration again = measure(t, now);
            if (again != null) {
                return again;
            }
            if (!"PASSED".equals(t.result.outcome())) {
                break;
            }
        }
        List<VerificationCompleted.CheckResult> results = run.checks.stream().filter(t -> t.result != null)
                .map(t -> t.result).toList();
        List<VerificationCompleted.CheckResult> bad = results.stream().filter(r -> !"PASSED".equals(r.outcome())).toList();
        if (bad.isEmpty() && results.size() == run.checks.size()) {
            finish(run, Outcome.VERIFIED, verifiedMessage(run) + "; " + results.size() + " check(s) passed", "argocd");
        } else {
            finish(run, Outcome.FAILED, "check " + bad.get(0).name() + " " + bad.get(0).outcome() + ": "
                    + bad.get(0).message(), "argocd");
        }
        return null;
    }

    /** One measurement; null when the check has its result, else when to measure again. */
    private Duration measure(CheckTrack t, Instant now) {
        if (t.spec instanceof CheckSpec.Http h) {
            String observed;
            try {
                CheckGateway.HttpResponse r = checkGateway.http(h.method(), h.url(), h.headers(), h.body(),
                        h.requestTimeout());
                boolean ok = r.status() == h.expectedStatus();
                observed = "HTTP " + r.status() + (ok ? "" : " (expected " + h.expectedStatus() + ")");
                if (ok && h.condition() != null) {
                    JsonCondition.Result c = h.condition().test(r.body());
                    ok = c.ok();
                    observed += ", " + c.message();
                }
                if (ok) {
                    t.result = result(h, "PASSED", observed);
                    return null;
                }
            } catch (Exception e) {
                observed = "request failed: " + e;
            }
            t.last = observed;
            if (!now.plus(h.interval()).isBefore(t.started.plus(h.timeout()))) {
                t.result = result(h, "FAILED", "not passing after " + h.timeout().toSeconds() + " s; last: " + observed);
                return null;
            }
            return h.interval();
        }
        CheckSpec.Prometheus p = (CheckSpec.Prometheus) t.spec;
        t.evaluations++;
        try {
            List<Double> values = checkGateway.prometheus(p.address(), p.query(), p.requestTimeout());
            List<Double> failing = values.stream().filter(v -> !p.passes(v)).toList();
            if (values.isEmpty()) {
                t.failures++;
                t.last = "query returned no data";
            } else if (!failing.isEmpty()) {
                t.failures++;
                t.last = "value " + failing.get(0) + " is not " + p.operator() + " " + p.threshold();
            } else {
                t.last = "value(s) " + values + " " + p.operator() + " " + p.threshold();
            }
        } catch (Exception e) {
            t.failures++;
            t.errors++;
            t.last = "query failed: " + e.getMessage();
        }
        if (t.failures > p.failureLimit()) {
            String outcome = t.errors == t.failures ? "ERROR" : "FAILED";
            t.result = result(p, outcome, t.failures + " of " + t.evaluations + " evaluation(s) failed; last: "
                    + t.last);
            return null;
        }
        if (t.evaluations >= p.evaluations()) {
            t.result = result(p, "PASSED", t.evaluations + " evaluation(s), " + t.failures + " failed; last: "
                    + t.last);
            return null;
        }
        return p.interval();
    }

    private static VerificationCompleted.CheckResult result(CheckSpec spec, String outcome, String message) {
        return new VerificationCompleted.CheckResult(spec.name(), spec.kind(), outcome, message);
    }

    // ---- completion ----

    private String verifiedMessage(Run run) {
        if (run.apps == null) {
            return "argocd-wait: all " + run.waited.size() + " application(s) ready ("
                    + run.waited.stream().map(a -> a.ref.display()).distinct().collect(Collectors.joining(", ")) + ")";
        }
        return "all " + run.apps.size() + " application(s) Synced and Healthy at "
                + Revisions.abbrev(run.commit.commitSha()) + " ("
                + run.apps.stream().map(a -> a.ref.display()).collect(Collectors.joining(", ")) + ")";
    }

    private void finish(Run run, Outcome outcome, String message, String verifier) {
        synchronized (run) {
            if (run.finished) {
                return;
            }
            run.finished = true;
            if (run.next != null) {
                run.next.cancel(false);
            }
        }
        PromotionCommitted c = run.commit;
        List<AppTrack> tracked = new ArrayList<>(run.apps == null ? List.of() : run.apps);
        List<AppTrack> waitedFor = new ArrayList<>(run.waited);
        if (run.waitApps != null) {
            waitedFor.addAll(run.waitApps);
        }
        for (AppTrack w : waitedFor) { // one status per app
            if (tracked.stream().noneMatch(t -> t.ref.key().equals(w.ref.key()))) {
                tracked.add(w);
            }
        }
        List<VerificationCompleted.AppStatus> apps = run.apps == null && tracked.isEmpty() ? null : tracked.stream()
                .map(a -> appStatus(a)).toList();
        List<VerificationCompleted.CheckResult> checks = run.checks == null ? null : run.checks.stream()
                .filter(t -> t.result != null).map(t -> t.result).toList();
        VerificationCompleted event = new VerificationCompleted(c.promotionId(), c.project(), c.stage(), c.freightId(),
                c.commitSha(), outcome, message, verifier, apps, checks, run.started, clock.instant(),
                stepResults(run, outcome, message));
        if (outcome != Outcome.VERIFIED) {
            LOG.log(System.Logger.Level.INFO, "promotion {0} in {1}/{2}: {3}: {4}", c.promotionId(), c.project(),
                    c.stage(), outcome, message);
        }
        publish(run, event, 0);
    }

    /**
     * The {@code argocd-update} step's result: Succeeded once every app was Synced and Healthy at its revision (the
     * checks after it are the verification's, not the step's), Failed when an app degraded or its sync failed,
     * Errored when Argo CD was unusable, the update was invalid or the step timed out. Outputs as Kargo's:
     * {@code apps[{name, namespace}]}.
     */
    private List<io.freightline.events.StepResult> stepResults(Run run, Outcome outcome, String message) {
        io.freightline.events.ArgoCDTarget target = run.commit.argocd();
        List<io.freightline.events.StepResult> out = new ArrayList<>();
        if (target != null && run.invalid != null) {
            out.add(new io.freightline.events.StepResult("argocd-update", target.step() != null ? target.step()
                    : "argocd-update", "Skipped", "not run: " + message, 0, null, null));
        } else if (target != null) {
            out.add(updateResult(run, target, outcome, message));
        }
        out.addAll(run.waitResults);
        for (int i = run.waitResults.size(); i < run.waits.size(); i++) {
            WaitSteps.Step w = run.waits.get(i);
            if (i == run.waitIndex && run.waitStarted != null) {
                List<Map<String, Object>> apps = run.waitApps == null ? List.of()
                        : run.waitApps.stream().map(Verifier::appOutput).toList();
                out.add(new io.freightline.events.StepResult("argocd-wait", w.alias(), "Errored", message,
                        Duration.between(run.waitStarted, clock.instant()).toMillis(), Map.of("apps", apps),
                        run.waitStarted));
            } else {
                out.add(new io.freightline.events.StepResult("argocd-wait", w.alias(), "Skipped",
                        "not run: an earlier step did not succeed", 0, null, null));
            }
        }
        return out.isEmpty() ? null : out;
    }

    private io.freightline.events.StepResult updateResult(Run run, ArgoCDTarget target, Outcome outcome, String message) {
        String alias = target.step() != null ? target.step() : "argocd-update";
        Instant end = run.appsDoneAt != null ? run.appsDoneAt : clock.instant();
        long ms = Duration.between(run.started, end).toMillis();
        String status = run.appsDoneAt != null || outcome == Outcome.VERIFIED ? "Succeeded"
                : outcome == Outcome.FAILED ? "Failed" : "Errored";
        List<Map<String, Object>> apps = new ArrayList<>();
        if (run.apps != null) {
            for (AppTrack a : run.apps) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("name", a.ref.name());
                m.put("namespace", a.last != null && a.last.namespace() != null ? a.last.namespace() : a.ref.namespace());
                apps.add(m);
            }
        }
        return new io.freightline.events.StepResult("argocd-update", alias, status,
                status.equals("Succeeded") ? null : message, ms, Map.of("apps", apps));
    }

    private void publish(Run run, VerificationCompleted event, int attempt) {
        CompletionStage<Void> sent;
        try {
            sent = publisher.publish(event);
        } catch (RuntimeException e) {
            sent = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, error) -> {
            if (error == null) {
                List<Runnable> acks;
                synchronized (this) {
                    inFlight.remove(run.key);
                    latestByStage.remove(run.commit.project() + "/" + run.commit.stage(), run.key);
                    completed.put(run.key, event.outcome());
                    acks = List.copyOf(run.acks);
                }
                acks.forEach(Runnable::run);
                listener.completed(event);
                return;
            }
            // Not acked: keep trying; the commit event stays uncommitted meanwhile.
            long delay = Math.min(settings.maxBackoff().toMillis(),
                    settings.initialBackoff().toMillis() * (1L << Math.min(10, attempt)));
            LOG.log(System.Logger.Level.WARNING, "cannot publish verification " + run.key + ", retrying in "
                    + delay + " ms", error);
            try {
                timer.schedule(() -> publish(run, event, attempt + 1), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: replayed after restart
            }
        });
    }

    private static VerificationCompleted.AppStatus appStatus(AppTrack a) {
        AppSnapshot s = a.last;
        if (s == null) {
            return new VerificationCompleted.AppStatus(a.ref.name(), a.ref.namespace(), null, null, null, null, a.note);
        }
        int idx = a.sourceIndex == null ? -1 : a.sourceIndex;
        return new VerificationCompleted.AppStatus(a.ref.name(), s.namespace() != null ? s.namespace() : a.ref.namespace(),
                s.syncStatus(), s.healthStatus(), s.syncRevisionAt(idx),
                s.operationState() == null ? null : s.operationState().phase(), a.note);
    }

    private static String serverName(String server) {
        return server == null ? "default" : server;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private final class Run {
        final PromotionCommitted commit;
        final String key;
        final Instant started;
        final Instant deadline;
        final Instant hardDeadline;
        final List<Runnable> acks = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean();
        volatile boolean wake;
        volatile String supersededBy;
        volatile List<AppTrack> apps;
        volatile List<CheckTrack> checks;
        ScheduledFuture<?> next;
        boolean finished;
        int transientFailures;
        String lastError;
        boolean syncedReported;
        /** When every app was Synced and Healthy: the end of the argocd-update step. */
        volatile Instant appsDoneAt;
        /** The argocd-wait steps, in order; why their config is not Kargo's, or null. */
        List<WaitSteps.Step> waits = List.of();
        String invalid;
        /** The argocd-wait step being carried out, its apps (null until resolved) and when it began. */
        int waitIndex;
        volatile List<AppTrack> waitApps;
        Instant waitStarted;
        final List<io.freightline.events.StepResult> waitResults = new ArrayList<>();
        /** The apps of the finished argocd-wait steps. */
        final List<AppTrack> waited = new CopyOnWriteArrayList<>();

        Run(PromotionCommitted commit, String key, Instant started, Duration timeout) {
            this.commit = commit;
            this.key = key;
            this.started = started;
            this.deadline = started.plus(timeout);
            this.hardDeadline = started.plus(settings.maxTimeout());
        }
    }

    private static final class AppTrack {
        final AppRef ref;
        Integer sourceIndex;
        boolean refreshed;
        boolean syncRequested;
        boolean done;
        /** A sync window refused our sync: it is requested again only once canSync is true. */
        boolean windowBlocked;
        /** Set when the windows could not be read: the sync is retried blindly at this time. */
        Instant windowRetryAt;
        String windowMessage;
        AppSnapshot last;
        String note = "not looked at yet";
        /** Kargo's source updates of the argocd-update step, or null. */
        List<io.freightline.events.ArgoCDTarget.SourceUpdate> sources;
        /** The source updates were applied (or there are none). */
        boolean planned;
        /** Its kargo.akuity.io/authorized-stage annotation names the stage (argocd-update only). */
        boolean authorized;
        /** The revision to sync and wait for, when a source update names one; else the promotion's commit. */
        String revision;

        /** argocd-wait: the conditions, and the health seen at the previous look (Kargo's regression detection). */
        final java.util.Set<String> waitFor;
        String previousHealth;

        AppTrack(AppRef ref) {
            this(ref, null);
        }

        AppTrack(AppRef ref, java.util.Set<String> waitFor) {
            this.ref = ref;
            this.waitFor = waitFor;
        }
    }

    private static final class CheckTrack {
        CheckSpec spec;
        Instant started;
        int evaluations;
        int failures;
        int errors;
        String last;
        VerificationCompleted.CheckResult result;
    }

}
