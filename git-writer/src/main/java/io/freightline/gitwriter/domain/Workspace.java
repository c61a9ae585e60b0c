package io.freightline.gitwriter.domain;

import java.util.List;
import java.util.Optional;

/**
 * The files of one repository revision that steps read and change. Paths are repository-relative with forward
 * slashes, already checked by {@link #resolve(String)}; steps never see the file system of the host.
 */
public interface Workspace {

    /**
     * Resolves a user-supplied path inside the repository: refuses absolute paths, {@code ..} that leave the
     * repository and symbolic links that lead outside it (terminal errors). The empty string is the root.
     */
    String resolve(String userPath) throws StepException;

    /** The file's content, empty when there is no file at this path. */
    Optional<byte[]> read(String path) throws StepException;

    /** Creates or replaces a regular file (keeps an existing file's executable bit). */
    void write(String path, byte[] content) throws StepException;

    /** Copies one entry (file, executable or symbolic link) as it is. */
    void copy(String from, String to) throws StepException;

    /** Deletes a file or a whole folder; false when nothing was there. */
    boolean delete(String path) throws StepException;

    /** True when some file lies under this folder. */
    boolean isDirectory(String path);

    /** True when a file (or symbolic link) is at exactly this path. */
    boolean isFile(String path);

    /** Every file under a folder (recursively), as repository paths, sorted. */
    List<String> files(String folder);

    /**
     * Writes the files a tool needs (the working tree holding this folder, so relative references such as
     * {@code ../../base} resolve) to a host directory and returns the folder's place in it. For tools that read real
     * files (kustomize, helm); the directory is the writer's, steps must not write into it.
     */
    default java.nio.file.Path materialize(String folder) throws StepException {
        throw StepException.terminal(folder, "this workspace cannot be written out for external tools");
    }
}
