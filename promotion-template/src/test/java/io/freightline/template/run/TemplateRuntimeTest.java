package io.freightline.template.run;

import io.freightline.events.PromotionStep;
import io.freightline.events.PromotionStep.StepRetry;
import io.freightline.events.StepResult;
import io.freightline.template.catalog.StepCatalog;
import io.freightline.template.expr.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The step control flow, table-driven from the examples of Kargo's "Promotion Templates" reference. */
class TemplateRuntimeTest {
    static final Scope BASE = new Scope(Map.of("project", "p", "stage", "test"), Map.of("gitRepo", "https://example.com/r.git"),
            null, null, null, null, null);

    /** Test fixtures: steps whose outcome the test chooses. */
    record Fixed(String name, StepExecutor.Outcome outcome) implements StepExecutor {
        @Override
        public Outcome run(Call call) {
            return outcome;
        }
    }

    static final List<StepExecutor> FIXTURES = List.of(
            new Fixed("succeeds", StepExecutor.Outcome.succeeded(Map.of(), null)),
            new Fixed("fails", StepExecutor.Outcome.failed("it failed")),
            new Fixed("errors", StepExecutor.Outcome.errored("it errored", true)));

    static TemplateRuntime runtime(List<StepExecutor> extra) {
        List<StepExecutor> all = new ArrayList<>(FIXTURES);
        all.addAll(extra);
        return new TemplateRuntime(all, StepCatalog.builtin(), new TemplateRuntime.Options(Duration.ofMillis(1), Duration.ofMillis(1), Clock.systemUTC()));
    }

    static PromotionStep step(String uses, String as, String ifCond, Boolean continueOnError) {
        return new PromotionStep(uses, as, Map.of(), ifCond, continueOnError, null, null);
    }

    record Case(String name, List<PromotionStep> steps, List<String> statuses, Progress.Phase phase) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> kargoExamples() {
        return Stream.of(
                new Case("success: always runs, failure skipped, success runs", List.of(
                        step("succeeds", null, null, null),
                        step("succeeds", null, "${{ always() }}", null),
                        step("succeeds", null, "${{ failure() }}", null),
                        step("succeeds", null, "${{ success() }}", null)),
                        List.of("Succeeded", "Succeeded", "Skipped", "Succeeded"), Progress.Phase.Succeeded),
                new Case("failure: always and failure run, success skipped", List.of(
                        step("fails", null, null, null),
                        step("succeeds", null, "${{ always() }}", null),
                        step("succeeds", null, "${{ failure() }}", null),
                        step("succeeds", null, "${{ success() }}", null)),
                        List.of("Failed", "Succeeded", "Succeeded", "Skipped"), Progress.Phase.Failed),
                new Case("status('my-step') == 'Errored'", List.of(
                        step("errors", "my-step", null, null),
                        step("succeeds", null, "${{ always() }}", null),
                        step("succeeds", null, "${{ failure() }}", null),
                        step("succeeds", null, "${{ status('my-step') == 'Errored' }}", null)),
                        List.of("Errored", "Succeeded", "Succeeded", "Succeeded"), Progress.Phase.Errored),
                new Case("continueOnError: the failure does not count", List.of(
                        step("fails", null, null, true),
                        step("succeeds", null, "${{ always() }}", null),
                        step("succeeds", null, "${{ failure() }}", null),
                        step("succeeds", null, "${{ success() }}", null)),
                        List.of("Failed", "Succeeded", "Skipped", "Succeeded"), Progress.Phase.Succeeded),
                new Case("empty if after a continueOnError failure runs", List.of(
                        step("succeeds", null, null, null),
                        step("fails", null, null, true),
                        step("succeeds", null, null, null),
                        step("succeeds", null, null, null)),
                        List.of("Succeeded", "Failed", "Succeeded", "Succeeded"), Progress.Phase.Succeeded),
                new Case("empty if after a failure is skipped", List.of(
                        step("fails", null, null, null),
                        step("succeeds", null, null, null)),
                        List.of("Failed", "Skipped"), Progress.Phase.Failed));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kargoExamples")
    void controlFlowAsKargoDocumentsIt(Case c) {
        Progress p = runtime(List.of()).run(c.steps(), BASE, Progress.start());
        assertEquals(c.statuses(), p.results().stream().map(StepResult::status).toList());
        assertEquals(c.phase(), p.phase());
    }

