package io.freightline.watcher.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InstallIdConfigSourceTest {
    @TempDir
    Path dir;

    @Test
    void theNamespaceNamesTheInstallation() throws Exception {
        Path file = dir.resolve("namespace");
        assertEquals("local", InstallIdConfigSource.derive(Map.<String, String>of()::get, file));
        Files.writeString(file, "team-b\n");
        assertEquals("k8s-team-b", InstallIdConfigSource.derive(Map.<String, String>of()::get, file));
        assertEquals("k8s-team-a", InstallIdConfigSource.derive(Map.of("POD_NAMESPACE", "team-a")::get, file));
        assertEquals("k8s-team-b", InstallIdConfigSource.derive(Map.of("POD_NAMESPACE", " ")::get, file));
    }
}
