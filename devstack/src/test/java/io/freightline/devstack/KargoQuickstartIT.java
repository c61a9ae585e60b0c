package io.freightline.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.devstack.CliRun.Result;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactRef;
import io.freightline.events.CloudEventHeaders;
import io.freightline.events.EventCodec;
import io.freightline.events.EventTypes;
import io.freightline.events.Topics;
import io.freightline.testsupport.GitDaemon;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kargo's quickstart end to end, as its documentation has the user do it: the GitOps repository of the quickstart
 * ({@code base/} + {@code stages/<stage>/}, the git-writer's quickstart fixture) on a real Git server, the pipeline
 * applied with the CLI exactly as Kargo's docs write it ({@code kargo.akuity.io/v1alpha1}: Project, credentials
 * Secret, Warehouse, the PromotionTask {@code demo-promo-process} and the Stages test → uat → prod that call it) from a
 * folder that also holds Argo CD's ApplicationSet and a ConfigMap (skipped, one line each), the
 * four services as processes on a real broker, the image in a simulated registry and the ApplicationSet's three
 * Applications in a simulated Argo CD. Each promotion must render its stage's branch with real kustomize, as one
 * commit carrying the promotion trailer, and have Argo CD sync that commit. A later image arrives as a CI producer's
 * event on Kafka.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KargoQuickstartIT {
    static final String PROJECT = "kargo-demo";
    static final List<String> STAGES = List.of("test", "uat", "prod");
    /** The image of Kargo's quickstart; its repository URL becomes the simulated registry's. */
    static final String KARGO_IMAGE = "public.ecr.aws/nginx/nginx";
    static final Duration PROMOTION = Duration.ofSeconds(60);

    static SimulatedRegistry registry;
    static SimulatedArgoCD argocd;
    static GitDaemon daemon;
    static DevStack stack;
    static GitOpsRepo repo;
    static String repoURL;
    static String mainHead;
    static Path manifests;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        registry = new SimulatedRegistry("nginx/nginx", List.of("1.28.2", "1.29.1"));
        Path served = Files.createDirectories(tmp.resolve("served"));
        Path bare = served.resolve("kargo-demo-gitops.git");
        mainHead = seed(root.resolve("git-writer/src/test/resources/quickstart/gitops"), tmp.resolve("seed"), bare);
        daemon = GitDaemon.serve(served);
        repoURL = daemon.url("kargo-demo-gitops.git");
        repo = new GitOpsRepo(bare);

        String token = "argocd-" + Secrets.randomToken();
        argocd = new SimulatedArgoCD(token);
        for (String stage : STAGES) {
            argocd.quickstartApp(PROJECT, stage, repoURL);
        }
        stack = DevStack.start(DevStack.Settings.forTest(root, tmp.resolve("home")).withArgoCD(argocd.url(), token));

        String text;
        try (InputStream in = KargoQuickstartIT.class.getResourceAsStream("/kargo-quickstart/pipeline.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // what a user of the quickstart fills in: the GitOps repository and its credentials, here the image repository too
        text = text.replace("${GITOPS_REPO_URL}", repoURL).replace("${GITHUB_USERNAME}", "kargo-demo")
                .replace("${GITHUB_PAT}", "not-needed-by-the-git-daemon").replace(KARGO_IMAGE, registry.image());
        // a folder as kept in a GitOps repository: Kargo's manifests beside Argo CD's and other Kubernetes kinds
        manifests = tmp.resolve("gitops-folder");
        Files.createDirectories(manifests.resolve("kargo"));
        Files.writeString(manifests.resolve("kargo/pipeline.yaml"), text);
        Files.createDirectories(manifests.resolve("argocd"));
        Files.writeString(manifests.resolve("argocd/appset.yaml"), """
                apiVersion: argoproj.io/v1alpha1
                kind: ApplicationSet
                metadata:
                  name: kargo-demo
                  namespace: argocd
                spec:
                  generators:
                  - list:
                      elements:
                      - stage: test
                      - stage: uat
                      - stage: prod
                  template:
                    metadata:
                      name: kargo-demo-{{stage}}
                      annotations:
                        kargo.akuity.io/authorized-stage: kargo-demo:{{stage}}
                    spec:
                      project: default
                      source:
                        repoURL: %s
                        targetRevision: stage/{{stage}}
                        path: .
                      destination:
                        server: https://kubernetes.default.svc
                        namespace: kargo-demo-{{stage}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: kargo-demo-notes
                  namespace: argocd
                data:
                  owner: platform
                """.formatted(repoURL));
    }

    /** The quickstart repository: the fixture's files on main (the image named as the registry serves it), bare. */
    static String seed(Path layout, Path work, Path bare) throws Exception {
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            try (Stream<Path> files = Files.walk(layout)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Path to = work.resolve(layout.relativize(f).toString());
                    Files.createDirectories(to.getParent());
                    Files.writeString(to, Files.readString(f).replace(KARGO_IMAGE, registry.image()));
                }
            }
            git.add().addFilepattern(".").call();
            git.commit().setMessage("kargo-demo: base and stages").setAuthor("demo", "demo@example.com")
                    .setCommitter("demo", "demo@example.com").setSign(false).call();
        }
        try (Git clone = Git.cloneRepository().setURI(work.toUri().toString()).setBare(true).setDirectory(bare.toFile()).call()) {
            return clone.getRepository().resolve("refs/heads/main").name();
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        for (AutoCloseable c : new AutoCloseable[]{daemon, argocd, registry}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // best effort: the next server still closes
            }
        }
    }

    @Test
    @Order(1)
    void kargosQuickstartManifestsApplyUnchanged() {
        Result apply = cli("admin", "apply", "-f", manifests.toString());
        assertEquals(0, apply.code(), apply.err());
        List<String> lines = apply.out().lines().toList();
        // the other kinds are skipped with one line each, named by file and document
        assertEquals(List.of("argocd/appset.yaml #1: skipped argoproj.io/v1alpha1 ApplicationSet kargo-demo",
                        "argocd/appset.yaml #2: skipped v1 ConfigMap kargo-demo-notes",
                        "kargo/pipeline.yaml #2: skipped v1 Secret kargo-demo-repo"),
                lines.stream().filter(l -> l.contains(": skipped ")).map(l -> l.replaceFirst(" \\(.*\\)$", "")).toList(),
                apply.out());
        assertTrue(lines.contains("applied 2 files (9 documents)"), apply.out());
        Result stages = cli("viewer", "get", "stages", "--project", PROJECT);
        assertEquals(0, stages.code(), stages.err());
        assertEquals(List.of("test", "uat", "prod"), stages.out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList(),
                stages.out());
    }

    @Test
    @Order(2)
    void eachStageGetsItsRenderedBranchAndArgoCDSyncsTheCommit() {
        String alias = awaitFreight("1.29.1");
        for (String stage : STAGES) {
            PromotionResult p = promote(stage, alias);
            String branch = "stage/" + stage;
            RevCommit head = single(repo.log(branch));
            assertEquals(0, head.getParentCount(), "a new branch, created by git-clone's create: true");
            assertRendered(stage, "1.29.1", p, head);
            if (!stage.equals("prod")) {
                // uat takes freight verified in test, prod freight verified in uat
                await().atMost(PROMOTION).until(() -> freight(alias).path("verifiedIn").has(stage));
            }
        }
        assertEquals(mainHead, repo.log().get(0).name(), "./src was only read: main is untouched");
        assertEquals(List.of(), argocd.unexpected());
    }

    @Test
    @Order(3)
    void aNewImageIsOneMoreCommitOnTopOfTheStageBranch() throws Exception {
        // a CI producer publishes the new image straight to the artifacts topic (the warehouse polls only every 5m)
        registry.push("1.29.2");
        ArtifactDiscovered event = new ArtifactDiscovered(PROJECT, null, null, ArtifactRef.image(registry.image(), "1.29.2", null),
                null, Instant.now(), "ci");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<String, String> ci = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(Topics.ARTIFACTS, PROJECT, EventCodec.toJson(event));
            record.headers().add(CloudEventHeaders.SPEC_VERSION, bytes(CloudEventHeaders.SPEC_VERSION_1_0))
                    .add(CloudEventHeaders.TYPE, bytes(EventTypes.ARTIFACT_DISCOVERED))
                    .add(CloudEventHeaders.SOURCE, bytes("/ci/kargo-demo-build"))
                    .add(CloudEventHeaders.ID, bytes(UUID.randomUUID().toString()))
                    .add(CloudEventHeaders.CONTENT_TYPE, bytes(CloudEventHeaders.JSON));
            ci.send(record).get();
        }
        String alias = awaitFreight("1.29.2");
        RevCommit before = repo.log("stage/test").get(0);
        PromotionResult p = promote("test", alias);
        List<RevCommit> log = repo.log("stage/test");
        assertEquals(2, log.size(), log.toString());
        assertEquals(before.name(), log.get(0).getParent(0).name());
        assertRendered("test", "1.29.2", p, log.get(0));
        assertTrue(!repo.read("stage/test", "kargo-demo-test-deployment-kargo-demo.yaml").contains("1.29.1"));
        assertEquals(1, repo.log("stage/uat").size(), "uat stays where it was");
        assertTrue(repo.read("stage/uat", "kargo-demo-uat-deployment-kargo-demo.yaml").contains(registry.image() + ":1.29.1"));
        assertEquals(2, argocd.syncs("kargo-demo-test").size(), "one sync per promotion of test");
    }

    // ------------------------------------------------------------------ helpers

    record PromotionResult(String id, JsonNode view) {
    }

    /** The branch holds what kustomize renders for the stage, as one commit of this promotion that Argo CD synced. */
    static void assertRendered(String stage, String tag, PromotionResult p, RevCommit head) {
        String branch = "stage/" + stage;
        assertEquals(List.of("kargo-demo-" + stage + "-deployment-kargo-demo.yaml", "kargo-demo-" + stage + "-service-kargo-demo.yaml"),
                repo.files(branch), "kustomize-build writes one file per object into ./out, git-clear removed the rest");
        String deployment = repo.read(branch, "kargo-demo-" + stage + "-deployment-kargo-demo.yaml");
        assertTrue(deployment.contains("image: " + registry.image() + ":" + tag), deployment);
        assertTrue(deployment.contains("namespace: kargo-demo-" + stage), deployment);
        // git-commit's message is kustomize-set-image's commitMessage output, with the promotion's trailer
        assertTrue(head.getFullMessage().startsWith("Updated ./src/base to use new image"), head.getFullMessage());
        assertEquals(List.of(p.id()), GitOpsRepo.trailer(head, "Freightline-Promotion"), head.getFullMessage());
        assertEquals(1, repo.log(branch).stream().filter(c -> GitOpsRepo.trailer(c, "Freightline-Promotion").contains(p.id())).count());
        assertEquals(head.name(), p.view().path("commitSha").asText(), p.view().toString());

        // argocd-update: the Application synced to ${{ task.outputs.commit.commit }}, by this promotion
        List<SimulatedArgoCD.Sync> syncs = argocd.syncs("kargo-demo-" + stage);
        assertTrue(!syncs.isEmpty(), "no sync of kargo-demo-" + stage);
        SimulatedArgoCD.Sync last = syncs.get(syncs.size() - 1);
        assertEquals(head.name(), last.revision());
        assertEquals(p.id(), last.infos().get("freightline.io/promotion"));
        JsonNode app = argocd.application("kargo-demo-" + stage);
        assertEquals(head.name(), app.path("status").path("sync").path("revision").asText());
        assertEquals(branch, app.path("spec").path("source").path("targetRevision").asText(),
                "desiredRevision without updateTargetRevision syncs the commit and leaves the source on the branch");
    }

    /** Promotes through the CLI and waits until the promotion Succeeded (its argocd-update step included). */
    static PromotionResult promote(String stage, String alias) {
        Result promote = cli("promoter", "promote", "--project", PROJECT, "--stage", stage, "--freight", alias);
        assertEquals(0, promote.code(), promote.err());
        String id = promote.out().replaceFirst("(?s)promotion (\\S+) .*", "$1");
        JsonNode view = await().atMost(PROMOTION).until(() -> promotion(id),
                v -> v != null && List.of("Succeeded", "Failed", "Errored", "Aborted").contains(v.path("state").asText()));
        assertEquals("Succeeded", view.path("state").asText(), view.toPrettyString());
        return new PromotionResult(id, view);
    }

    static JsonNode promotion(String id) {
        Result r = cli("viewer", "get", "promotion", id, "--project", PROJECT, "-o", "json");
        return r.code() == 0 ? EventCodec.parse(r.out()) : null;
    }

    static JsonNode freight(String alias) {
        Result r = cli("viewer", "get", "freight", alias, "--project", PROJECT, "-o", "json");
        assertEquals(0, r.code(), r.err());
        return EventCodec.parse(r.out());
    }

    /** The alias of the warehouse's freight with that nginx tag, once the watcher found it in the registry. */
    static String awaitFreight(String tag) {
        return await().atMost(PROMOTION).until(() -> {
            Result r = cli("viewer", "get", "freight", "--project", PROJECT, "-o", "json");
            if (r.code() != 0) return null;
            for (JsonNode f : EventCodec.parse(r.out())) {
                for (JsonNode a : f.path("artifacts")) {
                    if (tag.equals(a.path("tag").asText())) return f.path("alias").asText();
                }
            }
            return null;
        }, a -> a != null);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static RevCommit single(List<RevCommit> commits) {
        assertEquals(1, commits.size(), () -> commits.stream().map(RevCommit::getFullMessage).toList().toString());
        return commits.get(0);
    }

    /** Runs the CLI in-process against the stack's engine with the given role's token. */
    static Result cli(String role, String... args) {
        return CliRun.cli(stack, role, args);
    }
}
