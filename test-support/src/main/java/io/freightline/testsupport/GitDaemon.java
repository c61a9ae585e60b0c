package io.freightline.testsupport;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.DaemonClient;
import org.eclipse.jgit.transport.resolver.RepositoryResolver;
import org.eclipse.jgit.errors.RepositoryNotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real git:// server (JGit's daemon) on 127.0.0.1 serving every bare repository under a folder, with push
 * enabled. {@code url("gitops.git")} is what clients clone.
 */
public final class GitDaemon implements AutoCloseable {
    private final Daemon daemon;
    private final Path base;

    private GitDaemon(Daemon daemon, Path base) {
        this.daemon = daemon;
        this.base = base;
    }

    public static GitDaemon serve(Path base) {
        Daemon daemon = new Daemon(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        daemon.getService("git-receive-pack").setEnabled(true);
        RepositoryResolver<DaemonClient> resolver = (client, name) -> {
            Path dir = base.resolve(name).normalize();
            if (!dir.startsWith(base) || !Files.isDirectory(dir)) {
                throw new RepositoryNotFoundException(name);
            }
            try {
                Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
                return repo;
            } catch (IOException e) {
                throw new RepositoryNotFoundException(name, e);
            }
        };
        daemon.setRepositoryResolver(resolver);
        try {
            daemon.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new GitDaemon(daemon, base.toAbsolutePath().normalize());
    }

    public int port() {
        return daemon.getAddress().getPort();
    }

    /** The git:// URL of a repository under the base folder. */
    public String url(String name) {
        return "git://127.0.0.1:" + port() + "/" + name;
    }

    public Path base() {
        return base;
    }

    @Override
    public void close() {
        daemon.stop();
    }
}
