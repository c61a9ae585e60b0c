package io.freightline.engine.domain;

import io.freightline.engine.domain.Specs.Availability;
import io.freightline.engine.domain.Specs.SelectionPolicy;
import io.freightline.engine.domain.Specs.StageSpec;
import io.freightline.engine.domain.Specs.WarehouseSpec;
import io.freightline.events.ArtifactDiscovered;
import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionRequested;
import io.freightline.events.Subscription;
import io.freightline.events.VerificationCompleted;
import io.freightline.events.WarehouseUpdated;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden manifests: the Project, ProjectConfig, Warehouse, Stage, PromotionTask and ClusterPromotionTask examples of
 * Kargo's v1.12 documentation
 * (src/test/resources/kargo/docs), applied as written, and what each of them sets and does.
 */
class KargoDocsManifestsTest {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    final Engine engine = new Engine(1000, 20);

    static String read(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/kargo/docs/" + name));
    }

    static ManifestParser.Manifests parse(String file, String text) {
        return ManifestParser.parse(List.of(new ManifestParser.Source(file, text)), ManifestParser.EMPTY);
    }

    Effects apply(String file) throws Exception {
        var m = ManifestParser.parse(List.of(new ManifestParser.Source(file, read(file))), engine.catalog());
        Effects all = new Effects();
        for (String p : m.projectNames()) {
            Effects fx = engine.apply(p, m.only(p), "admin", null, now);
            all.warehouses.addAll(fx.warehouses);
            all.promotions.addAll(fx.promotions);
        }
        return all;
    }

    @Test
    void projectConfigsSelectStagesByNamePatternAndLabelsAndTheFirstMatchDecides() throws Exception {
        var m = parse("projects.yaml", read("projects.yaml"));
        Map<String, Specs.ProjectSpec> p = m.projects().stream().collect(Collectors.toMap(Specs.ProjectSpec::name, Function.identity()));
        assertEquals(List.of("example", "example-both", "example-labels", "example-patterns"), List.copyOf(new java.util.TreeSet<>(p.keySet())));
        var basic = p.get("example");
        assertTrue(basic.policyFor("test", Map.of()).autoPromotionEnabled());
        assertTrue(basic.policyFor("uat", Map.of()).autoPromotionEnabled());
        assertNull(basic.policyFor("prod", Map.of()), "no policy: Kargo's default, manual promotion");

        var patterns = p.get("example-patterns");
        assertFalse(patterns.policyFor("prod-east", Map.of()).autoPromotionEnabled());
        assertTrue(patterns.policyFor("test-eu", Map.of()).autoPromotionEnabled(), "regex:test-.*");
        assertTrue(patterns.policyFor("dev-1", Map.of()).autoPromotionEnabled(), "glob:dev-*");
        assertNull(patterns.policyFor("prod-west", Map.of()));

        var labels = p.get("example-labels");
        assertTrue(labels.policyFor("a", Map.of("environment", "development")).autoPromotionEnabled());
        assertTrue(labels.policyFor("b", Map.of("environment", "staging")).autoPromotionEnabled(), "matchExpressions In");
        assertNull(labels.policyFor("c", Map.of("environment", "production")));

        var both = p.get("example-both");
        assertNull(both.policyFor("prod-1", Map.of()), "name and labels must both match");
        assertNull(both.policyFor("test", Map.of("example.org/allow-auto-promotion", "true")));
        assertFalse(both.policyFor("prod-1", Map.of("example.org/allow-auto-promotion", "true")).autoPromotionEnabled(),
                "autoPromotionEnabled defaults to false");
    }

