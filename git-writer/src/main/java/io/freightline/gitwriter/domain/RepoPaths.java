package io.freightline.gitwriter.domain;

import java.util.ArrayDeque;
import java.util.Deque;

/** Lexical checks of repository paths: no absolute paths, no escape through {@code ..}. */
public final class RepoPaths {

    /**
     * Normalizes a path relative to a base folder of the repository ({@code ""} = root) into a repository path.
     * Refuses absolute paths, drive letters, NUL and {@code ..} that climbs above the root.
     */
    public static String normalize(String base, String userPath) throws StepException {
        if (userPath == null) {
            throw StepException.terminal("path is missing");
        }
        if (userPath.indexOf('\0') >= 0) {
            throw StepException.terminal("path contains NUL: refused");
        }
        String p = userPath.replace('\\', '/');
        if (p.startsWith("/") || p.matches("^[A-Za-z]:.*")) {
            throw StepException.terminal(userPath + ": absolute paths are refused; paths are relative to the repository");
        }
        Deque<String> parts = new ArrayDeque<>();
        String joined = base == null || base.isEmpty() ? p : base + "/" + p;
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw StepException.terminal(userPath + ": leads outside the repository: refused");
                }
                parts.removeLast();
            } else {
                if (part.equals(".git")) {
                    throw StepException.terminal(userPath + ": the .git folder is not part of the repository content");
                }
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** The parent folder of a repository path ({@code ""} for top-level files). */
    public static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i);
    }

    /** Joins a folder and a relative path. */
    public static String join(String folder, String rest) {
        if (folder.isEmpty()) {
            return rest;
        }
        return rest.isEmpty() ? folder : folder + "/" + rest;
    }

    private RepoPaths() {
    }
}
