package io.freightline.gitwriter.steps.kustomizebuild;

import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with the real Kustomize ({@code kubectl kustomize}, which must be on the PATH) into one file
 * or into a folder of one file per object. The tree is written out to a warm host folder first (only the files that
 * changed since the last render), since kustomize reads real files.
 */
@ApplicationScoped
public class KustomizeBuildStep implements Step<KustomizeBuildConfig> {
    private final String kubectl;

    public KustomizeBuildStep() {
        this("kubectl");
    }

    /** @param kubectl the kubectl binary (a name on the PATH or a path) */
    public KustomizeBuildStep(String kubectl) {
        this.kubectl = kubectl;
    }

    @Override
    public String name() {
        return "kustomize-build";
    }

    @Override
    public Class<KustomizeBuildConfig> configType() {
        return KustomizeBuildConfig.class;
    }

    @Override
    public String schema() {
        return KustomizeBuildConfig.SCHEMA;
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    public String run(StepContext ctx, KustomizeBuildConfig config) throws StepException {
        Workspace ws = ctx.workspace();
        String folder = ws.resolve(config.path());
        if (!List.of("kustomization.yaml", "kustomization.yml", "Kustomization").stream()
                .anyMatch(n -> ws.isFile(RepoPaths.join(folder, n)))) {
            throw StepException.terminal(RepoPaths.join(folder, "kustomization.yaml"), "no kustomization in " + config.path());
        }
        String out = ws.resolve(config.outPath());
        Path dir = ws.materialize(folder);
        byte[] rendered = kustomize(dir, config.plugin() == null ? null : config.plugin().helm());
        if (out.endsWith(".yaml") || out.endsWith(".yml")) {
            ws.write(out, rendered);
            return "rendered " + folder + " into " + out;
        }
        List<byte[]> docs = split(rendered);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (byte[] doc : docs) {
            String name = fileName(doc, !"kustomize".equals(config.outputFormat()));
            if (files.put(name, doc) != null) {
                throw StepException.terminal(RepoPaths.join(out, name), "two rendered objects map to this file name");
            }
        }
        for (var e : files.entrySet()) {
            ws.write(RepoPaths.join(out, e.getKey()), e.getValue());
        }
        return "rendered " + folder + " into " + files.size() + " files in " + (out.isEmpty() ? "." : out);
    }

    private byte[] kustomize(Path dir, KustomizeBuildConfig.Helm helm) throws StepException {
        List<String> cmd = new ArrayList<>(List.of(kubectl, "kustomize", dir.toString()));
        if (helm != null) {
            cmd.add("--enable-helm");
            if (helm.kubeVersion() != null) {
                cmd.add("--helm-kube-version=" + helm.kubeVersion());
            }
            if (helm.apiVersions() != null) {
                helm.apiVersions().forEach(v -> cmd.add("--helm-api-versions=" + v));
            }
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw StepException.terminal("kustomize-build needs kubectl (kubectl kustomize) on the PATH: " + e.getMessage());
        }
        try {
            var err = p.getErrorStream();
            var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return err.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw StepException.terminal("kustomize-build: kubectl kustomize did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                String msg = new String(stderr.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip()
                        .replace(dir.toString() + "/", "").replace(dir.toString(), ".");
                throw StepException.terminal("kustomize-build: kustomize failed: " + msg);
            }
            return stdout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StepException.retryable("kustomize-build interrupted", e);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw StepException.retryable("kustomize-build: " + e.getMessage(), e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Kustomize's output split at its {@code ---} separators, each document's bytes as printed. */
    static List<byte[]> split(byte[] rendered) {
        String text = new String(rendered, StandardCharsets.UTF_8);
        List<byte[]> docs = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("(?<=\n)")) {
            if (line.equals("---\n") || line.equals("---")) {
                if (!cur.toString().isBlank()) {
                    docs.add(cur.toString().getBytes(StandardCharsets.UTF_8));
                }
                cur.setLength(0);
            } else {
                cur.append(line);
            }
        }
        if (!cur.toString().isBlank()) {
            docs.add(cur.toString().getBytes(StandardCharsets.UTF_8));
        }
        return docs;
    }

    /** {@code [namespace-]kind-name.yaml} (Kargo) or {@code [namespace_]group_version_kind_name.yaml} (kustomize). */
    @SuppressWarnings("unchecked")
    static String fileName(byte[] doc, boolean kargo) throws StepException {
        Object o = new Load(LoadSettings.builder().build()).loadFromString(new String(doc, StandardCharsets.UTF_8));
        if (!(o instanceof Map<?, ?> m) || !(m.get("metadata") instanceof Map<?, ?> meta)) {
            throw StepException.terminal("kustomize-build: a rendered document is not a Kubernetes object");
        }
        String kind = String.valueOf(m.get("kind"));
        String name = String.valueOf(meta.get("name"));
        Object ns = meta.get("namespace");
        String apiVersion = String.valueOf(m.get("apiVersion"));
        String base;
        if (kargo) {
            base = (ns != null ? ns + "-" : "") + kind + "-" + name;
        } else {
            int slash = apiVersion.indexOf('/');
            String group = slash < 0 ? "" : apiVersion.substring(0, slash);
            String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
            base = (ns != null ? ns + "_" : "") + (group.isEmpty() ? "" : group + "_") + version + "_" + kind + "_" + name;
        }
        String file = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_") + ".yaml";
        return file;
    }
}
