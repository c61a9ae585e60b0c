package io.freightline.gitwriter.client;

import io.freightline.events.EventCodec;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.StepException;
import org.eclipse.jgit.lib.ObjectId;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pull-request mode: commits the promotion on {@code freightline/<stage>/<promotion>}, opens a pull request to the
 * stage's branch, reports PR_OPENED, then polls until it is merged (PUSHED with the merge commit) or closed
 * (FAILED). Open pull requests are remembered in the workdir so a restart keeps watching them.
 */
public class PullRequestFlow implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PullRequestFlow.class);

    /** What is remembered of an open pull request. */
    public record Watch(PromotionRequested request, long number, String url, String commit, Instant openedAt) {
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

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
