package io.freightline.gitwriter;

import io.freightline.events.ArgoCDTarget;
import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
import io.freightline.events.GitTarget;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.testsupport.GitDaemon;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kargo's quickstart promotion process against a real Git server (JGit's git:// daemon): git-clone of main and
 * {@code stage/<stage>} of one repository, git-clear, kustomize-set-image, kustomize-build with the real kustomize,
 * git-commit, git-push, and argocd-update left to the notifier. The steps are the quickstart's, as the engine renders
 * them for one stage.
 */
public class QuickstartTemplateTest {
    static final String NGINX = "public.ecr.aws/nginx/nginx";
    /** The quickstart's PromotionTask steps; {@code <repo>}, {@code <stage>} and {@code <tag>} as the engine fills them in. */
    static final String STEPS = """
            - uses: git-clone
              config:
                repoURL: <repo>
                checkout:
                - branch: main
                  path: ./src
                - branch: stage/<stage>
                  create: true
                  path: ./out
            - uses: git-clear
              config:
                path: ./out
            - uses: kustomize-set-image
              as: update
              config:
                path: ./src/base
                images:
                - image: public.ecr.aws/nginx/nginx
                  tag: <tag>
            - uses: kustomize-build
              config:
                path: ./src/stages/<stage>
                outPath: ./out
            - uses: git-commit
              as: commit
              config:
                path: ./out
                message: "Updated ./src/base to use new image"
            - uses: git-push
              config:
                path: ./out
            - uses: argocd-update
              config:
                apps:
                - name: kargo-demo-<stage>
                  sources:
                  - repoURL: <repo>
                    desiredRevision: <commit>
            """;

    @TempDir
    Path tmp;
    Path served;
    Path bare;

    @BeforeEach
    void repo() throws Exception {
        served = Files.createDirectories(tmp.resolve("served"));
        bare = TestRepos.bare(served, "gitops", layout());
    }

