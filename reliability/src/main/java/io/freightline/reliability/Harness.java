package io.freightline.reliability;

import io.freightline.devstack.DevStack;
import io.freightline.devstack.RegistryPush;
import io.freightline.testsupport.GitDaemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The full stack for a campaign: DevStack (real broker, four service processes) with the GitOps repository served
 * over git:// through a cuttable TCP proxy, and a simulated Argo CD.
 */
public final class Harness implements AutoCloseable {
    public static final String PROJECT = "demo";
    public static final String IMAGE_HOST = "127.0.0.1:5000";
    public static final String IMAGE_REPO = "demo/app";
    /** The project the extra tokens belong to: a token of it must never act on {@link #PROJECT}. */
    public static final String OTHER_PROJECT = "elsewhere";

    public final Path home;
    public final GitDaemon daemon;
    public final TcpProxy gitProxy;
    public final FakeArgoCD argocd;
    public final String argocdToken;
    public final DevStack stack;
    public final KafkaTools kafka;
    public final EngineApi api;
    public final GitRepo repo;
    /** Every secret of this run: API tokens, webhook secret, Argo CD token. */
    public final Map<String, String> secrets = new LinkedHashMap<>();

    private Harness(Path home, GitDaemon daemon, TcpProxy gitProxy, FakeArgoCD argocd, String argocdToken, DevStack stack) {
        this.home = home;
        this.daemon = daemon;
        this.gitProxy = gitProxy;
        this.argocd = argocd;
        this.argocdToken = argocdToken;
        this.stack = stack;
        this.kafka = new KafkaTools(stack::bootstrapServers);
        // like a Service in front of the engines: any engine that is running and not frozen answers
        this.api = new EngineApi(() -> stack.services().stream().filter(n -> n.startsWith(DevStack.ENGINE))
                .filter(stack::serving).filter(n -> Failover.listening(stack.service(n).port())).findFirst().map(stack::url).orElse(stack.url(DevStack.ENGINE)));
        this.repo = new GitRepo(stack.repository());
        stack.tokens().forEach((role, token) -> secrets.put("token " + role, token));
        secrets.put("webhook secret", stack.webhookSecret());
        if (argocdToken != null) {
            secrets.put("argocd token", argocdToken);
        }
    }

    /** Starts everything in a fresh {@code home}; {@code withArgoCD} maps the stages to the simulated Argo CD. */
    public static Harness start(Path home, boolean withArgoCD) throws Exception {
        return start(home, withArgoCD, 1);
    }

    /**
     * As {@link #start(Path, boolean)} with {@code engines} promotion-engine instances (DevStack gives them a short
     * session, so a frozen instance is out of the group within seconds and a campaign can freeze one past it).
     */
    public static Harness start(Path home, boolean withArgoCD, int engines) throws Exception {
        quietClients();
        Files.createDirectories(home);
        writeTokens(home.resolve("tokens"));
        GitDaemon daemon = GitDaemon.serve(home.toAbsolutePath().normalize());
        TcpProxy proxy = TcpProxy.start(daemon.port());
        String argocdToken = withArgoCD ? "argocd-" + random() : null;
        FakeArgoCD argocd = withArgoCD ? new FakeArgoCD(argocdToken) : null;
        DevStack stack = null;
        try {
            // the services run from a private copy: their owners may rebuild the checkout meanwhile
            Path apps = AppSnapshot.take(root(), home.toAbsolutePath().getParent().resolve("apps"));
            DevStack.Settings s = DevStack.Settings.forTest(apps, home)
                    .withGitURL("git://127.0.0.1:" + proxy.port() + "/gitops.git");
            if (withArgoCD) {
                s = s.withArgoCD(argocd.url(), argocdToken);
            }
            stack = DevStack.start(s, engines, Map.of());
            return new Harness(home, daemon, proxy, argocd, argocdToken, stack);
        } catch (Exception | Error e) {
            if (stack != null) {
                stack.close();
            }
            if (argocd != null) {
                argocd.close();
            }
            proxy.close();
            daemon.close();
            throw e;
        }
    }

    /** The tokens file: one token per role for every project, plus tokens that belong to another project only. */
    private static void writeTokens(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String role : new String[]{"viewer", "promoter", "admin"}) {
            sb.append(role).append('=').append(random()).append('\n');
        }
        for (String role : new String[]{"promoter", "admin"}) {
            sb.append(role).append('@').append(OTHER_PROJECT).append('=').append(random()).append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        file.toFile().setReadable(false, false);
        file.toFile().setReadable(true, true);
    }

    static String random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The Freightline checkout: {@code -Dfreightline.root}, or the working directory or its parent. */
    public static Path root() {
        String p = System.getProperty("freightline.root");
        Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("devstack")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no Freightline checkout at or above " + dir);
    }

    public String token(String role) {
        String t = stack.tokens().get(role);
        if (t == null) {
            throw new IllegalStateException("no token for " + role + " in " + stack.tokens().keySet());
        }
        return t;
    }

    public String webhookURL() {
        return stack.url(DevStack.WATCHER) + "/webhooks/distribution";
    }

    /** Posts a registry push of {@code demo/app:tag} once. */
    public Http.Reply pushOnce(String tag) {
        return Http.send("POST", webhookURL(), stack.webhookSecret(), RegistryPush.MEDIA_TYPE,
                RegistryPush.envelope(IMAGE_HOST, IMAGE_REPO, tag).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** The git:// URL of the repository straight from the daemon (not through the cuttable proxy). */
    public String directGitURL() {
        return daemon.url("gitops.git");
    }

    public String logs(String service) {
        try {
            Path log = stack.service(service).log();
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final java.util.concurrent.atomic.AtomicInteger archived = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Keeps a killed service's log: DevStack starts a restarted service with a fresh log file (the output redirect
     * truncates), so the log of the crashed incarnation is copied to {@code logs/archive/} first.
     */
    public void archiveLog(String service) {
        try {
            Path log = stack.service(service).log();
            if (Files.exists(log)) {
                Path dir = home.resolve("logs").resolve("archive");
                Files.createDirectories(dir);
                Files.copy(log, dir.resolve(service + "." + archived.incrementAndGet() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.out.println("cannot archive the log of " + service + ": " + e);
        }
    }

    /** Every log text of a service: archived incarnations and the current one. */
    public String allLogs(String service) {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.walk(home.resolve("logs"))) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().startsWith(service + ".")).sorted().toList()) {
                sb.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** Copies the services' logs (and the fault timeline, when any) to a folder that outlives the run. */
    public void keepLogs(Path dest) {
        try {
            Files.createDirectories(dest);
            try (var files = Files.walk(home.resolve("logs"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Path target = dest.resolve(home.resolve("logs").relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path timeline = home.resolve("fault-timeline.txt");
            if (Files.exists(timeline)) {
                Files.copy(timeline, dest.resolve("fault-timeline.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.out.println("cannot keep logs: " + e);
        }
    }

    /** Quiet Kafka clients in the campaign's own JVM (the services log to their own files). */
    public static void quietClients() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        stack.close();
        if (argocd != null) {
            argocd.close();
        }
        gitProxy.close();
        daemon.close();
    }
}
