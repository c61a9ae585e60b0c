package io.freightline.gitwriter.steps.fail;

import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailStepTest {
    @TempDir
    Path dir;

    @Test
    void failsTerminallyWithTheMessage() throws Exception {
        try (StepFixture f = new StepFixture(dir, Map.of("a.txt", "a"), new FailStep())) {
            assertThatThrownBy(() -> f.run("fail", Map.of("message", "Expected chart name foo")))
                    .isInstanceOf(StepException.class).hasMessage("Expected chart name foo")
                    .satisfies(e -> assertThat(((StepException) e).retryable()).isFalse());
            assertThatThrownBy(() -> f.run("fail", Map.of())).hasMessage("failed by a fail step");
        }
    }
}