    @Test
    void failureMessageNamesTheStep() {
        Progress p = runtime(List.of()).run(List.of(step("fails", "check", null, null)), BASE, Progress.start());
        assertEquals("step 'check' (fails) failed: it failed", p.message());
        assertEquals("step-0", runtime(List.of()).run(List.of(step("fails", null, null, null)), BASE, Progress.start()).results().get(0).as());
    }

    /** Errors {@code n} times, then succeeds. */
    static final class Flaky implements StepExecutor {
        final AtomicInteger calls = new AtomicInteger();
        final int errors;

        Flaky(int errors) {
            this.errors = errors;
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public Outcome run(Call call) throws Exception {
            if (calls.incrementAndGet() <= errors) throw new java.io.IOException("connection reset");
            return Outcome.succeeded(Map.of("attempt", call.attempt()), null);
        }
    }

    @Test
    void retryUpToTheErrorThreshold() {
        Flaky flaky = new Flaky(2);
        PromotionStep s = new PromotionStep("flaky", "f", Map.of(), null, null, new StepRetry(3, null), null);
        Progress p = runtime(List.of(flaky)).run(List.of(s), BASE, Progress.start());
        assertEquals(Progress.Phase.Succeeded, p.phase());
        assertEquals(3, p.results().get(0).outputs().get("attempt"));

        Flaky tooFlaky = new Flaky(5);
        s = new PromotionStep("flaky", "f", Map.of(), null, null, new StepRetry(2, null), null);
        p = runtime(List.of(tooFlaky)).run(List.of(s), BASE, Progress.start());
        assertEquals(Progress.Phase.Errored, p.phase());
        assertEquals(2, tooFlaky.calls.get());
        assertTrue(p.message().contains("connection reset (after 2 consecutive errors)"), p.message());

        Flaky byDefault = new Flaky(1);
        p = runtime(List.of(byDefault)).run(List.of(new PromotionStep("flaky", "f", Map.of())), BASE, Progress.start());
        assertEquals(Progress.Phase.Errored, p.phase(), "the default error threshold is 1: no retry");
        assertEquals(1, byDefault.calls.get());
    }

    @Test
    void terminalErrorsAreNotRetried() {
        PromotionStep s = new PromotionStep("errors", "e", Map.of(), null, null, new StepRetry(5, null), null);
        Progress p = runtime(List.of()).run(List.of(s), BASE, Progress.start());
        assertEquals("Errored", p.results().get(0).status());
        assertEquals("it errored", p.results().get(0).message());
    }

    @Test
    void aPollingStepEndsAtItsTimeout() {
        AtomicInteger polls = new AtomicInteger();
        StepExecutor waiting = new StepExecutor() {
            @Override
            public String name() {
                return "wait-forever";
            }

            @Override
            public Outcome run(Call call) {
                polls.incrementAndGet();
                return Outcome.running("PR still open");
            }
        };
        PromotionStep s = new PromotionStep("wait-forever", "w", Map.of(), null, null, new StepRetry(null, "50ms"), null);
        Progress p = runtime(List.of(waiting)).run(List.of(s), BASE, Progress.start());
        assertEquals(Progress.Phase.Errored, p.phase());
        assertTrue(p.results().get(0).message().startsWith("timed out after 50ms"), p.results().get(0).message());
        assertTrue(polls.get() >= 2, "polled more than once");
    }

    @Test
    void aBlockedAttemptIsCutOffAtTheTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        StepExecutor blocked = new StepExecutor() {
            @Override
            public String name() {
                return "blocked";
            }

            @Override
            public Outcome run(Call call) throws InterruptedException {
                never.await();
                return Outcome.succeeded(Map.of(), null);
            }
        };
        PromotionStep s = new PromotionStep("blocked", "b", Map.of(), null, null, new StepRetry(null, "100ms"), null);
        Progress p = runtime(List.of(blocked)).run(List.of(s, step("succeeds", "after", "${{ always() }}", null)), BASE, Progress.start());
        assertEquals("Errored", p.results().get(0).status());
        assertEquals("timed out after 100ms", p.results().get(0).message());
        assertEquals("Succeeded", p.results().get(1).status());
    }

    /** Echoes its config as outputs. */
    static final StepExecutor ECHO = new StepExecutor() {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public Outcome run(Call call) {
            Map<String, Object> out = new LinkedHashMap<>(call.config());
            out.put("alias", call.scope().ctx().get("meta") instanceof Map<?, ?> m ? ((Map<?, ?>) m.get("step")).get("alias") : null);
            return Outcome.succeeded(out, null);
        }
    };

