package io.freightline.devstack;

import io.freightline.testsupport.EmbeddedKafkaBroker;
import io.freightline.testsupport.Ports;
import io.freightline.testsupport.TestBroker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded default: a real Kafka broker, the demo GitOps repository, the demo pipeline and the four services
 * as separate processes, all on 127.0.0.1. Used by {@code ./freightline demo} and by the end-to-end tests.
 * Starting, killing and restarting are serialised, so faults injected from several threads (a power cut while a
 * service is being restarted) do not start two processes on one port.
 */
public final class DevStack implements AutoCloseable {
    public static final String WATCHER = "artifact-watcher";
    public static final String ENGINE = "promotion-engine";
    public static final String GIT_WRITER = "git-writer";
    public static final String NOTIFIER = "argocd-notifier";
    public static final List<String> SERVICES = List.of(ENGINE, GIT_WRITER, NOTIFIER, WATCHER);
    /** The default demo pipeline, in Freightline's dialect: project {@code demo}, stages dev → staging → prod. */
    public static final String FREIGHTLINE_PIPELINE = "freightline";
    /** Kargo's quickstart pipeline in Kargo's dialect: project {@code kargo-demo}, stages test → uat → prod. */
    public static final String KARGO_PIPELINE = "kargo";
    public static final List<String> PIPELINES = List.of(FREIGHTLINE_PIPELINE, KARGO_PIPELINE);

