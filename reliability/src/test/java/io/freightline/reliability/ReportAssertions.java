package io.freightline.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Asserts the violations a campaign step found, and keeps the report's summary under target/ for the docs. */
final class ReportAssertions {

    /** The violations added since {@code before}, which must be none. */
    static void noNewViolations(Report r, int before, String step) {
        List<String> all = r.violations();
        List<String> fresh = all.subList(before, all.size());
        assertEquals(List.of(), fresh, step + ":\n" + r.summary());
    }

    static void keep(Report r, String name) {
        try {
            Path dir = Path.of("target");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("reliability-" + name + ".txt"), r.summary());
        } catch (IOException e) {
            // the summary is in the test output too
        }
        System.out.println(r.summary());
    }

    private ReportAssertions() {
    }
}
