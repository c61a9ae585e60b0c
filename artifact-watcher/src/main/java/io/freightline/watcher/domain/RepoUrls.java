package io.freightline.watcher.domain;

import java.util.Locale;

/** Canonical forms of repository URLs, so a webhook's host/path finds the subscriptions that name it. */
public final class RepoUrls {

    /**
     * An image (or OCI chart) repository as {@code host/path}: no scheme, lower case, Docker Hub as
     * {@code docker.io/library/x}.
     */
    public static String image(String repo) {
        if (repo == null) return "";
        String r = repo.trim().toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "");
        while (r.endsWith("/")) r = r.substring(0, r.length() - 1);
        int slash = r.indexOf('/');
        String first = slash < 0 ? r : r.substring(0, slash);
        boolean hasHost = slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        if (!hasHost) {
            r = "docker.io/" + r;
        }
        r = r.replaceFirst("^(index\\.docker\\.io|registry-1\\.docker\\.io|registry\\.hub\\.docker\\.com)/", "docker.io/");
        if (r.startsWith("docker.io/") && r.indexOf('/', "docker.io/".length()) < 0) {
            r = "docker.io/library/" + r.substring("docker.io/".length());
        }
        return r;
    }

    /** A Git URL as {@code host/path}: no scheme, user or {@code .git}, lower case; scp-like SSH forms too. */
    public static String git(String url) {
        if (url == null) return "";
        String u = url.trim();
        u = u.replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "");
        u = u.replaceFirst("^[^@/]+@", "");
        if (!url.contains("://")) {
            u = u.replaceFirst("^([^/:]+):(?!\\d+/)", "$1/"); // git@host:owner/repo
        }
        u = u.toLowerCase(Locale.ROOT);
        while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
        if (u.endsWith(".git")) u = u.substring(0, u.length() - 4);
        return u;
    }

    /** The registry host of an image repository ({@code host/path}), Docker Hub's API host for docker.io. */
    public static String registryHost(String normalizedImage) {
        String host = normalizedImage.substring(0, normalizedImage.indexOf('/'));
        return host.equals("docker.io") ? "registry-1.docker.io" : host;
    }

    /** The repository path within its registry. */
    public static String repositoryPath(String normalizedImage) {
        return normalizedImage.substring(normalizedImage.indexOf('/') + 1);
    }

    private RepoUrls() {
    }
}
