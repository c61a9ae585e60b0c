package io.freightline.gitwriter.steps.helmtemplate;

import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.Workspace;
import io.freightline.gitwriter.domain.yaml.YamlDocuments;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders a chart with the real {@code helm template} (the {@code helm} binary on the PATH). The chart's checkout is
 * written to the warm host folder first (as for kustomize-build); values files are read from the workspace. Without
 * {@code helm} on the PATH the step fails terminally naming the missing tool.
 */
@ApplicationScoped
public class HelmTemplateStep implements Step<HelmTemplateConfig> {
    private final String helm;

    public HelmTemplateStep() {
        this("helm");
    }

    /** @param helm the helm binary (a name on the PATH or a path) */
    public HelmTemplateStep(String helm) {
        this.helm = helm;
    }

    @Override
    public String name() {
        return "helm-template";
    }

    @Override
    public Class<HelmTemplateConfig> configType() {
        return HelmTemplateConfig.class;
    }

    @Override
    public String schema() {
        return HelmTemplateConfig.SCHEMA;
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(120);
    }

    @Override
    public String run(StepContext ctx, HelmTemplateConfig config) throws StepException {
        Workspace ws = ctx.workspace();
        String chart = ws.resolve(config.path());
        String chartYaml = RepoPaths.join(chart, "Chart.yaml");
        if (!ws.isFile(chartYaml)) {
            throw StepException.terminal(chartYaml, "no Chart.yaml in " + config.path());
        }
        Map<String, Object> meta = YamlDocuments.mapping(chartYaml,
                new String(ws.read(chartYaml).orElseThrow(), StandardCharsets.UTF_8));
        String chartName = String.valueOf(meta.getOrDefault("name", RepoPaths.parent(chart)));
        String out = ws.resolve(config.outPath());
        boolean toFile = out.endsWith(".yaml") || out.endsWith(".yml");
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("helm-template-");
            Path dir = ws.materialize(chart);
            List<String> cmd = new ArrayList<>(List.of(helm, "template", config.releaseName(), dir.toString()));
            if (config.namespace() != null && !config.namespace().isEmpty()) {
                cmd.addAll(List.of("--namespace", config.namespace()));
            }
            int n = 0;
            if (config.valuesFiles() != null) {
                for (String v : config.valuesFiles()) {
                    String file = ws.resolve(v);
                    var bytes = ws.read(file);
                    if (bytes.isEmpty()) {
                        if (Boolean.TRUE.equals(config.ignoreMissingValueFiles())) {
                            continue;
                        }
                        throw StepException.terminal(v, "no such values file (ignoreMissingValueFiles: true skips it)");
                    }
                    Path copy = tmp.resolve("values-" + n++ + ".yaml");
                    Files.write(copy, bytes.get());
                    cmd.addAll(List.of("--values", copy.toString()));
                }
            }
            if (config.setValues() != null) {
                for (HelmTemplateConfig.SetValue s : config.setValues()) {
                    cmd.addAll(List.of(Boolean.TRUE.equals(s.literal()) ? "--set-literal" : "--set", s.key() + "=" + s.value()));
                }
            }
            if (Boolean.TRUE.equals(config.includeCRDs())) {
                cmd.add("--include-crds");
            }
            if (Boolean.TRUE.equals(config.disableHooks())) {
                cmd.add("--no-hooks");
            }
            if (Boolean.TRUE.equals(config.skipTests())) {
                cmd.add("--skip-tests");
            }
            if (Boolean.TRUE.equals(config.buildDependencies())) {
                cmd.add("--dependency-update");
            }
            if (config.kubeVersion() != null && !config.kubeVersion().isEmpty()) {
                cmd.addAll(List.of("--kube-version", config.kubeVersion()));
            }
            if (config.apiVersions() != null) {
                config.apiVersions().forEach(v -> cmd.addAll(List.of("--api-versions", v)));
            }
            Path rendered = tmp.resolve("out");
            if (!toFile) {
                cmd.addAll(List.of("--output-dir", rendered.toString()));
            }
            byte[] stdout = exec(cmd, dir, tmp);
            if (toFile) {
                ws.write(out, stdout);
                return "rendered " + chart + " into " + out;
            }
            // helm writes <output-dir>/<chart name>/templates/...; Kargo's helm layout may name the folder after the release
            Path root = rendered.resolve(chartName);
            String folder = Boolean.TRUE.equals(config.useReleaseName()) ? config.releaseName() : chartName;
            boolean flat = "flat".equals(config.outLayout());
            List<Path> files;
            try (Stream<Path> s = Files.exists(root) ? Files.walk(root) : Stream.empty()) {
                files = s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
            }
            for (Path f : files) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                String target = flat ? RepoPaths.join(out, f.getFileName().toString())
                        : RepoPaths.join(RepoPaths.join(out, folder), rel);
                ws.write(ws.resolve(target), Files.readAllBytes(f));
            }
            return "rendered " + chart + " into " + files.size() + " file(s) in " + (out.isEmpty() ? "." : out);
        } catch (IOException e) {
            throw StepException.retryable("helm-template: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    private byte[] exec(List<String> cmd, Path chartDir, Path tmp) throws StepException {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
            // helm's caches and config stay in the step's own temporary folder
            pb.environment().put("HELM_CACHE_HOME", tmp.resolve("cache").toString());
            pb.environment().put("HELM_CONFIG_HOME", tmp.resolve("config").toString());
            pb.environment().put("HELM_DATA_HOME", tmp.resolve("data").toString());
            p = pb.start();
        } catch (IOException e) {
            throw StepException.terminal("helm-template needs the helm binary on the PATH of the git-writer (" + helm
                    + " was not found): install Helm 3 or 4 in the git-writer's image");
        }
        try {
            var err = p.getErrorStream();
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return err.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(110, TimeUnit.SECONDS)) {
                throw StepException.terminal("helm-template: helm did not finish in 110 s");
            }
            if (p.exitValue() != 0) {
                String msg = new String(stderr.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip()
                        .replace(chartDir.toString() + "/", "").replace(chartDir.toString(), ".")
                        .replace(tmp.toString(), "");
                throw StepException.terminal("helm-template: helm failed: " + msg);
            }
            return stdout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StepException.retryable("helm-template interrupted", e);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw StepException.retryable("helm-template: " + e.getMessage(), e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
