package io.freightline.watcher.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of the artifact-watcher ({@code freightline.watcher.*}, env {@code FREIGHTLINE_WATCHER_*}). */
@ConfigMapping(prefix = "freightline.watcher")
public interface WatcherConfig {

    /**
     * Unique per running instance of an installation and stable across its restarts: the second half of the
     * Kafka transactional id of its producer ({@code <install-id>.<instance-id>}).
     */
    String instanceId();

    /**
     * The installation, the first half of the transactional id: two installations sharing one Kafka cluster must
     * differ here, so that equal instance ids (pod names) do not fence each other. Default: the Kubernetes
     * namespace, else {@code local} ({@link InstallIdConfigSource}).
     */
    String installId();

    /** Default webhook secret of every provider (Bearer token, HMAC key, token header or URL token). */
    Optional<String> webhookSecret();

    /** Per-provider secrets; each falls back to {@code webhook-secret}. */
    Webhooks webhooks();

    /** Largest webhook body accepted, in bytes; larger ones get 413. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** How many handled webhook delivery ids to remember (shared by all instances through the state topic). */
    @WithDefault("10000")
    int replayWindow();

    /** Polling. */
    Poll poll();

    /** Registry hosts reached over plain HTTP instead of HTTPS. */
    @WithDefault("localhost,127.0.0.1")
    List<String> plainHttpHosts();

    /** Credentials per registry / Helm / Git host, by an alias of your choice. */
    Map<String, Credentials> credentials();

    /** Where Git repositories are fetched for path filters and NewestTag (bare, shallow-free caches). */
    @WithDefault("${java.io.tmpdir}/freightline-watcher-git")
    String gitCacheDir();

    interface Webhooks {
        /** GitHub HMAC secret ({@code X-Hub-Signature-256}). */
        Optional<String> githubSecret();

        /** Gitea/Forgejo HMAC secret ({@code X-Gitea-Signature}). */
        Optional<String> giteaSecret();

        /** GitLab {@code X-Gitlab-Token}. */
        Optional<String> gitlabToken();

        /** Harbor Auth Header value ({@code Authorization}, compared verbatim or as {@code Bearer <value>}). */
        Optional<String> harborAuth();

        /** CNCF Distribution {@code Authorization: Bearer <value>}. */
        Optional<String> distributionSecret();

        /** Docker Hub URL token ({@code /webhooks/dockerhub/<token>}). */
        Optional<String> dockerhubToken();

        /** Quay URL token ({@code /webhooks/quay/<token>}). */
        Optional<String> quayToken();
    }

    interface Poll {
        /** Turn polling on or off (webhook-only deployments). */
        @WithDefault("true")
        boolean enabled();

        /** How often due subscriptions are looked for. */
        @WithDefault("1s")
        String tick();

        /** Shortest poll interval honoured, whatever a warehouse asks for. */
        @WithDefault("PT5S")
        Duration minInterval();

        /** Concurrent scans (of different subscriptions; one subscription never has two). */
        @WithDefault("4")
        int threads();

        /** Requests per second per registry/repository host. */
        @WithDefault("20")
        double rateLimitPerSecond();

        /** Timeout of one outbound HTTP request. */
        @WithDefault("PT15S")
        Duration httpTimeout();

        /** Retries of one request on 429/5xx/IO errors before the scan fails. */
        @WithDefault("3")
        int retries();

        /** First backoff delay; doubles per retry; a Retry-After header wins (capped at 30 s). */
        @WithDefault("PT0.5S")
        Duration backoff();

        /** Page size asked of tags/list ({@code n}). */
        @WithDefault("1000")
        int pageSize();
    }

    interface Credentials {
        /** Host the credentials are for, e.g. {@code ghcr.io} or {@code 127.0.0.1:5000}. */
        String host();

        /** User name for basic auth (registries, Helm repos, Git over HTTP). */
        Optional<String> username();

        /** Password or personal access token. */
        Optional<String> password();
    }
}
