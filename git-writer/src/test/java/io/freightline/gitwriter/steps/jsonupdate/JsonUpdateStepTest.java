package io.freightline.gitwriter.steps.jsonupdate;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonUpdateStepTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            {
                "name":   "app",
                "image": {"repository": "ghcr.io/acme/app", "tag": "1.0.0"},
                "labels": {
                  "example.com/version": "1.0.0"
                },
                "containers": [
                  { "name": "app", "image": "app:1.0.0", "port": 8080 }
                ],
                "replicas": 2
            }""";

    @Test
    void setsValuesInPlaceKeepingEveryOtherCharacter() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("cfg/app.json", CONFIG), new JsonUpdateStep())) {
            var ran = f.run("json-update", Map.of("path", "cfg/app.json", "updates", List.of(
                    Map.of("key", "image.tag", "value", "1.2.3"),
                    Map.of("key", "labels.example\\.com/version", "value", "1.2.3"),
                    Map.of("key", "containers.0.image", "value", "app:1.2.3"),
                    Map.of("key", "replicas", "value", 3))));
            assertThat(f.text("cfg/app.json")).isEqualTo(CONFIG
                    .replace("\"tag\": \"1.0.0\"", "\"tag\": \"1.2.3\"")
                    .replace("\"example.com/version\": \"1.0.0\"", "\"example.com/version\": \"1.2.3\"")
                    .replace("app:1.0.0", "app:1.2.3")
                    .replace("\"replicas\": 2", "\"replicas\": 3"));
            assertThat((String) ran.outputs().get("commitMessage")).startsWith("Updated cfg/app.json")
                    .contains("image.tag: 1.2.3");
        }
    }

    @Test
    void addsAMissingMemberIndentedLikeItsSiblings() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("a.json", "{\n  \"a\": 1\n}\n"), new JsonUpdateStep())) {
            f.run("json-update", Map.of("path", "a.json", "updates", List.of(
                    Map.of("key", "b.c", "value", true))));
            assertThat(f.text("a.json")).isEqualTo("{\n  \"a\": 1,\n  \"b\": {\"c\": true}\n}\n");
        }
    }

    @Test
    void badInputIsATerminalErrorAndTheFileIsUntouched() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("a.json", CONFIG, "broken.json", "{\"a\": [1, }"), new JsonUpdateStep())) {
            assertThatThrownBy(() -> f.run("json-update", Map.of("path", "a.json", "updates", List.of(
                    Map.of("key", "name.first", "value", "x")))))
                    .hasMessageContaining("a.json").hasMessageContaining("name is a string, not an object");
            assertThatThrownBy(() -> f.run("json-update", Map.of("path", "a.json", "updates", List.of(
                    Map.of("key", "containers.5.image", "value", "x")))))
                    .hasMessageContaining("containers has 1 entries: no index 5");
            assertThatThrownBy(() -> f.run("json-update", Map.of("path", "broken.json", "updates", List.of(
                    Map.of("key", "a", "value", "x")))))
                    .hasMessageContaining("broken.json: is not valid JSON");
            assertThatThrownBy(() -> f.run("json-update", Map.of("path", "../x.json", "updates", List.of(
                    Map.of("key", "a", "value", "x")))))
                    .hasMessageContaining("leads outside the repository");
            assertThatThrownBy(() -> f.run("json-update", Map.of("path", "a.json", "updates", List.of())))
                    .hasMessageContaining("invalid config of step json-update");
            assertThat(f.text("a.json")).isEqualTo(CONFIG);
        }
    }
}
