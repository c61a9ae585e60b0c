package io.freightline.gitwriter.steps;

import io.freightline.gitwriter.TestRepos;
import io.freightline.gitwriter.client.TestWorkspaces;
import io.freightline.gitwriter.client.TreeWorkspace;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step test's repository: a real bare Git repository seeded with files (git CLI), its {@code main} tree loaded
 * as the writer's in-memory workspace, and a registry holding the step under test.
 */
public final class StepFixture implements AutoCloseable {
    private final Repository repo;
    private final ObjectReader reader;
    private final ObjectInserter inserter;
    public final TreeWorkspace workspace;
    private final StepRegistry registry;

    public StepFixture(Path dir, Map<String, String> files, Step<?>... steps) throws Exception {
        this(dir, utf8(files), List.of(steps));
    }

    private static Map<String, byte[]> utf8(Map<String, String> files) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return bytes;
    }

    public StepFixture(Path dir, Map<String, byte[]> files, List<Step<?>> steps) throws Exception {
        Path bare = TestRepos.bare(dir, "repo", files);
        repo = TestRepos.open(bare);
        reader = repo.newObjectReader();
        inserter = repo.newObjectInserter();
        ObjectId tree;
        try (RevWalk walk = new RevWalk(repo)) {
            tree = walk.parseCommit(repo.resolve("refs/heads/main")).getTree();
        }
        workspace = TestWorkspaces.load(reader, inserter, tree, dir.resolve("render"));
        registry = new StepRegistry(steps);
    }

    /** Runs a step as the writer does (schema check, binding, timeout, fenced workspace). */
    public StepRegistry.Ran run(String uses, Map<String, Object> config) throws StepException {
        return registry.run(uses, config, new StepContext(workspace, null, "p", "dev", "promo-1"));
    }

    public String text(String path) throws StepException {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    public byte[] bytes(String path) throws StepException {
        return workspace.read(path).orElseThrow(() -> new AssertionError("no file " + path));
    }

    @Override
    public void close() {
        inserter.close();
        reader.close();
        repo.close();
    }
}
