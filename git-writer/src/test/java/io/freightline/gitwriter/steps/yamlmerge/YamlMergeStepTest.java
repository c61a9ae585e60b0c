package io.freightline.gitwriter.steps.yamlmerge;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class YamlMergeStepTest {
    @TempDir
    Path dir;

    @Test
    void mergesInOrderAsKargoDocuments() throws Exception {
        Map<String, String> files = Map.of(
                "charts/my-chart/values.yaml", "service:\n  enabled: false\nreplicas: 1\nports: [80, 443]\ndebug: true\n",
                "charts/qa/values.yaml", "service:\n  enabled: true\nports: [8080]\n",
                "charts/qa/cluster-a/values.yaml", "service:\n  type: LoadBalancer\ndebug: null\n");
        try (StepFixture f = new StepFixture(dir, files, new YamlMergeStep())) {
            var ran = f.run("yaml-merge", Map.of("inFiles", List.of("charts/my-chart/values.yaml",
                    "charts/qa/values.yaml", "charts/qa/cluster-a/values.yaml", "charts/missing.yaml"),
                    "outFile", "out/values.yaml", "ignoreMissingFiles", true));
            assertThat(f.text("out/values.yaml")).isEqualTo("""
                    service:
                      enabled: true
                      type: LoadBalancer
                    replicas: 1
                    ports:
                    - 8080
                    """);
            assertThat((String) ran.outputs().get("commitMessage")).contains("into out/values.yaml");
            assertThatThrownBy(() -> f.run("yaml-merge", Map.of("inFiles", List.of("charts/missing.yaml"),
                    "outFile", "out/other.yaml")))
                    .hasMessageContaining("charts/missing.yaml: no such file");
            assertThat(f.workspace.isFile("out/other.yaml")).isFalse();
        }
    }
}
