package io.freightline.watcher.domain;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Collection;
import java.util.List;

/**
 * Kargo-style Git path filters: a commit counts when one of the files it changes is included (or no include
 * filter is set) and not excluded. A filter is a folder/file prefix, a glob ({@code glob:charts/*.yaml}, or any
 * filter with {@code * ? [}), or a regex ({@code regex:...}).
 */
public record PathFilter(List<String> include, List<String> exclude) {

    public static PathFilter of(List<String> include, List<String> exclude) {
        return new PathFilter(include == null ? List.of() : include, exclude == null ? List.of() : exclude);
    }

    public boolean isEmpty() {
        return include.isEmpty() && exclude.isEmpty();
    }

    /** Does a commit changing these paths count? */
    public boolean counts(Collection<String> changedPaths) {
        for (String p : changedPaths) {
            boolean in = include.isEmpty() || include.stream().anyMatch(f -> matches(f, p));
            boolean out = exclude.stream().anyMatch(f -> matches(f, p));
            if (in && !out) return true;
        }
        return false;
    }

    static boolean matches(String filter, String path) {
        if (filter.startsWith("regex:") || filter.startsWith("regexp:")) {
            return path.matches(filter.substring(filter.indexOf(':') + 1));
        }
        boolean glob = filter.startsWith("glob:");
        String f = glob ? filter.substring(5) : filter;
        if (glob || f.contains("*") || f.contains("?") || f.contains("[")) {
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + f);
            return m.matches(Path.of(path));
        }
        String prefix = f.endsWith("/") ? f.substring(0, f.length() - 1) : f;
        return path.equals(prefix) || path.startsWith(prefix + "/") || prefix.isEmpty() || prefix.equals(".");
    }
}
