package io.freightline.gitwriter.steps.gitclone;

import io.freightline.gitwriter.domain.GitWork;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks out branches, tags or commits of the warm clone at workspace paths. No network clone: a branch costs at most
 * an incremental fetch of that branch, and its files stay an in-memory tree. Output {@code commits}: checkout key
 * ({@code as}, else the path) → commit checked out.
 */
@ApplicationScoped
public class GitCloneStep implements Step<GitCloneConfig> {

    @Override
    public String name() {
        return "git-clone";
    }

    @Override
    public Class<GitCloneConfig> configType() {
        return GitCloneConfig.class;
    }

    @Override
    public String schema() {
        return GitCloneConfig.SCHEMA;
    }

    @Override
    public boolean retryable() {
        return true; // fetching may meet a network error
    }

    @Override
    public String run(StepContext ctx, GitCloneConfig config) throws StepException {
        GitWork.Author author = config.author() == null ? null
                : new GitWork.Author(config.author().name(), config.author().email());
        Map<String, String> commits = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (GitCloneConfig.Checkout c : config.checkout()) {
            String commit = ctx.git().checkout(config.repoURL(), new GitWork.Checkout(c.as(), c.branch(), c.tag(),
                    c.commit(), Boolean.TRUE.equals(c.create()), c.path()), author);
            commits.put(c.as() != null ? c.as() : c.path(), commit == null ? "" : commit);
            String what = c.branch() != null ? "branch " + c.branch() : c.tag() != null ? "tag " + c.tag()
                    : c.commit() != null ? "commit " + c.commit() : "the default branch";
            notes.add(what + (commit == null ? " (new)" : " at " + commit.substring(0, 12)) + " into " + c.path());
        }
        ctx.output("commits", commits);
        return "checked out " + String.join(", ", notes);
    }
}
