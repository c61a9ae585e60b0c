package io.freightline.notifier.domain;

import io.freightline.events.PromotionCommitted;
import io.freightline.events.StepResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kargo's argocd-wait config and readiness rules, from its reference page. */
class WaitStepsTest {

    private static AppSnapshot app(String sync, String health, String opPhase, boolean pending) {
        AppSnapshot.Operation op = new AppSnapshot.Operation("alice", false, Map.of(), "abc", List.of());
        return new AppSnapshot("web", "argocd", false, List.of("https://git.example.com/r.git"), pending ? op : null,
                sync, "abc", List.of(), health, null,
                opPhase == null ? null : new AppSnapshot.OperationState(opPhase, "", op, "abc", List.of()));
    }

    @ParameterizedTest(name = "{0}: sync={1} health={2} op={3} pending={4} -> {5}")
    @CsvSource(delimiter = '|', value = {
            // waitFor                | sync      | health      | op        | pending | ready
            "health sync operation    | Synced    | Healthy     | Succeeded | false   | true",
            "health sync operation    | OutOfSync | Healthy     | Succeeded | false   | false",
            "health sync operation    | Synced    | Progressing | Succeeded | false   | false",
            "health sync operation    | Synced    | Healthy     | Running   | false   | false",
            "health sync operation    | Synced    | Healthy     | Succeeded | true    | false",
            "operation                | OutOfSync | Progressing | Succeeded | false   | true",
            "operation                | Synced    | Healthy     | Running   | false   | false",
            "suspended                | OutOfSync | Suspended   | Succeeded | false   | true",
            "suspended                | Synced    | Healthy     | Succeeded | false   | false",
            "health suspended         | OutOfSync | Suspended   | Succeeded | false   | true",
            "degraded                 | OutOfSync | Degraded    | Succeeded | false   | true",
            "sync                     | Synced    | Degraded    | Running   | false   | true",
    })
    void readinessIsTheConditionsOfWaitFor(String waitFor, String sync, String health, String op, boolean pending,
                                           boolean ready) {
        String why = WaitSteps.notReady(app(sync, health, op, pending), Set.of(waitFor.split(" ")), null);
        assertEquals(ready, why == null, why);
    }

    @Test
    void degradedFromHealthyIsARegressionButNotFromUnknownOrAtTheFirstLook() {
        AppSnapshot degraded = app("Synced", "Degraded", "Succeeded", false);
        WaitSteps.Regressed r = assertThrows(WaitSteps.Regressed.class,
                () -> WaitSteps.notReady(degraded, WaitSteps.DEFAULT_WAIT_FOR, "Healthy"));
        assertEquals("health regressed from Healthy to Degraded", r.getMessage());
        assertTrue(WaitSteps.notReady(degraded, WaitSteps.DEFAULT_WAIT_FOR, "Unknown").startsWith("health Degraded"));
        assertTrue(WaitSteps.notReady(degraded, WaitSteps.DEFAULT_WAIT_FOR, "Degraded").startsWith("health Degraded"));
        assertTrue(WaitSteps.notReady(degraded, WaitSteps.DEFAULT_WAIT_FOR, null).startsWith("health Degraded"));
        assertEquals("health Degraded, waiting for Suspended",
                WaitSteps.notReady(degraded, Set.of("suspended"), "Healthy"), "no regression check without health");
    }

    @Test
    void selectorsBecomeTheListApisLabelSelector() {
        WaitSteps.Step s = WaitSteps.parse("wait", Map.of("apps", List.of(Map.of("selector", Map.of(
                "matchLabels", Map.of("environment", "staging"),
                "matchExpressions", List.of(
                        Map.of("key", "tier", "operator", "In", "values", List.of("web", "api")),
                        Map.of("key", "team", "operator", "NotIn", "values", List.of("ops")),
                        Map.of("key", "owner", "operator", "Exists"),
                        Map.of("key", "legacy", "operator", "DoesNotExist")))))));
        WaitSteps.Selection sel = s.apps().get(0);
        assertEquals("environment=staging,tier in (web,api),team notin (ops),owner,!legacy", sel.labelSelector());
        assertEquals("argocd", sel.namespace());
        assertEquals(WaitSteps.DEFAULT_WAIT_FOR, sel.waitFor());
        assertNull(sel.name());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                                            | config.apps: required",
            "{\"apps\": [{}]}                                               | config.apps[0]: set exactly one of name and selector",
            "{\"apps\": [{\"name\": \"a\", \"selector\": {\"matchLabels\": {\"x\": \"y\"}}}]} | config.apps[0]: set exactly one of name and selector",
            "{\"apps\": [{\"name\": \"a\", \"waitFor\": [\"healthy\"]}]}      | config.apps[0].waitFor: ",
            "{\"apps\": [{\"name\": \"a\", \"server\": \"x\"}]}              | config.apps[0].server: unknown field",
            "{\"apps\": [{\"selector\": {}}]}                                | config.apps[0].selector: needs matchLabels or matchExpressions",
            "{\"apps\": [{\"selector\": {\"matchExpressions\": [{\"key\": \"k\", \"operator\": \"In\"}]}}]} | config.apps[0].selector.matchExpressions[0].values: required for In",
            "{\"apps\": [{\"selector\": {\"matchExpressions\": [{\"key\": \"k\", \"operator\": \"Equals\"}]}}]} | config.apps[0].selector.matchExpressions[0].operator: ",
    })
    void badConfigNamesTheStepAndTheField(String json, String expected) throws Exception {
        Map<?, ?> cfg = io.freightline.events.EventCodec.mapper().readValue(json, Map.class);
        WaitSteps.Invalid e = assertThrows(WaitSteps.Invalid.class, () -> WaitSteps.parse("wait", cfg));
        assertTrue(e.getMessage().startsWith("argocd-wait step 'wait': "), e.getMessage());
        assertTrue(e.getMessage().contains(expected.strip()), e.getMessage());
    }

    @Test
    void onlyTheStepsTheWriterReachedAreCarriedOut() {
        Instant now = Instant.now();
        Map<String, Object> reached = Map.of("config", Map.of("apps", List.of(Map.of("name", "web"))));
        PromotionCommitted c = new PromotionCommitted("p", "shop", "dev", "f", "r", "main",
                PromotionCommitted.Outcome.PUSHED, "abc", null, Arrays.asList(
                new StepResult("git-push", "push", "Succeeded", null, 1, Map.of("commit", "abc")),
                new StepResult("argocd-wait", "skipped-by-if", "Skipped", null, 0, null),
                new StepResult("argocd-wait", "wait", "Skipped", "carried out by the argocd-notifier", 0, reached)),
                null, null, null, now, now);
        List<WaitSteps.Step> steps = WaitSteps.of(c);
        assertEquals(1, steps.size());
        assertEquals("wait", steps.get(0).alias());
        assertEquals("web", steps.get(0).apps().get(0).name());
    }
}
