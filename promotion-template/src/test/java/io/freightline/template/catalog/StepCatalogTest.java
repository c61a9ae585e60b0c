package io.freightline.template.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Contract: every example of a step config in Kargo's step reference pages ({@code 30-promotion-steps/<step>.md},
 * extracted verbatim into {@code kargo-step-examples.json}) passes the catalog's apply-time validation.
 */
class StepCatalogTest {
    record Example(String page, int example, String uses, Map<String, Object> config) {
        @Override
        public String toString() {
            return page + " #" + example;
        }
    }

    static List<Example> examples() throws IOException {
        try (InputStream in = StepCatalogTest.class.getResourceAsStream("/kargo-step-examples.json")) {
            return new ObjectMapper().readValue(in, new TypeReference<>() {
            });
        }
    }

    /**
     * Examples in Kargo's pages that leave out a field the same page's table (and Kargo's schema) marks required:
     * Kargo rejects them too. Each must fail for exactly that reason.
     */
    static final Map<String, String> KNOWN_INCOMPLETE = Map.of(
            "git-tag.md #0", "message", "git-tag.md #1", "message", "git-tag.md #2", "message", "git-tag.md #3", "message",
            "helm-template.md #0", "releaseName",
            "kustomize-set-image.md #1", "tag");

    final StepCatalog catalog = StepCatalog.builtin();

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void kargosDocumentedExamplesAreValid(Example e) {
        List<StepCatalog.Violation> v = catalog.validateTemplate(e.uses(), e.config(), "config");
        String missing = KNOWN_INCOMPLETE.get(e.toString());
        if (missing == null) {
            assertEquals(List.of(), v, e.toString());
        } else {
            assertTrue(v.stream().anyMatch(x -> x.reason().equals("required property '" + missing + "' not found")), v.toString());
        }
    }

    @Test
    void everyStepHasADocumentedExample() throws IOException {
        Set<String> documented = examples().stream().map(Example::uses).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(catalog.names()), documented);
    }

    @Test
    void sayWhichServiceRunsAStep() {
        assertEquals(StepCatalog.Runner.GIT_WRITER, catalog.runner("git-clone"));
        assertEquals(StepCatalog.Runner.GIT_WRITER, catalog.runner("kustomize-build"));
        assertEquals(StepCatalog.Runner.NOTIFIER, catalog.runner("argocd-update"));
        assertEquals(StepCatalog.Runner.ENGINE, catalog.runner("set-metadata"));
        assertEquals(StepCatalog.Runner.ENGINE, catalog.runner("set-freight-alias"));
        assertEquals(StepCatalog.Runner.RUNTIME, catalog.runner("compose-output"));
        assertEquals(null, catalog.runner("wait-for-pr"));
    }

    @Test
    void badConfigsNameTheField() {
        List<StepCatalog.Violation> v = catalog.validateTemplate("git-clone",
                Map.of("repoURL", "https://github.com/example/repo.git",
                        "checkout", List.of(Map.of("branch", "main", "path", "./src", "colour", "red"))), "steps[0].config");
        assertEquals(1, v.size(), v.toString());
        assertEquals("steps[0].config.checkout[0]", v.get(0).path());
        assertTrue(v.get(0).reason().contains("colour"), v.toString());

        v = catalog.validateTemplate("git-clone", Map.of("checkout", List.of()), "config");
        assertTrue(v.stream().anyMatch(x -> x.reason().contains("repoURL")), v.toString());

        v = catalog.validateTemplate("git-commit", Map.of("path", "./out", "message", 42), "config");
        assertEquals("config.message", v.get(0).path(), v.toString());

        assertEquals("uses", catalog.validateTemplate("wait-for-pr", Map.of(), "").get(0).path());
    }

    @Test
    void anExpressionIsCheckedOnceRendered() {
        Map<String, Object> template = Map.of("path", "./out", "message", "m", "create", "${{ vars.create }}");
        // git-commit has no "create": unknown fields are reported even when their value is an expression
        assertEquals(1, catalog.validateTemplate("git-commit", template, "config").size());
        Map<String, Object> clone = Map.of("repoURL", "${{ vars.gitRepo }}",
                "checkout", List.of(Map.of("branch", "stage/x", "create", "${{ vars.create }}", "path", "./out")));
        assertEquals(List.of(), catalog.validateTemplate("git-clone", clone, "config"));
        Map<String, Object> rendered = Map.of("repoURL", "https://example.com/r.git",
                "checkout", List.of(Map.of("branch", "stage/x", "create", "yes", "path", "./out")));
        List<StepCatalog.Violation> v = catalog.validate("git-clone", rendered, "config");
        assertEquals("config.checkout[0].create", v.get(0).path(), v.toString());
    }
}
