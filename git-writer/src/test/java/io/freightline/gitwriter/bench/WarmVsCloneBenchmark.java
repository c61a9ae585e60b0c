package io.freightline.gitwriter.bench;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionStep;
import io.freightline.gitwriter.Promotions;
import io.freightline.gitwriter.TestWriters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Figure 2 of issue 8: one kustomize-set-image promotion on a 5,000-file / 2,000-commit repository. Kargo's way
 * (git CLI: fresh bare clone + worktree, edit, commit, push, delete) vs the warm-clone writer, side by side.
 * Args: [runs=15] [files=5000] [commits=2000] [work dir=target/bench].
 */
public final class WarmVsCloneBenchmark {

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int commits = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path dir = Path.of(args.length > 3 ? args[3] : "target/bench").toAbsolutePath();
        BenchRepos.deleteTree(dir);
        Files.createDirectories(dir);
        long g0 = System.nanoTime();
        Path bare = BenchRepos.generate(dir, "mono", files, commits, 20);
        System.out.printf("generated %d files / %d commits in %d ms: %s%n", files, commits, (System.nanoTime() - g0) / 1_000_000, bare);
        String url = "file://" + bare;

        List<Double> kargo = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Path work = Files.createTempDirectory(dir, "kargo-");
            Path repo = work.resolve("repo");
            BenchRepos.run(work, "git", "clone", "-q", "--bare", url, repo.toString());
            BenchRepos.run(repo, "git", "worktree", "add", "-q", work.resolve("wt").toString(), "main");
            Path wt = work.resolve("wt");
            Path k = wt.resolve("envs/stage-0/kustomization.yaml");
            Files.writeString(k, Files.readString(k).replaceFirst("newTag: [^ ]+", "newTag: k" + i));
            BenchRepos.run(wt, "git", "add", "-A");
            BenchRepos.run(wt, "git", "-c", "user.name=kargo", "-c", "user.email=k@t", "commit", "-q", "-m", "kargo " + i);
            BenchRepos.run(wt, "git", "push", "-q", "origin", "HEAD:main");
            BenchRepos.deleteTree(work);
            kargo.add((System.nanoTime() - t0) / 1e6);
        }

        List<Double> warm = new ArrayList<>();
        try (var h = TestWriters.start(new TestWriters.Settings(dir.resolve("warm")))) {
            for (int i = -1; i < runs; i++) { // i = -1: the first promotion fills the warm clone, not measured
                long t0 = System.nanoTime();
                PromotionCommitted e = h.writer().submit(Promotions.request("bench-" + i, url, "stage-1", "w" + i, null,
                        List.of(new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/stage-1")))))
                        .toCompletableFuture().get(120, TimeUnit.SECONDS);
                if (e.outcome() != PromotionCommitted.Outcome.PUSHED) {
                    throw new IllegalStateException("promotion failed: " + e.reason());
                }
                if (i >= 0) {
                    warm.add((System.nanoTime() - t0) / 1e6);
                }
            }
        }
        double mk = median(kargo);
        double mw = median(warm);
        System.out.printf("clone-per-promotion (Kargo's way, git CLI): median %.1f ms  (min %.1f, max %.1f, n=%d)%n", mk,
                Collections.min(kargo), Collections.max(kargo), runs);
        System.out.printf("warm-clone writer (Freightline):             median %.1f ms  (min %.1f, max %.1f, n=%d)%n", mw,
                Collections.min(warm), Collections.max(warm), runs);
        System.out.printf("ratio: %.1fx faster%n", mk / mw);
        BenchRepos.deleteTree(dir);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private WarmVsCloneBenchmark() {
    }
}
