package io.freightline.engine.domain;

import io.freightline.events.ArtifactRef;
import io.freightline.events.FreightRef;
import io.freightline.template.expr.Scope;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the engine renders when it dispatches a promotion, and what it leaves to the step runtime. */
class ExpressionsTest {
    static final FreightRef FREIGHT = new FreightRef("f1", "wild-fox", "kargo-demo",
            List.of(ArtifactRef.image("public.ecr.aws/nginx/nginx", "1.29.1", null)));

    static Scope scope() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("gitopsRepo", "https://github.com/example/gitops.git");
        vars.put("targetBranch", "stage/${{ ctx.stage }}");
        return Expressions.scope(new Expressions.Context("kargo-demo", "test", "p-1", "alice", List.of(FREIGHT), vars));
    }

    @Test
    void rendersWhatIsKnownAndKeepsWhatTheStepsProduce() {
        Map<String, Object> cfg = Expressions.render(Map.of(
                "branch", "${{ vars.targetBranch }}",
                "tag", "${{ imageFrom('public.ecr.aws/nginx/nginx').Tag }}",
                "actor", "${{ ctx.meta.promotion.actor }} promoted ${{ ctx.targetFreight.alias }}",
                "message", "${{ outputs['update-image'].commitMessage }}",
                "token", "Bearer ${{ secret('slack').token }}",
                "when", "${{ success() }}"), scope());
        assertEquals("stage/test", cfg.get("branch"));
        assertEquals("1.29.1", cfg.get("tag"));
        assertEquals("alice promoted wild-fox", cfg.get("actor"));
        assertEquals("${{ outputs['update-image'].commitMessage }}", cfg.get("message"));
        assertEquals("Bearer ${{ secret('slack').token }}", cfg.get("token"), "secrets are never rendered into events");
        assertEquals("${{ success() }}", cfg.get("when"));
    }

    @Test
    void stepVarsAreRenderedFirstUnlessTheyNeedOutputs() {
        Map<String, Object> cfg = Expressions.renderStep(Map.of("repoURL", "${{ vars.repo }}", "path", "./${{ ctx.stage }}"),
                Map.of("repo", "${{ vars.gitopsRepo }}"), scope());
        assertEquals("https://github.com/example/gitops.git", cfg.get("repoURL"));
        cfg = Expressions.renderStep(Map.of("message", "${{ vars.msg }}", "path", "./${{ ctx.stage }}"),
                Map.of("msg", "${{ outputs.commit.commit }}"), scope());
        assertEquals("${{ vars.msg }}", cfg.get("message"), "left for the runtime, which knows the outputs");
        assertEquals("./test", cfg.get("path"));
    }

    @Test
    void anExpressionThatFailsNamesIt() {
        Expressions.RenderException e = assertThrows(Expressions.RenderException.class,
                () -> Expressions.render(Map.of("tag", "${{ imageFrom('other/repo').Tag }}"), scope()));
        assertEquals(true, e.getMessage().contains("imageFrom('other/repo').Tag"), e.getMessage());
    }
}
