package io.freightline.gitwriter.client;

import io.freightline.gitwriter.config.GitWriterConfig;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.KeyPasswordProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to talk to remotes: credentials for HTTPS; for SSH the private key (and its passphrase), public-key
 * authentication only, and host keys checked against a known_hosts file or pinned fingerprints that are only ever
 * read (never added to, whatever ~/.ssh/config says). Never logs secrets.
 */
public final class GitRemote {
    private static final Logger LOG = Logger.getLogger(GitRemote.class);

    private final CredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final int timeoutSeconds;
    private volatile String keyProblem;

    public GitRemote(GitWriterConfig.Auth auth, int timeoutSeconds) {
        this.credentials = auth.password().map(p -> new UsernamePasswordCredentialsProvider(auth.username(), p)).orElse(null);
        this.timeoutSeconds = timeoutSeconds;
        File home = new File(System.getProperty("user.home"));
        SshdSessionFactoryBuilder b = new SshdSessionFactoryBuilder()
                .setHomeDirectory(home)
                .setSshDirectory(new File(home, ".ssh"))
                .setPreferredAuthentications("publickey");
        auth.sshKey().ifPresent(k -> b.setDefaultIdentities(dir -> List.of(Path.of(k))));
        auth.sshKeyPassphrase().ifPresent(p -> b.setKeyPasswordProvider(cp -> new Passphrase(p)));
        ServerKeyDatabase hosts;
        if (!auth.sshStrictHostKeyChecking()) {
            LOG.warn("freightline.gitwriter.auth.ssh-strict-host-key-checking=false: ANY SSH host key is accepted (insecure)");
            hosts = new AcceptAll();
        } else if (auth.sshHostKeyFingerprints().isPresent() && !auth.sshHostKeyFingerprints().get().isEmpty()) {
            hosts = new Pinned(auth.sshHostKeyFingerprints().get());
        } else {
            hosts = new KnownHosts(auth.sshKnownHosts().map(Path::of).orElse(home.toPath().resolve(".ssh").resolve("known_hosts")));
        }
        b.setServerKeyDatabase((h, s) -> hosts);
        this.ssh = b.build(null);
    }

    /** Opens a transport to the URL with this config applied. */
    public Transport open(org.eclipse.jgit.lib.Repository repo, String url) throws Exception {
        Transport t = Transport.open(repo, new URIish(url));
        t.setTimeout(timeoutSeconds);
        if (credentials != null) {
            t.setCredentialsProvider(credentials);
        }
        if (t instanceof SshTransport st) {
            st.setSshSessionFactory(ssh);
        }
        return t;
    }

    /** Why the configured ssh-key could not be used, if it could not (else null); makes "cannot log in" clear. */
    public String sshKeyProblem() {
        return keyProblem;
    }

    /** The configured passphrase, offered once per key (a wrong one fails instead of asking again). */
    private final class Passphrase implements KeyPasswordProvider {
        private final String passphrase;

        Passphrase(String passphrase) {
            this.passphrase = passphrase;
        }

        @Override
        public char[] getPassphrase(URIish uri, int attempt) {
            return attempt == 0 ? passphrase.toCharArray() : null;
        }

        @Override
        public void setAttempts(int attempts) {
            // one attempt: the passphrase comes from config, not from a person who could retype it
        }

        @Override
        public int getAttempts() {
            return 1;
        }

        @Override
        public boolean keyLoaded(URIish uri, int attempt, Exception error) {
            keyProblem = error == null ? null : "the ssh-key could not be decrypted with the configured ssh-key-passphrase";
            return false; // never retry with the same configured passphrase
        }
    }

    /** Read-only known_hosts: a host is accepted only with a key listed for it; nothing is ever added. */
    static final class KnownHosts implements ServerKeyDatabase {
        private final Path file;

        KnownHosts(Path file) {
            this.file = file;
        }

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return keys(connectAddress, remoteAddress);
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            boolean known = keys(connectAddress, remoteAddress).stream().anyMatch(k -> KeyUtils.compareKeys(k, serverKey));
            if (!known) {
                LOG.warnf("SSH host key %s of %s is not in %s: refused", KeyUtils.getFingerPrint(serverKey), connectAddress, file);
            }
            return known;
        }

        private List<PublicKey> keys(String connectAddress, InetSocketAddress remoteAddress) {
            if (!Files.isReadable(file)) {
                return List.of();
            }
            String host = connectAddress;
            int port = 22;
            if (host.startsWith("[") && host.contains("]:")) {
                port = Integer.parseInt(host.substring(host.indexOf("]:") + 2));
                host = host.substring(1, host.indexOf("]:"));
            }
            List<PublicKey> out = new ArrayList<>();
            try {
                for (KnownHostEntry e : KnownHostEntry.readKnownHostEntries(file)) {
                    boolean match = e.isHostMatch(host, port) || remoteAddress != null
                            && e.isHostMatch(remoteAddress.getAddress().getHostAddress(), port);
                    if (match && e.getMarker() == null) {
                        out.add(e.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING));
                    }
                }
            } catch (IOException | java.security.GeneralSecurityException e) {
                LOG.warnf("cannot read known_hosts %s: %s", file, e.getMessage());
            }
            out.removeIf(java.util.Objects::isNull);
            return out;
        }
    }

    /** Accepts only host keys whose SHA256 fingerprint is pinned in config. */
    static final class Pinned implements ServerKeyDatabase {
        private final List<String> fingerprints;

        Pinned(List<String> fingerprints) {
            this.fingerprints = fingerprints.stream().map(String::strip).toList();
        }

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            String fp = KeyUtils.getFingerPrint(serverKey);
            boolean pinned = fingerprints.contains(fp);
            if (!pinned) {
                LOG.warnf("SSH host key %s of %s is not pinned: refused", fp, connectAddress);
            }
            return pinned;
        }
    }

    private static final class AcceptAll implements ServerKeyDatabase {
        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            return true;
        }
    }
}