    /**
     * The quickstart's Kustomize layout, the files under {@code src/test/resources/quickstart/gitops}: {@code base/}
     * (a Deployment and a Service of {@code public.ecr.aws/nginx/nginx}) and {@code stages/test|uat|prod/}. The
     * devstack's end-to-end quickstart test lays out the same files.
     */
    public static Map<String, byte[]> layout() {
        try {
            Path root = Path.of(QuickstartTemplateTest.class.getResource("/quickstart/gitops").toURI());
            Map<String, byte[]> files = new TreeMap<>();
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.filter(Files::isRegularFile).toList()) {
                    files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
            return files;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the quickstart layout from the test resources", e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<PromotionStep> steps(String repo, String stage, String tag) {
        String yaml = STEPS.replace("<repo>", repo).replace("<stage>", stage).replace("<tag>", tag)
                .replace("<commit>", "pending");
        List<PromotionStep> out = new ArrayList<>();
        for (Object o : (List<Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml)) {
            Map<String, Object> m = (Map<String, Object>) o;
            out.add(new PromotionStep((String) m.get("uses"), (String) m.get("as"), (Map<String, Object>) m.get("config")));
        }
        return out;
    }

    public static PromotionRequested promotion(String id, String repo, String stage, String tag) {
        FreightRef freight = new FreightRef("f-" + tag, "alias-" + tag, "kargo-demo",
                List.of(ArtifactRef.image(NGINX, tag, null)));
        return new PromotionRequested(id, "kargo-demo", stage, freight, new GitTarget(repo, "main", null),
                steps(repo, stage, tag), new ArgoCDTarget(null, List.of(), null, 60L, null), null, "test",
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    String file(String branch, String path) throws Exception {
        byte[] b = TestRepos.file(bare, branch, path);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void threeStagesRenderTheirBranchesAndARedeliveryCommitsNothingTwice() throws Exception {
        String mainBefore = TestRepos.head(bare, "main");
        try (GitDaemon daemon = GitDaemon.serve(served);
             TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(tmp.resolve("work")))) {
            String repo = daemon.url("gitops.git");
            for (String stage : List.of("test", "uat", "prod")) {
                PromotionCommitted c = h.writer().submit(promotion("p-" + stage, repo, stage, "1.29.1"))
                        .toCompletableFuture().get(60, TimeUnit.SECONDS);
                assertThat(c.outcome()).as(c.reason()).isEqualTo(Outcome.PUSHED);
                assertThat(c.branch()).isEqualTo("stage/" + stage);
                assertThat(c.commitSha()).isEqualTo(TestRepos.head(bare, "stage/" + stage));
                assertThat(c.steps()).extracting(s -> s.status())
                        .containsExactly("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded", "Skipped");
                // one file per object, Kargo's names, rendered by kustomize with the new tag and the stage's namespace
                assertThat(TestRepos.files(bare, "stage/" + stage)).containsExactly(
                        "kargo-demo-" + stage + "-deployment-kargo-demo.yaml",
                        "kargo-demo-" + stage + "-service-kargo-demo.yaml");
                String deploy = file("stage/" + stage, "kargo-demo-" + stage + "-deployment-kargo-demo.yaml");
                assertThat(deploy).contains("image: public.ecr.aws/nginx/nginx:1.29.1")
                        .contains("namespace: kargo-demo-" + stage);
                RevCommit head = TestRepos.log(bare, "stage/" + stage).get(0);
                assertThat(head.getParentCount()).isZero(); // a new orphan branch
                assertThat(head.getFullMessage()).startsWith("Updated ./src/base to use new image\n\n")
                        .contains("Freightline-Promotion: p-" + stage);
            }
            // ./src was edited in memory only: main is untouched
            assertThat(TestRepos.head(bare, "main")).isEqualTo(mainBefore);

            // the same promotion again (a redelivered record): no second commit
            PromotionCommitted again = h.writer().submit(promotion("p-test", repo, "test", "1.29.1"))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_PRESENT);
            assertThat(again.commitSha()).isEqualTo(TestRepos.head(bare, "stage/test"));
            assertThat(TestRepos.commitsWithTrailer(bare, "stage/test", "p-test")).isEqualTo(1);

            // a newer image: one more commit on stage/test on top of the first, the old content replaced
            PromotionCommitted next = h.writer().submit(promotion("p-test-2", repo, "test", "1.29.2"))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(next.outcome()).as(next.reason()).isEqualTo(Outcome.PUSHED);
            assertThat(TestRepos.log(bare, "stage/test")).hasSize(2);
            assertThat(file("stage/test", "kargo-demo-test-deployment-kargo-demo.yaml"))
                    .contains("nginx:1.29.2").doesNotContain("1.29.1");
        }
    }

    @Test
    void aBranchMovedByAnotherWriterIsRenderedAgainOnItsNewHead() throws Exception {
        try (GitDaemon daemon = GitDaemon.serve(served);
             TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(tmp.resolve("work")))) {
            String repo = daemon.url("gitops.git");
            assertThat(h.writer().submit(promotion("p-1", repo, "test", "1.29.1")).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.PUSHED);
            // someone else commits to stage/test; this writer's idea of the head is now stale
            Path other = tmp.resolve("other");
            TestRepos.git(tmp, "clone", "-q", "-b", "stage/test", TestRepos.url(bare), other.toString());
            Files.writeString(other.resolve("NOTES.md"), "hand-made\n");
            TestRepos.git(other, "add", "-A");
            TestRepos.git(other, "-c", "user.name=h", "-c", "user.email=h@x", "commit", "-q", "-m", "notes");
            TestRepos.git(other, "push", "-q", "origin", "stage/test");
            String human = TestRepos.head(bare, "stage/test");

            PromotionCommitted c = h.writer().submit(promotion("p-2", repo, "test", "1.29.2")).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            assertThat(c.outcome()).as(c.reason()).isEqualTo(Outcome.PUSHED);
            List<RevCommit> log = TestRepos.log(bare, "stage/test");
            assertThat(log.get(0).getParent(0).name()).isEqualTo(human); // on top of the moved head
            // git-clear ran on the new head: the hand-made file is gone again, the render is fresh
            assertThat(TestRepos.files(bare, "stage/test")).doesNotContain("NOTES.md");
            assertThat(file("stage/test", "kargo-demo-test-deployment-kargo-demo.yaml")).contains("nginx:1.29.2");
        }
    }

    @Test
    void aBrokenKustomizationFailsNamingKustomizeAndPushesNothing() throws Exception {
        try (GitDaemon daemon = GitDaemon.serve(served);
             TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(tmp.resolve("work")))) {
            String repo = daemon.url("gitops.git");
            PromotionRequested p = promotion("p-x", repo, "nowhere", "1.29.1");
            PromotionCommitted c = h.writer().submit(p).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(c.reason()).contains("no kustomization in ./src/stages/nowhere");
            assertThat(TestRepos.head(bare, "stage/nowhere")).isNull();
        }
    }
}
