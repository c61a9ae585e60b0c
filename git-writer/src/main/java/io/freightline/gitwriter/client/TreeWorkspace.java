package io.freightline.gitwriter.client;

import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.Workspace;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The files of one commit, held in memory as (path → mode, blob) and edited without a working tree: a promotion
 * costs a few blob writes and one tree write, not a checkout of thousands of files.
 */
public final class TreeWorkspace implements Workspace {
    private static final int MAX_LINK_HOPS = 40;

    record Entry(FileMode mode, ObjectId id) {
    }

    private final ObjectReader reader;
    private final ObjectInserter inserter;
    private TreeMap<String, Entry> entries;
    private Materializer materializer;
    /** Tree ids of folders not changed since they were loaded or written: only changed folders are hashed again. */
    private HashMap<String, ObjectId> trees;

    private TreeWorkspace(ObjectReader reader, ObjectInserter inserter, TreeMap<String, Entry> entries,
                          HashMap<String, ObjectId> trees) {
        this.reader = reader;
        this.inserter = inserter;
        this.entries = entries;
        this.trees = trees;
    }

    /** Loads the tree of a commit (or an empty tree when {@code tree} is null). */
    public static TreeWorkspace load(ObjectReader reader, ObjectInserter inserter, ObjectId tree) throws IOException {
        TreeMap<String, Entry> map = new TreeMap<>();
        HashMap<String, ObjectId> trees = new HashMap<>();
        if (tree != null) {
            trees.put("", tree.copy());
            try (TreeWalk walk = new TreeWalk(reader)) {
                walk.addTree(tree);
                walk.setRecursive(false);
                while (walk.next()) {
                    if (walk.isSubtree()) {
                        trees.put(walk.getPathString(), walk.getObjectId(0));
                        walk.enterSubtree();
                    } else {
                        map.put(walk.getPathString(), new Entry(walk.getFileMode(0), walk.getObjectId(0)));
                    }
                }
            }
        }
        return new TreeWorkspace(reader, inserter, map, trees);
    }

    /** Where {@link #materialize} writes this tree; without one the tree cannot be handed to external tools. */
    TreeWorkspace materializeInto(Materializer m) {
        this.materializer = m;
        return this;
    }

    @Override
    public java.nio.file.Path materialize(String folder) throws StepException {
        if (materializer == null) {
            throw StepException.terminal(folder, "this tree cannot be written out for external tools");
        }
        materializer.sync(entries, reader, this);
        return folder.isEmpty() ? materializer.dir() : materializer.dir().resolve(folder);
    }

    /** The object reader and inserter this tree works with. */
    ObjectReader reader() {
        return reader;
    }

    /** A copy of the current state, to roll back to when a promotion fails halfway. */
    public Object snapshot() {
        return new Object[]{new TreeMap<>(entries), new HashMap<>(trees)};
    }

    @SuppressWarnings("unchecked")
    public void restore(Object snapshot) {
        Object[] s = (Object[]) snapshot;
        entries = new TreeMap<>((TreeMap<String, Entry>) s[0]);
        trees = new HashMap<>((HashMap<String, ObjectId>) s[1]);
    }

    /** Writes the current state as a tree object, hashing only the folders that changed. */
    public ObjectId writeTree() throws IOException {
        return writeTree("");
    }

