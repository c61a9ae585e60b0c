package io.freightline.gitwriter.client;

import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The warm local clone of one remote repository: a bare repository under the workdir that keeps every object it
 * ever fetched, so a promotion fetches only what changed. Also the index of promotion trailers per branch. Its
 * writer uses it, and so do templates of other repositories that check this one out as a secondary repository:
 * fetches, pushes and the trailer index are serialized by this object's lock; objects are written through each
 * user's own inserter.
 */
public final class WarmClone implements AutoCloseable {
    private final String url;
    private final GitRemote remote;
    private final Repository repo;
    private final Map<String, TrailerIndex> indexes = new HashMap<>();

    /** Push outcome. */
    public enum PushStatus { OK, REMOTE_MOVED, REJECTED }

    public record Pushed(PushStatus status, String message) {
    }

    private final Map<String, ObjectId> lastSeen = new ConcurrentHashMap<>();

    private WarmClone(String url, GitRemote remote, Repository repo) {
        this.url = url;
        this.remote = remote;
        this.repo = repo;
    }

    /** Opens (or creates) the warm clone of a URL under the workdir. */
    public static WarmClone open(Path workdir, String url, GitRemote remote) throws IOException {
        Path dir = workdir.resolve(folderName(url));
        Files.createDirectories(dir);
        Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        if (!Files.exists(dir.resolve("HEAD"))) {
            repo.create(true);
            var cfg = repo.getConfig();
            cfg.setBoolean("core", null, "logAllRefUpdates", false);
            cfg.setInt("gc", null, "auto", 0);
            cfg.save();
        }
        return new WarmClone(url, remote, repo);
    }

