package io.freightline.gitwriter.bench;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Generates large bare repositories quickly with {@code git fast-import}. */
final class BenchRepos {
    static final String KUSTOMIZATION = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            # environment overlay
            resources:
            - ../../base
            images:
            - name: 127.0.0.1:5000/demo/app
              newTag: 0.0.1 # promoted by Freightline
            """;

    /** A bare repo with {@code files} files (of which {@code stages} are envs/stage-N/kustomization.yaml) and {@code commits} commits. */
    static Path generate(Path dir, String name, int files, int commits, int stages) throws Exception {
        return generate(dir, name, files, commits, stages, java.util.Map.of());
    }

    /** As above, with {@code extra} files (path → content) in the first commit besides the generated ones. */
    static Path generate(Path dir, String name, int files, int commits, int stages, java.util.Map<String, byte[]> extra)
            throws Exception {
        Path bare = dir.resolve(name + ".git");
        run(dir, "git", "init", "-q", "--bare", "-b", "main", bare.toString());
        Process p = new ProcessBuilder("git", "fast-import", "--quiet").directory(bare.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Random rnd = new Random(42);
        try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 20)) {
            long t = 1_700_000_000L;
            for (int c = 0; c < commits; c++) {
                StringBuilder b = new StringBuilder();
                String msg = c == 0 ? "initial layout" : "change " + c;
                b.append("commit refs/heads/main\n").append("committer Bench <bench@test> ").append(t + c).append(" +0000\n")
                        .append("data ").append(msg.length()).append('\n').append(msg).append('\n');
                if (c == 0) {
                    extra.forEach((path, content) -> inline(b, path, new String(content, StandardCharsets.UTF_8)));
                    for (int i = 0; i < stages; i++) {
                        inline(b, "envs/stage-" + i + "/kustomization.yaml", KUSTOMIZATION);
                    }
                    for (int i = stages; i < files; i++) {
                        inline(b, "apps/app-" + (i / 50) + "/manifest-" + i + ".yaml", "kind: ConfigMap\nmetadata:\n  name: cm-" + i + "\ndata:\n  v: \"0\"\n");
                    }
                } else {
                    int i = stages + rnd.nextInt(Math.max(1, files - stages));
                    inline(b, "apps/app-" + (i / 50) + "/manifest-" + i + ".yaml", "kind: ConfigMap\nmetadata:\n  name: cm-" + i + "\ndata:\n  v: \"" + c + "\"\n");
                }
                b.append('\n');
                out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("fast-import failed");
        }
        run(bare, "git", "repack", "-a", "-d", "-q");
        return bare;
    }

    private static void inline(StringBuilder b, String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        b.append("M 100644 inline ").append(path).append('\n').append("data ").append(bytes.length).append('\n')
                .append(content).append('\n');
    }

    static String run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }

    static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private BenchRepos() {
    }
}
