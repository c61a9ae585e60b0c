package io.freightline.gitwriter.client;

import io.freightline.events.EventCodec;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.events.StepResult;
import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.run.Progress;
import io.freightline.template.run.StepExecutor;
import io.freightline.template.run.StepStatus;
import io.freightline.template.run.TemplateRuntime;
import org.eclipse.jgit.lib.ObjectId;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pull requests, in two forms that share one {@link PullRequestProvider}. The pull-request steps of a template
 * ({@code git-open-pr}, {@code git-wait-for-pr}, {@code git-merge-pr}) run here after the batch's push, on this
 * flow's own thread, so a pull request that waits for a review never holds the repository's other promotions: a
 * step answering "still open" (retryable) is tried again every poll interval until it succeeds, fails or passes its
 * {@code retry.timeout} (default {@code pr.merge-timeout}); meanwhile the promotion is reported PR_OPENED.
 * <p>
 * Pull-request mode ({@code git.pullRequest}): commits the promotion on {@code freightline/<stage>/<promotion>}, opens a pull request to the
 * stage's branch, reports PR_OPENED, then polls until it is merged (PUSHED with the merge commit) or closed
 * (FAILED). Open pull requests are remembered in the workdir so a restart keeps watching them.
 */
public class PullRequestFlow implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PullRequestFlow.class);

    /** What is remembered of an open pull request. */
    public record Watch(PromotionRequested request, long number, String url, String commit, Instant openedAt) {
    }

    /** The steps that talk to the Git host's pull-request API and run after the batch's push. */
    public static final java.util.Set<String> STEPS = java.util.Set.of("git-open-pr", "git-wait-for-pr", "git-merge-pr");

    /**
     * A templated promotion carried on after its push: the steps from {@code next} on, what the earlier ones
     * recorded, and since when the step at {@code next} waits. Remembered in the workdir while it waits.
     */
    public record Continuation(PromotionRequested request, int next, Map<String, Map<String, Object>> outputs,
                               List<StepResult> results, Outcome outcome, String branch, String commit, String prURL,
                               Instant waitingSince) {
    }

    private final GitWriterConfig config;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pr-poller");
        t.setDaemon(true);
        return t;
    });
    private volatile PromotionWriter writer;

    public PullRequestFlow(GitWriterConfig config) {
        this.config = config;
    }

    private Path stateDir() throws IOException {
        return Files.createDirectories(Path.of(config.workdir(), "pull-requests"));
    }

    /** Resumes watching the pull requests that were open when the service stopped. */
    public void resume(PromotionWriter w) {
        this.writer = w;
        try (var files = Files.list(stateDir())) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().endsWith(CONTINUATION)) {
                    Continuation c = EventCodec.mapper().readValue(f.toFile(), Continuation.class);
                    poller.schedule(() -> advance(c, null), config.pr().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                Watch watch = EventCodec.mapper().readValue(f.toFile(), Watch.class);
                schedule(watch);
            }
        } catch (IOException e) {
            LOG.warnf("cannot read remembered pull requests: %s", e.getMessage());
        }
    }

    public static String branchName(PromotionRequested r) {
        return "freightline/" + r.stage() + "/" + r.promotionId();
    }

    PullRequestProvider provider(PromotionRequested r) {
        var pr = r.git().pullRequest();
        String token = config.pr().token().or(() -> config.auth().password()).orElse(null);
        return new PullRequestProvider(pr.provider(), pr.apiURL(), pr.repo(), token);
    }

    /** Pushes the promotion branch and opens the pull request; returns PR_OPENED (or the final outcome). */
    PromotionCommitted open(WarmClone clone, PromotionRequested r, PromotionWriter w) throws Exception {
        this.writer = w;
        var pr = r.git().pullRequest();
        if (pr.apiURL() == null || pr.repo() == null) {
            return w.failed(r, "pull-request mode needs git.pullRequest.apiURL and repo", List.of());
        }
        String branch = branchName(r);
        PromotionWriter.Prepared prep = w.prepare(clone, r.git().branch(), r);
        if (prep.outcome() != Outcome.PUSHED) {
            return PromotionWriter.event(r, prep.outcome(), prep.commit() == null ? null : prep.commit().name(),
                    prep.reason(), prep.steps(), null);
        }
        ObjectId commit = prep.commit();
        ObjectId existing = clone.fetch(branch);
        if (existing != null && clone.commitOf(branch, existing, r.promotionId()) != null) {
            commit = existing; // a redelivery: the branch is already there
        } else {
            WarmClone.Pushed pushed = clone.push(commit, branch, existing);
            if (pushed.status() != WarmClone.PushStatus.OK) {
                return w.failed(r, "cannot push " + branch + ": " + Redact.text(pushed.message()), prep.steps());
            }
        }
        PullRequestProvider.PullRequest opened;
        try {
            String alias = r.freight().alias() != null ? r.freight().alias() : r.freight().id();
            opened = provider(r).open(branch, r.git().branch(), "Promote " + alias + " to " + r.stage(),
                    io.freightline.gitwriter.domain.CommitMessage.of(r));
        } catch (StepException e) {
            return w.failed(r, Redact.text(e.getMessage()), prep.steps());
        }
        Watch watch = new Watch(r, opened.number(), opened.url(), commit.name(), Instant.now());
        Files.writeString(stateDir().resolve(r.promotionId().replaceAll("[^A-Za-z0-9._-]", "_") + ".json"), EventCodec.toJson(watch));
        schedule(watch);
        return PromotionWriter.event(r, Outcome.PR_OPENED, commit.name(), null, prep.steps(), opened.url());
    }

    private void schedule(Watch watch) {
        long ms = config.pr().pollInterval().toMillis();
        poller.schedule(() -> poll(watch), ms, TimeUnit.MILLISECONDS);
    }

    private void poll(Watch w) {
        PromotionRequested r = w.request();
        try {
            PullRequestProvider.PullRequest pr = provider(r).get(w.number());
            switch (pr.state()) {
                case MERGED -> finish(w, PromotionWriter.event(r, Outcome.PUSHED, pr.mergeSha() != null ? pr.mergeSha() : w.commit(),
                        "pull request merged", null, w.url()));
                case CLOSED -> finish(w, PromotionWriter.event(r, Outcome.FAILED, null, "pull request closed without merge",
                        null, w.url()));
                case OPEN -> {
                    if (Duration.between(w.openedAt(), Instant.now()).compareTo(config.pr().mergeTimeout()) > 0) {
                        finish(w, PromotionWriter.event(r, Outcome.FAILED, null, "pull request not merged within "
                                + config.pr().mergeTimeout(), null, w.url()));
                    } else {
                        schedule(w);
                    }
                }
            }
        } catch (StepException e) {
            if (e.retryable()) {
                LOG.warnf("polling %s: %s", w.url(), Redact.text(e.getMessage()));
                schedule(w);
            } else {
                finish(w, PromotionWriter.event(r, Outcome.FAILED, null, Redact.text(e.getMessage()), null, w.url()));
            }
        } catch (RuntimeException e) {
            LOG.warnf("polling %s: %s", w.url(), Redact.text(String.valueOf(e)));
            schedule(w);
        }
    }

    private void finish(Watch w, PromotionCommitted event) {
        writer.publishLater(event).whenComplete((v, e) -> {
            if (e != null) {
                schedule(w); // publish again on the next poll
                return;
            }
            try {
                Files.deleteIfExists(stateDir().resolve(w.request().promotionId().replaceAll("[^A-Za-z0-9._-]", "_") + ".json"));
            } catch (IOException ex) {
                LOG.warnf("cannot forget pull request %s: %s", w.url(), ex.getMessage());
            }
        });
    }

    private static final String CONTINUATION = ".steps.json";

    private Path continuationFile(PromotionRequested r) throws IOException {
        return stateDir().resolve(r.promotionId().replaceAll("[^A-Za-z0-9._-]", "_") + CONTINUATION);
    }

    /**
     * Carries a templated promotion on after the batch pushed it: runs its steps from {@code run.continueAt()} on
     * (the first pull-request step) on this flow's thread. {@code pushed} is the event the push would have
     * published; the record behind {@code pending} is acknowledged with the first event this publishes.
     */
    void continueAfterPush(PromotionWriter w, PromotionWriter.Pending pending, PromotionCommitted pushed,
                           PromotionWriter.StepRun run) {
        this.writer = w;
        Continuation c = new Continuation(pending.request(), run.continueAt(), new LinkedHashMap<>(run.outputs()),
                new ArrayList<>(run.results()), pushed.outcome(), pushed.branch(), pushed.commitSha(), null, null);
        poller.execute(() -> advance(c, pending));
    }

    /**
     * Runs the continuation's steps through the {@link TemplateRuntime} (configs rendered with the outputs of every
     * earlier step, {@code if}, {@code continueOnError}, {@code retry} as everywhere) until one has to wait (then
     * again after its poll interval), fails, or all are done.
     */
    private void advance(Continuation c, PromotionWriter.Pending first) {
        PromotionRequested r = c.request();
        List<StepResult> results = new ArrayList<>();
        for (StepResult x : c.results()) {
            // a continuation remembered before statuses were Kargo's and every result had its alias
            StepResult k = WriterSteps.kargoStatus(x);
            if (k.as() == null && results.size() < r.steps().size()) {
                k = new StepResult(k.uses(), TemplateRuntime.alias(r.steps().get(results.size()), results.size()),
                        k.status(), k.message(), k.durationMillis(), k.outputs(), k.startedAt());
            }
            results.add(k);
        }
        if (c.waitingSince() != null && results.size() == c.next()) {
            PromotionStep waiting = r.steps().get(c.next());
            results.add(new StepResult(waiting.uses(), TemplateRuntime.alias(waiting, c.next()), StepStatus.Running.name(),
                    null, 0, null, c.waitingSince()));
        }
        try {
            List<PromotionStep> steps = r.steps();
            Map<String, StepException> errors = WriterSteps.errors();
            StepContext ctx = new StepContext(NO_FILES, r.freight(), r.project(), r.stage(), r.promotionId(),
                    io.freightline.gitwriter.domain.GitWork.NONE, new LinkedHashMap<>());
            List<StepExecutor> local = new ArrayList<>(WriterSteps.elsewhere());
            for (String name : writer.steps().all().keySet()) {
                if (StepCatalog.builtin().runner(name) == StepCatalog.Runner.RUNTIME) {
                    continue;
                }
                if (STEPS.contains(name)) {
                    local.add(new WriterSteps.Registered(name, writer.steps(), ctx, Clock.systemUTC(), errors,
                            writer.metrics()::step, true, config.pr().mergeTimeout()));
                } else {
                    local.add(new WriterSteps.Refused(name, name + " follows a pull-request step: after git-open-pr, "
                            + "git-wait-for-pr or git-merge-pr only pull-request steps and steps of other services can run"));
                }
            }
            Duration every = config.pr().pollInterval();
            TemplateRuntime runtime = new TemplateRuntime(local, StepCatalog.builtin(),
                    new TemplateRuntime.Options(every, every, Clock.systemUTC(), true));
            Progress p = runtime.run(steps, WriterSteps.scope(r),
                    new Progress(results, c.next(), Progress.Phase.Running, null, null));
            String commit = c.commit();
            String prURL = c.prURL();
            for (int i = c.next(); i < p.results().size(); i++) {
                Map<String, Object> out = p.results().get(i).outputs();
                if (out == null) continue;
                if (out.get("commit") instanceof String sha) commit = sha;
                if (out.get("pr") instanceof Map<?, ?> pr && pr.get("url") instanceof String url) prURL = url;
            }
            switch (p.phase()) {
                case Running -> {
                    List<StepResult> shown = p.results();
                    StepResult waiting = shown.get(shown.size() - 1);
                    List<StepResult> before = new ArrayList<>(shown.subList(0, shown.size() - 1));
                    Continuation next = new Continuation(r, p.next(), WriterSteps.outputs(before), before, c.outcome(),
                            c.branch(), commit, prURL, waiting.startedAt());
                    Files.writeString(continuationFile(r), EventCodec.toJson(next));
                    if (first != null) {
                        writer.publish(first, PromotionWriter.event(r, Outcome.PR_OPENED, c.branch(), commit,
                                waiting.message(), shown, prURL));
                    }
                    Duration wait;
                    try {
                        wait = interval(steps.get(p.next()));
                    } catch (StepException e) {
                        wait = every;
                    }
                    poller.schedule(() -> advance(next, null), wait.toMillis(), TimeUnit.MILLISECONDS);
                }
                case Succeeded -> {
                    Outcome outcome = commit != null && !commit.equals(c.commit()) ? Outcome.PUSHED : c.outcome();
                    end(c, first, PromotionWriter.event(r, outcome, c.branch(), commit, null, p.results(), prURL));
                }
                case HandedOff -> {
                    PromotionStep at = steps.get(p.next());
                    String why = "step '" + TemplateRuntime.alias(at, p.next()) + "' (" + at.uses()
                            + ") is not available in this git-writer";
                    end(c, first, PromotionWriter.event(r, Outcome.FAILED, c.branch(), null, why, p.results(), prURL));
                }
                default -> end(c, first, PromotionWriter.event(r, Outcome.FAILED, c.branch(), null,
                        Redact.text(p.message()), p.results(), prURL));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("pull-request steps of %s: %s; trying again", r.promotionId(), Redact.text(String.valueOf(e)));
            Continuation again = new Continuation(r, c.next(), c.outputs(), c.results(), c.outcome(), c.branch(),
                    c.commit(), c.prURL(), c.waitingSince());
            poller.schedule(() -> advance(again, first), config.pr().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Publishes the continuation's final event and forgets it once the event is durable. */
    private void end(Continuation c, PromotionWriter.Pending first, PromotionCommitted event) {
        Runnable forget = () -> {
            try {
                Files.deleteIfExists(continuationFile(c.request()));
            } catch (IOException ex) {
                LOG.warnf("cannot forget the pull-request steps of %s: %s", c.request().promotionId(), ex.getMessage());
            }
        };
        if (first != null) {
            writer.publish(first, event);
            first.done().whenComplete((v, e) -> forget.run());
            return;
        }
        writer.publishLater(event).whenComplete((v, e) -> {
            if (e != null) {
                poller.schedule(() -> end(c, null, event), config.pr().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            } else {
                forget.run();
            }
        });
    }

    /** The step's {@code pollInterval}, else {@code pr.poll-interval}; never below 100 ms. */
    private Duration interval(PromotionStep s) throws StepException {
        Duration d = config.pr().pollInterval();
        if (s.config() != null && s.config().get("pollInterval") instanceof String text) {
            d = io.freightline.gitwriter.domain.GoDurations.parse("pollInterval", text);
        }
        return d.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : d;
    }

    /** The pull-request steps touch no files; a step that tries is told so. */
    private static final io.freightline.gitwriter.domain.Workspace NO_FILES = new NoFiles();

    private static final class NoFiles implements io.freightline.gitwriter.domain.Workspace {
        private static StepException none() {
            return StepException.terminal("no files: this step runs after the push, outside the working trees");
        }

        public String resolve(String userPath) throws StepException {
            throw none();
        }

        public java.util.Optional<byte[]> read(String path) throws StepException {
            throw none();
        }

        public void write(String path, byte[] content) throws StepException {
            throw none();
        }

        public void copy(String from, String to) throws StepException {
            throw none();
        }

        public boolean delete(String path) throws StepException {
            throw none();
        }

        public boolean isDirectory(String path) {
            return false;
        }

        public boolean isFile(String path) {
            return false;
        }

        public List<String> files(String folder) {
            return List.of();
        }

        public Path materialize(String folder) throws StepException {
            throw none();
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
