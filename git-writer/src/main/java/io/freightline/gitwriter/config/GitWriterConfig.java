package io.freightline.gitwriter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of the git-writer; every key is also an env var (FREIGHTLINE_GITWRITER_...). */
@ConfigMapping(prefix = "freightline.gitwriter")
public interface GitWriterConfig {

    /** Folder holding one warm clone per repository. */
    @WithDefault("${java.io.tmpdir}/freightline-git-writer")
    String workdir();

    /**
     * This instance's static membership id ({@code group.instance.id}) in the {@code freightline-git-writer} consumer
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

    /** Author and committer of promotion commits. */
    Author author();

    /** Pushing, retrying and coalescing. */
    Push push();

    /** Credentials for the Git remotes. */
    Auth auth();

    /** Pull-request mode. */
    PullRequests pr();

    /** Test-only fault injection. */
    Fault fault();

    interface Author {
        /** Name of the commit author and committer. */
        @WithDefault("Freightline")
        String name();

        /** E-mail of the commit author and committer. */
        @WithDefault("freightline@localhost")
        String email();
    }

    interface Push {
        /**
         * Attempts (fetch, apply, push) before a promotion fails on non-fast-forward or network errors; with the
         * default backoff, 30 attempts ride out a remote that is away for about two minutes.
         */
        @WithDefault("30")
        int maxAttempts();

        /** First backoff between attempts; doubles up to max-backoff, with jitter. */
        @WithDefault("50ms")
        Duration initialBackoff();

        /** Longest backoff between attempts. */
        @WithDefault("5s")
        Duration maxBackoff();

        /** Most promotions of one repository committed together and pushed in one push. */
        @WithDefault("100")
        int maxBatch();

        /**
         * Try each batch first on the branch head this writer last saw (its own last push or fetch) without
         * fetching: the push is a compare-and-swap, so a remote that moved refuses it and the writer fetches and
         * applies again. Saves a round trip per promotion when Freightline is the branch's main writer; false
         * fetches before every batch.
         */
        @WithDefault("true")
        boolean optimistic();

        /** Network timeout of one fetch or push. */
        @WithDefault("60s")
        Duration timeout();
    }

    interface Auth {
        /** User name for HTTPS (token auth: any name the host accepts, e.g. x-access-token on GitHub, oauth2 on GitLab). */
        @WithDefault("git")
        String username();

        /** Password or token for HTTPS; none by default. Never logged. */
        Optional<String> password();

        /** Private key file for ssh:// remotes (OpenSSH format); else ~/.ssh identities. */
        Optional<String> sshKey();

        /** Passphrase of the ssh-key, when it is encrypted. Never logged. */
        Optional<String> sshKeyPassphrase();

        /** known_hosts file for ssh:// remotes (read-only: never added to); else ~/.ssh/known_hosts. */
        Optional<String> sshKnownHosts();

        /** Pinned SSH host keys as SHA256 fingerprints ({@code ssh-keygen -lf}); when set, known_hosts is not read. */
        Optional<java.util.List<String>> sshHostKeyFingerprints();

        /** Refuse SSH hosts whose key is not known or pinned; false accepts ANY host key (insecure: never in production). */
        @WithDefault("true")
        boolean sshStrictHostKeyChecking();
    }

    interface PullRequests {
        /** API token for the pull-request provider; defaults to auth.password. Never logged. */
        Optional<String> token();

        /** How often an open pull request is polled for merge or close. */
        @WithDefault("10s")
        Duration pollInterval();

        /** How long to wait for a merge before the promotion fails. */
        @WithDefault("7d")
        Duration mergeTimeout();
    }

    interface Fault {
        /** Halt the JVM right after a push, before the commit event (crash-idempotency tests only). */
        @WithDefault("false")
        boolean haltAfterPush();
    }
}
