package io.freightline.gitwriter.domain;

import java.util.List;

/**
 * The Git side of a promotion template: checkouts of warm clones at workspace paths and the commits and pushes made
 * from them. A checkout is a tree of the warm clone held in memory, never a network clone. Implemented by the writer;
 * steps see only this.
 */
public interface GitWork {

    /**
     * One {@code git-clone} checkout entry.
     *
     * @param as     key in the {@code commits} output (default: the path)
     * @param branch the branch; none of branch, tag and commit: the remote's default branch
     * @param create create an empty orphan branch when the remote has none
     */
    record Checkout(String as, String branch, String tag, String commit, boolean create, String path) {
    }

    /** Commit authorship; null fields fall back to the configured author. */
    record Author(String name, String email) {
    }

    /**
     * Checks out a revision of a repository at a workspace path; returns the commit checked out, or null for a new,
     * empty branch.
     */
    String checkout(String repoURL, Checkout checkout, Author author) throws StepException;

    /** Deletes every file of the working tree at this path. */
    void clear(String path) throws StepException;

    /**
     * @param commit        the new commit, the existing one of this promotion, or the head when nothing changed
     * @param created       a new commit was made
     * @param alreadyPresent the branch already holds this promotion's commit (so nothing was committed again)
     */
    record Committed(String commit, boolean created, boolean alreadyPresent) {
    }

    Committed commit(String path, String message, Author author) throws StepException;

    /** @param commitURL the commit's page at the Git host, or null when the host is not known */
    record Pushed(String branch, String commit, String commitURL) {
    }

    /** Pushes the working tree's commits to {@code targetBranch}, the checked-out branch or a generated one. */
    Pushed push(String path, String targetBranch, boolean generateTargetBranch, boolean force, String provider)
            throws StepException;

    /**
     * Creates a tag at the working tree's head (annotated when {@code message} is set); returns the commit. With
     * {@code force} its push replaces a tag of the same name on the remote, else that is a terminal error.
     */
    String tag(String path, String tag, String message, boolean force) throws StepException;

    /** Pushes a tag made by {@link #tag}; a tag that already exists on the remote is a terminal error. */
    Pushed pushTag(String path, String tag, String provider) throws StepException;

    /** The working trees checked out so far (workspace paths). */
    List<String> checkouts();

    /** For promotions without a {@code git-clone}: git steps explain what is missing. */
    GitWork NONE = new GitWork() {
        private StepException missing() {
            return StepException.terminal("no git-clone step ran before this git step: check out a repository first");
        }

        public String checkout(String repoURL, Checkout c, Author a) throws StepException {
            throw StepException.terminal("git-clone is not available in this promotion");
        }

        public void clear(String path) throws StepException {
            throw missing();
        }

        public Committed commit(String path, String message, Author author) throws StepException {
            throw missing();
        }

        public Pushed push(String path, String targetBranch, boolean generate, boolean force, String provider)
                throws StepException {
            throw missing();
        }

        public String tag(String path, String tag, String message, boolean force) throws StepException {
            throw missing();
        }

        public Pushed pushTag(String path, String tag, String provider) throws StepException {
            throw missing();
        }

        public List<String> checkouts() {
            return List.of();
        }
    };
}
