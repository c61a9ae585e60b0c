package io.freightline.gitwriter.steps.tar;

import io.freightline.gitwriter.TestRepos;
import io.freightline.gitwriter.steps.StepFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class TarStepTest {
    @TempDir
    Path dir;

    @Test
    void archivesAFolderThatTheTarToolReadsBack() throws Exception {
        Map<String, String> files = new TreeMap<>(Map.of("chart/Chart.yaml", "name: app\n",
                "chart/templates/deploy.yaml", "kind: Deployment\n", "chart/debug.log", "noise\n",
                "chart/temp/x.yaml", "tmp\n", "other.txt", "o"));
        try (StepFixture f = new StepFixture(dir, files, new TarStep())) {
            f.run("tar", Map.of("inPath", "./chart", "outPath", "out/chart.tar.gz", "gzip", true,
                    "ignore", "*.log\ntemp/\n"));
            byte[] first = f.bytes("out/chart.tar.gz");
            Path archive = dir.resolve("chart.tar.gz");
            Files.write(archive, first);
            assertThat(TestRepos.git(dir, "--version")).isNotEmpty();
            String listing = run(dir, "tar", "-tzf", archive.toString());
            assertThat(listing.lines().sorted().toList()).containsExactly("Chart.yaml", "templates/deploy.yaml");
            assertThat(run(dir, "tar", "-xzOf", archive.toString(), "templates/deploy.yaml")).isEqualTo("kind: Deployment\n");
            // the same input gives the same bytes: no new commit for an unchanged folder
            f.run("tar", Map.of("inPath", "./chart", "outPath", "out/chart.tar.gz", "gzip", true, "ignore", "*.log\ntemp/\n"));
            assertThat(f.bytes("out/chart.tar.gz")).isEqualTo(first);
            f.run("tar", Map.of("inPath", "other.txt", "outPath", "o.tar"));
            Files.write(dir.resolve("o.tar"), f.bytes("o.tar"));
            assertThat(run(dir, "tar", "-tf", dir.resolve("o.tar").toString()).strip()).isEqualTo("other.txt");
        }
    }

    static String run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
