package io.freightline.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.freightline.devstack.CliRun.Result;
import io.freightline.devstack.cli.Cli;
import io.freightline.events.EventCodec;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline web view and the CLI against the real stack (four services as processes, a real broker and Git
 * repository) in a real headless Chromium: the demo pipeline renders, a promotion clicked in the page lands as a
 * commit for prod and the page shows it; the CLI shows the same stages, promotes, and explains a 403.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineViewIT {
    static final Path CHROMIUM = Path.of(System.getProperty("freightline.it.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("freightline.it.chromedriver", "/usr/bin/chromedriver"));
    static final Duration PROMOTION = Duration.ofSeconds(180);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static DevStack stack;
    static GitOpsRepo repo;
    static WebDriver browser;
    static String first;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "PipelineViewIT needs Debian's headless Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                        + ": apt-get install -y chromium chromium-driver (or set -Dfreightline.it.chromium / -Dfreightline.it.chromedriver)");
        stack = DevStack.start(DevStack.Settings.forTest(Path.of("..").toAbsolutePath().normalize(), tmp.resolve("demo")));
        repo = new GitOpsRepo(stack.repository());
        browser = chromium(tmp.resolve("chromium-profile"));
    }

    /** Chromium from the system packages: an explicit driver and binary, so Selenium Manager never downloads. */
    static WebDriver chromium(Path profile) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,1000", "--user-data-dir=" + profile);
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void theCliShowsTheStagesAndExplainsAForbiddenCommand() throws Exception {
        assertEquals(202, push("1.0.0").statusCode());
        await().atMost(PROMOTION).until(() -> repo.promotionsOf("staging").size() == 1);
        first = await().atMost(Duration.ofSeconds(60)).until(() -> verifiedAlias("staging"), a -> a != null);

        Result stages = cli("viewer", "get", "stages");
        assertEquals(0, stages.code(), stages.err());
        List<String> lines = stages.out().lines().toList();
        assertTrue(lines.get(0).matches("NAME\\s+FREIGHT\\s+ARTIFACTS\\s+VERIFIED\\s+HEALTH\\s+STATUS\\s+AUTO\\s+QUEUE"), lines.get(0));
        assertTrue(row(lines, "dev").contains(first) && row(lines, "dev").contains("127.0.0.1:5000/demo/app:1.0.0"), stages.out());
        assertTrue(row(lines, "staging").contains(first), stages.out());
        assertTrue(row(lines, "prod").matches("prod\\s+-\\s+-\\s+-.*"), stages.out());

        Result freight = cli("viewer", "get", "freight");
        assertEquals(0, freight.code(), freight.err());
        assertTrue(row(freight.out().lines().toList(), first).contains("dev,staging"), freight.out());

        Result json = cli("viewer", "get", "stages", "staging", "-o", "json");
        assertEquals(first, EventCodec.parse(json.out()).path("currentFreight").path(0).path("alias").asText(), json.out());

        Result forbidden = cli("viewer", "promote", "--stage", "prod", "--freight", first);
        assertEquals(1, forbidden.code());
        assertTrue(forbidden.err().startsWith("error 403 Forbidden: role promoter required in project demo"), forbidden.err());
        assertTrue(forbidden.err().contains("this token's role does not allow it"), forbidden.err());
        assertTrue(!forbidden.err().contains(stack.tokens().get("viewer")), "the token is never printed");

        Result missing = cli("viewer", "get", "stages", "ghost");
        assertEquals(1, missing.code());
        assertEquals("error 404 Not Found: stage 'ghost' not found", missing.err().strip());
        assertTrue(repo.promotionsOf("prod").isEmpty());
    }

    @Test
    @Order(2)
    void thePageDrawsThePipelineAndAPromotionClickedThereLandsAsACommit() throws Exception {
        browser.get(stack.url(DevStack.ENGINE) + "/");
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("token")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(stack.tokens().get("admin"));
        browser.findElement(By.id("sign-in")).click();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertEquals(List.of("dev", "staging", "prod"), browser.findElements(By.cssSelector(".node.stage")).stream()
                    .map(e -> e.getAttribute("data-stage")).toList());
            assertEquals(first, alias("dev"));
            assertEquals(first, alias("staging"));
            assertEquals("no freight yet", alias("prod"));
            assertEquals(3, browser.findElements(By.cssSelector("#edges path")).size(), "warehouse→dev, dev→staging, staging→prod");
        });
        assertTrue(browser.findElement(By.id("whoami")).getText().startsWith("admin#"));
        assertTrue(!browser.getCurrentUrl().contains(stack.tokens().get("admin")), "the token never goes into a URL");
        screenshot("pipeline-view-before.png");

        // promote the freight verified in staging to prod through the dialog
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            if (!browser.findElement(By.id("promote-dialog")).isDisplayed()) {
                browser.findElement(By.cssSelector("button[data-action=promote][data-stage=prod]")).click();
            }
            assertTrue(browser.findElement(By.id("promote-dialog")).isDisplayed());
        });
        WebElement choice = browser.findElement(By.cssSelector("#promote-choices input[data-alias='" + first + "']"));
        assertTrue(choice.isSelected(), "the freight verified in staging is preselected");
        browser.findElement(By.id("promote-reason")).sendKeys("release from the pipeline view");
        screenshot("pipeline-view-promote-dialog.png");
        browser.findElement(By.id("promote-submit")).click();

        await().atMost(PROMOTION).until(() -> repo.promotionsOf("prod").size() == 1);
        RevCommit prod = repo.promotionsOf("prod").get(0);
        assertEquals(GitOpsRepo.trailer(repo.promotionsOf("staging").get(0), "Freightline-Freight"),
                GitOpsRepo.trailer(prod, "Freightline-Freight"));
        assertTrue(repo.read("envs/prod/kustomization.yaml").contains("newTag: \"1.0.0\""));

        // the page updates on its own: prod shows the freight and its promotion
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertEquals(first, alias("prod"));
            assertTrue(browser.findElement(By.cssSelector(".node[data-stage=prod] .history")).getText().contains(first));
            assertTrue(browser.findElement(By.id("audit")).getText().contains("release from the pipeline view"));
        });
        screenshot("pipeline-view.png");
    }

    @Test
    @Order(3)
    void theCliPromotesNewerFreightAndThePageFollowsWithoutAReload() throws Exception {
        assertEquals(202, push("1.1.0").statusCode());
        await().atMost(PROMOTION).until(() -> repo.promotionsOf("staging").size() == 2);
        String second = await().atMost(Duration.ofSeconds(60)).until(() -> verifiedAlias("staging"), a -> a != null && !a.equals(first));

        Result promote = cli("promoter", "promote", "--stage", "prod", "--freight", second, "--reason", "from the CLI");
        assertEquals(0, promote.code(), promote.err());
        assertTrue(promote.out().matches("(?s)promotion manual-[0-9a-f]+ \\(manual\\): " + second + " -> prod, \\w+.*"), promote.out());

        await().atMost(PROMOTION).until(() -> repo.promotionsOf("prod").size() == 2);
        assertTrue(repo.read("envs/prod/kustomization.yaml").contains("newTag: \"1.1.0\""));

        Result promotions = cli("viewer", "get", "promotions", "--stage", "prod");
        assertEquals(0, promotions.code(), promotions.err());
        assertTrue(promotions.out().lines().skip(1).allMatch(l -> l.contains(" prod ")), promotions.out());
        assertTrue(promotions.out().contains(second) && promotions.out().contains(first), promotions.out());

        // one promotion with each step the git-writer ran: alias, uses, status, duration
        String promotionId = promote.out().replaceFirst("(?s)promotion (manual-[0-9a-f]+) .*", "$1");
        Result one = await().atMost(Duration.ofSeconds(60)).until(() -> cli("viewer", "get", "promotion", promotionId),
                r -> r.out().contains("STEP  "));
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains(promotionId), one.out());
        assertTrue(one.out().lines().anyMatch(l -> l.contains("kustomize-set-image") && l.matches(".*(SUCCEEDED|Succeeded).*\\d+(ms|\\.\\ds).*")),
                one.out());

        Result audit = cli("viewer", "get", "audit", "--limit", "50");
        assertEquals(0, audit.code(), audit.err());
        assertTrue(audit.out().contains("from the CLI"), audit.out());

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertEquals(second, alias("prod"));
            assertEquals(second, alias("staging"));
        });
        screenshot("pipeline-view-after-cli.png");
    }

    @Test
    @Order(4)
    void everyOtherCliCommandWorksAgainstTheRealApi(@TempDir Path tmp) throws Exception {
        Result projects = cli("viewer", "get", "projects");
        assertEquals(0, projects.code(), projects.err());
        assertTrue(row(projects.out().lines().toList(), "demo").contains("dev,staging,prod"), projects.out());
        Result warehouses = cli("viewer", "get", "warehouses");
        assertTrue(row(warehouses.out().lines().toList(), "app").contains("image 127.0.0.1:5000/demo/app >=0.1.0"), warehouses.out());

        // pause: a promotion into the paused stage is a readable 409; resume lets it through again
        assertEquals(0, cli("admin", "pause", "--stage", "prod", "--reason", "freeze").code());
        assertTrue(row(cli("viewer", "get", "stages").out().lines().toList(), "prod").contains("Paused"));
        Result paused = cli("promoter", "promote", "--stage", "prod", "--freight", first);
        assertEquals(1, paused.code());
        assertTrue(paused.err().startsWith("error 409 Conflict: "), paused.err());
        Result resumeByPromoter = cli("promoter", "resume", "--stage", "prod");
        assertTrue(resumeByPromoter.err().startsWith("error 403 Forbidden: role admin required"), resumeByPromoter.err());
        assertEquals(0, cli("admin", "resume", "--stage", "prod").code());

        Result approve = cli("promoter", "approve", "--stage", "prod", "--freight", first);
        assertEquals(0, approve.code(), approve.err());
        JsonNode approved = EventCodec.parse(cli("viewer", "get", "freight", first, "-o", "json").out());
        assertTrue(approved.path("approvedFor").has("prod"), approved.toString());

        // rollback puts prod back on the freight verified before, as a commit
        Result rollback = cli("promoter", "rollback", "--stage", "prod", "--reason", "bad release");
        assertEquals(0, rollback.code(), rollback.err());
        assertTrue(rollback.out().contains(" -> prod"), rollback.out());
        await().atMost(PROMOTION).until(() -> repo.promotionsOf("prod").size() == 3);
        assertTrue(repo.read("envs/prod/kustomization.yaml").contains("newTag: \"1.0.0\""));
        assertTrue(row(cli("viewer", "get", "stages").out().lines().toList(), "prod").contains("Hold"));
        assertEquals(0, cli("promoter", "clear-hold", "--stage", "prod").code());

        // aborting a finished promotion is a readable conflict
        JsonNode prodPromotions = EventCodec.parse(cli("viewer", "get", "promotions", "--stage", "prod", "-o", "json").out());
        JsonNode oldest = prodPromotions.path(prodPromotions.size() - 1);
        assertEquals("Succeeded", oldest.path("state").asText(), oldest.toString());
        String finished = oldest.path("id").asText();
        Result abort = cli("promoter", "abort", "--promotion", finished);
        assertEquals(1, abort.code());
        assertTrue(abort.err().startsWith("error 409 Conflict: "), abort.err());

        Result refresh = cli("admin", "refresh", "--warehouse", "app");
        assertEquals(0, refresh.code(), refresh.err());

        // apply: the demo's own manifests again, and a folder with an error that names its file
        Result apply = cli("admin", "apply", "-f", stack.settings().home().resolve("pipeline").toString());
        assertEquals(0, apply.code(), apply.err());
        assertTrue(apply.out().startsWith("applied 1 file (5 documents)"), apply.out());
        Files.writeString(tmp.resolve("a-project.yaml"), "apiVersion: freightline.io/v1alpha1\nkind: Project\nmetadata:\n  name: cli\n");
        Files.writeString(tmp.resolve("b-stage.yaml"), """
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Warehouse
                metadata: {name: w, namespace: cli}
                spec: {subscriptions: [{image: {repoURL: 127.0.0.1:5000/cli/app}}]}
                ---
                apiVersion: freightline.io/v1alpha1
                kind: Stage
                metadata: {name: s, namespace: cli}
                spec:
                  requestedFreight: [{origin: {kind: Warehouse, name: ghost}, sources: {direct: true}}]
                """);
        Result invalid = cli("admin", "apply", "-f", tmp.toString());
        assertEquals(1, invalid.code());
        assertTrue(invalid.err().startsWith("error 400 Bad Request: "), invalid.err());
        assertTrue(invalid.err().contains("\n  b-stage.yaml #2 Stage cli/s: "), invalid.err());
        assertEquals(1, cli("viewer", "get", "stages", "--project", "cli").code(), "an invalid folder applies nothing");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("FREIGHTLINE_SERVER", stack.url(DevStack.ENGINE)))
                .run(new String[]{"get", "stages"});
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error 401 Unauthorized: bearer token required\n  pass --token"),
                err.toString(StandardCharsets.UTF_8));

        // stop the line: the whole project paused, then resumed
        assertEquals(0, cli("admin", "pause", "--all", "--reason", "incident").code());
        assertTrue(row(cli("viewer", "get", "projects").out().lines().toList(), "demo").contains("admin"));
        Result stopped = cli("promoter", "promote", "--stage", "prod", "--freight", first);
        assertEquals(1, stopped.code());
        assertTrue(stopped.err().startsWith("error 409 Conflict: project 'demo' is paused"), stopped.err());
        assertEquals(0, cli("admin", "resume", "--all").code());

        // every freight verified in staging, promoted into prod at once (prod is back on the first after the rollback)
        await().atMost(PROMOTION).until(() -> first.equals(verifiedAlias("prod")));
        String second = verifiedAlias("staging");
        Result all = cli("promoter", "promote", "--source-stage", "staging", "--stage", "prod", "--all");
        assertEquals(0, all.code(), all.err());
        assertTrue(all.out().contains(second + " -> prod"), all.out());

        // freight made by hand
        Result created = cli("admin", "create", "freight", "--warehouse", "app", "--image", "127.0.0.1:5000/demo/app:9.9.9");
        assertEquals(0, created.code(), created.err());
        assertTrue(created.out().contains(" created"), created.out());
        JsonNode freight = EventCodec.parse(cli("viewer", "get", "freight", "-o", "json").out());
        assertEquals("9.9.9", freight.path(0).path("artifacts").path(0).path("tag").asText(), freight.toString());
    }

    // ------------------------------------------------------------------ helpers

    static String alias(String stage) {
        return browser.findElement(By.cssSelector(".node[data-stage=" + stage + "] .freight-alias")).getText();
    }

    static void screenshot(String name) throws IOException {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.write(target, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** The alias of the freight verified in a stage, through the CLI's JSON output. */
    static String verifiedAlias(String stage) {
        Result r = cli("viewer", "get", "stages", stage, "-o", "json");
        if (r.code() != 0) {
            return null;
        }
        JsonNode verified = EventCodec.parse(r.out()).path("lastVerifiedFreight").path(0);
        return verified.hasNonNull("alias") ? verified.get("alias").asText() : null;
    }

    /** A table row that starts with the given first cell. */
    static String row(List<String> lines, String first) {
        return lines.stream().filter(l -> l.startsWith(first + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + first + " in\n" + String.join("\n", lines)));
    }

    /** Runs the CLI in-process against the stack's engine with the given role's token. */
    static Result cli(String role, String... args) {
        return CliRun.cli(stack, role, args);
    }

    static HttpResponse<String> push(String tag) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url(DevStack.WATCHER) + "/webhooks/distribution"))
                .header("Authorization", "Bearer " + stack.webhookSecret())
                .header("Content-Type", RegistryPush.MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(RegistryPush.envelope("127.0.0.1:5000", "demo/app", tag)))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
