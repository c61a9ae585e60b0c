package io.freightline.notifier.domain;

import java.util.List;
import java.util.Locale;

/** Comparing Git revisions as Argo CD reports them (full SHAs) with ours (possibly abbreviated). */
public final class Revisions {

    /** True when both name the same commit: equal, or one an abbreviation (at least 7 chars) of the other. */
    public static boolean matches(String actual, String expected) {
        if (actual == null || expected == null || actual.isBlank() || expected.isBlank()) {
            return false;
        }
        String a = actual.trim().toLowerCase(Locale.ROOT);
        String e = expected.trim().toLowerCase(Locale.ROOT);
        if (a.equals(e)) {
            return true;
        }
        return (e.length() >= 7 && a.startsWith(e)) || (a.length() >= 7 && e.startsWith(a));
    }

    /** The revision at a source index (-1 = single-source: the scalar), or null. */
    public static String at(String single, List<String> multi, int sourceIndex) {
        if (sourceIndex < 0) {
            return single;
        }
        return multi != null && sourceIndex < multi.size() ? multi.get(sourceIndex) : null;
    }

    /** Short form for messages. */
    public static String abbrev(String revision) {
        return revision == null ? "none" : revision.length() > 12 ? revision.substring(0, 12) : revision;
    }

    /** Normalized repo URL for matching a multi-source app's sources (case, trailing slash, .git). */
    public static String normalizeRepo(String url) {
        if (url == null) {
            return "";
        }
        String u = url.trim().toLowerCase(Locale.ROOT);
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (u.endsWith(".git")) {
            u = u.substring(0, u.length() - 4);
        }
        boolean scpLike = !u.contains("://");
        u = u.replaceFirst("^[a-z+]+://", "").replaceFirst("^[^@/]+@", "");
        // git@host:owner/repo is host/owner/repo
        return scpLike ? u.replaceFirst("^([^/:]+):(?!\\d+/)", "$1/") : u;
    }

    private Revisions() {
    }
}
