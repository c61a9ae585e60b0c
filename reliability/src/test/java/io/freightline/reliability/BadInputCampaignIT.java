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
 * The bad-input campaign, short: a few hundred webhook deliveries per endpoint, poison on every input topic,
 * invalid manifests and hostile repository content, against the full stack.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BadInputCampaignIT {
    static Harness harness;
    static BadInputCampaign campaign;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        harness = Harness.start(tmp.resolve("demo"), true);
        campaign = new BadInputCampaign(harness, BadInputCampaign.Options.ci());
        campaign.settleFirstPromotion();
    }

    @AfterAll
    static void stop() {
        if (campaign != null) {
            ReportAssertions.keep(campaign.report(), "bad-input");
        }
        if (harness != null) {
            harness.keepLogs(Path.of("target/reliability-logs/bad-input"));
            harness.close();
        }
    }

    @Test
    @Order(1)
    void webhookGarbageIsRefusedEmitsNothingAndLeavesTheWatcherHealthy() throws Exception {
        int before = campaign.report().violations().size();
        campaign.webhooks();
        ReportAssertions.noNewViolations(campaign.report(), before, "webhooks");
    }

    @Test
    @Order(2)
    void invalidManifestsAreRejectedNamingTheFieldAndChangeNothing() {
        int before = campaign.report().violations().size();
        campaign.manifests();
        ReportAssertions.noNewViolations(campaign.report(), before, "manifests");
    }

    @Test
    @Order(3)
    void poisonOnEveryInputTopicIsDeadLetteredAndThePartitionKeepsFlowing() {
        int before = campaign.report().violations().size();
        campaign.poison();
        ReportAssertions.noNewViolations(campaign.report(), before, "poison");
    }

    @Test
    @Order(4)
    void hostileRepositoryContentIsRefusedAndTheRepositoryIsUntouched() throws Exception {
        int before = campaign.report().violations().size();
        campaign.repositoryContent();
        ReportAssertions.noNewViolations(campaign.report(), before, "repository content");
    }
}