    private ObjectId writeTree(String dir) throws IOException {
        ObjectId cached = trees.get(dir);
        if (cached != null) {
            return cached;
        }
        record Child(String name, boolean folder, FileMode mode, ObjectId id) {
        }
        List<Child> children = new ArrayList<>();
        var below = dir.isEmpty() ? entries : entries.subMap(dir + "/", dir + "0");
        int skip = dir.isEmpty() ? 0 : dir.length() + 1;
        String lastFolder = null;
        for (var e : below.entrySet()) {
            String rest = e.getKey().substring(skip);
            int slash = rest.indexOf('/');
            if (slash < 0) {
                children.add(new Child(rest, false, e.getValue().mode(), e.getValue().id()));
            } else {
                String folder = rest.substring(0, slash);
                if (!folder.equals(lastFolder)) {
                    lastFolder = folder;
                    children.add(new Child(folder, true, FileMode.TREE,
                            writeTree(dir.isEmpty() ? folder : dir + "/" + folder)));
                }
            }
        }
        // git orders tree entries by name bytes, a folder as if its name ended in '/'
        children.sort((a, b) -> compareBytes(a.name() + (a.folder() ? "/" : ""), b.name() + (b.folder() ? "/" : "")));
        TreeFormatter f = new TreeFormatter();
        for (Child c : children) {
            f.append(c.name(), c.mode(), c.id());
        }
        ObjectId id = inserter.insert(f);
        trees.put(dir, id);
        return id;
    }

    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }

    /** Forgets the cached tree ids of a path's folders: they must be hashed again. */
    private void touched(String path) {
        for (String p = RepoPaths.parent(path); ; p = RepoPaths.parent(p)) {
            trees.remove(p);
            if (p.isEmpty()) {
                return;
            }
        }
    }

    @Override
    public String resolve(String userPath) throws StepException {
        String path = RepoPaths.normalize("", userPath);
        for (int hops = 0; hops < MAX_LINK_HOPS; hops++) {
            String link = firstSymlink(path);
            if (link == null) {
                return path;
            }
            String target = new String(bytes(entries.get(link).id()), StandardCharsets.UTF_8);
            String rest = path.substring(link.length());
            String resolvedLink;
            try {
                resolvedLink = RepoPaths.normalize(RepoPaths.parent(link), target);
            } catch (StepException e) {
                throw StepException.terminal(userPath, "symbolic link " + link + " leads outside the repository: refused");
            }
            path = resolvedLink + rest;
            if (path.startsWith("/")) {
                path = path.substring(1);
            }
        }
        throw StepException.terminal(userPath, "too many levels of symbolic links");
    }

    private String firstSymlink(String path) {
        if (path.isEmpty()) {
            return null;
        }
        int i = 0;
        while (true) {
            int slash = path.indexOf('/', i);
            String prefix = slash < 0 ? path : path.substring(0, slash);
            Entry e = entries.get(prefix);
            if (e != null && e.mode() == FileMode.SYMLINK) {
                return prefix;
            }
            if (slash < 0) {
                return null;
            }
            i = slash + 1;
        }
    }

    @Override
    public Optional<byte[]> read(String path) throws StepException {
        Entry e = entries.get(path);
        if (e == null || e.mode() == FileMode.GITLINK) {
            return Optional.empty();
        }
        return Optional.of(bytes(e.id()));
    }

    @Override
    public void write(String path, byte[] content) throws StepException {
        checkNoFileOnTheWay(path);
        Entry old = entries.get(path);
        FileMode mode = old != null && old.mode() == FileMode.EXECUTABLE_FILE ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
        try {
            entries.put(path, new Entry(mode, inserter.insert(Constants.OBJ_BLOB, content)));
            touched(path);
        } catch (IOException e) {
            throw StepException.retryable("cannot store " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void copy(String from, String to) throws StepException {
        Entry e = entries.get(from);
        if (e == null) {
            throw StepException.terminal(from, "no such file");
        }
        checkNoFileOnTheWay(to);
        entries.put(to, e);
        touched(to);
    }

    private void checkNoFileOnTheWay(String path) throws StepException {
        if (path.isEmpty() || isDirectory(path)) {
            throw StepException.terminal(path, "is a folder");
        }
        for (String p = RepoPaths.parent(path); !p.isEmpty(); p = RepoPaths.parent(p)) {
            if (entries.containsKey(p)) {
                throw StepException.terminal(path, p + " is a file, not a folder");
            }
        }
    }

    @Override
    public boolean delete(String path) {
        boolean removed = entries.remove(path) != null;
        var under = entries.subMap(path + "/", path + "0");
        removed |= !under.isEmpty();
        under.clear();
        if (removed) {
            trees.keySet().removeIf(k -> k.equals(path) || k.startsWith(path + "/"));
            touched(path);
        }
        return removed;
    }

    /** Deletes every file (git-clear). */
    public void clear() {
        entries.clear();
        trees.clear();
    }

    @Override
    public boolean isDirectory(String path) {
        if (path.isEmpty()) {
            return !entries.isEmpty();
        }
        String k = entries.ceilingKey(path + "/");
        return k != null && k.startsWith(path + "/");
    }

    @Override
    public boolean isFile(String path) {
        return entries.containsKey(path);
    }

    @Override
    public List<String> files(String folder) {
        if (folder.isEmpty()) {
            return new ArrayList<>(entries.keySet());
        }
        return new ArrayList<>(entries.subMap(folder + "/", folder + "0").keySet());
    }

    private byte[] bytes(ObjectId id) throws StepException {
        try {
            return reader.open(id, Constants.OBJ_BLOB).getCachedBytes(64 * 1024 * 1024);
        } catch (IOException e) {
            throw StepException.retryable("cannot read blob " + id.name() + ": " + e.getMessage(), e);
        }
    }
}
