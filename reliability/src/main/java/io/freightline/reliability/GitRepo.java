package io.freightline.reliability;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.PushCommand;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The GitOps repository as a user sees it: commits of main, trailers, file contents; and external pushes to it. */
public final class GitRepo {
    public static final String BRANCH = "main";
    private final Path bare;

    public GitRepo(Path bare) {
        this.bare = bare;
    }

    /** The commits of main, newest first. */
    public List<RevCommit> log() {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve("refs/heads/" + BRANCH);
            walk.markStart(walk.parseCommit(head));
            List<RevCommit> commits = new ArrayList<>();
            walk.forEach(commits::add);
            return commits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String head() {
        try (Repository repo = open()) {
            return repo.resolve("refs/heads/" + BRANCH).name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits per {@code Freightline-Promotion} trailer value. */
    public Map<String, List<RevCommit>> commitsByPromotion() {
        Map<String, List<RevCommit>> by = new LinkedHashMap<>();
        for (RevCommit c : log()) {
            for (String id : c.getFooterLines("Freightline-Promotion")) {
                by.computeIfAbsent(id.trim(), k -> new ArrayList<>()).add(c);
            }
        }
        return by;
    }

    /** A file's bytes at the head of main, or null. */
    public byte[] readBytes(String path) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            RevCommit head = walk.parseCommit(repo.resolve("refs/heads/" + BRANCH));
            try (TreeWalk tw = TreeWalk.forPath(repo, path, head.getTree())) {
                return tw == null ? null : repo.open(tw.getObjectId(0)).getBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String path) {
        byte[] b = readBytes(path);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** A file's text at a commit, or null when the file is not in that commit. */
    public String readAt(String commit, String path) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
            try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
                return tw == null ? null : new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code newTag} of a kustomization.yaml, unquoted, or null. */
    public String newTag(String stageDir) {
        return newTagOf(read(stageDir + "/kustomization.yaml"));
    }

    /** The {@code newTag} of a stage folder's kustomization.yaml at a commit, unquoted, or null. */
    public String newTagAt(String commit, String stageDir) {
        return newTagOf(readAt(commit, stageDir + "/kustomization.yaml"));
    }

    /**
     * The commits of main, newest first, that set a stage folder's {@code newTag} to {@code tag}: the tag differs in
     * their first parent (or they have none).
     */
    public List<String> commitsSetting(String stageDir, String tag) {
        List<String> out = new ArrayList<>();
        for (RevCommit c : log()) {
            if (tag.equals(newTagAt(c.name(), stageDir))
                    && (c.getParentCount() == 0 || !tag.equals(newTagAt(c.getParent(0).name(), stageDir)))) {
                out.add(c.name());
            }
        }
        return out;
    }

    private static String newTagOf(String text) {
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.startsWith("newTag:")) {
                String v = t.substring("newTag:".length()).trim();
                int hash = v.indexOf(" #");
                if (hash >= 0) {
                    v = v.substring(0, hash).trim();
                }
                return v.replace("\"", "").replace("'", "");
            }
        }
        return null;
    }

    /**
     * Pushes a commit made by {@code edit} in a fresh clone of {@code url} to main, as another user or tool would,
     * fetching and redoing it when the remote moved meanwhile. Returns the new commit's id.
     */
    public static String pushExternal(String url, String message, Consumer<Path> edit, int attempts) {
        Exception last = null;
        for (int i = 0; i < attempts; i++) {
            Path work = null;
            try {
                work = Files.createTempDirectory("freightline-external-");
                try (Git git = Git.cloneRepository().setURI(url).setBranch(BRANCH).setDirectory(work.toFile()).setTimeout(10).call()) {
                    edit.accept(work);
                    git.add().addFilepattern(".").call();
                    PersonIdent who = new PersonIdent("Someone Else", "someone@example.com");
                    RevCommit c = git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
                    PushCommand push = git.push().setRemote("origin").add(BRANCH).setTimeout(10);
                    boolean ok = true;
                    for (PushResult r : push.call()) {
                        for (RemoteRefUpdate u : r.getRemoteUpdates()) {
                            ok &= u.getStatus() == RemoteRefUpdate.Status.OK;
                        }
                    }
                    if (ok) {
                        return c.name();
                    }
                }
            } catch (Exception e) {
                last = e;
            } finally {
                if (work != null) {
                    deleteTree(work);
                }
            }
        }
        throw new IllegalStateException("external push to " + url + " failed " + attempts + " times", last);
    }

    public static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    private Repository open() throws IOException {
        return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    }
}