    @Test
    void outputsVarsAndTasks() {
        List<PromotionStep> steps = List.of(
                new PromotionStep("echo", "first", Map.of("commit", "abc123", "n", 2)),
                new PromotionStep("echo", "second", Map.of("msg", "from ${{ outputs.first.commit }} in ${{ vars.repo }}"), null, null, null,
                        new LinkedHashMap<>(Map.of("repo", "${{ vars.gitRepo }}"))),
                // a task's steps, as inflated: aliases namespaced, task.outputs by the task-local alias
                new PromotionStep("echo", "update::read", Map.of("version", "1.4.2")),
                new PromotionStep("echo", "update::bump", Map.of("next", "${{ semverParse(task.outputs.read.version).IncMinor().String() }}")),
                new PromotionStep("compose-output", "update::out", Map.of("version", "${{ task.outputs.bump.next }}")),
                new PromotionStep("echo", "after", Map.of("v", "${{ outputs.update.version }}", "n", "${{ outputs.first.n * 2 }}",
                        "s", "${{ status('update::bump') }}")));
        Progress p = runtime(List.of(ECHO)).run(steps, BASE, Progress.start());
        assertEquals(Progress.Phase.Succeeded, p.phase(), p.message());
        assertEquals("from abc123 in https://example.com/r.git", p.results().get(1).outputs().get("msg"));
        assertEquals("1.5.0", p.results().get(3).outputs().get("next"));
        Map<String, Object> last = p.results().get(5).outputs();
        assertEquals("1.5.0", last.get("v"));
        assertEquals(4, last.get("n"));
        assertEquals("Succeeded", last.get("s"));
        assertEquals("after", last.get("alias"));
    }

    @Test
    void aStepOfAnotherServiceHandsOffAndResumes() {
        List<PromotionStep> steps = List.of(
                new PromotionStep("echo", "commit", Map.of("commit", "abc123")),
                new PromotionStep("argocd-update", "sync", Map.of("apps", List.of(Map.of("name", "app-test",
                        "sources", List.of(Map.of("repoURL", "${{ vars.gitRepo }}", "desiredRevision", "${{ outputs.commit.commit }}")))))),
                new PromotionStep("echo", "done", Map.of("rev", "${{ outputs.sync.revision }}")));
        Progress p = runtime(List.of(ECHO)).run(steps, BASE, Progress.start());
        assertEquals(Progress.Phase.HandedOff, p.phase());
        assertEquals("argocd-notifier", p.handoffTo());
        assertEquals(1, p.next());

        List<Map<String, Object>> seen = new ArrayList<>();
        StepExecutor argo = new StepExecutor() {
            @Override
            public String name() {
                return "argocd-update";
            }

            @Override
            public Outcome run(Call call) {
                seen.add(call.config());
                return Outcome.succeeded(Map.of("revision", "abc123"), null);
            }
        };
        Progress resumed = runtime(List.of(ECHO, argo)).run(steps, BASE, p);
        assertEquals(Progress.Phase.Succeeded, resumed.phase(), resumed.message());
        assertEquals("abc123", ((Map<?, ?>) ((List<?>) ((Map<?, ?>) ((List<?>) seen.get(0).get("apps")).get(0)).get("sources")).get(0)).get("desiredRevision"));
        assertEquals("abc123", resumed.results().get(2).outputs().get("rev"));
    }

    @Test
    void badRenderedConfigsAndExpressionsNameTheField() {
        StepExecutor clone = new Fixed("git-clone", StepExecutor.Outcome.succeeded(Map.of(), null));
        Progress p = runtime(List.of(clone)).run(List.of(new PromotionStep("git-clone", "clone",
                Map.of("repoURL", "${{ vars.gitRepo }}", "checkout", List.of(Map.of("branch", "main", "create", "${{ 'yes' }}", "path", "./out"))))), BASE, Progress.start());
        assertEquals("Errored", p.results().get(0).status());
        assertTrue(p.results().get(0).message().contains("config.checkout[0].create"), p.results().get(0).message());

        p = runtime(List.of(ECHO)).run(List.of(new PromotionStep("echo", "e", Map.of("a", List.of("${{ nosuch() }}")))), BASE, Progress.start());
        assertTrue(p.message().contains("config.a[0]: expression 'nosuch()'"), p.message());

        p = runtime(List.of()).run(List.of(new PromotionStep("wait-for-pr", "w", Map.of())), BASE, Progress.start());
        assertEquals("step 'w' (wait-for-pr) errored: unknown step 'wait-for-pr'", p.message());
    }

