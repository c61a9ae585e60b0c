package io.freightline.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArtifactReferencesTest {
    private static final String SHA = "sha256:" + "a".repeat(64);

    @ParameterizedTest(name = "{0} {1}:{2}@{3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "~", textBlock = """
            image | 127.0.0.1:5000/demo/app       | 1.2.3     | ~       | ~
            image | ghcr.io/org/team/app          | v1_2.x-3  | ~       | ~
            image | nginx                         | latest    | ~       | ~
            image | [::1]:5000/app                | latest    | ~       | ~
            image | registry.example.com/a__b/c-d | ~         | SHA     | ~
            image | reg/app                       | -x        | ~       | artifact.tag '-x' is not an OCI tag
            image | reg/app                       | a/b       | ~       | artifact.tag 'a/b' is not an OCI tag
            image | reg/App                       | 1.0       | ~       | artifact.repoURL 'reg/App' is not an OCI image repository
            image | reg/app/                      | 1.0       | ~       | artifact.repoURL 'reg/app/' is not an OCI image repository
            image | reg/app                       | ~         | sha256:abc | artifact.digest 'sha256:abc' is not sha256: and 64 lower-case hex digits
            image | reg/app                       | ~         | nodigest | artifact.digest 'nodigest' is not an OCI digest (algorithm:hex)
            image | reg/app                       | ~         | ~       | artifact.needs a tag or a digest
            """)
    void images(String kind, String repo, String tag, String digest, String problem) {
        ArtifactRef a = ArtifactRef.image(repo, tag, "SHA".equals(digest) ? SHA : digest);
        assertEquals(problem, ArtifactReferences.problem(a));
    }

    @Test
    void theInjectedTagOfACiEventIsRefusedWithItsControlCharactersEscaped() {
        ArtifactRef a = ArtifactRef.image("127.0.0.1:5000/demo/app", "zz\nresources:\n- https://evil.example.com/x.yaml", null);
        assertEquals("artifact.tag 'zz\\nresources:\\n- https://evil.example.com/x.yaml' is not an OCI tag",
                ArtifactReferences.problem(a));
        assertEquals("artifact.tag '" + "a".repeat(80) + "...' is not an OCI tag", ArtifactReferences.problem(
                ArtifactRef.image("reg/app", "a".repeat(129), null)));
    }

    @Test
    void chartsAndGit() {
        assertNull(ArtifactReferences.problem(ArtifactRef.chart("https://charts.example.com", "my-chart", "1.2.3+build.1")));
        assertNull(ArtifactReferences.problem(ArtifactRef.chart("oci://reg/charts/app", null, "0.3.0-rc.1")));
        assertEquals("artifact.name '../x' is not a Helm chart name",
                ArtifactReferences.problem(ArtifactRef.chart("https://charts.example.com", "../x", "1.0.0")));
        assertEquals("artifact.tag '1.0 0' is not a chart version",
                ArtifactReferences.problem(ArtifactRef.chart("https://charts.example.com", "app", "1.0 0")));
        assertNull(ArtifactReferences.problem(ArtifactRef.git("https://git.example.com/a.git", "abc1234", "main", null)));
        assertNull(ArtifactReferences.problem(ArtifactRef.git("https://git.example.com/a.git", "a".repeat(64), null, "release/v1.0")));
        assertEquals("artifact.commit 'abc12' is not a Git commit id (7 to 64 lower-case hex digits)",
                ArtifactReferences.problem(ArtifactRef.git("https://git.example.com/a.git", "abc12", "main", null)));
        assertEquals("artifact.branch 'a..b' is not a Git branch name",
                ArtifactReferences.problem(ArtifactRef.git("https://git.example.com/a.git", "abc1234", "a..b", null)));
        assertEquals("artifact.tag 'v1.lock' is not a Git tag name",
                ArtifactReferences.problem(ArtifactRef.git("https://git.example.com/a.git", "abc1234", null, "v1.lock")));
        assertEquals("artifact.repoURL 'https://x/a b' contains a space or control character",
                ArtifactReferences.problem(ArtifactRef.git("https://x/a b", "abc1234", null, null)));
    }

    @Test
    void aCiEventWithAnInvalidTagIsAnInvalidEventNamingTheField() {
        String ci = """
                {"project":"demo","artifact":{"kind":"image","repoURL":"127.0.0.1:5000/demo/app","tag":"zz\\nresources:\\n- https://evil.example.com/x.yaml"},"discoveredBy":"ci"}""";
        var e = assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED, ci, ArtifactDiscovered.class));
        assertTrue(e.getMessage().contains("artifact.tag"), e.getMessage());
        String badRepo = """
                {"project":"demo","artifact":{"kind":"image","repoURL":"Reg/App","tag":"1.0.0"},"discoveredBy":"ci"}""";
        var r = assertThrows(InvalidEventException.class, () -> EventCodec.decode(EventTypes.ARTIFACT_DISCOVERED, badRepo, ArtifactDiscovered.class));
        assertTrue(r.getMessage().contains("artifact.repoURL 'Reg/App' is not an OCI image repository"), r.getMessage());
    }

    /** The schema's patterns are the grammar's expressions: one grammar, written once in Java, published in JSON. */
    @Test
    void schemaPatternsAreTheGrammar() {
        JsonNode schema = EventCodec.parse(EventCodec.schemaText(EventTypes.ARTIFACT_DISCOVERED));
        List<String> patterns = new ArrayList<>();
        schema.path("$defs").path("artifact").findValues("pattern").forEach(p -> patterns.add(p.asText()));
        for (String p : patterns) {
            assertTrue(List.of(ArtifactReferences.TAG, ArtifactReferences.DIGEST, ArtifactReferences.CHART_NAME,
                    ArtifactReferences.CHART_VERSION, ArtifactReferences.COMMIT).contains(p), p);
        }
        assertTrue(patterns.containsAll(List.of(ArtifactReferences.TAG, ArtifactReferences.DIGEST,
                ArtifactReferences.CHART_NAME, ArtifactReferences.CHART_VERSION, ArtifactReferences.COMMIT)), patterns.toString());
    }
}
