package io.freightline.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The fault campaign, short: 15 artifacts through dev → staging → prod on two promotion-engine instances while the
 * other services are killed with SIGKILL, the broker restarts, the Git remote is cut, others push to main and Argo CD
 * fails; meanwhile the engine owning the project is killed (its restart meets a broker restart mid-rebalance), the
 * new owner is frozen with SIGSTOP past its session timeout and resumed, and the whole stack loses power once. Then
 * every promotion landed exactly once, nothing is lost or stuck, the resumed zombie committed nothing, every stage is
 * on the newest freight; the summary prints each failover's time.
 */
class FaultCampaignIT {

    @Test
    @Timeout(value = 9, unit = TimeUnit.MINUTES)
    void everyPromotionLandsExactlyOnceWhateverFails(@TempDir Path tmp) throws Exception {
        Report r;
        FaultCampaign.Options options = FaultCampaign.Options.ciWithEngines();
        try (Harness h = Harness.start(tmp.resolve("demo"), true, options.engines())) {
            try {
                r = new FaultCampaign(h, options).run();
            } finally {
                h.keepLogs(Path.of("target/reliability-logs/fault"));
            }
        }
        ReportAssertions.keep(r, "fault");
        ReportAssertions.noNewViolations(r, 0, "fault campaign");
    }
}