    @Test
    void everyWarehouseFieldOfTheDocsIsCarriedToTheWatcher() throws Exception {
        Effects fx = apply("warehouses.yaml");
        Map<String, WarehouseUpdated> w = fx.warehouses.stream().collect(Collectors.toMap(WarehouseUpdated::warehouse, Function.identity()));
        assertEquals(20, w.size());
        Function<String, Subscription> first = n -> w.get(n).subscriptions().get(0);

        var mine = w.get("my-warehouse").subscriptions();
        assertEquals(List.of(ArtifactKind.IMAGE, ArtifactKind.GIT), mine.stream().map(Subscription::kind).toList());
        assertEquals("^1.26.0", mine.get(0).constraint());
        assertEquals("NewestFromBranch", mine.get(1).strategy());
        assertEquals(300, w.get("my-warehouse").intervalSeconds(), "Kargo's default interval, 5m");
        assertEquals(600, w.get("matching-tags").intervalSeconds(), "10m0s");

        assertEquals(List.of("frontend", "backend"), w.get("named-subscriptions").subscriptions().stream().map(Subscription::name).toList());
        assertEquals("public.ecr.aws/nginx/nginx", first.apply("my-warehouse").name(), "unnamed: the repository URL");
        assertEquals(List.of("^nightly-\\d{8}$"), first.apply("image-lexical").allowTagsRegexes());
        assertEquals("Lexical", first.apply("image-lexical").strategy());
        assertEquals("latest", first.apply("image-digest").constraint());
        assertEquals("NewestBuild", first.apply("image-newest-build").strategy());
        assertEquals("linux/amd64", first.apply("image-platform").platform());
        assertEquals(5, first.apply("image-platform").discoveryLimit());
        assertEquals(List.of("-rc"), first.apply("image-platform").ignoreTagsRegexes());
        assertEquals(20, first.apply("my-warehouse").discoveryLimit(), "Kargo's default discoveryLimit");

        assertEquals("main", first.apply("git-branch").branch());
        assertEquals("SemVer", first.apply("git-semver").strategy());
        assertEquals("^1.0.0", first.apply("git-semver").constraint());
        assertEquals("Lexical", first.apply("git-lexical").strategy());
        assertEquals("NewestTag", first.apply("git-newest-tag").strategy());
        assertEquals("!(author contains '<bot@example.com>')", first.apply("git-filter-bots").expressionFilter());
        assertEquals("subject contains 'feat:' || subject contains 'fix:'", first.apply("git-filter-subject").expressionFilter());
        assertEquals("creatorDate.Year() >= 2024", first.apply("git-filter-year").expressionFilter());
        assertEquals(List.of("apps/guestbook"), first.apply("git-include-exclude").includePaths());
        assertEquals(List.of("apps/guestbook/README.md"), first.apply("git-include-exclude").excludePaths());
        assertEquals(List.of("docs"), first.apply("git-exclude").excludePaths());

        Subscription chart = first.apply("chart");
        assertEquals(ArtifactKind.CHART, chart.kind());
        assertEquals("my-chart", chart.chartName());
        assertEquals("^1.0.0", chart.constraint());

        WarehouseSpec manual = engine.project("kargo-demo").warehouses.get("manual");
        assertTrue(manual.manual());
        WarehouseSpec matching = engine.project("kargo-demo").warehouses.get("matching-tags");
        assertEquals("imageFrom('ghcr.io/example/frontend').Tag == imageFrom('ghcr.io/example/backend').Tag",
                matching.freightCreationCriteria());
    }

    @Test
    void manualWarehousesMintNoFreightAndCreationCriteriaGateMinting() throws Exception {
        apply("warehouses.yaml");
        var ps = engine.project("kargo-demo");
        artifact("manual", ArtifactRef.image("public.ecr.aws/nginx/nginx", "1.27.0", null));
        assertTrue(ps.freight.values().stream().noneMatch(f -> f.warehouse.equals("manual")), "Manual: no freight from discovery");

        artifact("matching-tags", ArtifactRef.image("ghcr.io/example/frontend", "1.0.0", null));
        artifact("matching-tags", ArtifactRef.image("ghcr.io/example/backend", "0.9.0", null));
        assertTrue(ps.freight.values().stream().noneMatch(f -> f.warehouse.equals("matching-tags")), "tags differ: no freight");
        artifact("matching-tags", ArtifactRef.image("ghcr.io/example/backend", "1.0.0", null));
        var minted = ps.freight.values().stream().filter(f -> f.warehouse.equals("matching-tags")).toList();
        assertEquals(1, minted.size());
        assertEquals(List.of("1.0.0", "1.0.0"), minted.get(0).artifacts.stream().map(ArtifactRef::tag).toList());
    }

