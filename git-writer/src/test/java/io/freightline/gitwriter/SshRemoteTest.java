package io.freightline.gitwriter;

import io.freightline.events.EventCodec;
import io.freightline.events.PromotionCommitted;
import io.freightline.events.PromotionCommitted.Outcome;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.git.GitLocationResolver;
import org.apache.sshd.git.pack.GitPackCommandFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ssh:// against a real SSH Git server on 127.0.0.1 (Apache MINA sshd serving a bare repository through JGit's
 * upload-pack/receive-pack, public-key authentication only): an encrypted private key from config, host keys
 * checked against a known_hosts file or a pinned fingerprint, and no key material or passphrase in any log line,
 * reason or event.
 */
class SshRemoteTest {
    static final String PASSPHRASE = "correct-horse-battery-staple";
    static final String EC = KeyPairProvider.ECDSA_SHA2_NISTP256;

    @TempDir
    Path tmp;

    SshServer server;
    KeyPair hostKey;
    KeyPair userKey;
    Path bare;
    String url;
    final List<String> logs = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String msg = r.getMessage();
            if (r.getParameters() != null && msg != null) {
                try {
                    msg = msg.contains("%") ? String.format(msg, r.getParameters())
                            : java.text.MessageFormat.format(msg, r.getParameters());
                } catch (RuntimeException e) {
                    msg = msg + " " + List.of(r.getParameters());
                }
            }
            logs.add(r.getLoggerName() + " " + msg + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    final Map<String, Level> levels = new java.util.HashMap<>();

    @BeforeEach
    void startServer() throws Exception {
        for (String name : List.of("io.freightline", "org.eclipse.jgit", "org.apache.sshd")) {
            Logger l = Logger.getLogger(name);
            levels.put(name, l.getLevel());
            l.setLevel(Level.FINE); // debug output too must not carry secrets
        }
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);

        bare = TestRepos.bare(tmp, "gitops", Map.of("envs/dev/kustomization.yaml",
                RemotesTest.KUSTOMIZATION.getBytes(StandardCharsets.UTF_8)));
        hostKey = KeyUtils.generateKeyPair(EC, 256);
        userKey = KeyUtils.generateKeyPair(EC, 256);
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> "git".equals(user)
                && KeyUtils.compareKeys(key, userKey.getPublic()));
        server.setCommandFactory(new GitPackCommandFactory(GitLocationResolver.constantPath(tmp)));
        server.start();
        url = "ssh://git@127.0.0.1:" + server.getPort() + "/gitops.git";
    }

    @AfterEach
    void stopServer() throws Exception {
        Logger.getLogger("").removeHandler(capture);
        levels.forEach((name, level) -> Logger.getLogger(name).setLevel(level));
        if (server != null) {
            server.stop(true);
        }
    }

    /** Writes the key pair as an OpenSSH private key file, encrypted with the passphrase (aes256-ctr, bcrypt). */
    Path privateKey(String name, KeyPair kp, String passphrase) throws Exception {
        OpenSSHKeyEncryptionContext enc = new OpenSSHKeyEncryptionContext();
        enc.setPassword(passphrase);
        enc.setCipherName("AES");
        enc.setCipherType("256");
        enc.setCipherMode("CTR");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "freightline-test", enc, out);
        Path f = tmp.resolve(name);
        Files.write(f, out.toByteArray());
        return f;
    }

    Path knownHosts(KeyPair host) throws Exception {
        Path f = tmp.resolve("known_hosts-" + System.nanoTime());
        Files.writeString(f, "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(host.getPublic()) + "\n");
        return f;
    }

    TestWriters.Settings settings(String wd, Path key) {
        TestWriters.Settings s = new TestWriters.Settings(tmp.resolve(wd));
        s.sshKey = key.toString();
        s.sshKeyPassphrase = PASSPHRASE;
        s.sshStrictHostKeyChecking = true;
        return s;
    }

    PromotionCommitted promote(TestWriters.Settings s, String id, String tag) throws Exception {
        try (var h = TestWriters.start(s)) {
            PromotionCommitted e = h.writer().submit(Promotions.setImage(id, url, "dev", tag))
                    .toCompletableFuture().get(120, TimeUnit.SECONDS);
            assertThat(h.events()).containsExactly(e);
            return e;
        }
    }

    /** Strings that must never show up: the passphrase and every line of the key file and its decoded secret. */
    List<String> secrets(Path key) throws Exception {
        String body = Files.readString(key).lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        return List.of(PASSPHRASE, body.substring(0, 40), body.substring(body.length() - 40),
                Base64.getEncoder().encodeToString(userKey.getPrivate().getEncoded()).substring(0, 40));
    }

    void assertNoSecrets(Path key, PromotionCommitted... events) throws Exception {
        assertThat(logs).as("log lines were captured").isNotEmpty();
        for (String secret : secrets(key)) {
            assertThat(logs).noneMatch(l -> l.contains(secret));
            for (PromotionCommitted e : events) {
                assertThat(EventCodec.toJson(e)).doesNotContain(secret);
            }
        }
    }

    @Test
    void pushesWithAnEncryptedKeyCheckingTheHostAgainstKnownHostsOrAPinnedFingerprint() throws Exception {
        Path key = privateKey("id_ecdsa", userKey, PASSPHRASE);

        TestWriters.Settings viaKnownHosts = settings("wd1", key);
        viaKnownHosts.sshKnownHosts = knownHosts(hostKey).toString();
        PromotionCommitted e1 = promote(viaKnownHosts, "ssh-1", "1.2.3");
        assertThat(e1.outcome()).as(e1.reason()).isEqualTo(Outcome.PUSHED);
        assertThat(e1.commitSha()).isEqualTo(TestRepos.head(bare, "main"));
        assertThat(new String(TestRepos.file(bare, "main", "envs/dev/kustomization.yaml"), StandardCharsets.UTF_8))
                .isEqualTo(RemotesTest.KUSTOMIZATION.replace("0.1.0", "1.2.3"));
        assertThat(TestRepos.commitsWithTrailer(bare, "main", "ssh-1")).isEqualTo(1);

        TestWriters.Settings viaPin = settings("wd2", key);
        viaPin.sshHostKeyFingerprints = List.of(KeyUtils.getFingerPrint(hostKey.getPublic()));
        PromotionCommitted e2 = promote(viaPin, "ssh-2", "1.2.4");
        assertThat(e2.outcome()).as(e2.reason()).isEqualTo(Outcome.PUSHED);
        assertThat(TestRepos.commitsWithTrailer(bare, "main", "ssh-2")).isEqualTo(1);
        assertThat(TestRepos.log(bare, "main")).hasSize(3);

        assertNoSecrets(key, e1, e2);
    }

    @Test
    void aKeyTheServerDoesNotKnowFailsAtOnceWithAClearReasonAndNoSecrets() throws Exception {
        KeyPair stranger = KeyUtils.generateKeyPair(EC, 256);
        Path key = privateKey("id_stranger", stranger, PASSPHRASE);
        TestWriters.Settings s = settings("wd", key);
        s.sshKnownHosts = knownHosts(hostKey).toString();
        s.maxAttempts = 1000; // would take minutes if the refusal were retried
        long t0 = System.nanoTime();
        PromotionCommitted e = promote(s, "ssh-bad-key", "6.6.6");
        assertThat(e.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(e.reason()).startsWith("the remote refused our credentials").contains("Cannot log in")
                .doesNotContain("could not be decrypted");
        assertThat(e.commitSha()).isNull();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(60);
        assertThat(TestRepos.commitsWithTrailer(bare, "main", "ssh-bad-key")).isZero();
        assertThat(TestRepos.log(bare, "main")).hasSize(1);
        userKey = stranger; // the stranger's key material must not leak either
        assertNoSecrets(key, e);
    }

    @Test
    void aWrongPassphraseFailsAtOnceWithoutShowingEitherPassphrase() throws Exception {
        Path key = privateKey("id_ecdsa", userKey, PASSPHRASE);
        TestWriters.Settings s = settings("wd", key);
        s.sshKeyPassphrase = "not-the-passphrase-42";
        s.sshKnownHosts = knownHosts(hostKey).toString();
        s.maxAttempts = 1000;
        PromotionCommitted e = promote(s, "ssh-bad-passphrase", "6.6.7");
        assertThat(e.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(e.reason()).startsWith("the remote refused our credentials")
                .endsWith("(the ssh-key could not be decrypted with the configured ssh-key-passphrase)")
                .doesNotContain("not-the-passphrase-42");
        assertThat(logs).noneMatch(l -> l.contains("not-the-passphrase-42"));
        assertThat(TestRepos.log(bare, "main")).hasSize(1);
        assertNoSecrets(key, e);
    }

    @Test
    void anUnknownOrChangedHostKeyIsRefusedAtOnce() throws Exception {
        Path key = privateKey("id_ecdsa", userKey, PASSPHRASE);
        KeyPair impostor = KeyUtils.generateKeyPair(EC, 256);

        TestWriters.Settings changed = settings("wd1", key);
        changed.sshKnownHosts = knownHosts(impostor).toString(); // known_hosts lists another key for this host
        changed.maxAttempts = 1000;
        PromotionCommitted e1 = promote(changed, "ssh-host-1", "7.7.7");
        assertThat(e1.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(e1.reason()).contains("host key");

        TestWriters.Settings wrongPin = settings("wd2", key);
        wrongPin.sshHostKeyFingerprints = List.of(KeyUtils.getFingerPrint(impostor.getPublic()));
        wrongPin.maxAttempts = 1000;
        PromotionCommitted e2 = promote(wrongPin, "ssh-host-2", "7.7.8");
        assertThat(e2.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(e2.reason()).contains("host key");

        assertThat(TestRepos.log(bare, "main")).hasSize(1);
        assertThat(logs).anyMatch(l -> l.contains("is not pinned: refused"));
        assertNoSecrets(key, e1, e2);
    }
}
