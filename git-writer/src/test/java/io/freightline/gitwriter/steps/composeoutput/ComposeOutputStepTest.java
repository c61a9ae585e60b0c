package io.freightline.gitwriter.steps.composeoutput;

import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ComposeOutputStepTest {
    @TempDir
    Path dir;

    @Test
    void everyConfigKeyBecomesAnOutput() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("a.txt", "a"), new ComposeOutputStep())) {
            var ran = f.run("compose-output", Map.of("url", "https://example.com/pull/7", "ids", List.of(1, 2)));
            assertThat(ran.outputs()).containsEntry("url", "https://example.com/pull/7").containsEntry("ids", List.of(1, 2));
            assertThatThrownBy(() -> f.run("compose-output", Map.of())).hasMessageContaining("invalid config of step compose-output");
        }
    }
}
