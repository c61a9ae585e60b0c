package io.freightline.template.expr;

import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpressionsTest {
    static final FreightRef TARGET = new FreightRef("f1", "wild-fox", "kargo-demo", List.of(
            ArtifactRef.image("public.ecr.aws/nginx/nginx", "1.27.1", "sha256:abc"),
            ArtifactRef.chart("https://charts.example.com", "my-chart", "2.3.4"),
            ArtifactRef.git("https://github.com/example/repo.git", "deadbeef", "main", null)));
    static final FreightRef OTHER = new FreightRef("f2", "calm-owl", "other-wh", List.of(
            ArtifactRef.image("public.ecr.aws/nginx/nginx", "1.25.0", "sha256:def")));

    static Scope scope() {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("project", "kargo-demo");
        ctx.put("stage", "test");
        ctx.put("promotion", "p-1");
        ctx.put("targetFreight", Map.of("name", "f1", "alias", "wild-fox", "origin", Map.of("name", "kargo-demo")));
        ctx.put("meta", Map.of("promotion", Map.of("actor", "alice", "rollback", false)));
        Map<String, Object> outputs = Map.of("update-image", Map.of("commitMessage", "Updated nginx to 1.27.1"),
                "commit", Map.of("commit", "cafe1234"), "read-version", Map.of("currentVersion", "1.4.2"));
        Scope.Lookups lookups = new Scope.Lookups() {
            @Override
            public Map<String, Object> freightMetadata(String freight) {
                return freight.equals("f1") ? Map.of("category", "hotfix") : Map.of();
            }

            @Override
            public Map<String, Object> stageMetadata(String stage) {
                return Map.of("aws-region", "eu-west-1");
            }

            @Override
            public Map<String, String> secret(String name) {
                return name.equals("slack") ? Map.of("token", "s3cr3t") : Map.of();
            }
        };
        Scope.StepStates states = new Scope.StepStates() {
            @Override
            public boolean anyFailed() {
                return true;
            }

            @Override
            public String status(String alias) {
                return alias.equals("my-step") ? "Errored" : null;
            }
        };
        return new Scope(ctx, Map.of("gitRepo", "https://github.com/example/repo.git", "srcPath", "./src", "replicas", 3,
                "imageRepo", "public.ecr.aws/nginx/nginx"),
                outputs, Map.of("open-pr", Map.of("pr", Map.of("id", 42))), List.of(TARGET, OTHER), lookups, states);
    }

    static Object render(String s) {
        return Expressions.render(s, scope());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ${{ "Hello, world!" }}                                              | Hello, world!
            ${% "{" + "}}" %}                                                   | {}}
            stage/${{ ctx.stage }}                                              | stage/test
            ${{ vars.srcPath }}/stages/${{ ctx.stage }}                         | ./src/stages/test
            ${{ outputs['update-image'].commitMessage }}                        | Updated nginx to 1.27.1
            ${{ outputs.commit.commit }}                                        | cafe1234
            ${{ task.outputs['open-pr'].pr.id }}                                | 42
            example-${{ ctx.stage }}                                            | example-test
            ${{ ctx.meta.promotion.actor }}                                     | alice
            ${{ ctx.targetFreight.origin.name }}                                | kargo-demo
            ${{ imageFrom("public.ecr.aws/nginx/nginx").Tag }}                  | 1.27.1
            ${{ imageFrom(vars.imageRepo, warehouse("other-wh")).Tag }}         | 1.25.0
            ${{ chartFrom("https://charts.example.com", "my-chart").Version }}  | 2.3.4
            ${{ commitFrom("https://github.com/example/repo").ID }}             | deadbeef
            ${{ imageFrom("nope") == nil ? "none" : "some" }}                   | none
            ${{ imageFrom("nope")?.Tag ?? "latest" }}                           | latest
            ${{ freightMetadata(ctx.targetFreight.name).category }}             | hotfix
            ${{ stageMetadata(ctx.stage)['aws-region'] }}                       | eu-west-1
            ${{ stageMetadata(ctx.stage)['tier'] ?? "default-tier" }}           | default-tier
            Bearer ${{ secret('slack').token }}                                 | Bearer s3cr3t
            ${{ status("my-step") }}                                            | Errored
            ${{ semverParse(outputs['read-version'].currentVersion).IncMinor().String() }} | 1.5.0
            ${{ semverDiff("v2.0.0", "1.9.9") }}                                | Major
            ${{ semverDiff("1.2.3", "1.2.4") }}                                 | Patch
            ${{ semverDiff("1.2.3", "nope") }}                                  | Incomparable
            ${{ upper(ctx.stage) + '-' + lower("X") }}                          | TEST-x
            ${{ ctx.stage in ["test", "uat"] ? "yes" : "no" }}                  | yes
            ${{ ctx.stage not in ["test", "uat"] ? "yes" : "no" }}              | no
            ${{ ctx.stage startsWith "te" && ctx.stage endsWith "st" ? "yes" : "no" }} | yes
            ${{ `raw ${x}` }}                                                    | raw ${x}
            ${{ quote(40 + 2) }}                                                | 42
            ${{ unsafeQuote("string") }}                                        | "string"
            """)
    void rendersLikeKargo(String in, String want) {
        Object got = render(in);
        assertEquals(want, got instanceof String ? got : String.valueOf(got), in);
    }

    @Test
    void wholeExpressionKeepsItsType() {
        assertEquals(42, render("${{ 40 + 2 }}"));
        assertEquals("42", render("${{ quote(40 + 2) }}"));
        assertEquals("string", render("${{ quote(\"string\") }}"));
        assertEquals(true, render("${{ always() }}"));
        assertEquals(false, render("${{ success() }}"));
        assertEquals(true, render("${{ failure() }}"));
        assertEquals(3, render("${{ vars.replicas }}"));
        assertEquals(Map.of("labels", Map.of("app", "nginx")), render("${% {\"labels\": {\"app\": \"nginx\"}} %}"));
        assertEquals(402, render("${{ 40 }}${{ 2 }}"));
        assertEquals(true, render("${{ \"true\" }}"));
        assertEquals("v1.2", render("v${{ 1 }}.2"));
        assertEquals("1.5.0", render("${{ semverParse('1.4.9').IncMinor() }}"));
        assertNull(render("${{ nil }}"));
    }

    @Test
    void keysAreNotEvaluatedButNestedValuesAre() {
        Object got = Expressions.render(Map.of("${{ ctx.stage }}", List.of(Map.of("v", "${{ ctx.stage }}"))), scope());
        assertEquals(Map.of("${{ ctx.stage }}", List.of(Map.of("v", "test"))), got);
    }

    @Test
    void conditions() {
        assertTrue(Expressions.condition("${{ status('my-step') == 'Errored' }}", scope()));
        assertFalse(Expressions.condition("${{ success() }}", scope()));
        assertTrue(Expressions.condition("${{ semverDiff(imageFrom(vars.imageRepo).Tag, outputs['read-version'].currentVersion) == 'Minor' }}", scope()));
        ExpressionException e = assertThrows(ExpressionException.class, () -> Expressions.condition("${{ ctx.stage }}", scope()));
        assertTrue(e.getMessage().contains("true or false"), e.getMessage());
    }

    @Test
    void parseErrorsNameTheFieldAndTheExpression() {
        List<Expressions.Problem> p = Expressions.check(Map.of("checkout", List.of(Map.of("branch", "stage/${{ ctx.stage + }}"))), "config");
        assertEquals(1, p.size(), p.toString());
        assertEquals("config.checkout[0].branch", p.get(0).path());
        assertEquals("ctx.stage +", p.get(0).expression());
        assertEquals(List.of(), Expressions.check(Map.of("a", "${{ outputs['x'].y ?? 'z' }}"), "config"));
        assertEquals(1, Expressions.check(Map.of("a", "${{ ctx.stage"), "config").size());
    }

    @Test
    void evaluationErrorsNameTheExpression() {
        ExpressionException e = assertThrows(ExpressionException.class, () -> render("${{ nosuch(1) }}"));
        assertTrue(e.getMessage().contains("nosuch(1)"), e.getMessage());
        assertThrows(ExpressionException.class, () -> render("${{ imageFrom('nope').Tag }}"));
    }

    @Test
    void noSideEffectsOrJavaAccess() {
        assertThrows(ExpressionException.class, () -> render("${{ vars.x = 1 }}"));
        assertThrows(ExpressionException.class, () -> render("${{ ''.getClass().forName('java.lang.Runtime') }}"));
    }

    @Test
    void usesTellsWhatAnExpressionReads() {
        Expressions.Uses u = Expressions.uses(Map.of("a", "${{ outputs.commit.commit }}", "b", "${{ success() && vars.x.y }}"));
        assertTrue(u.variables().contains("outputs"));
        assertTrue(u.variables().contains("vars"));
        assertFalse(u.variables().contains("commit"));
        assertTrue(u.functions().contains("success"));
    }

    /** A step's own expressions (fromExpression, http's successExpression) over the data it read: same language. */
    public static final class Reply {
        public int getStatus() {
            return 503;
        }

        public String header(String name) {
            return name.equalsIgnoreCase("retry-after") ? "5" : "";
        }
    }

    @Test
    void expressionsOverAStepsOwnData() {
        Map<String, Object> doc = Map.of("image", Map.of("tag", "1.4.2"), "apps", List.of(Map.of("name", "api")));
        assertEquals(true, Expressions.evaluate("image.tag in ['1.4.2', '1.5.0'] && upper(apps[0].name) == 'API'", doc));
        assertEquals("1.5.0", Expressions.evaluate("semverParse(image.tag).IncMinor().String()", doc));
        assertEquals("tag-1.4.2", Expressions.evaluate("'tag-' + image.tag", doc));
        ExpressionException e = assertThrows(ExpressionException.class, () -> Expressions.evaluate("chart.version", doc));
        assertTrue(e.reason().contains("chart"), e.reason());
        // the public methods of the values handed in (their package named by the caller), never Java reflection
        Map<String, Object> http = Map.of("response", new Reply());
        assertEquals(true, Expressions.evaluate("response.status == 503 && int(response.header('Retry-After')) == 5", http,
                "io.freightline.template.expr.*"));
        assertThrows(ExpressionException.class, () -> Expressions.evaluate("response.getClass().getName()", http));
    }

    /** A commit as Kargo's Warehouse {@code expressionFilter} sees it (its documented variables). */
    static Map<String, Object> commit(String author, String subject, String date) {
        return Map.of("id", "0123abcd", "commitDate", GoTime.parse(date), "author", author,
                "committer", "CI <ci@example.com>", "subject", subject);
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @CsvSource(delimiterString = " ¦ ", textBlock = """
            !(author contains '<bot@example.com>')                                   ¦ Bot <bot@example.com> ¦ feat: x   ¦ 2025-02-01T10:00:00Z ¦ false
            !(author contains '<bot@example.com>')                                   ¦ Ann <ann@example.com> ¦ feat: x   ¦ 2025-02-01T10:00:00Z ¦ true
            subject contains 'feat:' || subject contains 'fix:'                      ¦ Ann <ann@example.com> ¦ fix: y    ¦ 2025-02-01T10:00:00Z ¦ true
            subject contains 'feat:' || subject contains 'fix:'                      ¦ Ann <ann@example.com> ¦ chore: z  ¦ 2025-02-01T10:00:00Z ¦ false
            !(author == 'Example Bot') && commitDate.After(date('2025-01-01'))       ¦ Ann <ann@example.com> ¦ feat: x   ¦ 2025-02-01T10:00:00Z ¦ true
            !(author == 'Example Bot') && commitDate.After(date('2025-01-01'))       ¦ Ann <ann@example.com> ¦ feat: x   ¦ 2024-12-31T23:59:59Z ¦ false
            !(author == 'Example Bot') && commitDate.After(date('2025-01-01'))       ¦ Example Bot           ¦ feat: x   ¦ 2025-02-01T10:00:00Z ¦ false
            !(subject contains '[kargo-ignore]')                                     ¦ Ann <ann@example.com> ¦ x [kargo-ignore] ¦ 2025-02-01T10:00:00Z ¦ false
            commitDate.Year() >= 2024 && commitDate > date('2024-06-01T00:00:00Z')   ¦ Ann <ann@example.com> ¦ x         ¦ 2024-07-01T00:00:00+02:00 ¦ true
            commitDate < date('2024-06-01') and subject not contains 'wip'           ¦ Ann <ann@example.com> ¦ x         ¦ 2024-05-01T00:00:00Z ¦ true
            subject not contains 'wip' ? author contains 'Ann' : false               ¦ Ann <ann@example.com> ¦ wip: x    ¦ 2024-05-01T00:00:00Z ¦ false
            subject not startsWith 'wip' && author not endsWith '.org>'              ¦ Ann <ann@example.com> ¦ feat: x   ¦ 2024-05-01T00:00:00Z ¦ true
            subject not matches '^fix' && ['a', 'b'] contains 'b'                    ¦ Ann <ann@example.com> ¦ feat: x   ¦ 2024-05-01T00:00:00Z ¦ true
            upper(subject + '!') contains 'X!' == true                               ¦ Ann <ann@example.com> ¦ feat: x   ¦ 2024-05-01T00:00:00Z ¦ true
            """)
    void kargosCommitFilterExamples(String expression, String author, String subject, String date, boolean expected) {
        assertEquals(expected, Expressions.evaluate(expression, commit(author, subject, date)));
    }

    @Test
    void containsAndDatesExplainBadInput() {
        ExpressionException e = assertThrows(ExpressionException.class,
                () -> Expressions.evaluate("subject contains 42", commit("a", "b", "2024-01-01")));
        assertTrue(e.reason().contains("'contains' needs a string"), e.reason());
        e = assertThrows(ExpressionException.class,
                () -> Expressions.evaluate("commitDate.After(date('yesterday'))", commit("a", "b", "2024-01-01")));
        assertTrue(e.reason().contains("date('yesterday')"), e.reason());
        e = assertThrows(ExpressionException.class, () -> Expressions.evaluate("contains 'x'", Map.of()));
        assertTrue(e.reason().contains("needs a value on each side"), e.reason());
        // member and function names stay what they are
        assertEquals(true, Expressions.evaluate("m.contains == 1", Map.of("m", Map.of("contains", 1))));
    }
}