    private final Settings settings;
    private EmbeddedKafkaBroker broker;
    private int brokerPort;
    private final String repoURL;
    private final String webhookSecret;
    private final Map<String, String> tokens;
    private final Map<String, ServiceProcess> services = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** The services of this stack: {@link #SERVICES}, with {@code promotion-engine-2}, … when several engines run. */
    private final List<String> names = new ArrayList<>();
    private final Map<String, String> engineProperties;
    private final java.util.Set<String> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param root          the Freightline checkout (holds each module's target/quarkus-app)
     * @param home          the demo's state folder ({@code .freightline/demo})
     * @param kafkaPort     0 for any free port
     * @param ports         HTTP port per service; a missing entry means any free port
     * @param webhookSecret null to read or generate {@code home/webhook-secret}
     * @param argocdURL     an Argo CD API server to map the stages to, or null
     * @param argocdToken   its token
     * @param partitions    partitions per topic
     * @param gitURL        how the services reach the GitOps repository; null for its file:// URL
     * @param pipeline      which demo pipeline the engine loads: {@link #FREIGHTLINE_PIPELINE} or {@link #KARGO_PIPELINE}
     */
    public record Settings(Path root, Path home, int kafkaPort, Map<String, Integer> ports, String webhookSecret,
                           String argocdURL, String argocdToken, int partitions, String gitURL, String pipeline) {

        public Settings {
            if (!PIPELINES.contains(pipeline)) {
                throw new IllegalArgumentException("pipeline: '" + pipeline + "' is none of " + PIPELINES);
            }
        }

        public Settings(Path root, Path home, int kafkaPort, Map<String, Integer> ports, String webhookSecret,
                        String argocdURL, String argocdToken, int partitions, String gitURL) {
            this(root, home, kafkaPort, ports, webhookSecret, argocdURL, argocdToken, partitions, gitURL, FREIGHTLINE_PIPELINE);
        }

        /** Settings for a test: free ports, a fresh folder, no Argo CD. */
        public static Settings forTest(Path root, Path home) {
            return new Settings(root, home, 0, Map.of(), "test-webhook-secret-" + Secrets.randomToken(), null, null, 2, null);
        }

        public Settings withKafkaPort(int port) {
            return new Settings(root, home, port, ports, webhookSecret, argocdURL, argocdToken, partitions, gitURL, pipeline);
        }

        public Settings withArgoCD(String url, String token) {
            return new Settings(root, home, kafkaPort, ports, webhookSecret, url, token, partitions, gitURL, pipeline);
        }

        public Settings withGitURL(String url) {
            return new Settings(root, home, kafkaPort, ports, webhookSecret, argocdURL, argocdToken, partitions, url, pipeline);
        }

        public Settings withWebhookSecret(String secret) {
            return new Settings(root, home, kafkaPort, ports, secret, argocdURL, argocdToken, partitions, gitURL, pipeline);
        }

        public Settings withPipeline(String name) {
            return new Settings(root, home, kafkaPort, ports, webhookSecret, argocdURL, argocdToken, partitions, gitURL, name);
        }
    }

    private DevStack(Settings settings, EmbeddedKafkaBroker broker, String repoURL, String webhookSecret,
                     Map<String, String> tokens, int engines, Map<String, String> engineProperties) {
        this.settings = settings;
        this.engineProperties = Map.copyOf(engineProperties);
        for (String name : SERVICES) {
            names.add(name);
            for (int i = 2; name.equals(ENGINE) && i <= engines; i++) {
                names.add(ENGINE + "-" + i);
            }
        }
        this.broker = broker;
        this.brokerPort = broker.port();
        this.repoURL = repoURL;
        this.webhookSecret = webhookSecret;
        this.tokens = tokens;
    }

    /** Starts everything and returns once every service reports ready. */
    public static DevStack start(Settings s) throws Exception {
        return start(s, 1, Map.of());
    }

    /**
     * Starts everything with {@code engines} promotion-engine instances ({@code promotion-engine},
     * {@code promotion-engine-2}, …, each with its name as instance id) and extra system properties for every
     * engine, and returns once every service reports ready.
     */
    public static DevStack start(Settings s, int engines, Map<String, String> engineProperties) throws Exception {
        Path home = s.home().toAbsolutePath().normalize();
        Files.createDirectories(home);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(s.kafkaPort(), home.resolve("kafka"), false);
        DevStack stack = null;
        try {
            TestBroker.createTopics(broker.bootstrapServers(), s.partitions());
            String fileURL = DemoRepository.ensure(home.resolve("gitops.git"));
            String repoURL = s.gitURL() != null ? s.gitURL() : fileURL;
            String secret = Secrets.webhookSecret(s.webhookSecret(), home.resolve("webhook-secret"));
            Map<String, String> tokens = Secrets.tokens(home.resolve("tokens"));
            writePipeline(home.resolve("pipeline"), s.pipeline(), repoURL, s.argocdURL() != null);
            stack = new DevStack(s, broker, repoURL, secret, tokens, engines, engineProperties);
            stack.startServices();
            return stack;
        } catch (Exception | Error e) {
            if (stack != null) {
                stack.close();
            } else {
                broker.close();
            }
            throw e;
        }
    }

    private void startServices() {
        List<ServiceProcess> started = new ArrayList<>();
        for (String name : names) {
            ServiceProcess old = services.get(name);
            int port = old != null ? old.port() : settings.ports().getOrDefault(name, 0);
            started.add(startService(name, port == 0 ? Ports.freePort() : port));
        }
        started.forEach(p -> p.awaitReady(Duration.ofSeconds(180)));
    }

    /** Starts (or restarts) one service with the demo's configuration. */
    public synchronized ServiceProcess startService(String name, int port) {
        Path home = settings.home().toAbsolutePath().normalize();
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> env = new HashMap<>();
        props.put("kafka.bootstrap.servers", broker.bootstrapServers());
        String module = name.startsWith(ENGINE) ? ENGINE : name;
        switch (module) {
            case WATCHER -> {
                env.put("FREIGHTLINE_WATCHER_WEBHOOK_SECRET", webhookSecret);
                // one watcher with a stable transactional id: a restart fences the transaction a killed one left open
                props.put("freightline.watcher.instance-id", "devstack-watcher");
            }
            case ENGINE -> {
                // stable across restarts, like a StatefulSet's pod name: the engine's static group membership, so a
                // restarted engine takes its partitions back at once, even after SIGKILL
                props.put("freightline.engine.instance-id", name);
                // the devstack broker allows short sessions: a killed engine's partitions move within seconds, and
                // its open transaction is aborted about as soon (the broker looks for timed-out ones every 500 ms)
                props.put("freightline.engine.session-timeout-ms", "3000");
                props.put("freightline.engine.heartbeat-interval-ms", "500");
                props.put("freightline.engine.transaction-timeout-ms", "2000");
                // a partition taken over is fetched only after the consumer's pending long poll of its idle partitions
                // returns (fetch.max.wait.ms, 500 ms by default); so is the state replica's catch-up after a takeover
                props.put("kafka-streams.consumer.fetch.max.wait.ms", "50");
                props.put("kafka.fetch.max.wait.ms", "50");
                props.putAll(engineProperties);
                props.put("freightline.engine.manifests-dir", home.resolve("pipeline").toString());
                env.put("FREIGHTLINE_ENGINE_AUTH_TOKENS_FILE", home.resolve("tokens").toString());
            }
            case GIT_WRITER -> {
                props.put("freightline.gitwriter.workdir", home.resolve("git-writer").toString());
                // static membership, stable across restarts: after a crash or a power cut the restarted writer
                // takes its partitions back at once instead of waiting for the dead member's session to expire
                props.put("freightline.gitwriter.instance-id", "devstack-" + name);
                props.put("freightline.gitwriter.session-timeout-ms", "3000");
            }
            case NOTIFIER -> {
                props.put("freightline.notifier.instance-id", "devstack-" + name);
                props.put("freightline.notifier.session-timeout-ms", "3000");
                if (settings.argocdURL() != null) {
                    env.put("FREIGHTLINE_NOTIFIER_ARGOCD_URL", settings.argocdURL());
                    if (settings.argocdToken() != null) {
                        env.put("FREIGHTLINE_NOTIFIER_ARGOCD_TOKEN", settings.argocdToken());
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown service " + name);
        }
        Path jar = settings.root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        ServiceProcess process = ServiceProcess.start(name, jar, port, props, env, home.resolve("logs").resolve(name + ".log"));
        services.put(name, process);
        paused.remove(name);
        return process;
    }

    /**
     * Writes the chosen demo pipeline as {@code dir/pipeline.yaml}, with the repository URL filled in, and Argo CD
     * steps when an Argo CD server is given ({@code #ARGOCD:<stage>} becomes an {@code argocd-update} step,
     * {@code #ARGOCD|} lines are kept without that prefix).
     */
    static void writePipeline(Path dir, String pipeline, String repoURL, boolean argocd) throws IOException {
        String text;
        String resource = pipeline.equals(KARGO_PIPELINE) ? "/demo/kargo-pipeline.yaml" : "/demo/pipeline.yaml";
        try (InputStream in = DevStack.class.getResourceAsStream(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        text = text.replace("@REPO_URL@", repoURL);
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("#ARGOCD|")) {
                if (argocd) {
                    lines.add(line.substring("#ARGOCD|".length()));
                }
            } else if (line.startsWith("#ARGOCD:")) {
                if (argocd) {
                    String stage = line.substring("#ARGOCD:".length()).trim();
                    lines.add("        - uses: argocd-update");
                    lines.add("          config:");
                    lines.add("            apps:");
                    lines.add("              - name: demo-" + stage);
                    lines.add("                namespace: argocd");
                }
            } else {
                lines.add(line);
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pipeline.yaml"), String.join("\n", lines));
    }

    /** Kills a service with SIGKILL, as a crash would. */
    public synchronized void kill(String name) {
        services.get(name).kill();
    }

    /**
     * A power cut: every service killed with SIGKILL at once (no shutdown hook, no group leave, no transaction
     * abort), then the broker stopped. The broker runs inside this JVM, so it stops without the services noticing
     * first but flushes its logs; {@link #start} on the same settings brings everything back on the same data.
     */
    public synchronized void killAll() {
        List<ServiceProcess> all;
        synchronized (services) {
            all = new ArrayList<>(services.values());
        }
        all.parallelStream().forEach(ServiceProcess::kill);
        stopBroker();
    }

    /**
     * A power cut and the restart after it: {@link #killAll}, then the broker and every service started again on
     * the same ports and data; returns once every service reports ready.
     */
    public synchronized void powerCut() throws Exception {
        killAll();
        startBroker();
        startServices();
    }

    /** Freezes a service with SIGSTOP: it keeps its sockets but answers nothing, as a long GC pause or a VM stall would. */
    public synchronized void pause(String name) {
        signal(name, "STOP");
        paused.add(name);
    }

    /** Lets a service paused by {@link #pause} run on (SIGCONT), from where it stopped. */
    public synchronized void resume(String name) {
        signal(name, "CONT");
        paused.remove(name);
    }

    /** Running and not paused: what a load balancer's readiness probe would route to. */
    public boolean serving(String name) {
        ServiceProcess p = services.get(name);
        return p != null && p.isAlive() && !paused.contains(name);
    }

    private void signal(String name, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(services.get(name).pid()))
                    .redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + name + " failed: " + out);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The services of this stack, in start order. */
    public List<String> services() {
        return List.copyOf(names);
    }

    /** Starts a stopped or killed service again on its port and waits until it is ready. */
    public synchronized ServiceProcess restart(String name) {
        ServiceProcess old = services.get(name);
        if (old.isAlive()) {
            old.close();
        }
        ServiceProcess fresh = startService(name, old.port());
        fresh.awaitReady(Duration.ofSeconds(180));
        return fresh;
    }

    /** Stops the Kafka broker and starts it again on the same port and data. */
    public synchronized void restartBroker() throws Exception {
        stopBroker();
        startBroker();
    }

    /** Stops the Kafka broker; the services keep running without it. */
    public synchronized void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** Starts the stopped broker again on the same port and data. */
    public synchronized void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(brokerPort, settings.home().toAbsolutePath().normalize().resolve("kafka"), false);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public String repoURL() {
        return repoURL;
    }

    public Path repository() {
        return settings.home().toAbsolutePath().normalize().resolve("gitops.git");
    }

    public String webhookSecret() {
        return webhookSecret;
    }

    public Map<String, String> tokens() {
        return tokens;
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    public String url(String service) {
        return services.get(service).url();
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void close() {
        List<ServiceProcess> all;
        synchronized (services) {
            all = new ArrayList<>(services.values());
        }
        all.parallelStream().forEach(ServiceProcess::close);
        stopBroker();
    }

}
