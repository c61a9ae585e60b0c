package io.freightline.gitwriter;

import io.freightline.events.PromotionCommitted;
import io.freightline.gitwriter.client.PromotionWriter;
import io.freightline.gitwriter.client.PullRequestFlow;
import io.freightline.gitwriter.client.WriterMetrics;
import io.freightline.gitwriter.config.GitWriterConfig;
import io.freightline.gitwriter.domain.CommitSink;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.steps.StepRegistry;
import io.freightline.gitwriter.steps.copy.CopyStep;
import io.freightline.gitwriter.steps.delete.DeleteStep;
import io.freightline.gitwriter.steps.filewrite.FileWriteStep;
import io.freightline.gitwriter.steps.gitclear.GitClearStep;
import io.freightline.gitwriter.steps.gitclone.GitCloneStep;
import io.freightline.gitwriter.steps.gitcommit.GitCommitStep;
import io.freightline.gitwriter.steps.gitpush.GitPushStep;
import io.freightline.gitwriter.steps.kustomizebuild.KustomizeBuildStep;
import io.freightline.gitwriter.steps.helm.HelmUpdateChartStep;
import io.freightline.gitwriter.steps.kustomize.KustomizeSetImageStep;
import io.freightline.gitwriter.steps.yaml.YamlUpdateStep;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** The writer without Quarkus or Kafka, for Git-level tests and benchmarks. */
public final class TestWriters {

    /** A config with test values; fields are public so tests can change them before building a writer. */
    public static final class Settings {
        public Path workdir;
        public String password;
        public String username = "git";
        public int maxBatch = 100;
        public int maxAttempts = 50;
        public boolean optimistic = true;
        public Duration prPoll = Duration.ofMillis(100);
        public String sshKey;
        public String sshKeyPassphrase;
        public String sshKnownHosts;
        public List<String> sshHostKeyFingerprints;
        /** Tests of SSH host checking turn this on; the others talk to local servers without host keys. */
        public boolean sshStrictHostKeyChecking;
        public String prToken = "pr-token";
        public boolean failSink;

        public Settings(Path workdir) {
            this.workdir = workdir;
        }

        public GitWriterConfig config() {
            Settings s = this;
            return new GitWriterConfig() {
                public String workdir() { return s.workdir.toString(); }
                public java.util.Optional<String> instanceId() { return java.util.Optional.empty(); }
                public int sessionTimeoutMs() { return 6000; }
                public int heartbeatIntervalMs() { return 1000; }
                public Author author() {
                    return new Author() {
                        public String name() { return "Freightline"; }
                        public String email() { return "freightline@localhost"; }
                    };
                }
                public Push push() {
                    return new Push() {
                        public int maxAttempts() { return s.maxAttempts; }
                        public Duration initialBackoff() { return Duration.ofMillis(5); }
                        public Duration maxBackoff() { return Duration.ofMillis(200); }
                        public int maxBatch() { return s.maxBatch; }
                        public boolean optimistic() { return s.optimistic; }
                        public Duration timeout() { return Duration.ofSeconds(30); }
                    };
                }
                public Auth auth() {
                    return new Auth() {
                        public String username() { return s.username; }
                        public Optional<String> password() { return Optional.ofNullable(s.password); }
                        public Optional<String> sshKey() { return Optional.ofNullable(s.sshKey); }
                        public Optional<String> sshKeyPassphrase() { return Optional.ofNullable(s.sshKeyPassphrase); }
                        public Optional<String> sshKnownHosts() { return Optional.ofNullable(s.sshKnownHosts); }
                        public Optional<List<String>> sshHostKeyFingerprints() { return Optional.ofNullable(s.sshHostKeyFingerprints); }
                        public boolean sshStrictHostKeyChecking() { return s.sshStrictHostKeyChecking; }
                    };
                }
                public PullRequests pr() {
                    return new PullRequests() {
                        public Optional<String> token() { return Optional.ofNullable(s.prToken); }
                        public Duration pollInterval() { return s.prPoll; }
                        public Duration mergeTimeout() { return Duration.ofMinutes(5); }
                    };
                }
                public Fault fault() {
                    return () -> false;
                }
            };
        }
    }

    /** A writer plus what it published. */
    public record Harness(PromotionWriter writer, List<PromotionCommitted> events, SimpleMeterRegistry meters,
                          PullRequestFlow prs) implements AutoCloseable {
        @Override
        public void close() {
            writer.close();
            prs.close();
        }
    }

    public static Harness start(Settings s, Step<?>... extraSteps) {
        List<Step<?>> steps = new ArrayList<>(List.of(new KustomizeSetImageStep(), new YamlUpdateStep(),
                new HelmUpdateChartStep(), new CopyStep(), new DeleteStep(), new FileWriteStep(), new GitCloneStep(),
                new GitClearStep(), new GitCommitStep(), new GitPushStep(), new KustomizeBuildStep()));
        steps.addAll(List.of(extraSteps));
        List<PromotionCommitted> events = new CopyOnWriteArrayList<>();
        CommitSink sink = e -> {
            if (s.failSink) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker gone (simulated crash)"));
            }
            events.add(e);
            return CompletableFuture.completedFuture(null);
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PullRequestFlow prs = new PullRequestFlow(s.config());
        PromotionWriter w = new PromotionWriter(s.config(), new StepRegistry(steps), sink, new WriterMetrics(meters), prs);
        prs.resume(w);
        return new Harness(w, events, meters, prs);
    }

    private TestWriters() {
    }
}
