package io.freightline.template.expr;

import java.util.Locale;

/** Repository URLs as the freight functions compare them: case, trailing slashes and a {@code .git} suffix ignored. */
public final class RepoUrls {
    public static boolean same(String a, String b) {
        return a != null && b != null && norm(a).equals(norm(b));
    }

    private static String norm(String url) {
        String s = url.trim();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        if (s.endsWith(".git")) s = s.substring(0, s.length() - 4);
        return s.toLowerCase(Locale.ROOT);
    }

    private RepoUrls() {
    }
}
