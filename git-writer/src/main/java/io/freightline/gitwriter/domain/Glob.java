package io.freightline.gitwriter.domain;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Gitignore-like globs on repository-relative paths: {@code *} within a name, {@code **} across folders,
 * {@code ?} one character; a pattern without {@code /} matches a file name at any depth.
 */
public record Glob(String pattern, Pattern regex) {

    public static Glob of(String pattern) {
        String p = pattern.startsWith("/") ? pattern.substring(1) : pattern;
        boolean anyDepth = !p.contains("/");
        StringBuilder re = new StringBuilder(anyDepth ? "(?:.*/)?" : "");
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*') {
                if (i + 1 < p.length() && p.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < p.length() && p.charAt(i + 1) == '/') {
                        i++;
                        re.append("(?:.*/)?");
                    } else {
                        re.append(".*");
                    }
                } else {
                    re.append("[^/]*");
                }
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        // a folder pattern also matches everything below it
        re.append("(?:/.*)?");
        return new Glob(pattern, Pattern.compile(re.toString()));
    }

    public boolean matches(String relativePath) {
        return regex.matcher(relativePath).matches();
    }

    /** Included when no include is given or one matches, and no exclude matches. */
    public static boolean selected(String relativePath, List<Glob> include, List<Glob> exclude) {
        boolean in = include.isEmpty() || include.stream().anyMatch(g -> g.matches(relativePath));
        return in && exclude.stream().noneMatch(g -> g.matches(relativePath));
    }
}
