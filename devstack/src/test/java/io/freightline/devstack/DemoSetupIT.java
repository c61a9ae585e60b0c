package io.freightline.devstack;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * (A plain test, run by failsafe with the module's other tests; no services.) How {@code ./freightline demo} reads
 * {@code --pipeline}, the Kargo-dialect pipeline it writes for the engine, and the demo repository's layout for it
 * rendered with real kustomize.
 */
class DemoSetupIT {

    @Test
    void pipelineOptionDefaultsToTheFreightlinePipeline() {
        assertEquals("freightline", Demo.pipeline(new String[0]));
        assertEquals("kargo", Demo.pipeline(new String[]{"--pipeline", "kargo"}));
        assertEquals("kargo", Demo.pipeline(new String[]{"--pipeline=kargo"}));
        assertEquals("freightline", Demo.pipeline(new String[]{"--pipeline", "freightline"}));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Demo.pipeline(new String[]{"--pipeline", "argo"}));
        assertTrue(bad.getMessage().contains("'argo'"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Demo.pipeline(new String[]{"--pipeline"}));
        assertThrows(IllegalArgumentException.class, () -> Demo.pipeline(new String[]{"--stages", "3"}));
    }

    @Test
    void kargoPipelineIsKargosDialectWithTheRepositoryFilledIn(@TempDir Path tmp) throws Exception {
        String url = "file:///tmp/demo/gitops.git";
        DevStack.writePipeline(tmp.resolve("plain"), DevStack.KARGO_PIPELINE, url, false);
        String plain = Files.readString(tmp.resolve("plain/pipeline.yaml"));
        List<String> apiVersions = plain.lines().filter(l -> l.startsWith("apiVersion:")).toList();
        assertEquals(6, apiVersions.size(), "Project, Warehouse, PromotionTask, three Stages");
        assertEquals(List.of("apiVersion: kargo.akuity.io/v1alpha1"), apiVersions.stream().distinct().toList());
        assertEquals(List.of("Project", "Warehouse", "PromotionTask", "Stage", "Stage", "Stage"),
                plain.lines().filter(l -> l.startsWith("kind:")).map(l -> l.substring(5).trim()).toList());
        assertTrue(plain.contains("value: \"" + url + "\""), plain);
        assertFalse(plain.contains("@REPO_URL@"), plain);
        assertFalse(plain.contains("argocd-update"), "no Argo CD server: no argocd-update step");
        assertTrue(plain.contains("path: ./src/stages/${{ ctx.stage }}"), plain);

        DevStack.writePipeline(tmp.resolve("argocd"), DevStack.KARGO_PIPELINE, url, true);
        String argocd = Files.readString(tmp.resolve("argocd/pipeline.yaml"));
        assertTrue(argocd.contains("\n  - uses: argocd-update\n    config:\n      apps:\n      - name: kargo-demo-${{ ctx.stage }}\n"), argocd);
        assertFalse(argocd.lines().anyMatch(l -> l.startsWith("#ARGOCD")), argocd);

        DevStack.writePipeline(tmp.resolve("default"), DevStack.FREIGHTLINE_PIPELINE, url, false);
        assertTrue(Files.readString(tmp.resolve("default/pipeline.yaml")).contains("apiVersion: freightline.io/v1alpha1"));
        assertThrows(IllegalArgumentException.class, () -> DevStack.Settings.forTest(tmp, tmp).withPipeline("kargo2"));
    }

    @Test
    void demoRepositoryRendersEachKargoStageAndGainsTheLayoutWhenSeededBefore(@TempDir Path tmp) throws Exception {
        Path bare = tmp.resolve("gitops.git");
        DemoRepository.ensure(bare);
        Path work = tmp.resolve("work");
        try (Git git = Git.cloneRepository().setURI(DemoRepository.url(bare)).setDirectory(work.toFile()).call()) {
            for (String stage : List.of("test", "uat", "prod")) {
                String out = kustomize(work.resolve("stages/" + stage));
                assertTrue(out.contains("namespace: kargo-demo-" + stage), out);
                assertTrue(out.contains("image: 127.0.0.1:5000/demo/app:0.1.0"), out);
            }
            // a repository seeded before the stages/ layout existed
            git.rm().addFilepattern("stages").call();
            git.commit().setMessage("without stages/").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
            git.push().call();
        }
        DemoRepository.ensure(bare);
        DemoRepository.ensure(bare);
        try (Git git = Git.open(bare.toFile())) {
            List<String> messages = new java.util.ArrayList<>();
            git.log().call().forEach(c -> messages.add(c.getShortMessage()));
            assertEquals(3, messages.size(), messages.toString());
            assertTrue(messages.get(0).startsWith("Add stages/test/kustomization.yaml, stages/uat/kustomization.yaml"), messages.toString());
        }
        try (Git git = Git.open(work.toFile())) {
            git.pull().call();
            assertTrue(Files.isRegularFile(work.resolve("stages/prod/kustomization.yaml")));
        }
    }

    static String kustomize(Path dir) throws Exception {
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
