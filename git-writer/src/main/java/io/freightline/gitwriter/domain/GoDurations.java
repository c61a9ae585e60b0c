package io.freightline.gitwriter.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kargo's duration strings ({@code 30s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}: Go's {@code time.ParseDuration}
 * format). Hand-written because no Java library reads Go's format and {@link Duration#parse} wants ISO-8601.
 */
public final class GoDurations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    public static Duration parse(String field, String text) throws StepException {
        Matcher m = PART.matcher(text);
        int at = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (at < text.length() && m.find(at) && m.start() == at) {
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
            at = m.end();
        }
        if (at == 0 || at != text.length()) {
            throw StepException.terminal(field + ": '" + text + "' is not a duration such as 30s, 1m30s or 500ms");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private GoDurations() {
    }
}
