package io.freightline.devstack.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** (A plain test, run by failsafe with the module's other tests.) How {@code create freight} and {@code promote --source-stage --all} read their options (no server needed). */
class CliArgsIT {

    @Test
    void artifactOptionsBecomeArtifactReferences() {
        assertEquals("{\"kind\":\"image\",\"tag\":\"1.2.3\",\"repoURL\":\"127.0.0.1:5000/demo/app\"}", Cli.image("127.0.0.1:5000/demo/app:1.2.3").toString());
        assertEquals("{\"kind\":\"image\",\"digest\":\"sha256:abc\",\"repoURL\":\"nginx\"}", Cli.image("nginx@sha256:abc").toString());
        assertEquals("{\"kind\":\"image\",\"digest\":\"sha256:abc\",\"tag\":\"1.0\",\"repoURL\":\"ghcr.io/a/b\"}", Cli.image("ghcr.io/a/b:1.0@sha256:abc").toString());
        assertThrows(IllegalArgumentException.class, () -> Cli.image("127.0.0.1:5000/demo/app"));
        assertEquals("{\"kind\":\"chart\",\"tag\":\"1.0.0\",\"name\":\"podinfo\",\"repoURL\":\"https://charts.example.com\"}",
                Cli.chart("https://charts.example.com#podinfo@1.0.0").toString());
        assertEquals("{\"kind\":\"chart\",\"tag\":\"2.1.0\",\"repoURL\":\"oci://ghcr.io/example/charts/app\"}", Cli.chart("oci://ghcr.io/example/charts/app@2.1.0").toString());
        assertEquals("{\"kind\":\"git\",\"repoURL\":\"git@github.com:example/repo.git\",\"commit\":\"abc1234\"}", Cli.git("git@github.com:example/repo.git@abc1234").toString());
        assertThrows(IllegalArgumentException.class, () -> Cli.git("https://github.com/example/repo.git"));
    }

    @Test
    void repeatedOptionsKeepEveryValueAndAllTakesNoValue() {
        Cli.Args a = Cli.Args.parse(new String[]{"create", "freight", "--warehouse", "w", "--image", "a:1", "--image", "b:2"});
        assertEquals(List.of("freight"), a.positional);
        assertEquals(List.of("a:1", "b:2"), a.all("image"));
        Cli.Args p = Cli.Args.parse(new String[]{"promote", "--source-stage", "uat", "--stage", "prod", "--all"});
        assertEquals("true", p.flags.get("all"));
        assertEquals("prod", p.flags.get("stage"));
    }

    @Test
    void misusedOptionsAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("FREIGHTLINE_SERVER", "http://127.0.0.1:9"));
        assertEquals(2, cli.run(new String[]{"promote", "--source-stage", "uat", "--stage", "prod"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--all"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, cli.run(new String[]{"create", "freight", "--warehouse", "w"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("at least one --image"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, cli.run(new String[]{"create", "stage"}));
    }
}
