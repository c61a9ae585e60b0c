package io.freightline.engine.domain;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * Kargo's name patterns (a ProjectConfig's {@code stageSelector.name}): an exact name, {@code glob:<glob>}, or
 * {@code regex:}/{@code regexp:<RE2>} (unanchored, as Go's {@code MatchString}). Globs use the JDK's glob matcher;
 * on names (which hold no {@code /}) it agrees with Kargo's doublestar.
 */
public final class NamePattern {

    public static boolean matches(String pattern, String name) {
        if (pattern.startsWith("regex:") || pattern.startsWith("regexp:")) {
            return Pattern.compile(pattern.substring(pattern.indexOf(':') + 1)).matcher(name).find();
        }
        if (pattern.startsWith("glob:")) {
            return FileSystems.getDefault().getPathMatcher(pattern).matches(Path.of(name));
        }
        return pattern.equals(name);
    }

    /** Why the pattern is invalid, or null. */
    public static String problem(String pattern) {
        try {
            if (pattern.startsWith("regex:") || pattern.startsWith("regexp:")) {
                Pattern.compile(pattern.substring(pattern.indexOf(':') + 1));
            } else if (pattern.startsWith("glob:")) {
                FileSystems.getDefault().getPathMatcher(pattern);
            }
            return null;
        } catch (PatternSyntaxException | java.util.regex.PatternSyntaxException e) {
            return "'" + pattern + "' is not a valid pattern: " + e.getMessage().replace('\n', ' ');
        }
    }

    private NamePattern() {
    }
}
