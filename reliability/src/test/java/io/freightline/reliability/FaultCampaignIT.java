package io.freightline.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The fault campaign, short: 15 artifacts through dev → staging → prod while every service is killed with SIGKILL,
 * the broker restarts, the Git remote is cut, others push to main and Argo CD fails; then nothing lost, nothing
 * duplicated, nothing stuck, every stage on the newest freight. {@code FaultCampaign.Options.ciWithEngines()} adds
 * two engines, the owner killed and frozen, a broker restart mid-rebalance and a power cut (the full campaign has them).
 */
class FaultCampaignIT {

    @Test
    @Timeout(value = 9, unit = TimeUnit.MINUTES)
    void everyPromotionLandsExactlyOnceWhateverFails(@TempDir Path tmp) throws Exception {
        Report r;
        FaultCampaign.Options options = FaultCampaign.Options.ci();
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
