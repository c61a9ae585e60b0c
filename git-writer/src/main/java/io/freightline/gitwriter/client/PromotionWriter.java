package io.freightline.gitwriter.client;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.events.StepResult;
import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.CommitMessage;
import io.freightline.gitwriter.domain.CommitSink;
import io.freightline.gitwriter.domain.GitWork;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.StepRegistry;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.run.Progress;
import io.freightline.template.run.StepExecutor;
import io.freightline.template.run.StepStatus;
import io.freightline.template.run.TemplateRuntime;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Carries out promotions. One writer thread per repository at a time drains that repository's queue: promotions
 * waiting together become separate commits on the fetched head and go out in one push (coalescing). When the
 * remote moved, it fetches and re-applies everything on the new head. A promotion's future completes once its
 * outcome event is durable, so the caller can then acknowledge the Kafka record.
 */
public class PromotionWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PromotionWriter.class);

    private final GitWriterConfig config;
    private final StepRegistry steps;
    private final CommitSink sink;
    private final WriterMetrics metrics;
    private final GitRemote remote;
    private final PullRequestFlow pullRequests;
    private final Map<String, RepoQueue> queues = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "git-writer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Boolean> remoteHealthy = new ConcurrentHashMap<>();

    public PromotionWriter(GitWriterConfig config, StepRegistry steps, CommitSink sink, WriterMetrics metrics,
                           PullRequestFlow pullRequests) {
        this.config = config;
        this.steps = steps;
        this.sink = sink;
        this.metrics = metrics;
        this.remote = new GitRemote(config.auth(), (int) Math.max(1, config.push().timeout().toSeconds()));
        this.pullRequests = pullRequests;
    }

    /** Remote URL (redacted) → whether the last contact with it worked; for the readiness check. */
    public Map<String, Boolean> remoteHealth() {
        return Map.copyOf(remoteHealthy);
    }

    /** Queues a promotion; completes with its outcome after the outcome event was published. */
    public CompletionStage<PromotionCommitted> submit(PromotionRequested request) {
        Pending p = new Pending(request, new CompletableFuture<>());
        RepoQueue q = queues.computeIfAbsent(request.git().repoURL(), RepoQueue::new);
        boolean start;
        synchronized (q) {
            q.waiting.add(p);
            start = !q.running;
            q.running = true;
        }
        if (start) {
            workers.submit(() -> drain(q));
        }
        return p.done;
    }

    record Pending(PromotionRequested request, CompletableFuture<PromotionCommitted> done) {
    }

    static final class RepoQueue {
        final String url;
        final Deque<Pending> waiting = new ArrayDeque<>();
        boolean running;
        volatile WarmClone clone;
        /** Host copies of trees for external tools, by workspace path ("" = the implied repository root). */
        final Map<String, Materializer> materializers = new HashMap<>();

        RepoQueue(String url) {
            this.url = url;
        }

        /** The repository's warm clone, opened on first use (by its writer or by a template checking it out). */
        synchronized WarmClone open(Path workdir, GitRemote remote) throws java.io.IOException {
            if (clone == null) {
                clone = WarmClone.open(workdir, url, remote);
            }
            return clone;
        }
    }

    /**
     * The warm clone of a repository that a template checks out besides its own: the one its own promotions use
     * (their queue's), so every repository has one warm clone in this writer.
     */
    WarmClone cloneOf(String repoURL) throws java.io.IOException {
        RepoQueue q = queues.get(repoURL);
        if (q == null) {
            q = queues.values().stream().filter(x -> Checkouts.sameRepository(x.url, repoURL)).findFirst()
                    .orElseGet(() -> queues.computeIfAbsent(repoURL, RepoQueue::new));
        }
        return q.open(Path.of(config.workdir()), remote);
    }

    private void drain(RepoQueue q) {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (q) {
                while (!q.waiting.isEmpty() && batch.size() < config.push().maxBatch()) {
                    batch.add(q.waiting.poll());
                }
                if (batch.isEmpty()) {
                    q.running = false;
                    return;
                }
            }
            try {
                q.open(Path.of(config.workdir()), remote);
                Map<String, List<Pending>> byBranch = new LinkedHashMap<>();
                List<Pending> templated = new ArrayList<>();
                for (Pending p : batch) {
                    if (templated(p.request())) {
                        templated.add(p);
                    } else if (p.request().git().pullRequest() != null) {
                        publish(p, pullRequests.open(q.clone, p.request(), this));
                    } else {
                        byBranch.computeIfAbsent(p.request().git().branch(), b -> new ArrayList<>()).add(p);
                    }
                }
                for (var e : byBranch.entrySet()) {
                    writeBranch(q, e.getKey(), e.getValue());
                }
                if (!templated.isEmpty()) {
                    writeTemplated(q, templated);
                }
            } catch (Throwable t) {
                LOG.errorf("git-writer for %s failed: %s", Redact.text(q.url), Redact.text(String.valueOf(t)));
                for (Pending p : batch) {
                    if (!p.done().isDone()) {
                        publish(p, failed(p.request(), "internal error: " + Redact.text(String.valueOf(t)), List.of()));
                    }
                }
            }
        }
    }

    /** What one promotion came to in one attempt. */
    record Applied(PromotionRequested request, Outcome outcome, ObjectId commit, String reason, List<StepResult> steps) {
    }

    private void writeBranch(RepoQueue q, String branch, List<Pending> batch) throws InterruptedException {
        WarmClone clone = q.clone;
        Map<String, Applied> firstAttempt = new HashMap<>();
        // first try on the head this clone last saw, without a fetch: the push only lands if the remote is still
        // there, so a stale guess costs one refused push and then the fetch it would have cost anyway
        boolean guessFirst = config.push().optimistic() && clone.lastSeen(branch) != null;
        for (int attempt = 1; ; attempt++) {
            // only the first try guesses; every later one (refused guess, error, nothing to push) fetches
            boolean guess = guessFirst && attempt == 1;
            try {
                ObjectId base;
                if (guess) {
                    base = clone.lastSeen(branch);
                } else {
                    base = clone.fetch(branch);
                    remoteHealthy.put(Redact.text(q.url), true);
                }
                if (base == null) {
                    for (Pending p : batch) {
                        publish(p, failed(p.request(), "branch '" + branch + "' does not exist in " + Redact.text(q.url), List.of()));
                    }
                    return;
                }
                List<Applied> results = apply(q, branch, base, batch);
                ObjectId tip = base;
                int commits = 0;
                for (Applied a : results) {
                    if (a.outcome() == Outcome.PUSHED) {
                        tip = a.commit();
                        commits++;
                    }
                }
                if (guess && commits == 0) {
                    // nothing to push, so nothing proved the guessed head current: decide again on the fetched one
                    continue;
                }
                boolean retryNeeded = results.stream().anyMatch(a -> a.outcome() == null);
                if (retryNeeded) {
                    throw new RetryableStep(results.stream().filter(a -> a.outcome() == null).findFirst().orElseThrow().reason());
                }
                if (commits > 0) {
                    long t0 = System.nanoTime();
                    WarmClone.Pushed pushed = clone.push(tip, branch, base);
                    metrics.push(Duration.ofNanos(System.nanoTime() - t0), commits);
                    if (pushed.status() == WarmClone.PushStatus.REMOTE_MOVED && guess) {
                        LOG.debugf("%s %s moved since this clone last saw it: fetching", Redact.text(q.url), branch);
                        recordFirst(firstAttempt, results);
                        continue;
                    }
                    if (pushed.status() == WarmClone.PushStatus.REMOTE_MOVED) {
                        metrics.retry();
                        if (attempt >= config.push().maxAttempts()) {
                            failAll(batch, "push rejected " + attempt + " times: the branch keeps moving (" + pushed.message() + ")");
                            return;
                        }
                        recordFirst(firstAttempt, results);
                        LOG.debugf("push to %s %s rejected (%s), attempt %d: fetching and re-applying",
                                Redact.text(q.url), branch, pushed.message(), attempt);
                        backoff(attempt);
                        continue;
                    }
                    if (pushed.status() == WarmClone.PushStatus.REJECTED) {
                        failAll(batch, "push to " + branch + " rejected by the remote: " + Redact.text(pushed.message()));
                        return;
                    }
                    if (config.fault().haltAfterPush()) {
                        LOG.warn("fault injection: halting right after the push, before the commit events");
                        Runtime.getRuntime().halt(137);
                    }
                }
                ObjectId head = tip;
                for (int i = 0; i < batch.size(); i++) {
                    Applied a = results.get(i);
                    Applied first = firstAttempt.get(a.request().promotionId());
                    String reason = a.reason();
                    if (a.outcome() == Outcome.FAILED && first != null && first.outcome() != Outcome.FAILED) {
                        metrics.conflict();
                        reason = "conflict: the branch changed underneath and the promotion no longer applies: " + reason;
                    }
                    String sha = switch (a.outcome()) {
                        case PUSHED, ALREADY_PRESENT -> a.commit().name();
                        case NO_CHANGE -> head.name();
                        default -> null;
                    };
                    publish(batch.get(i), event(a.request(), a.outcome(), sha, reason, a.steps(), null));
                }
                return;
            } catch (RetryableStep | java.io.IOException e) {
                onRetryable(q, batch, attempt, e);
                if (batch.stream().allMatch(p -> p.done().isDone())) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (e.getCause() instanceof org.eclipse.jgit.errors.TransportException) {
                    onRetryable(q, batch, attempt, e);
                    if (batch.stream().allMatch(p -> p.done().isDone())) {
                        return;
                    }
                } else {
                    failAll(batch, Redact.text(String.valueOf(e)));
                    return;
                }
            }
        }
    }

    private void onRetryable(RepoQueue q, List<Pending> batch, int attempt, Exception e) throws InterruptedException {
        metrics.retry();
        String msg = Redact.text(e.getMessage());
        if (!(e instanceof RetryableStep)) {
            remoteHealthy.put(Redact.text(q.url), false);
        }
        if (isAuthError(msg)) {
            String keyProblem = remote.sshKeyProblem();
            failAll(batch, "the remote refused our credentials: " + msg + (keyProblem == null ? "" : " (" + keyProblem + ")"));
            return;
        }
        if (isHostKeyError(msg)) {
            failAll(batch, "the SSH host key of the remote is not trusted (not in the configured known_hosts nor pinned): " + msg);
            return;
        }
        if (attempt >= config.push().maxAttempts()) {
            failAll(batch, "gave up after " + attempt + " attempts: " + msg);
            return;
        }
        LOG.warnf("attempt %d for %s failed (%s); retrying", attempt, Redact.text(q.url), msg);
        backoff(attempt);
    }

    /** Authentication and authorization failures do not heal by retrying. */
    static boolean isAuthError(String msg) {
        String m = String.valueOf(msg).toLowerCase(java.util.Locale.ROOT);
        // words, never bare status numbers: "401" also appears in URLs such as git://127.0.0.1:40123/repo.git,
        // and a network outage must stay retryable
        return m.contains("not authorized") || m.contains("authentication is required") || m.contains("auth fail")
                || m.contains("not permitted") || m.contains("unauthorized") || m.contains("forbidden")
                || m.contains("no more authentication methods")
                || m.contains("cannot log in at"); // JGit's Apache MINA client: every key refused
    }

    /** An SSH server whose host key is unknown or changed stays untrusted until someone changes the config. */
    static boolean isHostKeyError(String msg) {
        return String.valueOf(msg).contains("Server key did not validate");
    }

    private static void recordFirst(Map<String, Applied> first, List<Applied> results) {
        for (Applied a : results) {
            first.putIfAbsent(a.request().promotionId(), a);
        }
    }

    private void failAll(List<Pending> batch, String reason) {
        for (Pending p : batch) {
            if (!p.done().isDone()) {
                publish(p, failed(p.request(), reason, List.of()));
            }
        }
    }

    private void backoff(int attempt) throws InterruptedException {
        long base = config.push().initialBackoff().toMillis() << Math.min(attempt - 1, 16);
        long capped = Math.min(base, config.push().maxBackoff().toMillis());
        Thread.sleep(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    /** Where trees of this repository are written out for external tools (kustomize, helm). */
    private Path materializeRoot(RepoQueue q) {
        return Path.of(config.workdir()).resolve("render").resolve(WarmClone.folderName(q.url));
    }

    private Materializer materializer(RepoQueue q, String key) throws StepException {
        return Materializer.of(q.materializers, materializeRoot(q), key.isEmpty() ? ":root" : key);
    }

    /** A template that checks out its own working trees ({@code git-clone}) rather than the implied branch. */
    static boolean templated(PromotionRequested r) {
        return r.steps() != null && r.steps().stream().anyMatch(s -> "git-clone".equals(s.uses()));
    }

    /**
     * What one templated promotion came to in one attempt; outcome null: retryable. {@code repoURL} is the repository
     * of the commit: the primary one, or another one when the template pushed only there.
     */
    private record Ran(Pending pending, Outcome outcome, String repoURL, String branch, String commit, String reason,
                       StepRun run) {
        Ran(Pending pending, Outcome outcome, String branch, String commit, String reason, StepRun run) {
            this(pending, outcome, null, branch, commit, reason, run);
        }
    }

    /**
     * Templated promotions of one repository: each runs its steps on checkouts of the warm clone; git-push steps move
     * the batch's branch tips, and every moved tip goes out in one push with compare-and-swap. When the remote moved,
     * everything is fetched and run again on the new heads (the re-run is the rebase: rendered output is made again
     * from the newer sources).
     */
    private void writeTemplated(RepoQueue q, List<Pending> batch) throws InterruptedException {
        WarmClone clone = q.clone;
        boolean guessFirst = config.push().optimistic();
        PersonIdent author = new PersonIdent(config.author().name(), config.author().email());
        for (int attempt = 1; ; attempt++) {
            boolean guess = guessFirst && attempt == 1;
            try (Checkouts.Session session = new Checkouts.Session(clone, guess, q.materializers, materializeRoot(q),
                    this::cloneOf)) {
                List<Ran> results = new ArrayList<>();
                for (Pending p : batch) {
                    results.add(runTemplated(session, p, author));
                }
                if (results.stream().anyMatch(r -> r.outcome() == null)) {
                    throw new RetryableStep(results.stream().filter(r -> r.outcome() == null).findFirst().orElseThrow().reason());
                }
                session.flush();
                // the secondary repositories first, the primary last: each push is a compare-and-swap of its own;
                // a moved remote anywhere runs the batch again on fetched heads, and what already landed in a
                // secondary repository is found there by its trailer and not committed again
                List<Checkouts.Session> order = new ArrayList<>(session.secondaries());
                order.add(session);
                boolean anyUpdate = order.stream().anyMatch(s -> !s.updates().isEmpty());
                if (guess && !anyUpdate) {
                    continue; // nothing proved the guessed heads current: decide again on fetched ones
                }
                if (anyUpdate) {
                    String movedRef = null;
                    String movedWhy = null;
                    for (Checkouts.Session s : order) {
                        List<WarmClone.Update> updates = s.updates();
                        if (updates.isEmpty()) {
                            continue;
                        }
                        String where = s == session ? "" : " to " + Redact.text(s.clone.url());
                        long t0 = System.nanoTime();
                        Map<String, WarmClone.Pushed> pushed = s.clone.pushAll(updates);
                        metrics.push(Duration.ofNanos(System.nanoTime() - t0),
                                (int) results.stream().filter(r -> r.outcome() == Outcome.PUSHED).count());
                        var rejected = pushed.entrySet().stream()
                                .filter(e -> e.getValue().status() == WarmClone.PushStatus.REJECTED).findFirst();
                        if (rejected.isPresent()) {
                            failAll(batch, "push of " + rejected.get().getKey() + where + " rejected by the remote: "
                                    + Redact.text(rejected.get().getValue().message()));
                            return;
                        }
                        var moved = pushed.entrySet().stream()
                                .filter(e -> e.getValue().status() == WarmClone.PushStatus.REMOTE_MOVED).findFirst();
                        if (moved.isPresent() && moved.get().getKey().startsWith(org.eclipse.jgit.lib.Constants.R_TAGS)) {
                            failAll(batch, "push of " + moved.get().getKey() + where + " refused: the tag was created "
                                    + "in the remote repository meanwhile (force: true on git-tag moves it)");
                            return;
                        }
                        if (moved.isPresent()) {
                            movedRef = moved.get().getKey() + where;
                            movedWhy = moved.get().getValue().message();
                            break; // the rest waits for the re-run
                        }
                    }
                    if (movedRef != null) {
                        if (!guess) {
                            metrics.retry();
                            if (attempt >= config.push().maxAttempts()) {
                                failAll(batch, "push rejected " + attempt + " times: " + movedRef
                                        + " keeps moving (" + movedWhy + ")");
                                return;
                            }
                            backoff(attempt);
                        }
                        continue;
                    }
                    if (config.fault().haltAfterPush()) {
                        LOG.warn("fault injection: halting right after the push, before the commit events");
                        Runtime.getRuntime().halt(137);
                    }
                }
                for (Ran r : results) {
                    PromotionRequested req = r.pending().request();
                    PromotionCommitted ev = event(req, r.outcome(), r.branch(), r.commit(), r.reason(), r.run().results(), null);
                    if (r.repoURL() != null) {
                        ev = withRepoURL(ev, Redact.text(r.repoURL()));
                    }
                    if (r.run().continueAt() >= 0 && r.outcome() != Outcome.FAILED && r.outcome() != Outcome.NO_CHANGE) {
                        // the pull-request steps need the pushed branch: they carry on off this repository's thread
                        pullRequests.continueAfterPush(this, r.pending(), ev, r.run());
                    } else {
                        publish(r.pending(), ev);
                    }
                }
                return;
            } catch (RetryableStep | java.io.IOException e) {
                onRetryable(q, batch, attempt, e);
                if (batch.stream().allMatch(p -> p.done().isDone())) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof org.eclipse.jgit.errors.TransportException
                        || e.getCause() instanceof org.eclipse.jgit.errors.TransportException) {
                    onRetryable(q, batch, attempt, e);
                    if (batch.stream().allMatch(p -> p.done().isDone())) {
                        return;
                    }
                } else {
                    failAll(batch, Redact.text(String.valueOf(e)));
                    return;
                }
            }
        }
    }

    private Ran runTemplated(Checkouts.Session session, Pending p, PersonIdent author) throws StepException {
        PromotionRequested r = p.request();
        Object snapshot = session.snapshot();
        long t0 = System.nanoTime();
        Checkouts work = new Checkouts(session, r, author);
        StepRun run = runSteps(work, work, r);
        GitWork.Pushed last = work.pushes.isEmpty() ? null : work.pushes.get(work.pushes.size() - 1);
        if (run.error() != null) {
            if (run.error().retryable() || last == null) {
                // nothing of a failed promotion reaches the remote, unless one of its git-push steps already ran
                session.restore(snapshot);
                return new Ran(p, run.error().retryable() ? null : Outcome.FAILED, null, null,
                        Redact.text(run.error().getMessage()), run);
            }
        }
        // the event names the last push to the primary repository; a template that pushed only to other
        // repositories names its last push and that repository
        String repo = work.primaryPush == null && last != null ? work.lastPushRepo : null;
        GitWork.Pushed named = work.primaryPush != null ? work.primaryPush : last;
        if (run.error() != null) {
            return new Ran(p, Outcome.FAILED, repo, named.branch(), named.commit(), Redact.text(run.error().getMessage()), run);
        }
        if (work.advanced) {
            metrics.commit(Duration.ofNanos(System.nanoTime() - t0));
            return new Ran(p, Outcome.PUSHED, repo, named.branch(), named.commit(), null, run);
        }
        if (work.alreadyPresent != null) {
            return new Ran(p, Outcome.ALREADY_PRESENT, named == null ? work.alreadyPresentRepo : repo,
                    named == null ? null : named.branch(), work.alreadyPresent,
                    "a commit with this promotion's trailer is already on the branch", run);
        }
        return new Ran(p, Outcome.NO_CHANGE, repo, named == null ? null : named.branch(),
                named == null ? null : named.commit(),
                named == null ? "no git-push step pushed anything" : "the steps changed nothing", run);
    }

    /** Applies each promotion of the batch as its own commit on top of the previous one. */
    private List<Applied> apply(RepoQueue q, String branch, ObjectId base, List<Pending> batch) throws Exception {
        WarmClone clone = q.clone;
        List<Applied> out = new ArrayList<>();
        Map<String, ObjectId> inBatch = new HashMap<>();
        try (ObjectInserter ins = clone.repository().newObjectInserter();
             ObjectReader reader = clone.repository().newObjectReader()) {
            ObjectId parent = base;
            ObjectId parentTree = clone.treeOf(base);
            TreeWorkspace ws = TreeWorkspace.load(reader, ins, parentTree).materializeInto(materializer(q, ""));
            for (Pending p : batch) {
                PromotionRequested r = p.request();
                String existing = clone.commitOf(branch, base, r.promotionId());
                if (existing != null || inBatch.containsKey(r.promotionId())) {
                    ObjectId sha = existing != null ? ObjectId.fromString(existing) : inBatch.get(r.promotionId());
                    out.add(new Applied(r, Outcome.ALREADY_PRESENT, sha, "a commit with this promotion's trailer is already on " + branch, List.of()));
                    continue;
                }
                long t0 = System.nanoTime();
                Object snapshot = ws.snapshot();
                StepRun run = runSteps(ws, GitWork.NONE, r);
                if (run.error() != null) {
                    ws.restore(snapshot);
                    out.add(new Applied(r, run.error().retryable() ? null : Outcome.FAILED, null,
                            Redact.text(run.error().getMessage()), run.results()));
                    continue;
                }
                ObjectId tree = ws.writeTree();
                if (tree.equals(parentTree)) {
                    out.add(new Applied(r, Outcome.NO_CHANGE, null, "the steps changed nothing", run.results()));
                    continue;
                }
                ObjectId commit = commit(ins, tree, parent, r);
                metrics.commit(Duration.ofNanos(System.nanoTime() - t0));
                parent = commit;
                parentTree = tree;
                inBatch.put(r.promotionId(), commit);
                out.add(new Applied(r, Outcome.PUSHED, commit, null, run.results()));
            }
            ins.flush();
        }
        return out;
    }

    /** Steps whose side effect another service owns: they continue the promotion there, in order. */
    static final java.util.Set<String> OTHER_SERVICES = WriterSteps.OTHER_SERVICES;

    /**
     * What a promotion's steps came to in this writer.
     *
     * @param results    each step's result, in Kargo's statuses, with its outputs
     * @param error      why the promotion fails (names the step alias), or null
     * @param outputs    each step's outputs by its alias ({@code step-<index>} when it has none)
     * @param continueAt index of the first pull-request step, which runs with the rest after the push (-1: none)
     */
    record StepRun(List<StepResult> results, StepException error, Map<String, Map<String, Object>> outputs,
                   int continueAt) {
        StepRun(List<StepResult> results, StepException error) {
            this(results, error, WriterSteps.outputs(results), -1);
        }
    }

    StepRegistry steps() {
        return steps;
    }

    WriterMetrics metrics() {
        return metrics;
    }

    /**
     * Runs a promotion's steps through the {@link TemplateRuntime}: Kargo's {@code if}, {@code continueOnError},
     * {@code retry}, vars, {@code outputs} and {@code task.outputs}, each config rendered just before its step.
     * Stops before the first pull-request step (it needs the batch's push); steps of other services are recorded
     * as Skipped and carried out there.
     */
    StepRun runSteps(io.freightline.gitwriter.domain.Workspace ws, GitWork git, PromotionRequested r) {
        List<PromotionStep> list = r.steps() == null ? List.of() : r.steps();
        StepContext ctx = new StepContext(ws, r.freight(), r.project(), r.stage(), r.promotionId(), git,
                new LinkedHashMap<>());
        Map<String, StepException> errors = WriterSteps.errors();
        List<StepExecutor> local = new ArrayList<>(WriterSteps.elsewhere());
        for (String name : steps.all().keySet()) {
            if (StepCatalog.builtin().runner(name) == StepCatalog.Runner.RUNTIME) {
                continue; // compose-output and fail: the runtime's own, the same in every service
            }
            if (PullRequestFlow.STEPS.contains(name)) {
                if (git == GitWork.NONE) {
                    local.add(new WriterSteps.Refused(name, name + " needs the branch a git-push of this template "
                            + "pushed: start the template with git-clone (or use git.pullRequest for the implied commit)"));
                }
                continue; // handed over to the pull-request flow after the push
            }
            local.add(new WriterSteps.Registered(name, steps, ctx, RUNTIME_OPTIONS.clock(), errors, metrics::step,
                    false, null));
        }
        TemplateRuntime runtime = new TemplateRuntime(local, StepCatalog.builtin(), RUNTIME_OPTIONS);
        Progress p = runtime.run(list, WriterSteps.scope(r), Progress.start());
        List<StepResult> results = p.results();
        switch (p.phase()) {
            case Succeeded -> {
                return new StepRun(results, null);
            }
            case HandedOff -> {
                PromotionStep at = list.get(p.next());
                if (PullRequestFlow.STEPS.contains(at.uses())) {
                    return new StepRun(results, null, WriterSteps.outputs(results), p.next());
                }
                String alias = TemplateRuntime.alias(at, p.next());
                String why = "step '" + alias + "' (" + at.uses() + ") is not available in this git-writer";
                List<StepResult> all = new ArrayList<>(results);
                all.add(new StepResult(at.uses(), alias, StepStatus.Errored.name(), why, 0, null, Instant.now()));
                return new StepRun(all, StepException.terminal(why));
            }
            default -> {
                String why = Redact.text(p.message());
                StepException e = WriterSteps.retryableFailure(list, p, errors)
                        ? StepException.retryable(why, null) : StepException.terminal(why);
                return new StepRun(results, e);
            }
        }
    }

    /** Step retries wait briefly; polling steps (pull requests) wait in the pull-request flow, not here. */
    static final TemplateRuntime.Options RUNTIME_OPTIONS = new TemplateRuntime.Options(Duration.ofMillis(500),
            Duration.ofSeconds(1), java.time.Clock.systemUTC());

    ObjectId commit(ObjectInserter ins, ObjectId tree, ObjectId parent, PromotionRequested r) throws java.io.IOException {
        PersonIdent who = new PersonIdent(config.author().name(), config.author().email());
        CommitBuilder c = new CommitBuilder();
        c.setTreeId(tree);
        if (parent != null) {
            c.setParentId(parent);
        }
        c.setAuthor(who);
        c.setCommitter(who);
        c.setMessage(CommitMessage.of(r));
        return ins.insert(c);
    }

    /** Publishes an outcome and completes the promotion once the event is durable. */
    void publish(Pending p, PromotionCommitted event) {
        if (event == null) {
            return; // the pull-request flow completes it later
        }
        metrics.outcome(event.project(), event.stage(), event.outcome().name());
        if (event.outcome() == Outcome.FAILED) {
            LOG.warnf("promotion %s to %s/%s failed: %s", event.promotionId(), event.project(), event.stage(), event.reason());
        } else {
            LOG.infof("promotion %s to %s/%s: %s %s", event.promotionId(), event.project(), event.stage(), event.outcome(),
                    event.commitSha());
        }
        sink.publish(event).whenComplete((v, e) -> {
            if (e != null) {
                p.done().completeExceptionally(e);
            } else {
                p.done().complete(event);
            }
        });
    }

    /** Publishes an outcome that is not tied to a waiting Kafka record (pull-request merge results). */
    public CompletionStage<Void> publishLater(PromotionCommitted event) {
        metrics.outcome(event.project(), event.stage(), event.outcome().name());
        LOG.infof("promotion %s to %s/%s: %s %s", event.promotionId(), event.project(), event.stage(), event.outcome(),
                event.commitSha() == null ? Redact.text(event.reason()) : event.commitSha());
        return sink.publish(event);
    }

    public PromotionCommitted failed(PromotionRequested r, String reason, List<StepResult> steps) {
        return event(r, Outcome.FAILED, null, reason, steps, null);
    }

    public static PromotionCommitted event(PromotionRequested r, Outcome outcome, String sha, String reason,
                                           List<StepResult> steps, String prURL) {
        return event(r, outcome, r.git().branch(), sha, reason, steps, prURL);
    }

    /** An outcome on a given branch (a template's git-push may push to another branch than git.branch). */
    public static PromotionCommitted event(PromotionRequested r, Outcome outcome, String branch, String sha, String reason,
                                           List<StepResult> steps, String prURL) {
        StepResult failing = steps == null || r.steps() == null ? null : WriterSteps.failing(r.steps(), steps);
        String phase = steps == null || steps.isEmpty() ? null : failing != null ? failing.status()
                : steps.stream().anyMatch(x -> StepStatus.Running.name().equals(x.status())) ? StepStatus.Running.name()
                : StepStatus.Succeeded.name();
        return new PromotionCommitted(r.promotionId(), r.project(), r.stage(), r.freight() == null ? null : r.freight().id(),
                Redact.text(r.git().repoURL()), branch != null ? branch : r.git().branch(), outcome, sha, reason, steps, prURL, r.argocd(),
                r.verification(), r.requestedAt(), Instant.now(), phase, failing == null ? null : failing.as());
    }

    private static PromotionCommitted withRepoURL(PromotionCommitted e, String repoURL) {
        return new PromotionCommitted(e.promotionId(), e.project(), e.stage(), e.freightId(), repoURL, e.branch(),
                e.outcome(), e.commitSha(), e.reason(), e.steps(), e.pullRequestURL(), e.argocd(), e.verification(),
                e.requestedAt(), e.completedAt(), e.phase(), e.failedStep());
    }

    /** Exposed to the pull-request flow, which applies steps the same way. */
    public record Prepared(ObjectId base, ObjectId commit, Outcome outcome, String reason, List<StepResult> steps) {
    }

    public Prepared prepare(WarmClone clone, String baseBranch, PromotionRequested r) throws Exception {
        ObjectId base = clone.fetch(baseBranch);
        if (base == null) {
            return new Prepared(null, null, Outcome.FAILED, "branch '" + baseBranch + "' does not exist", List.of());
        }
        String existing = clone.commitOf(baseBranch, base, r.promotionId());
        if (existing != null) {
            return new Prepared(base, ObjectId.fromString(existing), Outcome.ALREADY_PRESENT, null, List.of());
        }
        try (ObjectInserter ins = clone.repository().newObjectInserter();
             ObjectReader reader = clone.repository().newObjectReader()) {
            ObjectId baseTree = clone.treeOf(base);
            TreeWorkspace ws = TreeWorkspace.load(reader, ins, baseTree);
            StepRun run = runSteps(ws, GitWork.NONE, r);
            if (run.error() != null) {
                return new Prepared(base, null, Outcome.FAILED, Redact.text(run.error().getMessage()), run.results());
            }
            ObjectId tree = ws.writeTree();
            if (tree.equals(baseTree)) {
                return new Prepared(base, base, Outcome.NO_CHANGE, "the steps changed nothing", run.results());
            }
            ObjectId commit = commit(ins, tree, base, r);
            ins.flush();
            return new Prepared(base, commit, Outcome.PUSHED, null, run.results());
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        queues.values().forEach(q -> {
            if (q.clone != null) {
                q.clone.close();
            }
        });
    }

    static final class RetryableStep extends Exception {
        RetryableStep(String message) {
            super(message);
        }
    }
}
