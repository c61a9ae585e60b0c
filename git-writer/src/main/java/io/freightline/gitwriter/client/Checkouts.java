package io.freightline.gitwriter.client;

import io.freightline.events.PromotionRequested;
import io.freightline.gitwriter.domain.CommitMessage;
import io.freightline.gitwriter.domain.GitWork;
import io.freightline.gitwriter.domain.Redact;
import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.Workspace;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The working trees of one templated promotion ({@code git-clone} … {@code git-push}): each checkout is an in-memory
 * tree of a warm clone mounted at a workspace path ({@code ./src}, {@code ./out}); files outside every checkout
 * live in an in-memory scratch tree that is never committed. Commits are made in the warm clone; {@code git-push}
 * only moves the batch's branch tips ({@link Session}), and the writer pushes every moved tip of the batch at once
 * with compare-and-swap, so promotions waiting together share one push. A checkout of another repository than the
 * promotion's own (its {@code git.repoURL}, the primary) uses that repository's warm clone through a secondary
 * session of the batch ({@link Session#of}).
 */
final class Checkouts implements Workspace, GitWork {

    /** The branches of one batch: what the remote has (as fetched or last seen) and where this batch moved them. */
    static final class Session implements AutoCloseable {
        /** Opens (or returns) the shared warm clone of another repository. */
        interface Clones {
            WarmClone open(String repoURL) throws IOException;
        }

        final WarmClone clone;
        private final Clones clones;
        /** Sessions of the other repositories the batch's templates checked out, by canonical URL. */
        private final Map<String, Session> others = new LinkedHashMap<>();
        final ObjectInserter inserter;
        final ObjectReader reader;
        final boolean guess;
        private final Map<String, Materializer> materializers;
        private final Path materializeRoot;
        /** branch → head on the remote as this attempt knows it (null value: no such branch). */
        final Map<String, ObjectId> remote = new HashMap<>();
        /** branch → tip after the batch's promotions so far. */
        Map<String, ObjectId> tips = new LinkedHashMap<>();
        Set<String> forced = new HashSet<>();
        Map<String, ObjectId> tags = new LinkedHashMap<>();

        Session(WarmClone clone, boolean guess, Map<String, Materializer> materializers, Path materializeRoot) {
            this(clone, guess, materializers, materializeRoot, null);
        }

        Session(WarmClone clone, boolean guess, Map<String, Materializer> materializers, Path materializeRoot,
                Clones clones) {
            this.clone = clone;
            this.clones = clones;
            this.guess = guess;
            this.materializers = materializers;
            this.materializeRoot = materializeRoot;
            this.inserter = clone.repository().newObjectInserter();
            this.reader = inserter.newReader();
        }

        /** The branch head for this batch: moved by an earlier promotion of it, else the remote's. */
        ObjectId head(String branch) throws Exception {
            if (tips.containsKey(branch)) {
                return tips.get(branch);
            }
            if (!remote.containsKey(branch)) {
                ObjectId seen = guess ? clone.lastSeen(branch) : null;
                remote.put(branch, seen != null ? seen : clone.fetch(branch));
            }
            return remote.get(branch);
        }

        /**
         * The session of a repository for this batch: this one for the primary repository, otherwise a secondary
         * session on that repository's shared warm clone (made on first use; its moved tips are pushed with
         * compare-and-swap before the primary's).
         */
        Session of(String repoURL) throws StepException {
            if (sameRepository(repoURL, clone.url())) {
                return this;
            }
            String key = canonical(repoURL);
            Session s = others.get(key);
            if (s == null) {
                if (clones == null) {
                    throw StepException.terminal("git-clone of " + Redact.text(repoURL) + ": this promotion is carried out in "
                            + Redact.text(clone.url()) + " only");
                }
                try {
                    s = new Session(clones.open(repoURL), guess, materializers, materializeRoot, null);
                } catch (IOException e) {
                    throw StepException.retryable("git-clone: cannot open the warm clone of " + Redact.text(repoURL)
                            + ": " + Redact.text(String.valueOf(e.getMessage())), e);
                }
                others.put(key, s);
            }
            return s;
        }

        /** The secondary sessions, in the order the batch first checked them out. */
        List<Session> secondaries() {
            return List.copyOf(others.values());
        }

        /** Writes the objects inserted so far, in this and every secondary repository. */
        void flush() throws IOException {
            inserter.flush();
            for (Session s : others.values()) {
                s.inserter.flush();
            }
        }

        Object snapshot() {
            Map<String, Object> of = new HashMap<>();
            others.forEach((k, s) -> of.put(k, s.snapshot()));
            return new Object[]{new LinkedHashMap<>(tips), new HashSet<>(forced), new LinkedHashMap<>(tags), of};
        }

        @SuppressWarnings("unchecked")
        void restore(Object snapshot) {
            Object[] s = (Object[]) snapshot;
            tips = (Map<String, ObjectId>) s[0];
            forced = (Set<String>) s[1];
            tags = (Map<String, ObjectId>) s[2];
            Map<String, Object> of = (Map<String, Object>) s[3];
            others.forEach((k, o) -> {
                if (of.containsKey(k)) {
                    o.restore(of.get(k));
                } else { // first checked out after the snapshot: nothing of it counts
                    o.tips = new LinkedHashMap<>();
                    o.forced = new HashSet<>();
                    o.tags = new LinkedHashMap<>();
                }
            });
        }

        /** The ref updates this batch makes: every moved branch tip and every new tag. */
        List<WarmClone.Update> updates() {
            List<WarmClone.Update> out = new ArrayList<>();
            for (var e : tips.entrySet()) {
                ObjectId old = remote.get(e.getKey());
                if (!e.getValue().equals(old)) {
                    out.add(new WarmClone.Update(e.getValue(), Constants.R_HEADS + e.getKey(), old, forced.contains(e.getKey())));
                }
            }
            for (var e : tags.entrySet()) {
                out.add(new WarmClone.Update(e.getValue(), Constants.R_TAGS + e.getKey(), null,
                        forced.contains(Constants.R_TAGS + e.getKey())));
            }
            return out;
        }

        Materializer materializer(String mount) throws StepException {
            return Materializer.of(materializers, materializeRoot, mount.isEmpty() ? ":scratch" : mount);
        }

        @Override
        public void close() {
            others.values().forEach(Session::close);
            reader.close();
            inserter.close();
        }
    }

    /** One checkout: a branch (or a detached commit) held as an in-memory tree. */
    private static final class Mount {
        final String path;
        final String branch;
        final ObjectId base;
        ObjectId head;
        final TreeWorkspace tree;
        final Author author;
        /** The session of the repository this checkout belongs to. */
        final Session session;

        Mount(Session session, String path, String branch, ObjectId base, TreeWorkspace tree, Author author) {
            this.session = session;
            this.path = path;
            this.branch = branch;
            this.base = base;
            this.head = base;
            this.tree = tree;
            this.author = author;
        }
    }

    private final Session session;
    private final PromotionRequested request;
    private final PersonIdent defaultAuthor;
    private final Map<String, Mount> mounts = new LinkedHashMap<>();
    private final TreeWorkspace scratch;
    /** What the promotion's git-push steps did, in order. */
    final List<Pushed> pushes = new ArrayList<>();
    /** A push moved a branch tip (there is something new to push). */
    boolean advanced;
    /** The last git-push to the primary repository, or null. */
    Pushed primaryPush;
    /** The URL of the repository of the last git-push. */
    String lastPushRepo;
    /** The commit of this promotion found on a checked-out branch (git-commit made no second one). */
    String alreadyPresent;
    /** The repository of {@link #alreadyPresent} when it is not the primary one, else null. */
    String alreadyPresentRepo;

    Checkouts(Session session, PromotionRequested request, PersonIdent defaultAuthor) throws StepException {
        this.session = session;
        this.request = request;
        this.defaultAuthor = defaultAuthor;
        try {
            this.scratch = TreeWorkspace.load(session.reader, session.inserter, null).materializeInto(session.materializer(""));
        } catch (IOException e) {
            throw StepException.retryable("cannot open the scratch tree: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- GitWork

    @Override
    public String checkout(String repoURL, Checkout c, Author author) throws StepException {
        String path = RepoPaths.normalize("", c.path());
        if (path.isEmpty()) {
            throw StepException.terminal("git-clone: checkout path must name a folder, not the workspace itself");
        }
        for (String m : mounts.keySet()) {
            if (m.equals(path) || path.startsWith(m + "/") || m.startsWith(path + "/")) {
                throw StepException.terminal("git-clone: checkout path " + path + " overlaps the checkout at " + m);
            }
        }
        if (!scratch.files(path).isEmpty() || scratch.isFile(path)) {
            throw StepException.terminal("git-clone: " + path + " already holds files");
        }
        int chosen = (c.branch() != null ? 1 : 0) + (c.tag() != null ? 1 : 0) + (c.commit() != null ? 1 : 0);
        if (chosen > 1) {
            throw StepException.terminal("git-clone: checkout " + path + ": branch, tag and commit are mutually exclusive");
        }
        Session session = this.session.of(repoURL);
        try {
            String branch = null;
            ObjectId head;
            if (c.tag() != null) {
                head = session.clone.fetchTag(c.tag());
                if (head == null) {
                    throw StepException.terminal("git-clone: tag " + c.tag() + " does not exist in " + Redact.text(repoURL));
                }
            } else if (c.commit() != null) {
                head = session.clone.ensureCommit(c.commit());
                if (head == null) {
                    throw StepException.terminal("git-clone: commit " + c.commit() + " is on no branch of " + Redact.text(repoURL));
                }
            } else {
                branch = c.branch() != null ? c.branch() : session.clone.defaultBranch();
                if (branch == null) {
                    throw StepException.terminal("git-clone: " + Redact.text(repoURL) + " does not name its default branch; set checkout[].branch");
                }
                head = session.head(branch);
                if (head == null && !c.create()) {
                    throw StepException.terminal("git-clone: branch " + branch + " does not exist in " + Redact.text(repoURL)
                            + " (set create: true to start it)");
                }
            }
            TreeWorkspace tree = TreeWorkspace.load(session.reader, session.inserter,
                    head == null ? null : session.clone.treeOf(head)).materializeInto(session.materializer(path));
            mounts.put(path, new Mount(session, path, branch, head, tree, author));
            return head == null ? null : head.name();
        } catch (StepException e) {
            throw e;
        } catch (Exception e) {
            throw StepException.retryable("git-clone: " + Redact.text(String.valueOf(e.getMessage())), e);
        }
    }

    static boolean sameRepository(String a, String b) {
        return canonical(a).equals(canonical(b));
    }

    static String canonical(String url) {
        String u = Redact.text(url).strip();
        u = u.replaceFirst("^([a-z+]+://)[^/@]*@", "$1");
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u.endsWith(".git") ? u.substring(0, u.length() - 4) : u;
    }

    private Mount mount(String userPath, String step) throws StepException {
        String path = RepoPaths.normalize("", userPath);
        Mount m = mounts.get(path);
        if (m == null) {
            throw StepException.terminal(step + ": " + userPath + " is not a working tree checked out by git-clone"
                    + (mounts.isEmpty() ? "" : " (checked out: " + String.join(", ", mounts.keySet()) + ")"));
        }
        return m;
    }

    @Override
    public void clear(String path) throws StepException {
        mount(path, "git-clear").tree.clear();
    }

    @Override
    public Committed commit(String path, String message, Author author) throws StepException {
        Mount m = mount(path, "git-commit");
        Session session = m.session;
        try {
            // only what was checked out counts: a second git-commit of the same promotion goes on top of its first
            if (m.branch != null && m.head != null && m.head.equals(m.base)) {
                String existing = session.clone.commitOf(m.branch, m.head, request.promotionId());
                if (existing != null) {
                    if (alreadyPresent == null || session == this.session) { // the primary repository's names it
                        alreadyPresent = existing;
                        alreadyPresentRepo = session == this.session ? null : session.clone.url();
                    }
                    return new Committed(existing, false, true);
                }
            }
            ObjectId tree = m.tree.writeTree();
            if (m.head != null ? tree.equals(session.clone.treeOf(m.head)) : m.tree.files("").isEmpty()) {
                return new Committed(m.head == null ? null : m.head.name(), false, false);
            }
            PersonIdent who = person(author != null ? author : m.author);
            CommitBuilder cb = new CommitBuilder();
            cb.setTreeId(tree);
            if (m.head != null) {
                cb.setParentId(m.head);
            }
            cb.setAuthor(who);
            cb.setCommitter(who);
            cb.setMessage(CommitMessage.withTrailers(message, request));
            m.head = session.inserter.insert(cb);
            return new Committed(m.head.name(), true, false);
        } catch (IOException e) {
            throw StepException.retryable("git-commit: " + e.getMessage(), e);
        }
    }

    private PersonIdent person(Author a) {
        if (a == null || (a.name() == null && a.email() == null)) {
            return new PersonIdent(defaultAuthor, new java.util.Date());
        }
        return new PersonIdent(a.name() != null ? a.name() : defaultAuthor.getName(),
                a.email() != null ? a.email() : defaultAuthor.getEmailAddress());
    }

    @Override
    public Pushed push(String path, String targetBranch, boolean generate, boolean force, String provider)
            throws StepException {
        Mount m = mount(path, "git-push");
        Session session = m.session;
        String branch = targetBranch != null ? targetBranch
                : generate ? "freightline/promotion/" + request.promotionId() : m.branch;
        if (branch == null) {
            throw StepException.terminal("git-push: " + path + " has a commit or tag checked out, not a branch: set targetBranch");
        }
        if (m.head == null) {
            throw StepException.terminal("git-push: nothing is committed in " + path);
        }
        try {
            ObjectId current = session.head(branch);
            if (!m.head.equals(current)) {
                if (current != null && !force && !isAncestor(session, current, m.head)) {
                    m.head = rebase(m, current, branch);
                }
                session.tips.put(branch, m.head);
                if (force) {
                    session.forced.add(branch);
                }
                advanced = true;
            }
            Pushed p = new Pushed(branch, m.head.name(), commitURL(session.clone.url(), m.head.name(), provider));
            pushes.add(p);
            lastPushRepo = session.clone.url();
            if (session == this.session) {
                primaryPush = p;
            }
            return p;
        } catch (StepException e) {
            throw e;
        } catch (Exception e) {
            throw StepException.retryable("git-push: " + Redact.text(String.valueOf(e.getMessage())), e);
        }
    }

    private static boolean isAncestor(Session session, ObjectId ancestor, ObjectId of) throws IOException {
        try (RevWalk w = new RevWalk(session.reader)) {
            return w.isMergedInto(w.parseCommit(ancestor), w.parseCommit(of));
        }
    }

    /**
     * Replays the checkout's own commits (those after what it checked out) onto the branch's newer head, as
     * {@code git rebase} does; a conflicting file is a terminal error naming it.
     */
    private static ObjectId rebase(Mount m, ObjectId onto, String branch) throws Exception {
        Session session = m.session;
        List<RevCommit> own = new ArrayList<>();
        try (RevWalk w = new RevWalk(session.reader)) {
            w.markStart(w.parseCommit(m.head));
            if (m.base != null) {
                w.markUninteresting(w.parseCommit(m.base));
            }
            for (RevCommit c : w) {
                own.add(c);
            }
        }
        Collections.reverse(own);
        ObjectId tip = onto;
        try (RevWalk w = new RevWalk(session.reader)) {
            for (RevCommit c : own) {
                RevCommit commit = w.parseCommit(c);
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(session.inserter, session.clone.repository().getConfig());
                if (commit.getParentCount() > 0) {
                    merger.setBase(commit.getParent(0));
                } else {
                    merger.setBase(null);
                }
                if (!merger.merge(tip, commit)) {
                    Set<String> files = new TreeSet<>(merger.getUnmergedPaths());
                    files.addAll(merger.getFailingPaths() == null ? Set.of() : merger.getFailingPaths().keySet());
                    throw StepException.terminal("git-push: conflict: " + branch + " moved and this promotion's changes "
                            + "no longer apply on it: " + String.join(", ", files));
                }
                CommitBuilder cb = new CommitBuilder();
                cb.setTreeId(merger.getResultTreeId());
                cb.setParentId(tip);
                cb.setAuthor(commit.getAuthorIdent());
                cb.setCommitter(commit.getCommitterIdent());
                cb.setMessage(commit.getFullMessage());
                tip = session.inserter.insert(cb);
            }
        }
        return tip;
    }

    /** The commit's page at known Git hosts (GitHub, GitLab, Gitea, Bitbucket, Azure DevOps); null otherwise. */
    static String commitURL(String repoURL, String sha, String provider) {
        String u = Redact.text(repoURL).strip();
        if (u.startsWith("git@")) {
            u = "https://" + u.substring(4).replaceFirst(":", "/");
        } else if (u.startsWith("ssh://")) {
            u = "https://" + u.substring(6).replaceFirst("^[^@/]*@", "").replaceFirst(":\\d+/", "/");
        } else if (!u.startsWith("http://") && !u.startsWith("https://")) {
            return null;
        }
        u = u.replaceFirst("^(https?://)[^/@]*@", "$1");
        if (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (u.endsWith(".git")) {
            u = u.substring(0, u.length() - 4);
        }
        String p = provider != null ? provider
                : u.contains("gitlab") ? "gitlab" : u.contains("bitbucket.org") ? "bitbucket"
                : u.contains("dev.azure.com") || u.contains("visualstudio.com") ? "azure" : "github";
        return switch (p) {
            case "gitlab" -> u + "/-/commit/" + sha;
            case "bitbucket" -> u + "/commits/" + sha;
            default -> u + "/commit/" + sha; // github, gitea, azure
        };
    }

    @Override
    public String tag(String path, String tag, String message, boolean force) throws StepException {
        Mount m = mount(path, "git-tag");
        Session session = m.session;
        if (m.head == null) {
            throw StepException.terminal("git-tag: nothing is committed in " + path);
        }
        if (!org.eclipse.jgit.lib.Repository.isValidRefName(Constants.R_TAGS + tag)) {
            throw StepException.terminal("git-tag: '" + tag + "' is not a valid tag name");
        }
        try {
            if (!force && session.clone.remoteRef(Constants.R_TAGS + tag) != null) {
                throw StepException.terminal("git-tag: tag " + tag + " already exists in the remote repository "
                        + "(force: true moves it)");
            }
            ObjectId target = m.head;
            if (message != null && !message.isEmpty()) {
                TagBuilder t = new TagBuilder();
                t.setTag(tag);
                t.setObjectId(m.head, Constants.OBJ_COMMIT);
                t.setTagger(person(m.author));
                t.setMessage(message.endsWith("\n") ? message : message + "\n");
                target = session.inserter.insert(t);
            }
            pendingTags.put(tagKey(m, tag), target);
            if (force) {
                forcedTags.add(tagKey(m, tag));
            } else {
                forcedTags.remove(tagKey(m, tag));
            }
            return m.head.name();
        } catch (StepException e) {
            throw e;
        } catch (Exception e) {
            throw StepException.retryable("git-tag: " + Redact.text(String.valueOf(e.getMessage())), e);
        }
    }

    /** Tags are per repository: keyed by the repository's warm clone URL and the tag. */
    private static String tagKey(Mount m, String tag) {
        return canonical(m.session.clone.url()) + " " + tag;
    }

    private final Map<String, ObjectId> pendingTags = new HashMap<>();
    private final Set<String> forcedTags = new HashSet<>();

    @Override
    public Pushed pushTag(String path, String tag, String provider) throws StepException {
        Mount m = mount(path, "git-push");
        Session session = m.session;
        ObjectId t = pendingTags.get(tagKey(m, tag));
        if (t == null) {
            throw StepException.terminal("git-push: tag " + tag + " was not made by a git-tag step in " + path);
        }
        session.tags.put(tag, t);
        if (forcedTags.contains(tagKey(m, tag))) {
            session.forced.add(Constants.R_TAGS + tag); // tag refs never clash with branch names in this set
        }
        advanced = true;
        Pushed p = new Pushed(null, m.head.name(), commitURL(session.clone.url(), m.head.name(), provider));
        pushes.add(p);
        lastPushRepo = session.clone.url();
        if (session == this.session) {
            primaryPush = p;
        }
        return p;
    }

    @Override
    public List<String> checkouts() {
        return List.copyOf(mounts.keySet());
    }

    // ---------------------------------------------------------------- Workspace

    /** The checkout holding a workspace path, or null for the scratch tree. */
    private Mount owner(String path) {
        for (Mount m : mounts.values()) {
            if (path.equals(m.path) || path.startsWith(m.path + "/")) {
                return m;
            }
        }
        return null;
    }

    private static String inner(Mount m, String path) {
        return path.equals(m.path) ? "" : path.substring(m.path.length() + 1);
    }

    @Override
    public String resolve(String userPath) throws StepException {
        String path = RepoPaths.normalize("", userPath);
        Mount m = owner(path);
        if (m == null) {
            return scratch.resolve(path);
        }
        try {
            return RepoPaths.join(m.path, m.tree.resolve(inner(m, path)));
        } catch (StepException e) {
            throw StepException.terminal(userPath, e.getMessage());
        }
    }

    @Override
    public Optional<byte[]> read(String path) throws StepException {
        Mount m = owner(path);
        return m == null ? scratch.read(path) : m.tree.read(inner(m, path));
    }

    @Override
    public void write(String path, byte[] content) throws StepException {
        Mount m = owner(path);
        if (m == null) {
            if (mounts.keySet().stream().anyMatch(k -> k.startsWith(path + "/"))) {
                throw StepException.terminal(path, "is a folder");
            }
            scratch.write(path, content);
        } else {
            if (inner(m, path).isEmpty()) {
                throw StepException.terminal(path, "is a folder");
            }
            m.tree.write(inner(m, path), content);
        }
    }

    @Override
    public void copy(String from, String to) throws StepException {
        Mount a = owner(from);
        Mount b = owner(to);
        if (a == b) {
            (a == null ? scratch : a.tree).copy(a == null ? from : inner(a, from), b == null ? to : inner(b, to));
            return;
        }
        write(to, read(from).orElseThrow(() -> StepException.terminal(from, "no such file")));
    }

    @Override
    public boolean delete(String path) throws StepException {
        Mount m = owner(path);
        if (m != null) {
            String in = inner(m, path);
            if (in.isEmpty()) {
                boolean any = !m.tree.files("").isEmpty();
                m.tree.clear();
                return any;
            }
            return m.tree.delete(in);
        }
        boolean removed = !path.isEmpty() && scratch.delete(path);
        for (Mount under : mounts.values()) {
            if (path.isEmpty() || under.path.startsWith(path + "/")) {
                removed |= !under.tree.files("").isEmpty();
                under.tree.clear();
            }
        }
        return removed;
    }

    @Override
    public boolean isDirectory(String path) {
        Mount m = owner(path);
        if (m != null) {
            String in = inner(m, path);
            return in.isEmpty() || m.tree.isDirectory(in);
        }
        return scratch.isDirectory(path) || mounts.keySet().stream().anyMatch(k -> path.isEmpty() || k.startsWith(path + "/"));
    }

    @Override
    public boolean isFile(String path) {
        Mount m = owner(path);
        return m == null ? scratch.isFile(path) : !inner(m, path).isEmpty() && m.tree.isFile(inner(m, path));
    }

    @Override
    public List<String> files(String folder) {
        Mount m = owner(folder);
        if (m != null) {
            return m.tree.files(inner(m, folder)).stream().map(f -> RepoPaths.join(m.path, f)).toList();
        }
        TreeSet<String> all = new TreeSet<>(scratch.files(folder));
        for (Mount under : mounts.values()) {
            if (folder.isEmpty() || under.path.startsWith(folder + "/")) {
                under.tree.files("").forEach(f -> all.add(RepoPaths.join(under.path, f)));
            }
        }
        return new ArrayList<>(all);
    }

    @Override
    public Path materialize(String folder) throws StepException {
        Mount m = owner(folder);
        if (m == null) {
            if (mounts.keySet().stream().anyMatch(k -> folder.isEmpty() || k.startsWith(folder + "/"))) {
                throw StepException.terminal(folder, "holds checkouts; name a folder inside one of them");
            }
            return scratch.materialize(folder);
        }
        return m.tree.materialize(inner(m, folder));
    }
}
