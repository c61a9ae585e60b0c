package io.freightline.watcher.client;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.events.ArtifactReferences;
import io.freightline.watcher.config.WatcherConfig;
import io.freightline.watcher.domain.Discovery;
import io.freightline.watcher.domain.EmittedLedger;
import io.freightline.watcher.domain.ExpressionFilter;
import io.freightline.watcher.domain.PathFilter;
import io.freightline.watcher.domain.RepoUrls;
import io.freightline.versions.Strategy;
import io.freightline.versions.Policy;
import io.freightline.watcher.domain.Watched;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Git repositories: {@code ls-remote} first, so an unchanged branch head or tag set costs no fetch; a fetch into
 * a bare cache only for path filters (to see what commits changed), an {@code expressionFilter} (to read the commits'
 * and tags' metadata) and NewestTag (to date the tags).
 */
@ApplicationScoped
public class GitScanner implements Scanner {
    private static final int MAX_WALK = 1000;

    @Inject
    WatcherConfig config;
    @Inject
    EmittedLedger ledger;
    @Inject
    InvalidTags invalidTags;

    @Override
    public boolean handles(Watched w) {
        return w.kind() == ArtifactKind.GIT;
    }

    @Override
    public String registry(Watched w) {
        String n = RepoUrls.git(w.subscription().repoURL());
        return n.contains("/") ? n.substring(0, n.indexOf('/')) : n;
    }

    @Override
    public List<Discovery> scan(Watched w) {
        String url = w.subscription().repoURL();
        ExpressionFilter expression = expressionFilter(w);
        Map<String, Ref> refs = lsRemote(url);
        Strategy strategy = Strategy.of(w.subscription().strategy(), ArtifactKind.GIT);
        return strategy == Strategy.NEWEST_FROM_BRANCH ? branch(w, refs, expression) : tags(w, strategy, refs, expression);
    }

    /** The subscription's expressionFilter; one that does not parse or fails is a terminal error of the scan. */
    private static ExpressionFilter expressionFilter(Watched w) {
        try {
            return ExpressionFilter.of(w.subscription().expressionFilter());
        } catch (ExpressionFilter.Invalid e) {
            throw invalid(w, e);
        }
    }

    private static RegistryException invalid(Watched w, ExpressionFilter.Invalid e) {
        return new RegistryException(w.key() + ": " + e.getMessage(), 0, false);
    }

    private List<Discovery> branch(Watched w, Map<String, Ref> refs, ExpressionFilter expression) {
        String url = w.subscription().repoURL();
        String branch = w.subscription().branch();
        Ref head = branch == null || branch.isBlank() ? refs.get(Constants.HEAD) : refs.get(Constants.R_HEADS + branch);
        if (head == null || head.getObjectId() == null) {
            throw new RegistryException("branch " + (branch == null ? "HEAD" : branch) + " not found in " + registry(w), 404, false);
        }
        if (branch == null || branch.isBlank()) {
            branch = head.isSymbolic() ? Repository.shortenRefName(head.getTarget().getName()) : null;
        }
        String sha = head.getObjectId().name();
        if (ledger.contains(w.key(), sha)) {
            return List.of(); // unchanged head: no fetch
        }
        PathFilter filter = PathFilter.of(w.subscription().includePaths(), w.subscription().excludePaths());
        if (filter.isEmpty() && expression == null) {
            return List.of(new Discovery(w, ArtifactRef.git(url, sha, branch, null), sha, null, "poll"));
        }
        String fetchRef = head.isSymbolic() ? head.getTarget().getName() : head.getName();
        try (Git git = fetch(url, new RefSpec("+" + fetchRef + ":refs/remotes/watched/head"));
             RevWalk walk = new RevWalk(git.getRepository())) {
            walk.markStart(walk.parseCommit(head.getObjectId()));
            int n = 0;
            for (RevCommit c : walk) {
                if (n++ >= MAX_WALK || ledger.contains(w.key(), c.name())) break;
                // Kargo's order: the expression first, then the paths
                if (expression != null && !accepts(w, expression, c)) continue;
                if (filter.isEmpty() || filter.counts(changedPaths(git.getRepository(), c))) {
                    return List.of(new Discovery(w, ArtifactRef.git(url, c.name(), branch, null), c.name(),
                            Instant.ofEpochSecond(c.getCommitTime()), "poll"));
                }
            }
            return List.of();
        } catch (IOException e) {
            throw new RegistryException("cannot walk " + registry(w) + ": " + e.getMessage(), 0, true);
        }
    }

    private static boolean accepts(Watched w, ExpressionFilter expression, RevCommit c) {
        try {
            return expression.acceptsCommit(c);
        } catch (ExpressionFilter.Invalid e) {
            throw invalid(w, e);
        }
    }

    private List<Discovery> tags(Watched w, Strategy strategy, Map<String, Ref> refs, ExpressionFilter expression) {
        String url = w.subscription().repoURL();
        Map<String, ObjectId> commitByTag = new HashMap<>();
        Map<String, ObjectId> annotated = new HashMap<>();
        for (Ref r : refs.values()) {
            if (!r.getName().startsWith(Constants.R_TAGS)) continue;
            ObjectId id = r.getPeeledObjectId() != null ? r.getPeeledObjectId() : r.getObjectId();
            commitByTag.put(r.getName().substring(Constants.R_TAGS.length()), id);
            if (r.getPeeledObjectId() != null) annotated.put(r.getName().substring(Constants.R_TAGS.length()), r.getObjectId());
        }
        commitByTag.keySet().retainAll(invalidTags.valid(w, commitByTag.keySet(), ArtifactReferences::gitTagProblem));
        Policy policy = w.policy();
        Map<String, Instant> dated = new HashMap<>();
        if (expression != null) {
            // Kargo applies the expression after allowTagsRegexes, ignoreTagsRegexes and semverConstraint
            commitByTag.keySet().removeIf(t -> !policy.accepts(t));
            try (Git git = fetch(url, new RefSpec("+refs/tags/*:refs/tags/*"));
                 RevWalk walk = new RevWalk(git.getRepository())) {
                for (var it = commitByTag.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    RevCommit c = walk.parseCommit(e.getValue());
                    ObjectId tagObject = annotated.get(e.getKey());
                    org.eclipse.jgit.revwalk.RevTag tag = tagObject == null ? null : walk.parseTag(tagObject);
                    try {
                        if (!expression.acceptsTag(e.getKey(), c, tag)) it.remove();
                    } catch (ExpressionFilter.Invalid ex) {
                        throw invalid(w, ex);
                    }
                }
            } catch (IOException e) {
                throw new RegistryException("cannot read tags of " + registry(w) + ": " + e.getMessage(), 0, true);
            }
        }
        if (strategy == Strategy.NEWEST_TAG) {
            boolean allKnown = commitByTag.entrySet().stream().filter(e -> policy.accepts(e.getKey()))
                    .allMatch(e -> ledger.contains(w.key(), e.getKey() + "@" + e.getValue().name()));
            if (allKnown) return List.of();
            try (Git git = fetch(url, new RefSpec("+refs/tags/*:refs/tags/*"));
                 RevWalk walk = new RevWalk(git.getRepository())) {
                for (var e : commitByTag.entrySet()) {
                    if (!policy.accepts(e.getKey())) continue;
                    RevCommit c = walk.parseCommit(e.getValue());
                    // Kargo orders by the tag's creation date: the tagger date of an annotated tag, else the commit's
                    ObjectId tagObject = annotated.get(e.getKey());
                    org.eclipse.jgit.lib.PersonIdent tagger = tagObject == null ? null : walk.parseTag(tagObject).getTaggerIdent();
                    dated.put(e.getKey(), tagger != null ? tagger.getWhenAsInstant() : Instant.ofEpochSecond(c.getCommitTime()));
                    commitByTag.put(e.getKey(), c.getId());
                }
            } catch (IOException e) {
                throw new RegistryException("cannot read tags of " + registry(w) + ": " + e.getMessage(), 0, true);
            }
        }
        List<Discovery> out = new ArrayList<>();
        for (String tag : policy.selectTags(commitByTag.keySet(), dated::get)) {
            String sha = commitByTag.get(tag).name();
            out.add(new Discovery(w, ArtifactRef.git(url, sha, null, tag), tag + "@" + sha, dated.get(tag), "poll"));
        }
        Collections.reverse(out);
        return out;
    }

    private Map<String, Ref> lsRemote(String url) {
        try {
            return Git.lsRemoteRepository().setRemote(url).setHeads(false).setTags(false)
                    .setCredentialsProvider(credentials(url)).setTimeout(timeoutSeconds()).callAsMap();
        } catch (GitAPIException e) {
            throw new RegistryException("ls-remote " + RepoUrls.git(url) + " failed: " + e.getMessage(), 0, true);
        }
    }

    private Git fetch(String url, RefSpec spec) {
        File dir = new File(config.gitCacheDir(), HexFormat.of().formatHex(sha1(url)) + ".git");
        try {
            Git git = dir.exists() ? Git.open(dir) : Git.init().setBare(true).setGitDir(dir).call();
            git.fetch().setRemote(url).setRefSpecs(spec).setCredentialsProvider(credentials(url))
                    .setTimeout(timeoutSeconds()).call();
            return git;
        } catch (IOException | GitAPIException e) {
            throw new RegistryException("fetch " + RepoUrls.git(url) + " failed: " + e.getMessage(), 0, true);
        }
    }

    private static List<String> changedPaths(Repository repo, RevCommit c) throws IOException {
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.setRecursive(true);
            if (c.getParentCount() > 0) {
                tw.addTree(c.getParent(0).getTree());
            } else {
                tw.addTree(new org.eclipse.jgit.treewalk.EmptyTreeIterator());
            }
            tw.addTree(c.getTree());
            tw.setFilter(TreeFilter.ANY_DIFF);
            List<String> paths = new ArrayList<>();
            for (DiffEntry d : DiffEntry.scan(tw)) {
                paths.add(d.getChangeType() == DiffEntry.ChangeType.DELETE ? d.getOldPath() : d.getNewPath());
            }
            return paths;
        }
    }

    private CredentialsProvider credentials(String url) {
        try {
            URIish uri = new URIish(url);
            String host = uri.getHost();
            // credentials name a host as registries do, with its port when it has one (gitea:3000); a bare host
            // name covers every port
            String authority = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
            return config.credentials().values().stream()
                    .filter(c -> host != null && (c.host().equalsIgnoreCase(authority) || c.host().equalsIgnoreCase(host)))
                    .filter(c -> c.username().isPresent() && c.password().isPresent())
                    .min(java.util.Comparator.comparing(c -> c.host().equalsIgnoreCase(authority) ? 0 : 1))
                    .<CredentialsProvider>map(c -> new UsernamePasswordCredentialsProvider(c.username().get(), c.password().get()))
                    .orElse(null);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private int timeoutSeconds() {
        return (int) Math.max(1, config.poll().httpTimeout().toSeconds());
    }

    private static byte[] sha1(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
