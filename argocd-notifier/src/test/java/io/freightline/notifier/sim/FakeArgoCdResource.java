package io.freightline.notifier.sim;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Starts the simulated Argo CD for a {@code @QuarkusTest} and points the notifier at it: the default server with a
 * bearer token, {@code session} logging in with username/password, {@code badtoken} with a wrong token.
 */
public class FakeArgoCdResource implements QuarkusTestResourceLifecycleManager {
    private static volatile FakeArgoCd argocd;

    public static FakeArgoCd argocd() {
        return argocd;
    }

    @Override
    public Map<String, String> start() {
        argocd = new FakeArgoCd();
        return Map.of(
                "freightline.notifier.argocd.url", argocd.url(),
                "freightline.notifier.argocd.token", FakeArgoCd.TOKEN,
                "freightline.notifier.argocd.servers.session.url", argocd.url(),
                "freightline.notifier.argocd.servers.session.username", FakeArgoCd.SESSION_USER,
                "freightline.notifier.argocd.servers.session.password", FakeArgoCd.SESSION_PASSWORD,
                "freightline.notifier.argocd.servers.badtoken.url", argocd.url(),
                "freightline.notifier.argocd.servers.badtoken.token", "expired-token");
    }

    @Override
    public void stop() {
        if (argocd != null) {
            argocd.close();
        }
    }
}
