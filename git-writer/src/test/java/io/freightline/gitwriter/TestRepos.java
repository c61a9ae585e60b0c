package io.freightline.gitwriter;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real bare repositories for tests, seeded with the git CLI, and readers of what landed in them. */
public final class TestRepos {

    /** Creates {@code dir/name.git} (bare, branch main) holding the files in one commit. */
    public static Path bare(Path dir, String name, Map<String, byte[]> files) throws Exception {
        Path seed = Files.createTempDirectory(dir, "seed-");
        Path bare = dir.resolve(name + ".git");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(seed, "init", "-q", "-b", "main");
        for (var e : files.entrySet()) {
            Path f = seed.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        git(seed, "add", "-A");
        git(seed, "-c", "user.name=seed", "-c", "user.email=seed@test", "commit", "-q", "-m", "seed");
        git(seed, "push", "-q", bare.toUri().toString(), "main");
        return bare;
    }

    public static String url(Path bare) {
        return "file://" + bare.toAbsolutePath();
    }

    /** Runs git; fails the test on a non-zero exit. Returns stdout. */
    public static String git(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    public static Repository open(Path bare) throws IOException {
        return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    }

    /** The file's bytes at the head of the branch, or null. */
    public static byte[] file(Path bare, String branch, String path) throws IOException {
        try (Repository r = open(bare); RevWalk w = new RevWalk(r)) {
            ObjectId head = r.resolve(Constants.R_HEADS + branch);
            try (TreeWalk t = TreeWalk.forPath(r, path, w.parseCommit(head).getTree())) {
                return t == null ? null : r.open(t.getObjectId(0)).getBytes();
            }
        }
    }

    /** Every file path at the head of the branch, sorted. */
    public static List<String> files(Path bare, String branch) throws IOException {
        try (Repository r = open(bare); RevWalk w = new RevWalk(r); TreeWalk t = new TreeWalk(r)) {
            t.addTree(w.parseCommit(r.resolve(Constants.R_HEADS + branch)).getTree());
            t.setRecursive(true);
            List<String> out = new ArrayList<>();
            while (t.next()) {
                out.add(t.getPathString());
            }
            return out;
        }
    }

    /** Commits of the branch, newest first. */
    public static List<RevCommit> log(Path bare, String branch) throws IOException {
        try (Repository r = open(bare); RevWalk w = new RevWalk(r)) {
            w.markStart(w.parseCommit(r.resolve(Constants.R_HEADS + branch)));
            List<RevCommit> out = new ArrayList<>();
            w.forEach(out::add);
            return out;
        }
    }

    public static String head(Path bare, String branch) throws IOException {
        try (Repository r = open(bare)) {
            ObjectId id = r.resolve(Constants.R_HEADS + branch);
            return id == null ? null : id.name();
        }
    }

    /** Commits of the branch carrying the promotion trailer. */
    public static long commitsWithTrailer(Path bare, String branch, String promotionId) throws IOException {
        return log(bare, branch).stream()
                .filter(c -> c.getFooterLines("Freightline-Promotion").contains(promotionId)).count();
    }


    private TestRepos() {
    }
}