    @Test
    void stagesApplyWithTheirSourcesSelectionPoliciesAndVars() throws Exception {
        apply("stages.yaml");
        Map<String, StageSpec> s = engine.project("kargo-demo").stages;
        assertEquals(List.of("test", "qa", "uat", "prod", "test-multi"), List.copyOf(s.keySet()));
        StageSpec test = s.get("test");
        assertEquals(SelectionPolicy.NewestFreight, test.selectionPolicy(test.requestedFreight().get(0)));
        // Stage vars, overridden by the template's
        assertEquals("https://github.com/example/repo.git", test.vars().get("gitopsRepo"));
        assertEquals("stage/${{ ctx.stage }}", test.vars().get("targetBranch"));
        assertEquals("./src", test.vars().get("srcPath"));
        assertEquals("https://github.com/example/repo.git", test.git().repoURL(), "the git-clone step's repository");
        assertEquals("kargo-demo-test", test.argocd().apps().get(0).name(), "rendered with what is known at apply time");
        StageSpec qa = s.get("qa");
        assertEquals(SelectionPolicy.MatchUpstream, qa.selectionPolicy(qa.requestedFreight().get(0)));
        assertEquals(Availability.OneOf, s.get("uat").requestedFreight().get(0).availability(), "Kargo's default");
        assertEquals(Availability.All, s.get("prod").requestedFreight().get(0).availability());
        assertEquals(List.of("qa", "uat"), s.get("prod").requestedFreight().get(0).stages());
        assertEquals(List.of("microservice-a", "microservice-b"), s.get("test-multi").origins());

        var ps = engine.project("kargo-demo");
        assertTrue(ps.autoPromotion(test));
        assertTrue(ps.autoPromotion(qa));
        assertFalse(ps.autoPromotion(s.get("uat")), "no promotion policy selects uat: manual");
        assertFalse(ps.autoPromotion(s.get("prod")));
    }

    @Test
    void projectConfigDecidesWhichStagesAutoPromote() throws Exception {
        apply("stages.yaml");
        Effects fx = artifact("my-warehouse", ArtifactRef.image("public.ecr.aws/nginx/nginx", "1.26.1", null));
        assertEquals(List.of("test"), fx.promotions.stream().map(PromotionRequested::stage).toList());
        Effects landed = land(fx.promotions.get(0));
        assertEquals(List.of("qa"), landed.promotions.stream().map(PromotionRequested::stage).toList(),
                "qa (policy, MatchUpstream) follows test; uat waits for a manual promotion");
        var uat = engine.project("kargo-demo").stage("uat");
        assertTrue(uat.queue.isEmpty() && uat.running == null && uat.current.isEmpty());
    }

