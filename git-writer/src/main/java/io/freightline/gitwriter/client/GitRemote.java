package io.freightline.gitwriter.client;

import io.freightline.gitwriter.config.GitWriterConfig;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/** How to talk to remotes: credentials for HTTPS, keys and host checking for SSH, timeouts. Never logs secrets. */
public final class GitRemote {
    private final CredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final int timeoutSeconds;

    public GitRemote(GitWriterConfig.Auth auth, int timeoutSeconds) {
        this.credentials = auth.password().map(p -> new UsernamePasswordCredentialsProvider(auth.username(), p)).orElse(null);
        this.timeoutSeconds = timeoutSeconds;
        File home = new File(System.getProperty("user.home"));
        SshdSessionFactoryBuilder b = new SshdSessionFactoryBuilder()
                .setHomeDirectory(home)
                .setSshDirectory(new File(home, ".ssh"));
        auth.sshKey().ifPresent(k -> b.setDefaultIdentities(dir -> List.of(Path.of(k))));
        if (!auth.sshStrictHostKeyChecking()) {
            b.setServerKeyDatabase((h, s) -> new AcceptAll());
        } else if (auth.sshKnownHosts().isPresent()) {
            Path knownHosts = Path.of(auth.sshKnownHosts().get());
            b.setServerKeyDatabase((h, s) -> new org.eclipse.jgit.internal.transport.sshd.OpenSshServerKeyDatabase(false, List.of(knownHosts)));
        }
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
