package io.freightline.gitwriter.steps.helmtemplate;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * helm-template with the real helm binary (skipped where helm is not on the PATH) and the terminal error that
 * names the missing tool (always runs).
 */
class HelmTemplateStepTest {
    @TempDir
    Path dir;

    static final Map<String, String> CHART = Map.of(
            "charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n",
            "charts/app/values.yaml", "image:\n  tag: 1.0.0\nreplicas: 1\n",
            "charts/app/templates/deploy.yaml", """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: {{ .Release.Name }}
                    spec:
                      replicas: {{ .Values.replicas }}
                      template:
                        spec:
                          containers:
                          - name: app
                            image: "app:{{ .Values.image.tag }}"
                    """,
            "stages/prod/values.yaml", "replicas: 3\n");

    static boolean helmOnPath() {
        return Stream.of(System.getenv("PATH").split(java.io.File.pathSeparator)).anyMatch(p -> Files.isExecutable(Path.of(p, "helm")));
    }

    @Test
    void withoutHelmTheStepFailsNamingTheMissingTool() throws Exception {
        try (StepFixture f = new StepFixture(dir, CHART, new HelmTemplateStep("helm-not-installed-here"))) {
            assertThatThrownBy(() -> f.run("helm-template", Map.of("path", "charts/app", "outPath", "out/app.yaml",
                    "releaseName", "prod")))
                    .hasMessageContaining("helm-template needs the helm binary on the PATH");
            assertThat(f.workspace.files("out")).isEmpty();
            assertThatThrownBy(() -> f.run("helm-template", Map.of("path", "stages", "outPath", "out", "releaseName", "prod")))
                    .hasMessageContaining("no Chart.yaml in stages");
        }
    }

    @Test
    @EnabledIf("helmOnPath")
    void rendersWithValuesFilesAndSetValuesIntoHelmsLayout() throws Exception {
        try (StepFixture f = new StepFixture(dir, CHART, new HelmTemplateStep())) {
            f.run("helm-template", Map.of("path", "charts/app", "outPath", "out", "releaseName", "prod",
                    "valuesFiles", List.of("stages/prod/values.yaml", "stages/prod/missing.yaml"),
                    "ignoreMissingValueFiles", true,
                    "setValues", List.of(Map.of("key", "image.tag", "value", "1.2.3"))));
            String deploy = f.text("out/app/templates/deploy.yaml");
            assertThat(deploy).contains("name: prod").contains("replicas: 3").contains("image: \"app:1.2.3\"");
            f.run("helm-template", Map.of("path", "charts/app", "outPath", "flat", "releaseName", "prod", "outLayout", "flat"));
            assertThat(f.workspace.files("flat")).containsExactly("flat/deploy.yaml");
            f.run("helm-template", Map.of("path", "charts/app", "outPath", "all.yaml", "releaseName", "prod"));
            assertThat(f.text("all.yaml")).contains("kind: Deployment");
        }
    }
}
