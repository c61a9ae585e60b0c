package io.freightline.gitwriter.steps.tomlupdate;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TomlUpdateStepTest {
    @TempDir
    Path dir;

    static final String SETTINGS = """
            # deployment settings
            title = "app"   # shown in the UI

            [image]
            repository = 'ghcr.io/acme/app'
            tag     = "1.0.0"  # promoted by Freightline

            [labels]
            "example.com/version" = "1.0.0"

            [server]
            ports = [ 8080, 8081,
                      8082 ]
            inline = { replicas = 2, debug = false }
            note = \"\"\"
            tag = "not this one"
            \"\"\"

            [[products]]
            name = "a"

            [[products]]
            name = "b"
            """.replace("\n", "\r\n");

    @Test
    void setsExistingScalarsInPlaceKeepingCommentsSpacingAndLineEndings() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("settings.toml", SETTINGS), new TomlUpdateStep())) {
            var ran = f.run("toml-update", Map.of("path", "settings.toml", "updates", List.of(
                    Map.of("key", "image.tag", "value", "1.2.3"),
                    Map.of("key", "image.repository", "value", "ghcr.io/acme/app2"),
                    Map.of("key", "labels.example\\.com/version", "value", "1.2.3"),
                    Map.of("key", "server.ports.1", "value", 9091),
                    Map.of("key", "server.inline.replicas", "value", 3),
                    Map.of("key", "server.inline.debug", "value", true),
                    Map.of("key", "products.1.name", "value", "b\"2"))));
            assertThat(f.text("settings.toml")).isEqualTo(SETTINGS
                    .replace("tag     = \"1.0.0\"", "tag     = \"1.2.3\"")
                    .replace("'ghcr.io/acme/app'", "'ghcr.io/acme/app2'")
                    .replace("\"example.com/version\" = \"1.0.0\"", "\"example.com/version\" = \"1.2.3\"")
                    .replace("8081,", "9091,")
                    .replace("{ replicas = 2, debug = false }", "{ replicas = 3, debug = true }")
                    .replace("name = \"b\"", "name = \"b\\\"2\""));
            assertThat((String) ran.outputs().get("commitMessage")).contains("image.tag: 1.2.3");
        }
    }

    @Test
    void missingKeysTablesAndBrokenFilesAreRefused() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("s.toml", SETTINGS, "bad.toml", "a = = 1\n"), new TomlUpdateStep())) {
            assertThatThrownBy(() -> f.run("toml-update", Map.of("path", "s.toml", "updates", List.of(
                    Map.of("key", "image.digest", "value", "x")))))
                    .hasMessageContaining("s.toml: has no key image.digest");
            assertThatThrownBy(() -> f.run("toml-update", Map.of("path", "s.toml", "updates", List.of(
                    Map.of("key", "image", "value", "x")))))
                    .hasMessageContaining("only scalars are updated");
            assertThatThrownBy(() -> f.run("toml-update", Map.of("path", "bad.toml", "updates", List.of(
                    Map.of("key", "a", "value", "x")))))
                    .hasMessageContaining("bad.toml: is not valid TOML");
            assertThat(f.text("s.toml")).isEqualTo(SETTINGS);
        }
    }
}
