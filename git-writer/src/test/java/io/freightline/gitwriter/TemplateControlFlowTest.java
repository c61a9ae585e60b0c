package io.freightline.gitwriter;

import com.sun.net.httpserver.HttpServer;
import io.freightline.events.EventCodec;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import io.freightline.events.PromotionRequested;
import io.freightline.events.PromotionStep;
import io.freightline.events.StepResult;
import io.freightline.gitwriter.steps.composeoutput.ComposeOutputStep;
import io.freightline.gitwriter.steps.fail.FailStep;
import io.freightline.gitwriter.steps.http.HttpStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kargo's step control flow in the git-writer, table-driven from the examples of Kargo's "Promotion Templates",
 * "Expressions" and "PromotionTasks" references: {@code if} with {@code success()}, {@code failure()},
 * {@code always()} and {@code status()}, {@code continueOnError}, {@code retry.errorThreshold}, outputs of
 * {@code git-commit} and {@code git-push} read by later steps, and a PromotionTask (as the engine inflates it:
 * {@code <task>::<step>} aliases, task vars) with {@code task.outputs} and {@code compose-output}. Every case runs
 * against a real Git repository (file:// remote) and, for {@code http}, a real HTTP server on 127.0.0.1.
 */
class TemplateControlFlowTest {
    static HttpServer http;
    /** Requests per path; a path {@code /flaky/<n>} answers 503 to its first n requests, then 200. */
    static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    @BeforeAll
    static void server() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            int n = hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            int failures = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            byte[] body = "{\"ok\": true}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(n <= failures ? 503 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
    }

    @AfterAll
    static void stop() {
        http.stop(0);
    }

    /** What the branch and the event must show after the promotion. */
    record Case(String name, String template, Outcome outcome, List<String> statuses,
                BiConsumer<Path, PromotionCommitted> check) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final String CLONE = """
            - uses: git-clone
              as: clone
              config:
                repoURL: <repo>
                checkout:
                - branch: main
                  path: ./src
            """;
    static final String COMMIT_AND_PUSH = """
            - uses: git-commit
              as: commit
              config:
                path: ./src
                message: promoted
            - uses: git-push
              as: push
              config:
                path: ./src
            """;

    static Stream<Case> cases() {
        return Stream.of(
                new Case("failure(): a step that errored skips the default steps, runs failure() and always() steps "
                        + "(a git-push that ran does push)", CLONE + """
                        - uses: file-write
                          as: bad
                          config:
                            path: ../outside.txt
                            contents: x
                        - uses: file-write
                          as: skipped
                          config:
                            path: ./src/never.txt
                            contents: never
                        - uses: file-write
                          as: on-failure
                          if: ${{ failure() }}
                          config:
                            path: ./src/failure.txt
                            contents: "${{ status('bad') }}"
                        - uses: file-write
                          as: on-success
                          if: ${{ success() }}
                          config:
                            path: ./src/success.txt
                            contents: never
                        - uses: git-commit
                          as: commit
                          if: ${{ always() }}
                          config:
                            path: ./src
                            message: cleanup after a failure
                        - uses: git-push
                          as: push
                          if: ${{ always() }}
                          config:
                            path: ./src
                        """, Outcome.FAILED,
                        List.of("Succeeded", "Errored", "Skipped", "Succeeded", "Skipped", "Succeeded", "Succeeded"),
                        (bare, ev) -> {
                            assertThat(ev.reason()).contains("step 'bad' (file-write) errored").contains("outside the repository");
                            assertThat(ev.phase()).isEqualTo("Errored");
                            assertThat(ev.failedStep()).isEqualTo("bad");
                            assertThat(text(bare, "failure.txt")).isEqualTo("Errored");
                            assertThat(files(bare)).doesNotContain("never.txt", "success.txt");
                            assertThat(ev.commitSha()).isEqualTo(head(bare));
                        }),
                new Case("failure without always(): the repository stays untouched", CLONE + """
                        - uses: file-write
                          config:
                            path: ./src/a.txt
                            contents: a
                        - uses: fail
                          as: stop
                          config:
                            message: not today
                        """ + COMMIT_AND_PUSH, Outcome.FAILED,
                        List.of("Succeeded", "Succeeded", "Failed", "Skipped", "Skipped"),
                        (bare, ev) -> {
                            assertThat(ev.reason()).contains("step 'stop' (fail) failed: not today");
                            assertThat(ev.phase()).isEqualTo("Failed");
                            assertThat(ev.failedStep()).isEqualTo("stop");
                            assertThat(files(bare)).doesNotContain("a.txt");
                            assertThat(ev.commitSha()).isNull();
                        }),
                new Case("continueOnError: the error neither fails the promotion nor counts for failure(); "
                        + "status('alias') reads it", CLONE + """
                        - uses: file-write
                          as: optional
                          continueOnError: true
                          config:
                            path: ../outside.txt
                            contents: x
                        - uses: file-write
                          as: noted
                          if: ${{ status('optional') == 'Errored' }}
                          config:
                            path: ./src/noted.txt
                            contents: optional step errored
                        - uses: file-write
                          as: only-on-failure
                          if: ${{ failure() }}
                          config:
                            path: ./src/failure.txt
                            contents: never
                        """ + COMMIT_AND_PUSH, Outcome.PUSHED,
                        List.of("Succeeded", "Errored", "Succeeded", "Skipped", "Succeeded", "Succeeded"),
                        (bare, ev) -> {
                            assertThat(text(bare, "noted.txt")).isEqualTo("optional step errored");
                            assertThat(files(bare)).doesNotContain("failure.txt");
                        }),
                new Case("retry.errorThreshold: two errors of http, then a success, within a threshold of 3", CLONE + """
                        - uses: http
                          as: probe
                          retry:
                            errorThreshold: 3
                          config:
                            url: <http>/flaky/<id>/2
                            outputs:
                            - name: status
                              fromExpression: response.status
                        - uses: file-write
                          config:
                            path: ./src/probed.txt
                            contents: "${{ quote(outputs.probe.status) }}"
                        """ + COMMIT_AND_PUSH, Outcome.PUSHED,
                        List.of("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded"),
                        (bare, ev) -> assertThat(text(bare, "probed.txt")).isEqualTo("200")),
                new Case("retry.errorThreshold reached: the promotion errors, the repository stays untouched", CLONE + """
                        - uses: http
                          as: probe
                          retry:
                            errorThreshold: 2
                          config:
                            url: <http>/flaky/<id>/5
                        - uses: file-write
                          config:
                            path: ./src/probed.txt
                            contents: never
                        """ + COMMIT_AND_PUSH, Outcome.FAILED,
                        List.of("Succeeded", "Errored", "Skipped", "Skipped", "Skipped"),
                        (bare, ev) -> {
                            assertThat(ev.reason()).contains("step 'probe' (http) errored").contains("503")
                                    .contains("after 2 consecutive errors");
                            assertThat(files(bare)).doesNotContain("probed.txt");
                        }),
                new Case("outputs of git-commit and git-push read by later steps", CLONE + """
                        - uses: file-write
                          config:
                            path: ./src/app.txt
                            contents: v2
                        - uses: git-commit
                          as: first
                          config:
                            path: ./src
                            message: first
                        - uses: file-write
                          config:
                            path: ./src/parent.txt
                            contents: ${{ outputs.first.commit }}
                        - uses: git-commit
                          as: second
                          config:
                            path: ./src
                            message: ${{ "after " + outputs.first.commit }}
                        - uses: git-push
                          as: push
                          config:
                            path: ./src
                        - uses: compose-output
                          as: summary
                          config:
                            pushed: ${{ outputs.push.commit }}
                            branch: ${{ outputs.push.branch }}
                        - uses: argocd-update
                          config:
                            apps:
                            - name: demo
                              sources:
                              - repoURL: <repo>
                                desiredRevision: ${{ outputs.push.commit }}
                        - uses: argocd-wait
                          as: wait
                          config:
                            apps:
                            - name: ${{ "demo-" + ctx.stage }}
                        """, Outcome.PUSHED,
                        List.of("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded",
                                "Succeeded", "Skipped", "Skipped"),
                        (bare, ev) -> {
                            var log = log(bare);
                            String first = log.get(1);
                            assertThat(text(bare, "parent.txt")).isEqualTo(first);
                            assertThat(message(bare)).startsWith("after " + first);
                            StepResult summary = ev.steps().get(6);
                            assertThat(summary.outputs()).as(String.valueOf(ev.steps())).containsEntry("pushed", head(bare)).containsEntry("branch", "main");
                            assertThat(ev.steps().get(4).outputs()).containsEntry("commit", head(bare));
                            // argocd-wait goes on to the argocd-notifier with its rendered config
                            assertThat(ev.steps().get(8).outputs()).isEqualTo(Map.of("config",
                                    Map.of("apps", List.of(Map.of("name", "demo-dev")))));
                        }),
                new Case("PromotionTask: <task>::<step> aliases, task vars, task.outputs and a compose-output read "
                        + "through the task's alias", """
                        - uses: git-clone
                          as: deploy::clone
                          config:
                            repoURL: <repo>
                            checkout:
                            - branch: main
                              path: ./src
                        - uses: file-write
                          as: deploy::write
                          vars:
                            file: greeting.txt
                          config:
                            path: ${{ "./src/" + vars.file }}
                            contents: ${{ vars.greeting }}
                        - uses: git-commit
                          as: deploy::commit
                          config:
                            path: ./src
                            message: ${{ "greeting " + vars.greeting }}
                        - uses: compose-output
                          as: deploy::result
                          config:
                            sha: ${{ task.outputs.commit.commit }}
                            said: ${{ vars.greeting }}
                        - uses: git-push
                          as: deploy::push
                          if: ${{ status('commit') == 'Succeeded' }}
                          config:
                            path: ./src
                        - uses: compose-output
                          as: after
                          config:
                            sha: ${{ outputs.deploy.sha }}
                            said: ${{ outputs.deploy.said }}
                        """, Outcome.PUSHED,
                        List.of("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded"),
                        (bare, ev) -> {
                            assertThat(text(bare, "greeting.txt")).isEqualTo("hello");
                            assertThat(message(bare)).startsWith("greeting hello");
                            assertThat(ev.steps()).extracting(StepResult::as).containsExactly("deploy::clone",
                                    "deploy::write", "deploy::commit", "deploy::result", "deploy::push", "after");
                            assertThat(ev.steps().get(5).outputs()).containsEntry("sha", head(bare)).containsEntry("said", "hello");
                        }),
                new Case("implied clone/commit/push (no git-clone): continueOnError and if work the same", """
                        - uses: file-write
                          as: optional
                          continueOnError: true
                          config:
                            path: ../outside.txt
                            contents: x
                        - uses: file-write
                          config:
                            path: envs/dev/implied.txt
                            contents: ${{ ctx.stage + " " + status('optional') }}
                        - uses: file-write
                          if: ${{ failure() }}
                          config:
                            path: envs/dev/failure.txt
                            contents: never
                        """, Outcome.PUSHED,
                        List.of("Errored", "Succeeded", "Skipped"),
                        (bare, ev) -> {
                            assertThat(text(bare, "envs/dev/implied.txt")).isEqualTo("dev Errored");
                            assertThat(files(bare)).doesNotContain("envs/dev/failure.txt");
                        }));
    }

    static Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kargoControlFlow(Case c, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path bare = TestRepos.bare(dir, "gitops", Map.of("README.md", "x\n".getBytes(StandardCharsets.UTF_8),
                "envs/dev/kustomization.yaml", "resources: []\n".getBytes(StandardCharsets.UTF_8)));
        String id = "p-" + Math.abs(c.name().hashCode());
        List<PromotionStep> steps = steps(c.template().replace("<repo>", TestRepos.url(bare))
                .replace("<http>", "http://127.0.0.1:" + http.getAddress().getPort()).replace("<id>", id));
        PromotionRequested base = Promotions.request(id, TestRepos.url(bare), "dev", "1.0.0", null, steps);
        PromotionRequested r = new PromotionRequested(base.promotionId(), base.project(), base.stage(), base.freight(),
                base.git(), base.steps(), base.argocd(), base.verification(), base.requestedBy(), base.requestedAt(),
                Map.of("greeting", "hello"));
        try (TestWriters.Harness h = TestWriters.start(new TestWriters.Settings(Files.createDirectories(dir.resolve("wd"))),
                new HttpStep(), new ComposeOutputStep(), new FailStep())) {
            PromotionCommitted ev = h.writer().submit(r).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(ev.outcome()).as(ev.reason()).isEqualTo(c.outcome());
            assertThat(ev.steps()).extracting(StepResult::status).as(String.valueOf(ev.steps())).isEqualTo(c.statuses());
            assertThat(ev.steps()).allSatisfy(s -> {
                assertThat(s.as()).isNotBlank();
                assertThat(s.startedAt()).isNotNull();
            });
            c.check().accept(bare, ev);
        }
    }

    @SuppressWarnings("unchecked")
    static List<PromotionStep> steps(String yaml) {
        List<Object> raw = (List<Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        List<PromotionStep> out = new ArrayList<>();
        for (Object o : raw) out.add(EventCodec.mapper().convertValue(o, PromotionStep.class));
        return out;
    }

    static String text(Path bare, String path) {
        try {
            return new String(TestRepos.file(bare, "main", path), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new AssertionError(path + ": " + e, e);
        }
    }

    static List<String> files(Path bare) {
        try {
            return TestRepos.files(bare, "main");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String head(Path bare) {
        try {
            return TestRepos.head(bare, "main");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<String> log(Path bare) {
        try {
            return TestRepos.log(bare, "main").stream().map(c -> c.getName()).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String message(Path bare) {
        try {
            return TestRepos.log(bare, "main").get(0).getFullMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