    /** A folder name derived from the URL without its credentials. */
    static String folderName(String url) {
        String safe = io.freightline.gitwriter.domain.Redact.text(url);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(safe.getBytes(StandardCharsets.UTF_8));
            String tail = safe.replaceAll("[^A-Za-z0-9._-]+", "_");
            tail = tail.length() > 40 ? tail.substring(tail.length() - 40) : tail;
            return HexFormat.of().formatHex(h, 0, 8) + "-" + tail;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Repository repository() {
        return repo;
    }

    /**
     * Fetches a branch into {@code refs/remotes/origin/<branch>} and returns its head, or null when the remote has
     * no such branch.
     */
    public synchronized ObjectId fetch(String branch) throws Exception {
        try (Transport t = remote.open(repo, url)) {
            String ref = Constants.R_HEADS + branch;
            FetchResult r = t.fetch(NullProgressMonitor.INSTANCE,
                    List.of(new RefSpec("+" + ref + ":refs/remotes/origin/" + branch)));
            Ref advertised = r.getAdvertisedRef(ref);
            ObjectId head = advertised == null ? null : advertised.getObjectId();
            remember(branch, head);
            return head;
        } catch (TransportException e) {
            if (String.valueOf(e.getMessage()).contains("Remote does not have " + Constants.R_HEADS + branch)) {
                remember(branch, null);
                return null;
            }
            throw e;
        }
    }

    /**
     * The branch head as this clone last saw it on the remote (its last fetch or its own last push), or null when it
     * never did. It may be stale: a push on top of it is a compare-and-swap that the remote refuses if it moved.
     */
    public ObjectId lastSeen(String branch) {
        return lastSeen.get(branch);
    }

    private void remember(String branch, ObjectId head) {
        if (head == null) {
            lastSeen.remove(branch);
        } else {
            lastSeen.put(branch, head);
        }
    }

    /** Pushes a commit to a branch, only if the branch is still at {@code expectedOld} (null: must not exist). */
    public synchronized Pushed push(ObjectId tip, String branch, ObjectId expectedOld) throws Exception {
        String ref = Constants.R_HEADS + branch;
        return pushAll(List.of(new Update(tip, ref, expectedOld, false))).get(ref);
    }

    /** Where a ref (e.g. {@code refs/tags/v1.0.0}) points on the remote now, or null when it has none. */
    public synchronized ObjectId remoteRef(String ref) throws Exception {
        try (Transport t = remote.open(repo, url); var conn = t.openFetch()) {
            Ref r = conn.getRef(ref);
            return r == null ? null : r.getObjectId();
        }
    }

    /** The remote's default branch (what its HEAD points to), or null when it does not say. */
    public synchronized String defaultBranch() throws Exception {
        try (Transport t = remote.open(repo, url); var conn = t.openFetch()) {
            Ref head = conn.getRef(Constants.HEAD);
            if (head != null && head.isSymbolic() && head.getTarget().getName().startsWith(Constants.R_HEADS)) {
                return head.getTarget().getName().substring(Constants.R_HEADS.length());
            }
            return null;
        }
    }

    /** Fetches a tag and returns the commit it points to (peeled), or null when the remote has no such tag. */
    public synchronized ObjectId fetchTag(String tag) throws Exception {
        String ref = Constants.R_TAGS + tag;
        try (Transport t = remote.open(repo, url)) {
            FetchResult r = t.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec("+" + ref + ":" + ref)));
            if (r.getAdvertisedRef(ref) == null) {
                return null;
            }
        } catch (TransportException e) {
            if (String.valueOf(e.getMessage()).contains("Remote does not have " + ref)) {
                return null;
            }
            throw e;
        }
        try (RevWalk w = new RevWalk(repo)) {
            return w.parseCommit(repo.resolve(ref)).copy();
        }
    }

    /**
     * Makes sure a commit is in the clone (fetching every branch when it is not yet) and returns it, or null when
     * no branch of the remote holds it.
     */
    public synchronized ObjectId ensureCommit(String sha) throws Exception {
        ObjectId id;
        try {
            id = ObjectId.fromString(sha);
        } catch (IllegalArgumentException e) {
            id = repo.resolve(sha); // an abbreviated id the clone knows
            if (id == null) {
                return null;
            }
        }
        if (!repo.getObjectDatabase().has(id)) {
            try (Transport t = remote.open(repo, url)) {
                t.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec("+refs/heads/*:refs/remotes/origin/*")));
            }
            if (!repo.getObjectDatabase().has(id)) {
                return null;
            }
        }
        try (RevWalk w = new RevWalk(repo)) {
            return w.parseCommit(id).copy();
        } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            return null;
        }
    }

    /** One ref update of a push: the new object, the ref, and the value the remote must still have (null: none). */
    public record Update(ObjectId tip, String ref, ObjectId expectedOld, boolean force) {
    }

    /** Pushes several refs in one connection; each is a compare-and-swap on its own. Returns the outcome per ref. */
    public synchronized Map<String, Pushed> pushAll(List<Update> updates) throws Exception {
        Map<String, Pushed> out = new java.util.LinkedHashMap<>();
        try (Transport t = remote.open(repo, url)) {
            List<RemoteRefUpdate> us = new java.util.ArrayList<>();
            for (Update u : updates) {
                us.add(new RemoteRefUpdate(repo, u.tip().name(), u.ref(), u.force(), null,
                        u.force() ? null : u.expectedOld() == null ? ObjectId.zeroId() : u.expectedOld()));
            }
            PushResult r = t.push(NullProgressMonitor.INSTANCE, us);
            for (Update u : updates) {
                RemoteRefUpdate done = r.getRemoteUpdate(u.ref());
                Pushed p = switch (done.getStatus()) {
                    case OK, UP_TO_DATE -> new Pushed(PushStatus.OK, null);
                    case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> new Pushed(PushStatus.REMOTE_MOVED, done.getStatus().name());
                    case REJECTED_OTHER_REASON -> serverRace(done.getMessage())
                            ? new Pushed(PushStatus.REMOTE_MOVED, done.getMessage())
                            : new Pushed(PushStatus.REJECTED, done.getStatus() + (done.getMessage() != null ? ": " + done.getMessage() : ""));
                    default -> new Pushed(PushStatus.REJECTED, done.getStatus() + (done.getMessage() != null ? ": " + done.getMessage() : ""));
                };
                if (p.status() == PushStatus.OK && u.ref().startsWith(Constants.R_HEADS)) {
                    remember(u.ref().substring(Constants.R_HEADS.length()), u.tip());
                }
                out.put(u.ref(), p);
            }
            return out;
        } catch (TransportException e) {
            String m = String.valueOf(e.getMessage());
            if (serverRace(m) || m.contains("non-fast-forward") || m.contains("fetch first")) {
                for (Update u : updates) {
                    out.put(u.ref(), new Pushed(PushStatus.REMOTE_MOVED, m));
                }
                return out;
            }
            throw e;
        }
    }

    public String url() {
        return url;
    }

    /**
     * "failed to lock" (JGit), "cannot lock ref" (git), "lock failure": the ref was busy on the server; "object …
     * missing": the server's gc removed what the push was negotiated against.
     */
    static boolean serverRace(String message) {
        String m = String.valueOf(message).toLowerCase(java.util.Locale.ROOT);
        return m.contains("lock") || (m.contains("object") && m.contains("missing"));
    }

    /** The commit on the branch (up to {@code head}) carrying this promotion's trailer, or null. */
    public synchronized String commitOf(String branch, ObjectId head, String promotionId) throws IOException {
        return indexes.computeIfAbsent(branch, b -> new TrailerIndex()).update(repo, head).get(promotionId);
    }

    public ObjectId treeOf(ObjectId commit) throws IOException {
        try (RevWalk w = new RevWalk(repo)) {
            return w.parseCommit(commit).getTree().getId();
        }
    }

    @Override
    public void close() {
        repo.close();
    }

    /** promotion id → commit, built by one walk of the history and then only of new commits. */
    static final class TrailerIndex {
        private final Map<String, String> byPromotion = new HashMap<>();
        private ObjectId head;

        Map<String, String> update(Repository repo, ObjectId newHead) throws IOException {
            if (newHead == null || newHead.equals(head)) {
                return byPromotion;
            }
            try (RevWalk w = new RevWalk(repo)) {
                RevCommit start = w.parseCommit(newHead);
                if (head != null) {
                    RevCommit old = w.parseCommit(head);
                    if (w.isMergedInto(old, start)) {
                        w.reset();
                        w.markUninteresting(w.parseCommit(head));
                    } else {
                        byPromotion.clear(); // history was rewritten: index it again
                        w.reset();
                    }
                }
                w.markStart(w.parseCommit(newHead));
                for (RevCommit c : w) {
                    for (String id : c.getFooterLines(io.freightline.gitwriter.domain.CommitMessage.PROMOTION_TRAILER)) {
                        byPromotion.putIfAbsent(id.strip(), c.name());
                    }
                }
            }
            head = newHead.copy();
            return byPromotion;
        }
    }
}
