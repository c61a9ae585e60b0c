package io.freightline.notifier.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything the notifier needs besides Kafka: Argo CD servers, timings, the webhook token, Prometheus. */
@ConfigMapping(prefix = "freightline.notifier")
public interface NotifierConfig {

    /**
     * This instance's static membership id ({@code group.instance.id}) in the {@code freightline-notifier} consumer
     * group: unique per instance and stable across its restarts, like a StatefulSet pod name, so a restarted
     * instance takes its partitions back at once. Unset: dynamic membership.
     */
    Optional<String> instanceId();

    /** The consumer session timeout: how long a killed instance keeps its partitions (the broker's minimum applies). */
    @WithDefault("6000")
    int sessionTimeoutMs();

    /** The consumer heartbeat interval (at most a third of the session timeout). */
    @WithDefault("1000")
    int heartbeatIntervalMs();

    /** The default Argo CD server (used when a stage names no server) and the named ones. */
    ArgoCd argocd();

    /** How verifications wait. */
    Verification verification();

    /** The Argo CD notifications webhook. */
    Webhook webhook();

    /** The Prometheus the {@code prometheus} checks query by default. */
    Prometheus prometheus();

    /** One Argo CD API server and how to reach it. */
    interface Server {
        /** Base URL of the Argo CD API server, e.g. https://argocd.example.com; unset = no server. */
        Optional<String> url();

        /** Bearer token (an Argo CD account or project-role JWT). Never logged. */
        Optional<String> token();

        /** Local user for POST /api/v1/session, when no token is given. */
        Optional<String> username();

        /** That user's password. Never logged. */
        Optional<String> password();

        /** Skip TLS certificate and host name verification (test servers only). */
        @WithDefault("false")
        boolean insecure();

        /** PEM file with the CA certificate(s) that signed the server's certificate. */
        Optional<String> caCert();
    }

    interface ArgoCd {
        /** The default server's settings: freightline.notifier.argocd.url, .token, ... */
        @WithParentName
        Server defaults();

        /** Named servers, referenced by the stage's argocd.server: freightline.notifier.argocd.servers.NAME.url. */
        Map<String, Server> servers();

        /** Connect timeout of Argo CD calls. */
        @WithDefault("5S")
        Duration connectTimeout();

        /** Read timeout of ordinary Argo CD calls. */
        @WithDefault("15S")
        Duration requestTimeout();

        /** Read timeout of GET ?refresh=, which blocks until the controller has reconciled the app. */
        @WithDefault("60S")
        Duration refreshTimeout();

        /** Immediate retries of a call that failed with 5xx/timeout, before the verification backs off. */
        @WithDefault("2")
        int retries();

        /** First delay between those retries (doubles each time, with jitter). */
        @WithDefault("200MS")
        Duration retryDelay();

        /** Calls in the circuit breaker's rolling window (per server). */
        @WithDefault("20")
        int circuitBreakerRequests();

        /** Failure ratio in that window that opens the breaker. */
        @WithDefault("0.5")
        double circuitBreakerFailureRatio();

        /** How long an open breaker fails calls fast before letting one through. */
        @WithDefault("10S")
        Duration circuitBreakerDelay();

        /** How long /q/health/ready trusts the last reachability probe of a server. */
        @WithDefault("10S")
        Duration healthCacheTtl();
    }

    interface Verification {
        /** How long a stage may take to be Synced and Healthy when its argocd.timeoutSeconds is unset. */
        @WithDefault("10M")
        Duration defaultTimeout();

        /**
         * Upper bound for a whole verification, checks included. Keep it below the incoming channel's
         * throttled.unprocessed-record-max-age.ms.
         */
        @WithDefault("30M")
        Duration maxTimeout();

        /** How often a waiting verification reads its applications (webhooks wake it sooner). */
        @WithDefault("5S")
        Duration pollInterval();

        /** Retry interval of a sync refused by a sync window when its windows cannot be read (else canSync is polled). */
        @WithDefault("60S")
        Duration syncWindowRetry();

        /** First backoff after Argo CD was unreachable (doubles up to max-backoff). */
        @WithDefault("1S")
        Duration initialBackoff();

        /** Longest backoff. */
        @WithDefault("30S")
        Duration maxBackoff();

        /** Threads that make the Argo CD and check calls; waiting verifications hold none. */
        @WithDefault("16")
        int workers();

        /** Finished verifications remembered to make replays of their commit event no-ops. */
        @WithDefault("10000")
        int completedCacheSize();
    }

    interface Webhook {
        /** Shared secret Argo CD notifications send as "Authorization: Bearer ..."; unset = endpoint disabled. */
        Optional<String> token();
    }

    interface Prometheus {
        /** Base URL of Prometheus for checks that name no address, e.g. http://prometheus:9090. */
        Optional<String> url();
    }
}