    @Test
    void builtinFailAndComposeOutput() {
        Progress p = runtime(List.of()).run(List.of(
                new PromotionStep("compose-output", "o", Map.of("x", "${{ ctx.stage }}")),
                new PromotionStep("fail", "stop", Map.of("message", "stage ${{ outputs.o.x }} is frozen"))), BASE, Progress.start());
        assertEquals(Progress.Phase.Failed, p.phase());
        assertEquals("step 'stop' (fail) failed: stage test is frozen", p.message());
        assertNull(p.results().get(1).outputs());
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    void suspendedPollingStepsResumeAndKeepTheirTimeLimit() {
        MovableClock clock = new MovableClock();
        AtomicInteger polls = new AtomicInteger();
        int[] openUntil = {Integer.MAX_VALUE};
        StepExecutor poll = new StepExecutor() {
            @Override
            public String name() {
                return "poll";
            }

            @Override
            public Outcome run(Call call) {
                return polls.incrementAndGet() < openUntil[0] ? Outcome.running("still open") : Outcome.succeeded(Map.of("merged", true), null);
            }
        };
        TemplateRuntime rt = new TemplateRuntime(List.of(poll, FIXTURES.get(0)), StepCatalog.builtin(),
                new TemplateRuntime.Options(Duration.ZERO, Duration.ZERO, clock, true));
        List<PromotionStep> steps = List.of(new PromotionStep("poll", "wait", Map.of(), null, null, new StepRetry(null, "10m"), null),
                step("succeeds", "after", null, null));
        java.time.Instant started = clock.now;
        Progress p = rt.run(steps, BASE, Progress.start());
        assertEquals(Progress.Phase.Running, p.phase());
        assertEquals(0, p.next());
        assertEquals("Running", p.results().get(0).status());
        assertEquals("still open", p.message());
        clock.now = clock.now.plus(Duration.ofMinutes(5));
        p = rt.run(steps, BASE, p);
        assertEquals(Progress.Phase.Running, p.phase());
        assertEquals(1, p.results().size());
        assertEquals(started, p.results().get(0).startedAt(), "the time limit counts from the first attempt");
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        Progress timedOut = rt.run(steps, BASE, p);
        assertEquals(Progress.Phase.Errored, timedOut.phase());
        assertTrue(timedOut.results().get(0).message().startsWith("timed out after 10m"), timedOut.results().get(0).message());
        assertEquals("Skipped", timedOut.results().get(1).status());

        openUntil[0] = polls.get() + 1; // answers merged on the next call
        Progress merged = rt.run(steps, BASE, new Progress(List.of(new StepResult("poll", "wait", "Running", null, 0, null,
                clock.now)), 0, Progress.Phase.Running, null, null));
        assertEquals(Progress.Phase.Succeeded, merged.phase(), merged.message());
        assertEquals(List.of("Succeeded", "Succeeded"), merged.results().stream().map(StepResult::status).toList());
        assertEquals(true, merged.results().get(0).outputs().get("merged"));
    }

    @Test
    void aStepThatKeepsItsDeadlineRunsOnTheCallersThread() {
        Thread caller = Thread.currentThread();
        List<Object> seen = new ArrayList<>();
        StepExecutor own = new StepExecutor() {
            @Override
            public String name() {
                return "own-deadline";
            }

            @Override
            public boolean enforcesDeadline() {
                return true;
            }

            @Override
            public Outcome run(Call call) {
                seen.add(Thread.currentThread() == caller);
                seen.add(call.deadline() != null);
                return Outcome.succeeded(Map.of(), null);
            }
        };
        Progress p = runtime(List.of(own)).run(List.of(new PromotionStep("own-deadline", "o", Map.of(), null, null,
                new StepRetry(null, "1m"), null)), BASE, Progress.start());
        assertEquals(Progress.Phase.Succeeded, p.phase(), p.message());
        assertEquals(List.of(true, true), seen);
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofHours(48), GoDurations.parse("48h"));
        assertEquals(Duration.ofMinutes(90), GoDurations.parse("1h30m"));
        assertEquals(Duration.ofMillis(1500), GoDurations.parse("1.5s"));
        assertEquals(Duration.ofMillis(500), GoDurations.parse("500ms"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("2 days"));
    }
}
