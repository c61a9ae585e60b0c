package io.freightline.template.run;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kargo's durations ({@code 48h}, {@code 1h30m}, {@code 90s}, {@code 500ms}) are Go's {@code time.Duration} strings,
 * which {@link Duration#parse} does not read; this small parser is hand-written for that one format.
 */
public final class GoDurations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    public static Duration parse(String s) {
        String t = s.strip();
        if (t.equals("0")) return Duration.ZERO;
        Matcher m = PART.matcher(t);
        Duration d = Duration.ZERO;
        int at = 0;
        while (at < t.length() && m.find(at) && m.start() == at) {
            BigDecimal n = new BigDecimal(m.group(1));
            long nanosPerUnit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            d = d.plusNanos(n.multiply(BigDecimal.valueOf(nanosPerUnit)).longValue());
            at = m.end();
        }
        if (at != t.length() || t.isEmpty()) {
            throw new IllegalArgumentException("'" + s + "' is not a duration like 30s, 10m, 48h or 1h30m");
        }
        return d;
    }

    private GoDurations() {
    }
}
