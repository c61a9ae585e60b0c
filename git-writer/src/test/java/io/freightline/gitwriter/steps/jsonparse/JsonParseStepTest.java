package io.freightline.gitwriter.steps.jsonparse;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonParseStepTest {
    @TempDir
    Path dir;

    @Test
    void expressionsReadTheDocumentIntoOutputs() throws Exception {
        String json = "{\"image\": {\"tag\": \"v1.2.3\"}, \"apps\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"n\": 2}";
        try (StepFixture f = new StepFixture(dir, Map.of("src/config.json", json, "list.json", "[1]"), new JsonParseStep())) {
            var ran = f.run("json-parse", Map.of("path", "src/config.json", "outputs", List.of(
                    Map.of("name", "imageTag", "fromExpression", "image.tag"),
                    Map.of("name", "second", "fromExpression", "apps[1].name"),
                    Map.of("name", "label", "fromExpression", "'tag-' + image.tag"),
                    Map.of("name", "next", "fromExpression", "n + 1"))));
            assertThat(ran.outputs()).containsEntry("imageTag", "v1.2.3").containsEntry("second", "b")
                    .containsEntry("label", "tag-v1.2.3").containsEntry("next", 3);
            assertThatThrownBy(() -> f.run("json-parse", Map.of("path", "list.json", "outputs", List.of(
                    Map.of("name", "x", "fromExpression", "a")))))
                    .hasMessageContaining("list.json: is not a JSON object");
            assertThatThrownBy(() -> f.run("json-parse", Map.of("path", "src/config.json", "outputs", List.of(
                    Map.of("name", "x", "fromExpression", "image.tag ==")))))
                    .hasMessageContaining("outputs[0].fromExpression: cannot evaluate 'image.tag =='");
        }
    }
}
