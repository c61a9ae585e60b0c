package io.freightline.gitwriter.domain;

import org.eclipse.jgit.ignore.IgnoreNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A {@code .gitignore}-syntax pattern list (JGit's own matcher), for the {@code ignore} field of tar/untar. */
public final class IgnoreRules {
    private final IgnoreNode node = new IgnoreNode();

    public IgnoreRules(String patterns) throws StepException {
        if (patterns != null) {
            try {
                node.parse(new ByteArrayInputStream(patterns.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw StepException.terminal("ignore: " + e.getMessage());
            }
        }
    }

    /** Whether a file (relative path) or one of its folders is ignored. */
    public boolean ignored(String relativePath) {
        String[] parts = relativePath.split("/");
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                prefix.append('/');
            }
            prefix.append(parts[i]);
            Boolean r = node.checkIgnored(prefix.toString(), i < parts.length - 1);
            if (Boolean.TRUE.equals(r)) {
                return true;
            }
        }
        return false;
    }
}
