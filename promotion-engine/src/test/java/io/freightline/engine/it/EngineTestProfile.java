package io.freightline.engine.it;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The demo pipeline from the devstack in a manifests folder, fixed tokens, a fast ticker. */
public class EngineTestProfile implements QuarkusTestProfile {
    public static final String REPO = "git://127.0.0.1:9418/gitops.git";
    public static final String VIEWER = "view-token", PROMOTER = "promo-token", ADMIN = "admin-token", OTHER = "other-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path dir = Files.createTempDirectory("engine-manifests-");
            String demo = Files.readString(Path.of("../devstack/src/main/resources/demo/pipeline.yaml"))
                    .replace("@REPO_URL@", REPO)
                    .replace("#ARGOCD:dev", "        - uses: argocd-update\n          config: {apps: [{name: demo-dev, namespace: argocd}]}");
            Files.writeString(dir.resolve("pipeline.yaml"), demo);
            Path tokens = dir.resolve("tokens");
            Files.writeString(tokens, "viewer=" + VIEWER + "\npromoter=" + PROMOTER + "\n");
            return Map.of(
                    "freightline.engine.manifests-dir", dir.toString(),
                    "freightline.engine.auth.tokens-file", tokens.toString(),
                    "freightline.engine.auth.tokens", "admin=" + ADMIN + ",admin@other=" + OTHER,
                    "freightline.engine.tick-interval", "1s",
                    "freightline.engine.command-timeout", "30s",
                    "freightline.engine.ui-poll-interval", "1s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
