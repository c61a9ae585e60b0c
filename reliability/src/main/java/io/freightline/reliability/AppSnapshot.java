package io.freightline.reliability;

import io.freightline.devstack.DevStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.awaitility.Awaitility.await;

/**
 * A private copy of the four services' packaged apps ({@code <module>/target/quarkus-app}), so a campaign that
 * kills and restarts services keeps running the same build while their owners rebuild the checkout.
 */
final class AppSnapshot {

    /** Copies every service's quarkus-app under {@code dest} (laid out like the checkout) and returns {@code dest}. */
    static Path take(Path root, Path dest) {
        for (String service : DevStack.SERVICES) {
            Path app = root.resolve(service).resolve("target/quarkus-app");
            Path copy = dest.resolve(service).resolve("target/quarkus-app");
            await(service + " build settled and complete").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(3))
                    .ignoreExceptions().until(() -> {
                        if (!settled(app)) {
                            return false;
                        }
                        GitRepo.deleteTree(copy);
                        copyTree(app, copy);
                        return complete(copy) && settled(app);
                    });
        }
        return dest;
    }

    /** Nothing in the folder changed for 15 s (no build writing it). */
    private static boolean settled(Path app) throws IOException {
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            return false;
        }
        long now = System.currentTimeMillis();
        long newest;
        try (Stream<Path> files = Files.walk(app)) {
            // some packaged files carry fixed (even future) timestamps: only plausible ones tell about a build
            newest = files.mapToLong(p -> p.toFile().lastModified()).filter(t -> t <= now + 1000).max().orElse(0);
        }
        return now - newest > 15_000;
    }

    /** Every jar of the copy opens, and the launcher is there. */
    private static boolean complete(Path copy) throws IOException {
        if (!Files.isRegularFile(copy.resolve("quarkus-run.jar"))) {
            return false;
        }
        List<Path> jars;
        try (Stream<Path> files = Files.walk(copy)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        for (Path jar : jars) {
            try (ZipFile z = new ZipFile(jar.toFile())) {
                z.size();
            }
        }
        return !jars.isEmpty();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private AppSnapshot() {
    }
}
