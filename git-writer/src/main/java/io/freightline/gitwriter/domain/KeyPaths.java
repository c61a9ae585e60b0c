package io.freightline.gitwriter.domain;

import java.util.ArrayList;
import java.util.List;

/** Kargo's dotted key paths ({@code image.tag}, {@code containers.0.image}, {@code example\.com/version}). */
public final class KeyPaths {

    /** Splits {@code a.b\.c.0} into [a, b.c, 0]. */
    public static List<String> split(String key) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\' && i + 1 < key.length() && key.charAt(i + 1) == '.') {
                cur.append('.');
                i++;
            } else if (c == '.') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private KeyPaths() {
    }
}
