package io.freightline.gitwriter.steps.tomlparse;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TomlParseStepTest {
    @TempDir
    Path dir;

    @Test
    void expressionsReadTheDocumentIntoOutputs() throws Exception {
        String toml = "[image]\ntag = \"v1.2.3\"\n\n[[products]]\nname = \"a\"\n[[products]]\nname = \"b\"\n";
        try (StepFixture f = new StepFixture(dir, Map.of("src/settings.toml", toml), new TomlParseStep())) {
            var ran = f.run("toml-parse", Map.of("path", "src/settings.toml", "outputs", List.of(
                    Map.of("name", "imageTag", "fromExpression", "image.tag"),
                    Map.of("name", "second", "fromExpression", "products[1].name"))));
            assertThat(ran.outputs()).containsEntry("imageTag", "v1.2.3").containsEntry("second", "b");
        }
    }
}
