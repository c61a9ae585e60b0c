package io.freightline.gitwriter.domain;

import java.util.regex.Pattern;

/** Removes credentials from URLs and messages before they reach logs or events. */
public final class Redact {
    private static final Pattern USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]+@");

    public static String text(String s) {
        return s == null ? null : USERINFO.matcher(s).replaceAll("$1***@");
    }

    private Redact() {
    }
}
