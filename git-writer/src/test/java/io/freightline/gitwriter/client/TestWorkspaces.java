package io.freightline.gitwriter.client;

import io.freightline.gitwriter.domain.StepException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;

/** The writer's in-memory workspace for step tests, able to write itself out for tools (kustomize, helm). */
public final class TestWorkspaces {

    public static TreeWorkspace load(ObjectReader reader, ObjectInserter inserter, ObjectId tree, Path renderRoot)
            throws IOException, StepException {
        return TreeWorkspace.load(reader, inserter, tree).materializeInto(Materializer.of(new HashMap<>(), renderRoot, ":root"));
    }

    private TestWorkspaces() {
    }
}
