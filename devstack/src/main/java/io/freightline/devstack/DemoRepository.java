package io.freightline.devstack;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's GitOps repository: a bare repository seeded with a Kustomize app, {@code base/} with
 * {@code envs/dev|staging|prod} for the default pipeline and {@code stages/test|uat|prod} (Kargo's quickstart layout)
 * for the Kargo-dialect pipeline.
 */
public final class DemoRepository {
    /** The seed files, under {@code /demo/gitops/} on the classpath. */
    static final List<String> SEED = List.of(
            "base/kustomization.yaml", "base/deployment.yaml", "base/service.yaml",
            "envs/dev/kustomization.yaml", "envs/staging/kustomization.yaml", "envs/prod/kustomization.yaml",
            "stages/test/kustomization.yaml", "stages/uat/kustomization.yaml", "stages/prod/kustomization.yaml");

    public static final String BRANCH = "main";

    /**
     * Creates and seeds the bare repository unless it exists already; returns its file:// URL. A repository seeded
     * by an earlier version gets the seed files its main branch lacks in one more commit; files there stay as they are.
     */
    public static String ensure(Path bare) {
        if (Files.isDirectory(bare.resolve("refs"))) {
            addMissing(bare);
            return url(bare);
        }
        Path work = null;
        try {
            Files.createDirectories(bare.getParent());
            try (Git server = Git.init().setBare(true).setInitialBranch(BRANCH).setDirectory(bare.toFile()).call()) {
                // a push to a file:// remote is received by the pushing process, which also runs the remote's auto
                // gc (more than 50 packs: one per push). By default that gc keeps the packs it replaced for an hour,
                // so the count never drops and every later push repacks the whole repository again, in a
                // background thread that races the next push. Here gc runs inside the receive that needs it and
                // drops the replaced packs at once: one gc per ~50 pushes, none beside a push.
                StoredConfig config = server.getRepository().getConfig();
                config.setBoolean("gc", null, "autoDetach", false);
                config.setString("gc", null, "prunePackExpire", "now");
                config.save();
            }
            work = Files.createTempDirectory("freightline-seed-");
            try (Git git = Git.init().setInitialBranch(BRANCH).setDirectory(work.toFile()).call()) {
                commitAndPush(git, work, SEED, "Seed the demo GitOps repository", bare);
            }
            return url(bare);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot seed " + bare, e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    private static void addMissing(Path bare) {
        Path work = null;
        try {
            List<String> missing;
            try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).build()) {
                ObjectId head = repo.resolve("refs/heads/" + BRANCH + "^{tree}");
                if (head == null) {
                    throw new IllegalStateException(bare + ": no branch " + BRANCH + "; remove the folder to seed it again");
                }
                missing = new ArrayList<>();
                for (String file : SEED) {
                    try (TreeWalk walk = TreeWalk.forPath(repo, file, head)) {
                        if (walk == null) {
                            missing.add(file);
                        }
                    }
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            work = Files.createTempDirectory("freightline-seed-");
            try (Git git = Git.cloneRepository().setURI(url(bare)).setBranch(BRANCH).setDirectory(work.toFile()).call()) {
                commitAndPush(git, work, missing, "Add " + String.join(", ", missing) + " to the demo GitOps repository", bare);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot add the missing seed files to " + bare, e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    private static void commitAndPush(Git git, Path work, List<String> files, String message, Path bare)
            throws IOException, GitAPIException {
        for (String file : files) {
            Path target = work.resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = DemoRepository.class.getResourceAsStream("/demo/gitops/" + file)) {
                Files.copy(in, target);
            }
        }
        PersonIdent who = new PersonIdent("Freightline demo", "demo@freightline.local");
        git.add().addFilepattern(".").call();
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
        git.push().setRemote(url(bare)).add(BRANCH).call();
    }

    public static String url(Path bare) {
        return bare.toAbsolutePath().normalize().toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private DemoRepository() {
    }
}
