package io.freightline.watcher.api;

import io.freightline.watcher.config.WatcherConfig;
import io.freightline.watcher.domain.Signatures;
import io.freightline.watcher.domain.WebhookPayload;
import io.freightline.watcher.domain.WebhookPayloads;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.Optional;

/** The webhook providers, each with its own signature scheme (see shared/contracts/webhooks/README.md). */
public final class Providers {

    abstract static class Base implements WebhookProvider {
        @Inject
        WatcherConfig config;

        String secret(Optional<String> specific) {
            return specific.filter(s -> !s.isBlank()).or(config::webhookSecret).orElse(null);
        }

        static String header(HttpHeaders h, String name) {
            return h.getHeaderString(name);
        }

        static String first(HttpHeaders h, String... names) {
            for (String n : names) {
                String v = h.getHeaderString(n);
                if (v != null && !v.isBlank()) return v;
            }
            return null;
        }
    }

    /** CNCF Distribution: a static {@code Authorization: Bearer <secret>} configured in the registry. */
    @ApplicationScoped
    public static class Distribution extends Base {
        public String name() {
            return "distribution";
        }

        public boolean authenticate(HttpHeaders h, String token, byte[] body) {
            String secret = secret(config.webhooks().distributionSecret());
            return secret != null && Signatures.constantTimeEquals(header(h, "Authorization"), "Bearer " + secret);
        }

        public WebhookPayload parse(HttpHeaders h, byte[] body) {
            return WebhookPayloads.distribution(body);
        }
    }

    /** GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC>} over the raw body. */
    @ApplicationScoped
    public static class GitHub extends Base {
        public String name() {
            return "github";
        }

        public boolean authenticate(HttpHeaders h, String token, byte[] body) {
            return Signatures.hmacSha256Matches(header(h, "X-Hub-Signature-256"), "sha256=",
                    secret(config.webhooks().githubSecret()), body);
        }

        public WebhookPayload parse(HttpHeaders h, byte[] body) {
            return WebhookPayloads.github(header(h, "X-GitHub-Event"), header(h, "X-GitHub-Delivery"), body);
        }
    }

    /** Gitea/Forgejo/Gogs: bare hex HMAC in {@code X-Gitea-Signature} (or the GitHub-compatible header). */
    @ApplicationScoped
    public static class Gitea extends Base {
        public String name() {
            return "gitea";
        }

        public boolean authenticate(HttpHeaders h, String token, byte[] body) {
            String secret = secret(config.webhooks().giteaSecret());
            String bare = first(h, "X-Gitea-Signature", "X-Forgejo-Signature", "X-Gogs-Signature");
            if (bare != null) {
                return Signatures.hmacSha256Matches(bare, "", secret, body);
            }
            return Signatures.hmacSha256Matches(header(h, "X-Hub-Signature-256"), "sha256=", secret, body);
        }

        public WebhookPayload parse(HttpHeaders h, byte[] body) {
            return WebhookPayloads.gitea(first(h, "X-Gitea-Event", "X-Forgejo-Event", "X-Gogs-Event", "X-GitHub-Event"),
                    first(h, "X-Gitea-Delivery", "X-Forgejo-Delivery", "X-Gogs-Delivery", "X-GitHub-Delivery"), body);
        }
    }

    /** GitLab: {@code X-Gitlab-Token} is the plain secret. */
    @ApplicationScoped
    public static class GitLab extends Base {
        public String name() {
            return "gitlab";
        }

        public boolean authenticate(HttpHeaders h, String token, byte[] body) {
            return Signatures.constantTimeEquals(header(h, "X-Gitlab-Token"), secret(config.webhooks().gitlabToken()));
        }

        public WebhookPayload parse(HttpHeaders h, byte[] body) {
            return WebhookPayloads.gitlab(header(h, "X-Gitlab-Event"),
                    first(h, "X-Gitlab-Event-UUID", "Idempotency-Key"), body);
        }
    }

    /** Harbor: the policy's Auth Header, sent verbatim as {@code Authorization}. */
    @ApplicationScoped
    public static class Harbor extends Base {
        public String name() {
            return "harbor";
        }

        public boolean authenticate(HttpHeaders h, String token, byte[] body) {
            String secret = secret(config.webhooks().harborAuth());
            String given = header(h, "Authorization");
            // evaluate both comparisons so timing does not tell which form was configured
            boolean verbatim = Signatures.constantTimeEquals(given, secret);
            boolean bearer = secret != null && Signatures.constantTimeEquals(given, "Bearer " + secret);
            return verbatim | bearer;
        }

        public WebhookPayload parse(HttpHeaders h, byte[] body) {
            return WebhookPayloads.harbor(body);
        }
    }

    /** Docker Hub cannot sign: the secret is in the URL. */
    @ApplicationScoped
    public static class DockerHub extends Base {
        public String name() {
            return "dockerhub";
        }

        public boolean usesPathToken() {
            return true;
        }

        public boolean authenticate(HttpHeaders h, String token, byte[] body) {
            return Signatures.constantTimeEquals(token, secret(config.webhooks().dockerhubToken()));
        }

        public WebhookPayload parse(HttpHeaders h, byte[] body) {
            return WebhookPayloads.dockerhub(body);
        }
    }

    /** Quay cannot sign (mTLS aside): the secret is in the URL. */
    @ApplicationScoped
    public static class Quay extends Base {
        public String name() {
            return "quay";
        }

        public boolean usesPathToken() {
            return true;
        }

        public boolean authenticate(HttpHeaders h, String token, byte[] body) {
            return Signatures.constantTimeEquals(token, secret(config.webhooks().quayToken()));
        }

        public WebhookPayload parse(HttpHeaders h, byte[] body) {
            return WebhookPayloads.quay(body);
        }
    }

    private Providers() {
    }
}
