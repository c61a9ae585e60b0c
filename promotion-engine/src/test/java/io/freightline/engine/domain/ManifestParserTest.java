package io.freightline.engine.domain;

import io.freightline.events.ArtifactKind;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestParserTest {
    static String demo() throws Exception {
        return Files.readString(Path.of("../devstack/src/main/resources/demo/pipeline.yaml"))
                .replace("@REPO_URL@", "file:///tmp/gitops.git");
    }

    @Test
    void loadsTheDemoPipelineExactly() throws Exception {
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("pipeline.yaml", demo())), ManifestParser.EMPTY);
        assertEquals(1, m.projects().size());
        var w = m.warehouses().get(0);
        assertEquals(300, w.intervalSeconds());
        var sub = w.subscriptions().get(0);
        assertEquals(ArtifactKind.IMAGE, sub.kind());
        assertEquals("127.0.0.1:5000/demo/app", sub.repoURL());
        assertEquals(">=0.1.0", sub.constraint());
        assertEquals("webhook", sub.discovery());
        assertEquals(20, sub.discoveryLimit());
        assertEquals(List.of("dev", "staging", "prod"), m.stages().stream().map(Specs.StageSpec::name).toList());
        var dev = m.stages().get(0);
        assertTrue(dev.policy().autoPromotion());
        assertTrue(dev.requestedFreight().get(0).direct());
        assertEquals("file:///tmp/gitops.git", dev.git().repoURL());
        assertEquals("kustomize-set-image", dev.steps().get(0).uses());
        assertNull(dev.argocd());
        assertEquals(List.of("staging"), m.stages().get(2).requestedFreight().get(0).stages());
    }

    @Test
    void argocdUpdateStepBecomesTheArgoCDTarget() throws Exception {
        String text = demo().replace("#ARGOCD:dev",
                "        - uses: argocd-update\n          config: {apps: [{name: demo-dev, namespace: argocd}]}");
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("pipeline.yaml", text)), ManifestParser.EMPTY);
        var dev = m.stages().get(0);
        assertEquals(1, dev.steps().size());
        assertNotNull(dev.argocd());
        assertEquals("demo-dev", dev.argocd().apps().get(0).name());
        assertNull(m.stages().get(1).argocd());
    }

    @Test
    void unknownFieldsAreRejectedByTheirPathButLabelsAndStepConfigAreTheUsers() throws Exception {
        String typo = demo().replace("    autoPromotion: false", "    autoPromotoin: false")
                .replace("  name: app\n  namespace: demo\n", "  name: app\n  namespace: demo\n  labels:\n    team: payments\n");
        var e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(List.of(new ManifestParser.Source("pipeline.yaml", typo)), ManifestParser.EMPTY));
        assertEquals(1, e.problems().size(), e.problems().toString());
        var p = e.problems().get(0);
        assertEquals("spec.policy.autoPromotoin", p.field());
        assertEquals("unknown field", p.reason());
        assertTrue(p.document().contains("Stage demo/prod"), p.document());
    }

    @Test
    void aManifestFileThatCannotTravelAsOneCommandIsRefused() {
        String huge = "apiVersion: freightline.io/v1alpha1\nkind: Project\nmetadata:\n  name: big\n# "
                + "x".repeat(ManifestParser.MAX_FILE_CHARS) + "\n";
        var e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(List.of(new ManifestParser.Source("big.yaml", huge)), ManifestParser.EMPTY));
        assertEquals("(file)", e.problems().get(0).field());
    }

    @Test
    void problemsNameFileFieldAndReason() {
        String bad = """
                apiVersion: freightline.io/v1alpha1
                kind: Project
                metadata: {name: p}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Warehouse
                metadata: {name: w, namespace: p}
                spec:
                  interval: 5 minutes
                  subscriptions:
                    - image: {repoURL: r/app, constraint: "^^1"}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Stage
                metadata: {name: s, namespace: p}
                spec:
                  requestedFreight:
                    - origin: {kind: Warehouse, name: nope}
                      sources: {stages: [ghost], availabilityStrategy: Some}
                  policy:
                    promotionWindows: [{kind: allow, schedule: "0 25 * * *", duration: 1h, timeZone: Mars/Base}]
                """;
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(List.of(new ManifestParser.Source("bad.yaml", bad)), ManifestParser.EMPTY));
        List<String> fields = e.problems().stream().map(ManifestException.Problem::field).toList();
        assertTrue(fields.contains("spec.interval"), fields.toString());
        assertTrue(fields.contains("spec.subscriptions[0].image"), fields.toString());
        assertTrue(fields.contains("spec.requestedFreight[0].origin.name"), fields.toString());
        assertTrue(fields.contains("spec.requestedFreight[0].sources.stages"), fields.toString());
        assertTrue(fields.contains("spec.requestedFreight[0].sources.availabilityStrategy"), fields.toString());
        assertTrue(fields.contains("spec.policy.promotionWindows[0].schedule"), fields.toString());
        assertTrue(fields.contains("spec.policy.promotionWindows[0].timeZone"), fields.toString());
        assertTrue(e.problems().stream().allMatch(p -> p.file().equals("bad.yaml")));
        assertTrue(e.problems().stream().anyMatch(p -> p.document().equals("#3 Stage p/s")));
    }

    static String quickstart() throws Exception {
        return Files.readString(Path.of("src/test/resources/kargo/quickstart.yaml"))
                .replace("${GITOPS_REPO_URL}", "https://github.com/example/kargo-demo-gitops.git")
                .replace("${GITHUB_USERNAME}", "example").replace("${GITHUB_PAT}", "not-a-real-token");
    }

    @Test
    void kargosQuickstartAppliesAsWritten() throws Exception {
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("quickstart.yaml", quickstart())), ManifestParser.EMPTY);
        assertEquals(List.of("test", "uat", "prod"), m.stages().stream().map(Specs.StageSpec::name).toList());
        var test = m.stages().get(0);
        assertEquals(List.of("git-clone", "git-clear", "kustomize-set-image", "kustomize-build", "git-commit", "git-push"),
                test.steps().stream().map(Specs.StepTemplate::uses).toList());
        assertEquals(List.of("promo-process::step-0", "promo-process::step-1", "promo-process::update",
                        "promo-process::step-3", "promo-process::commit", "promo-process::step-5"),
                test.steps().stream().map(Specs.StepTemplate::as).toList());
        // the task's vars travel as leading step vars; expressions stay for the runtime
        assertEquals("public.ecr.aws/nginx/nginx", test.steps().get(2).vars().get("imageRepo"));
        assertEquals("${{ task.outputs.update.commitMessage }}", test.steps().get(4).config().get("message"));
        assertEquals("https://github.com/example/kargo-demo-gitops.git", test.git().repoURL(), "the repository of the git-clone step");
        assertEquals("kargo-demo-test", test.argocd().apps().get(0).name());
        assertEquals("kargo-demo-prod", m.stages().get(2).argocd().apps().get(0).name());
    }

    @Test
    void badTemplatesNameTheDocumentTheStepAndTheField() throws Exception {
        String text = quickstart()
                .replace("      - task:\n          name: demo-promo-process\n        as: promo-process\n---\napiVersion: kargo.akuity.io/v1alpha1\nkind: Stage\nmetadata:\n  name: uat",
                        "      - task:\n          name: no-such-task\n        as: promo-process\n---\napiVersion: kargo.akuity.io/v1alpha1\nkind: Stage\nmetadata:\n  name: uat")
                .replace("  - uses: git-clear\n", "  - uses: git-klear\n")
                .replace("        create: true\n", "        create: true\n        colour: red\n")
                .replace("path: ./src/stages/${{ ctx.stage }}", "path: ./src/stages/${{ ctx.stage + }}");
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(List.of(new ManifestParser.Source("quickstart.yaml", text)), ManifestParser.EMPTY));
        String all = e.getMessage();
        assertTrue(all.contains("PromotionTask kargo-demo/demo-promo-process: spec.steps[1].uses: unknown step 'git-klear'"), all);
        assertTrue(all.contains("spec.steps[0].config.checkout[1]: property 'colour' is not defined in the schema"), all);
        assertTrue(all.contains("spec.steps[3].config.path: expression 'ctx.stage +' does not parse"), all);
        assertTrue(all.contains("Stage kargo-demo/test: spec.promotionTemplate.spec.steps[0].task.name: PromotionTask 'no-such-task' not found"), all);
    }

    @Test
    void taskVarsWithoutDefaultMustBeGiven() throws Exception {
        String text = quickstart().replace("  - name: imageRepo\n    value: public.ecr.aws/nginx/nginx\n", "  - name: imageRepo\n");
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(List.of(new ManifestParser.Source("quickstart.yaml", text)), ManifestParser.EMPTY));
        assertTrue(e.getMessage().contains("spec.promotionTemplate.spec.steps[0].vars: variable 'imageRepo' is required by PromotionTask 'demo-promo-process'"), e.getMessage());
        String given = text.replace("        as: promo-process\n", "        as: promo-process\n        vars:\n        - name: imageRepo\n          value: public.ecr.aws/nginx/nginx\n");
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("quickstart.yaml", given)), ManifestParser.EMPTY);
        assertEquals("public.ecr.aws/nginx/nginx", m.stages().get(0).steps().get(2).vars().get("imageRepo"));
    }
}
