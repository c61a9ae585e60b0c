package io.freightline.gitwriter.steps.yamlparse;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class YamlParseStepTest {
    @TempDir
    Path dir;

    static final String VALUES = """
            image:
              tag: "v1.2.3"
            ingress:
              hosts: [a.example.com, b.example.com]
            "dotted.key": {enabled: true}
            replicas: 3
            """;

    @Test
    void expressionsReadTheDocumentIntoOutputs() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("src/values.yaml", VALUES), new YamlParseStep())) {
            var ran = f.run("yaml-parse", Map.of("path", "src/values.yaml", "outputs", List.of(
                    Map.of("name", "imageTag", "fromExpression", "image.tag"),
                    Map.of("name", "secondHost", "fromExpression", "ingress.hosts[1]"),
                    Map.of("name", "scaled", "fromExpression", "replicas > 2 && image.tag == 'v1.2.3'"))));
            assertThat(ran.outputs()).containsEntry("imageTag", "v1.2.3").containsEntry("secondHost", "b.example.com")
                    .containsEntry("scaled", true);
        }
    }

    @Test
    void anUnknownKeyNamesTheOutputAndTheExpression() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("v.yaml", VALUES, "bad.yaml", "a: [1\n"), new YamlParseStep())) {
            assertThatThrownBy(() -> f.run("yaml-parse", Map.of("path", "v.yaml", "outputs", List.of(
                    Map.of("name", "x", "fromExpression", "image.tag"),
                    Map.of("name", "y", "fromExpression", "chart.version")))))
                    .hasMessageContaining("outputs[1].fromExpression").hasMessageContaining("'chart.version'");
            assertThatThrownBy(() -> f.run("yaml-parse", Map.of("path", "bad.yaml", "outputs", List.of(
                    Map.of("name", "x", "fromExpression", "a")))))
                    .hasMessageContaining("bad.yaml: is not valid YAML");
        }
    }
}
