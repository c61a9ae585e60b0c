package io.freightline.devstack;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./freightline demo [--pipeline freightline|kargo]}: runs the embedded default until Ctrl-C, with the default
 * pipeline (Freightline's dialect) or Kargo's quickstart pipeline (Kargo's dialect).
 */
public final class Demo {
    static final String USAGE = "usage: ./freightline demo [--pipeline " + String.join("|", DevStack.PIPELINES) + "]";

    public static void main(String[] args) throws Exception {
        String pipeline;
        try {
            pipeline = pipeline(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Path root = Path.of(System.getProperty("freightline.root", ".")).toAbsolutePath().normalize();
        Path home = root.resolve(".freightline/demo");
        // the broker runs in this JVM: its logs go to a file, so the console shows what a user needs
        java.nio.file.Files.createDirectories(home.resolve("logs"));
        System.setProperty("org.slf4j.simpleLogger.logFile", home.resolve("logs/kafka.log").toString());
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        DevStack.Settings settings = new DevStack.Settings(root, home, 9092,
                Map.of(DevStack.ENGINE, 8080, DevStack.WATCHER, 8081, DevStack.GIT_WRITER, 8082, DevStack.NOTIFIER, 8083),
                System.getenv("FREIGHTLINE_WEBHOOK_SECRET"), blankToNull(System.getenv("FREIGHTLINE_ARGOCD_URL")),
                blankToNull(System.getenv("FREIGHTLINE_ARGOCD_TOKEN")), 2, null, pipeline);
        System.out.println("Starting Freightline (Kafka, the demo GitOps repository, four services) ...");
        long t0 = System.nanoTime();
        DevStack stack = DevStack.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Freightline ...");
            stack.close();
            System.out.println("Stopped.");
            stopped.countDown();
        }, "demo-stop"));
        System.out.println(banner(stack, home, (System.nanoTime() - t0) / 1_000_000));
        stopped.await();
    }

    /** The {@code --pipeline} option ({@code --pipeline NAME} or {@code --pipeline=NAME}); the default pipeline without it. */
    static String pipeline(String[] args) {
        String pipeline = DevStack.FREIGHTLINE_PIPELINE;
        for (int i = 0; i < args.length; i++) {
            String value;
            if (args[i].equals("--pipeline")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--pipeline needs a value");
                }
                value = args[++i];
            } else if (args[i].startsWith("--pipeline=")) {
                value = args[i].substring("--pipeline=".length());
            } else {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
            if (!DevStack.PIPELINES.contains(value)) {
                throw new IllegalArgumentException("--pipeline: '" + value + "' is none of " + DevStack.PIPELINES);
            }
            pipeline = value;
        }
        return pipeline;
    }

    static String banner(DevStack stack, Path home, long startMillis) {
        boolean kargo = stack.settings().pipeline().equals(DevStack.KARGO_PIPELINE);
        StringBuilder b = new StringBuilder();
        b.append("\nFreightline is running (started in ").append(startMillis).append(" ms). Ctrl-C stops everything.\n\n");
        b.append(String.format("  %-18s %s%n", "Kafka", stack.bootstrapServers() + "   (data: " + home.resolve("kafka")
                + ", log: " + home.resolve("logs/kafka.log") + ")"));
        for (String s : DevStack.SERVICES) {
            b.append(String.format("  %-18s %s   (log: %s)%n", s, stack.url(s), stack.service(s).log()));
        }
        b.append(String.format("  %-18s %s%n", "GitOps repository", stack.repoURL()));
        b.append(String.format("  %-18s %s%n", "pipeline", home.resolve("pipeline/pipeline.yaml")
                + (kargo ? "   (Kargo's dialect: project kargo-demo, stages test, uat, prod)" : "")));
        b.append(String.format("  %-18s %s%n", "Argo CD", stack.settings().argocdURL() == null
                ? "not configured: stages are verified as soon as their commit is pushed"
                : stack.settings().argocdURL() + (kargo
                ? " (apps kargo-demo-test, kargo-demo-uat, kargo-demo-prod in namespace argocd)"
                : " (apps demo-dev, demo-staging, demo-prod in namespace argocd)")));
        b.append("\nRegistry webhook:  POST ").append(stack.url(DevStack.WATCHER)).append("/webhooks/distribution\n");
        b.append("Webhook secret:    ").append(stack.webhookSecret()).append("   (").append(home.resolve("webhook-secret")).append(")\n");
        b.append("API tokens:        (").append(home.resolve("tokens")).append(")\n");
        stack.tokens().forEach((role, token) -> b.append(String.format("  %-9s %s%n", role, token)));
        if (kargo) {
            b.append(kargoSteps(stack));
            return b.toString();
        }
        b.append("\nSimulate a push of 127.0.0.1:5000/demo/app:1.0.0 (change the tag to push another version):\n\n");
        b.append(RegistryPush.curl(stack.url(DevStack.WATCHER) + "/webhooks/distribution", stack.webhookSecret(),
                "127.0.0.1:5000", "demo/app", "1.0.0")).append("\n\n");
        b.append("Then watch dev and staging move:\n\n  git --git-dir ").append(stack.repository())
                .append(" log --format='%h %s' -5\n");
        b.append("  ./freightline get stages --token ").append(stack.tokens().get("viewer")).append("\n");
        b.append("\nPipeline view: ").append(stack.url(DevStack.ENGINE)).append("/  (sign in with a token above)\n");
        return b.toString();
    }

    /** What to do next with Kargo's quickstart pipeline: make freight, promote it, look at the rendered branch. */
    static String kargoSteps(DevStack stack) {
        String cli = "./freightline";
        String project = " --project kargo-demo --token ";
        StringBuilder b = new StringBuilder();
        b.append("\nNo registry runs: make freight of 127.0.0.1:5000/demo/app:1.0.0 by hand (or publish it from CI, see README),\n")
                .append("then promote it to test as in Kargo's quickstart (uat takes it once test verified it, then prod):\n\n");
        b.append("  ").append(cli).append(" create freight --warehouse kargo-demo --image 127.0.0.1:5000/demo/app:1.0.0")
                .append(project).append(stack.tokens().get("admin")).append('\n');
        b.append("  ").append(cli).append(" promote --stage test --freight <alias>").append(project)
                .append(stack.tokens().get("promoter")).append('\n');
        b.append("\nEach promotion renders stages/<stage> of main into the branch stage/<stage>:\n\n  git --git-dir ")
                .append(stack.repository()).append(" log --format='%h %s' -3 stage/test\n");
        b.append("  ").append(cli).append(" get stages").append(project).append(stack.tokens().get("viewer")).append('\n');
        b.append("\nPipeline view: ").append(stack.url(DevStack.ENGINE)).append("/  (sign in with a token above)\n");
        return b.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private Demo() {
    }
}
