package io.freightline.gitwriter.bench;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionStep;
import io.freightline.gitwriter.Promotions;
import io.freightline.gitwriter.TestWriters;
import io.freightline.testsupport.GitDaemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Figure 3 of issue 8: N stages (default 200 and 500) of one branch each get a promotion at the same moment, over
 * git:// on loopback. Prints wall time, promotions/s, failed pushes and commits created.
 * Args: [stages list=200,500] [work dir=target/bench-contention].
 */
public final class ContentionBenchmark {

    public static void main(String[] args) throws Exception {
        String[] sizes = (args.length > 0 ? args[0] : "200,500").split(",");
        Path dir = Path.of(args.length > 1 ? args[1] : "target/bench-contention").toAbsolutePath();
        for (String size : sizes) {
            int n = Integer.parseInt(size.strip());
            BenchRepos.deleteTree(dir);
            Path served = Files.createDirectories(dir.resolve("served"));
            Path bare = BenchRepos.generate(served, "mono", 5000, 2000, n);
            try (GitDaemon daemon = GitDaemon.serve(served);
                 var h = TestWriters.start(new TestWriters.Settings(dir.resolve("warm")))) {
                String url = daemon.url("mono.git");
                // warm the clone first, as a running writer would be
                h.writer().submit(Promotions.request("warmup", url, "stage-0", "warm", null,
                        List.of(new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/stage-0")))))
                        .toCompletableFuture().get(120, TimeUnit.SECONDS);
                int before = Integer.parseInt(BenchRepos.run(bare, "git", "rev-list", "--count", "main").strip());
                long t0 = System.nanoTime();
                List<CompletableFuture<PromotionCommitted>> all = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    all.add(h.writer().submit(Promotions.request("c" + i, url, "stage-" + i, "v2-" + i, null,
                            List.of(new PromotionStep("kustomize-set-image", null, Map.of("path", "envs/stage-" + i)))))
                            .toCompletableFuture());
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(600, TimeUnit.SECONDS);
                double wall = (System.nanoTime() - t0) / 1e9;
                long failed = all.stream().filter(f -> f.join().outcome() != PromotionCommitted.Outcome.PUSHED).count();
                int after = Integer.parseInt(BenchRepos.run(bare, "git", "rev-list", "--count", "main").strip());
                var batches = h.meters().find("freightline.git.push.batch.size").summary();
                double rejected = h.meters().counter("freightline.git.push.retries").count();
                System.out.printf("%d simultaneous promotions on one branch: wall %.2f s, %.0f promotions/s, pushes %d "
                                + "(mean batch %.1f), rejected pushes %.0f, failed promotions %d, commits created %d%n",
                        n, wall, n / wall, batches.count() - 1, (batches.totalAmount() - 1) / Math.max(1, batches.count() - 1),
                        rejected, failed, after - before);
            }
        }
        BenchRepos.deleteTree(dir);
    }

    private ContentionBenchmark() {
    }
}
