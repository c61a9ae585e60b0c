package io.freightline.gitwriter.domain;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One step's view of the workspace that can be closed: a step that timed out may still be running on its thread,
 * and once {@link #close()} returned, none of its reads or writes reach the workspace any more (they fail), so it
 * can never leak into the snapshot restored after it, nor into the next promotion.
 */
public final class FencedWorkspace implements Workspace, AutoCloseable {
    private final Workspace delegate;
    private boolean open = true;

    public FencedWorkspace(Workspace delegate) {
        this.delegate = delegate;
    }

    /** Waits for a call in progress to finish, then refuses every later one. */
    @Override
    public synchronized void close() {
        open = false;
    }

    private void check() throws StepException {
        if (!open) {
            throw StepException.terminal("the step's time is up: its workspace is closed");
        }
    }

    @Override
    public synchronized String resolve(String userPath) throws StepException {
        check();
        return delegate.resolve(userPath);
    }

    @Override
    public synchronized Optional<byte[]> read(String path) throws StepException {
        check();
        return delegate.read(path);
    }

    @Override
    public synchronized void write(String path, byte[] content) throws StepException {
        check();
        delegate.write(path, content);
    }

    @Override
    public synchronized void copy(String from, String to) throws StepException {
        check();
        delegate.copy(from, to);
    }

    @Override
    public synchronized boolean delete(String path) throws StepException {
        check();
        return delegate.delete(path);
    }

    @Override
    public synchronized boolean isDirectory(String path) {
        return open && delegate.isDirectory(path);
    }

    @Override
    public synchronized boolean isFile(String path) {
        return open && delegate.isFile(path);
    }

    @Override
    public synchronized List<String> files(String folder) {
        return open ? delegate.files(folder) : List.of();
    }

    /** The Git checkouts behind the same fence. */
    public GitWork fence(GitWork git) {
        FencedWorkspace fence = this;
        return new GitWork() {
            public String checkout(String repoURL, Checkout c, Author a) throws StepException {
                synchronized (fence) {
                    check();
                    return git.checkout(repoURL, c, a);
                }
            }

            public void clear(String path) throws StepException {
                synchronized (fence) {
                    check();
                    git.clear(path);
                }
            }

            public Committed commit(String path, String message, Author author) throws StepException {
                synchronized (fence) {
                    check();
                    return git.commit(path, message, author);
                }
            }

            public Pushed push(String path, String target, boolean generate, boolean force, String provider)
                    throws StepException {
                synchronized (fence) {
                    check();
                    return git.push(path, target, generate, force, provider);
                }
            }

            public String tag(String path, String tag, String message, boolean force) throws StepException {
                synchronized (fence) {
                    check();
                    return git.tag(path, tag, message, force);
                }
            }

            public Pushed pushTag(String path, String tag, String provider) throws StepException {
                synchronized (fence) {
                    check();
                    return git.pushTag(path, tag, provider);
                }
            }

            public List<String> checkouts() {
                synchronized (fence) {
                    return open ? git.checkouts() : List.of();
                }
            }
        };
    }

    @Override
    public synchronized Path materialize(String folder) throws StepException {
        check();
        return delegate.materialize(folder);
    }
}
