package io.freightline.devstack;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the demo's bare GitOps repository the way a user would with git log / git show. */
final class GitOpsRepo {
    private final Path bare;

    GitOpsRepo(Path bare) {
        this.bare = bare;
    }

    /** The commits of main, newest first. */
    List<RevCommit> log() {
        return log("main");
    }

    /** The commits of a branch, newest first; none when the branch does not exist. */
    List<RevCommit> log(String branch) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve("refs/heads/" + branch);
            if (head == null) {
                return List.of();
            }
            walk.markStart(walk.parseCommit(head));
            List<RevCommit> commits = new ArrayList<>();
            walk.forEach(commits::add);
            return commits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits whose message carries {@code Freightline-Stage: <stage>}. */
    List<RevCommit> promotionsOf(String stage) {
        return log().stream().filter(c -> trailer(c, "Freightline-Stage").contains(stage)).toList();
    }

    static List<String> trailer(RevCommit commit, String key) {
        return commit.getFooterLines(key);
    }

    /** A file's text at the head of main. */
    String read(String path) {
        return read("main", path);
    }

    /** A file's text at the head of a branch. */
    String read(String branch, String path) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            RevCommit head = walk.parseCommit(repo.resolve("refs/heads/" + branch));
            try (TreeWalk tw = TreeWalk.forPath(repo, path, head.getTree())) {
                if (tw == null) {
                    throw new IllegalStateException(path + " not in " + bare);
                }
                return new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The paths of every file at the head of a branch, sorted. */
    List<String> files(String branch) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(walk.parseCommit(repo.resolve("refs/heads/" + branch)).getTree());
            tw.setRecursive(true);
            List<String> paths = new ArrayList<>();
            while (tw.next()) {
                paths.add(tw.getPathString());
            }
            return paths;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Repository open() throws IOException {
        return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    }
}
