package io.freightline.reliability;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Every state-changing operation of the engine's OpenAPI document refuses callers without a token (401) and
 * callers without the right role or project (403); no secret shows up in logs, events, metrics, API answers or
 * commits of a run that went through dev, staging and prod.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecurityIT {
    static Harness harness;
    static SecurityChecks checks;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        harness = Harness.start(tmp.resolve("demo"), true);
        checks = new SecurityChecks(harness);
        checks.exercise();
    }

    @AfterAll
    static void stop() {
        if (checks != null) {
            ReportAssertions.keep(checks.report(), "security");
        }
        if (harness != null) {
            harness.keepLogs(Path.of("target/reliability-logs/security"));
            harness.close();
        }
    }

    @Test
    @Order(1)
    void everyStateChangingOperationNeedsTheRightTokenRoleAndProject() {
        int before = checks.report().violations().size();
        checks.authorization();
        ReportAssertions.noNewViolations(checks.report(), before, "authorization");
    }

    @Test
    @Order(2)
    void noSecretInLogsEventsMetricsAnswersOrCommits() {
        int before = checks.report().violations().size();
        checks.secrets();
        ReportAssertions.noNewViolations(checks.report(), before, "secrets");
    }
}
