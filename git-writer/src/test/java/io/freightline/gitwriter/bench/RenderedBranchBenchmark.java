package io.freightline.gitwriter.bench;

import io.freightline.events.PromotionCommitted;
import io.freightline.gitwriter.QuickstartTemplateTest;
import io.freightline.gitwriter.TestWriters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kargo's quickstart promotion (rendered branches) on a large repository: git-clone of {@code main} into ./src and
 * {@code stage/test} into ./out, git-clear ./out, kustomize-set-image on ./src/base, kustomize-build of
 * ./src/stages/test into ./out, git-commit, git-push. Side by side in one run:
 * <ul>
 *   <li>the way Kargo runs it: a fresh bare clone with the git CLI, a worktree per checkout, the image edited in the
 *   kustomization, {@code kubectl kustomize}, {@code git commit}, {@code git push}, the clone deleted;</li>
 *   <li>Freightline's git-writer on its warm clone, the same steps as the engine sends them.</li>
 * </ul>
 * The repository is the one of figure 2 ({@code files} files, {@code commits} commits) with the quickstart's
 * {@code base/} and {@code stages/} added. The two ways alternate promotion by promotion (Freightline on
 * {@code stage/test}, Kargo's way on {@code stage/uat}), so a change of machine load hits both alike. Args: [runs=15] [files=5000] [commits=2000] [work dir=target/bench-rendered].
 */
public final class RenderedBranchBenchmark {

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int commits = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path dir = Path.of(args.length > 3 ? args[3] : "target/bench-rendered").toAbsolutePath();
        BenchRepos.deleteTree(dir);
        Files.createDirectories(dir);
        long g0 = System.nanoTime();
        Path bare = BenchRepos.generate(dir, "quickstart", files, commits, 20, QuickstartTemplateTest.layout());
        System.out.printf("generated %d files / %d commits in %d ms: %s%n", files, commits, (System.nanoTime() - g0) / 1_000_000, bare);
        String url = "file://" + bare;

        List<Double> warm = new ArrayList<>();
        List<Double> kargo = new ArrayList<>();
        java.util.Map<String, List<Double>> steps = new java.util.LinkedHashMap<>();
        try (var h = TestWriters.start(new TestWriters.Settings(dir.resolve("warm")))) {
            // not measured: fills the warm clone and creates stage/test, and stage/uat for Kargo's way below (its
            // git-clone checks the branch out)
            for (String stage : List.of("test", "uat")) {
                promote(h, "bench-" + stage, url, stage, "1.30.0");
            }
            // interleaved, so that both ways see the same load: Freightline promotes test, Kargo's way uat (each
            // stage branch has one writer, as in a real pipeline)
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                PromotionCommitted e = promote(h, "bench-" + i, url, "test", "1.30." + (i + 1));
                warm.add((System.nanoTime() - t0) / 1e6);
                e.steps().forEach(r -> steps.computeIfAbsent(r.uses(), u -> new ArrayList<>()).add((double) r.durationMillis()));
                t0 = System.nanoTime();
                kargoWay(dir, url, "uat", "1.31." + i);
                kargo.add((System.nanoTime() - t0) / 1e6);
            }
        }

        double mk = WarmVsCloneBenchmark.median(kargo);
        double mw = WarmVsCloneBenchmark.median(warm);
        System.out.printf("rendered branch, Kargo's way (git CLI clone + worktrees, kubectl kustomize): median %.1f ms  (min %.1f, max %.1f, n=%d)%n",
                mk, Collections.min(kargo), Collections.max(kargo), runs);
        System.out.printf("rendered branch, Freightline git-writer (warm clone):                      median %.1f ms  (min %.1f, max %.1f, n=%d)%n",
                mw, Collections.min(warm), Collections.max(warm), runs);
        System.out.printf("ratio: %.1fx faster (goal: 15x)%n", mk / mw);
        StringBuilder where = new StringBuilder("git-writer step medians:");
        steps.forEach((uses, ms) -> where.append(String.format(java.util.Locale.ROOT, " %s %.0f ms,", uses,
                WarmVsCloneBenchmark.median(ms))));
        System.out.println(where.substring(0, where.length() - 1) + " (the rest: batching, the push, the commit event)");
        BenchRepos.deleteTree(dir);
    }

    private static PromotionCommitted promote(TestWriters.Harness h, String id, String url, String stage, String tag) throws Exception {
        PromotionCommitted e = h.writer().submit(QuickstartTemplateTest.promotion(id, url, stage, tag))
                .toCompletableFuture().get(120, TimeUnit.SECONDS);
        if (e.outcome() != PromotionCommitted.Outcome.PUSHED) {
            throw new IllegalStateException("promotion " + id + " " + e.outcome() + ": " + e.reason());
        }
        return e;
    }

    /** One promotion of {@code stage} with the git CLI and kubectl, each step as Kargo's quickstart runs it. */
    static void kargoWay(Path dir, String url, String stage, String tag) throws Exception {
        Path work = Files.createTempDirectory(dir, "kargo-");
        Path repo = work.resolve("repo");
        Path src = work.resolve("src");
        Path out = work.resolve("out");
        // git-clone: a bare clone, then one worktree per checkout
        BenchRepos.run(work, "git", "clone", "-q", "--bare", url, repo.toString());
        BenchRepos.run(repo, "git", "worktree", "add", "-q", src.toString(), "main");
        BenchRepos.run(repo, "git", "worktree", "add", "-q", out.toString(), "stage/" + stage);
        // git-clear: everything in ./out but the worktree's .git file
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.filter(p -> !p.getFileName().toString().equals(".git")).toList()) {
                BenchRepos.deleteTree(p);
            }
        }
        // kustomize-set-image: Kargo edits the kustomization in-process; so does this
        Path k = src.resolve("base/kustomization.yaml");
        Files.writeString(k, Files.readString(k).replaceFirst("newTag: \\S+", "newTag: " + tag));
        // kustomize-build
        BenchRepos.run(work, "kubectl", "kustomize", src.resolve("stages/" + stage).toString(),
                "-o", out.resolve("manifests.yaml").toString());
        // git-commit, git-push
        BenchRepos.run(out, "git", "add", "-A");
        BenchRepos.run(out, "git", "-c", "user.name=kargo", "-c", "user.email=k@t", "commit", "-q",
                "-m", "Updated ./src/base to use new image");
        BenchRepos.run(out, "git", "push", "-q", "origin", "HEAD:stage/" + stage);
        BenchRepos.deleteTree(work);
    }

    private RenderedBranchBenchmark() {
    }
}