    @Test
    void aProjectConfigAppliedLaterChangesAutoPromotionAndAProjectAloneKeepsIt() throws Exception {
        apply("stages.yaml");
        var ps = engine.project("kargo-demo");
        String off = """
                apiVersion: kargo.akuity.io/v1alpha1
                kind: ProjectConfig
                metadata: {name: kargo-demo, namespace: kargo-demo}
                spec:
                  promotionPolicies:
                  - stageSelector: {name: "glob:*"}
                    autoPromotionEnabled: false
                """;
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("config.yaml", off)), engine.catalog());
        engine.apply("kargo-demo", m.only("kargo-demo"), "admin", null, now);
        assertFalse(ps.autoPromotion(ps.stages.get("test")));
        String project = "apiVersion: kargo.akuity.io/v1alpha1\nkind: Project\nmetadata: {name: kargo-demo}\n";
        m = ManifestParser.parse(List.of(new ManifestParser.Source("project.yaml", project)), engine.catalog());
        Effects fx = engine.apply("kargo-demo", m.only("kargo-demo"), "admin", null, now);
        assertEquals(1, ps.spec.promotionPolicies().size(), "the Project document alone keeps the ProjectConfig");
        assertTrue(fx.dirty.isEmpty(), "unchanged");
    }

    @Test
    void controlFlowStagesWithoutStepsPassFreightThrough() throws Exception {
        String text = read("stages.yaml") + """
                ---
                apiVersion: kargo.akuity.io/v1alpha1
                kind: Stage
                metadata: {name: gate, namespace: kargo-demo}
                spec:
                  requestedFreight:
                  - origin: {kind: Warehouse, name: my-warehouse}
                    sources: {stages: [test]}
                """;
        var m = ManifestParser.parse(List.of(new ManifestParser.Source("stages.yaml", text)), engine.catalog());
        engine.apply("kargo-demo", m.only("kargo-demo"), "admin", null, now);
        Effects fx = artifact("my-warehouse", ArtifactRef.image("public.ecr.aws/nginx/nginx", "1.26.1", null));
        land(fx.promotions.get(0));
        var f = engine.project("kargo-demo").freight.values().iterator().next();
        assertTrue(f.verifiedIn.containsKey("gate"), "verified in test, so it passes the control-flow stage");
        assertTrue(engine.project("kargo-demo").stage("gate").queue.isEmpty());
    }

    @Test
    void nonKargoDocumentsOfAGitOpsFolderAreSkippedWithANote() throws Exception {
        String text = read("projects.yaml") + """
                ---
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {name: kargo-demo-test, namespace: argocd}
                spec: {project: default}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {a: b}
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: repo
                  namespace: example
                  labels: {kargo.akuity.io/cred-type: git}
                stringData: {repoURL: https://github.com/example/repo.git, username: u, password: s3cr3t-t0ken}
                """;
        var m = parse("all.yaml", text);
        assertEquals(List.of("all.yaml #9: skipped argoproj.io/v1alpha1 Application kargo-demo-test (not a Kargo resource)",
                "all.yaml #10: skipped v1 ConfigMap settings (not a Kargo resource)",
                "all.yaml #11: skipped v1 Secret repo (" + ManifestParser.Skipped.CREDENTIALS + ")"), m.skipped().stream().map(Object::toString).toList());
        String answer = io.freightline.events.EventCodec.mapper().writeValueAsString(m);
        assertFalse(answer.contains("s3cr3t-t0ken"), "the parsed manifests never hold a credential");
        // what goes onto freightline.commands: the same documents in the same order, the Secret without its data
        String sent = ManifestParser.withoutSecretData(text);
        assertFalse(sent.contains("s3cr3t-t0ken"), sent);
        assertEquals(m.skipped().stream().map(Object::toString).toList(), parse("all.yaml", sent).skipped().stream().map(Object::toString).toList());
        assertEquals(m.projects(), parse("all.yaml", sent).projects());
        assertEquals(read("projects.yaml"), ManifestParser.withoutSecretData(read("projects.yaml")), "no Secret: the text as it is");
        assertEquals(4, m.projects().size());
    }

    @Test
    void kargosRefusalsNameFileDocumentFieldAndReasonAndNothingApplies() throws Exception {
        String bad = read("warehouses.yaml")
                .replace("      constraint: ^1.26.0\n  - git:", "      constraint: ^1.26.0\n      allowTags: ^v1\n      ignoreTags: [latest]\n  - git:")
                .replace("      platform: linux/amd64\n      discoveryLimit: 5\n", "      platform: linux\n      discoveryLimit: 101\n")
                .replace("  freightCreationPolicy: Manual\n", "  freightCreationPolicy: Sometimes\n")
                .replace("  - name: backend\n", "  - name: Back_End\n")
                .replace("imageFrom('ghcr.io/example/frontend').Tag ==", "imageFrom('ghcr.io/example/frontend').Tag ==)")
                .replace("      - docs\n", "      - regex:docs(\n")
                .replace("expressionFilter: subject contains 'feat:' || subject contains 'fix:'",
                        "expressionFilter: subject contains 'feat:' ||");
        var e = assertThrows(ManifestException.class, () -> parse("warehouses.yaml", bad));
        String all = e.getMessage();
        for (String expected : List.of(
                "#2 Warehouse kargo-demo/my-warehouse: spec.subscriptions[0].image.allowTags: AllowTags is deprecated and unsupported as of v1.11.0; use AllowTagsRegexes instead",
                "#2 Warehouse kargo-demo/my-warehouse: spec.subscriptions[0].image.ignoreTags: IgnoreTags is deprecated and unsupported as of v1.11.0; use IgnoreTagsRegexes instead",
                "spec.subscriptions[0].image.platform: 'linux' is not os/arch",
                "spec.subscriptions[0].image.discoveryLimit: must be between 1 and 100 (got 101)",
                "#3 Warehouse kargo-demo/named-subscriptions: spec.subscriptions[1].name: 'Back_End' is not an RFC 1123 label",
                "Warehouse kargo-demo/manual: spec.freightCreationPolicy: must be Automatic or Manual",
                "#21 Warehouse kargo-demo/matching-tags: spec.freightCreationCriteria.expression: 'imageFrom('ghcr.io/example/frontend').Tag =="
                        + ") imageFrom('ghcr.io/example/backend').Tag' does not parse: parsing error in '=='",
                // a git expressionFilter is parsed at apply as the watcher parses it
                "warehouses.yaml #13 Warehouse kargo-demo/git-filter-subject: spec.subscriptions[0].git.expressionFilter:"
                        + " 'subject contains 'feat:' ||' does not parse: parsing error in '||'",
                "Warehouse kargo-demo/git-exclude: spec.subscriptions[0].git.excludePaths: 'regex:docs(' is not a valid pattern")) {
            assertTrue(all.contains(expected), expected + "\nin: " + all);
        }
        assertTrue(e.problems().stream().allMatch(p -> p.file().equals("warehouses.yaml")));
        // all or nothing: the valid warehouses of the same apply are not applied either
        assertThrows(ManifestException.class, () -> ManifestParser.parse(List.of(new ManifestParser.Source("warehouses.yaml", bad)), engine.catalog()));
        assertNull(engine.project("kargo-demo"));
    }

    @Test
    void aFolderIsRefusedAsAWholeAndEachErrorNamesItsOwnFileAndDocument() throws Exception {
        String stages = read("stages.yaml").replace("kind: Project\nmetadata:\n  name: kargo-demo\n", "kind: Project\nmetadata:\n  name: kargo-demo-renamed\n");
        String other = """
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {name: guestbook, namespace: argocd}
                ---
                apiVersion: kargo.akuity.io/v1alpha1
                kind: ProjectConfig
                metadata: {name: ghost, namespace: ghost}
                """;
        var e = assertThrows(ManifestException.class, () -> ManifestParser.parse(List.of(new ManifestParser.Source("projects.yaml", read("projects.yaml")),
                new ManifestParser.Source("kargo/stages.yaml", stages), new ManifestParser.Source("apps/other.yaml", other)), engine.catalog()));
        var where = e.problems().stream().map(p -> p.file() + " " + p.document() + ": " + p.field()).toList();
        assertTrue(where.contains("kargo/stages.yaml #3 Warehouse kargo-demo/my-warehouse: metadata.namespace"), where.toString());
        assertTrue(where.contains("kargo/stages.yaml #6 Stage kargo-demo/test: metadata.namespace"), where.toString());
        assertTrue(where.contains("apps/other.yaml #2 ProjectConfig ghost/ghost: metadata.namespace"), where.toString());
        assertTrue(e.problems().stream().allMatch(p -> p.reason().contains("has no Project manifest")), e.getMessage());
        assertTrue(e.problems().stream().noneMatch(p -> p.file().equals("projects.yaml")), "the valid file has no error");
        assertNull(engine.project("example"), "all or nothing: the valid file's projects are not applied either");
    }

    @Test
    void promotionTasksAndClusterPromotionTasksOfTheDocsInflateWithTheirVarsAndOutputs() throws Exception {
        var m = parse("promotion-tasks.yaml", read("promotion-tasks.yaml"));
        StageSpec test = m.stages().get(0);
        assertEquals(List.of("git-clone", "git-open-pr", "git-wait-for-pr", "compose-output", "http"),
                test.steps().stream().map(Specs.StepTemplate::uses).toList());
        // an unnamed task step is task-<index>; inflated steps are <task alias>::<step alias>
        assertEquals(java.util.Arrays.asList("task-0::clone", "promotion::open-pr", "promotion::wait-for-pr", "promotion::output", null),
                test.steps().stream().map(Specs.StepTemplate::as).toList());
        // the step's vars override the inherited ones; the task's defaults fill the rest
        assertEquals("feature-branch", test.steps().get(0).vars().get("targetBranch"));
        assertEquals("stage/test", test.steps().get(1).vars().get("sourceBranch"));
        assertEquals("main", test.steps().get(1).vars().get("targetBranch"));
        assertEquals("${{ task.outputs['open-pr'].pr.id }}", test.steps().get(2).config().get("prNumber"));
        assertEquals("https://github.com/example/repo.git", test.git().repoURL(), "the git-clone step's repository, known at apply");

        // a required task variable that nothing provides is named
        String missing = read("promotion-tasks.yaml").replace("      vars:\n      - name: repoURL\n        value: https://github.com/example/repo.git\n", "");
        var e = assertThrows(ManifestException.class, () -> parse("promotion-tasks.yaml", missing));
        assertTrue(e.getMessage().contains("Stage kargo-demo/test: spec.promotionTemplate.spec.steps[0].vars: variable 'repoURL' is required by ClusterPromotionTask 'global-task'"), e.getMessage());
    }

    @Test
    void analysisTemplatesGetAClearErrorSayingWhatToUseInstead() throws Exception {
        String text = read("stages.yaml").replace("      name: microservice-b\n    sources:\n      direct: true\n",
                "      name: microservice-b\n    sources:\n      direct: true\n  verification:\n    analysisTemplates:\n    - name: integration-test\n");
        var e = assertThrows(ManifestException.class, () -> parse("stages.yaml", text));
        assertEquals(1, e.problems().size(), e.getMessage());
        var p = e.problems().get(0);
        assertEquals("#10 Stage kargo-demo/test-multi", p.document());
        assertEquals("spec.verification.analysisTemplates", p.field());
        assertTrue(p.reason().contains("use spec.verification.checks"), p.reason());
    }

    @Test
    void projectConfigMistakesAreNamed() {
        String text = """
                apiVersion: kargo.akuity.io/v1alpha1
                kind: Project
                metadata: {name: p}
                ---
                apiVersion: kargo.akuity.io/v1alpha1
                kind: ProjectConfig
                metadata: {name: q, namespace: p}
                ---
                apiVersion: kargo.akuity.io/v1alpha1
                kind: ProjectConfig
                metadata: {name: p, namespace: p}
                spec:
                  promotionPolicies:
                  - stageSelector: {name: "regex:(", matchExpressions: [{key: env, operator: Near}]}
                    autoPromotionEnabled: true
                """;
        var e = assertThrows(ManifestException.class, () -> parse("config.yaml", text));
        String all = e.getMessage();
        assertTrue(all.contains("#2 ProjectConfig p/q: metadata.name: a ProjectConfig is named after its project: 'p'"), all);
        assertTrue(all.contains("#3 ProjectConfig p/p: spec.promotionPolicies[0].stageSelector.name: 'regex:(' is not a valid pattern"), all);
        assertTrue(all.contains("spec.promotionPolicies[0].stageSelector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist"), all);
    }

    private Effects artifact(String warehouse, ArtifactRef ref) {
        now = now.plusSeconds(1);
        return engine.onArtifact(new ArtifactDiscovered("kargo-demo", warehouse, null, ref, null, now, "test"), now);
    }

    private Effects land(PromotionRequested r) {
        now = now.plusSeconds(1);
        engine.onCommitted(new PromotionCommitted(r.promotionId(), r.project(), r.stage(), r.freight().id(), r.git().repoURL(),
                "main", PromotionCommitted.Outcome.PUSHED, "abc", null, List.of(), null, null, null, now, now), now);
        return engine.onVerification(new VerificationCompleted(r.promotionId(), r.project(), r.stage(), r.freight().id(), "abc",
                VerificationCompleted.Outcome.VERIFIED, null, "none", List.of(), List.of(), now, now), now);
    }
}
