package io.freightline.gitwriter.client;

import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.StepException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Stream;

/**
 * A warm host copy of an in-memory tree for tools that read real files (kustomize, helm). It remembers which blob
 * each file holds, so bringing it up to date writes only the files that changed since the last promotion, not the
 * whole repository. Symbolic links are written only when they stay inside the tree. Used by one thread at a time.
 */
final class Materializer {
    private final Path dir;
    private final Map<String, TreeWorkspace.Entry> onDisk = new HashMap<>();

    Materializer(Path dir) throws IOException {
        this.dir = dir;
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                // nothing is known about a folder left by an earlier process: start from empty
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
    }

    /**
     * The materializer for a key (a checkout's workspace path, or a name starting with ':' for the implied root
     * and the scratch tree), created under {@code root} on first use.
     */
    static Materializer of(Map<String, Materializer> cache, Path root, String key) throws StepException {
        Materializer m = cache.get(key);
        if (m == null) {
            try {
                m = new Materializer(root.resolve(key.replace(':', '_').replace('/', '_')));
            } catch (IOException e) {
                throw StepException.retryable("cannot prepare a folder for external tools: " + e.getMessage(), e);
            }
            cache.put(key, m);
        }
        return m;
    }

    Path dir() {
        return dir;
    }

    /** Makes the folder hold exactly these files. */
    void sync(SortedMap<String, TreeWorkspace.Entry> entries, ObjectReader reader, TreeWorkspace tree)
            throws StepException {
        try {
            for (var it = onDisk.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().equals(entries.get(e.getKey()))) {
                    Files.deleteIfExists(dir.resolve(e.getKey()));
                    it.remove();
                }
            }
            for (var e : entries.entrySet()) {
                String path = e.getKey();
                TreeWorkspace.Entry entry = e.getValue();
                if (entry.equals(onDisk.get(path)) || entry.mode() == FileMode.GITLINK) {
                    continue;
                }
                Path file = dir.resolve(path);
                Files.createDirectories(file.getParent());
                if (entry.mode() == FileMode.SYMLINK) {
                    String target = new String(reader.open(entry.id(), Constants.OBJ_BLOB).getCachedBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    try {
                        RepoPaths.normalize(RepoPaths.parent(path), target); // refuses links leaving the tree
                        tree.resolve(path);
                    } catch (StepException outside) {
                        continue;
                    }
                    Files.createSymbolicLink(file, Path.of(target));
                } else {
                    try (var out = Files.newOutputStream(file)) {
                        reader.open(entry.id(), Constants.OBJ_BLOB).copyTo(out);
                    }
                    if (entry.mode() == FileMode.EXECUTABLE_FILE) {
                        Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ,
                                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
                    }
                }
                onDisk.put(path, entry);
            }
        } catch (IOException e) {
            onDisk.clear();
            throw StepException.retryable("cannot write the files out for the tool: " + e.getMessage(), e);
        }
    }
}
