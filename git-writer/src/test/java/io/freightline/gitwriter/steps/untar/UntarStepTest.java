package io.freightline.gitwriter.steps.untar;

import io.freightline.gitwriter.steps.StepFixture;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UntarStepTest {
    @TempDir
    Path dir;

    @Test
    void extractsAnArchiveMadeByTheTarTool() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/my-chart/templates"));
        Files.writeString(src.resolve("deploy.yaml"), "kind: Deployment\n");
        Files.writeString(src.getParent().resolve("Chart.yaml"), "name: my-chart\n");
        Files.writeString(src.getParent().resolve("debug.log"), "noise\n");
        Files.createSymbolicLink(src.getParent().resolve("link"), Path.of("/etc/passwd"));
        run(dir.resolve("src"), "tar", "-czf", dir.resolve("chart.tgz").toString(), "my-chart");
        try (StepFixture f = new StepFixture(Files.createDirectories(dir.resolve("repo-dir")), Map.of("charts/my-chart-1.0.0.tgz", new byte[0]), List.of(new UntarStep()))) {
            f.workspace.write("charts/my-chart-1.0.0.tgz", Files.readAllBytes(dir.resolve("chart.tgz")));
            var ran = f.run("untar", Map.of("inPath", "charts/my-chart-1.0.0.tgz", "outPath", "charts/my-chart",
                    "stripComponents", 1, "ignore", "*.log\n"));
            assertThat(f.workspace.files("charts/my-chart")).containsExactly("charts/my-chart/Chart.yaml",
                    "charts/my-chart/templates/deploy.yaml");
            assertThat(f.text("charts/my-chart/templates/deploy.yaml")).isEqualTo("kind: Deployment\n");
            assertThat(ran.message()).contains("1 link(s) or special file(s) skipped");
        }
    }

    @Test
    void entriesLeavingTheOutputFolderAreRefusedAndNothingIsExtracted() throws Exception {
        for (String evil : List.of("ok/../../escape.yaml", "/etc/cron.d/x", "../../../outside")) {
            byte[] archive = tar(Map.of("fine.yaml", "a", evil, "b"));
            try (StepFixture f = new StepFixture(Files.createTempDirectory(dir, "r"), Map.of("a.tar", new byte[1]), List.of(new UntarStep()))) {
                f.workspace.write("a.tar", archive);
                assertThatThrownBy(() -> f.run("untar", Map.of("inPath", "a.tar", "outPath", "out")))
                        .hasMessageContaining("refused");
                assertThat(f.workspace.files("out")).isEmpty();
                assertThat(f.workspace.files("")).containsExactly("a.tar");
            }
        }
    }

    static byte[] tar(Map<String, String> entries) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (var e : new java.util.TreeMap<>(entries).descendingMap().entrySet()) {
                byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry te = new TarArchiveEntry(e.getKey(), true); // keep the name exactly as given
                te.setSize(b.length);
                t.putArchiveEntry(te);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    static void run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
