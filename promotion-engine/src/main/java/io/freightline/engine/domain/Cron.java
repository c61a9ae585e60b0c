package io.freightline.engine.domain;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week) with lists, ranges, steps and
 * names, as promotion windows use it. Day-of-month and day-of-week combine as in Vixie cron: either one
 * matches when both are restricted.
 */
public final class Cron {
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
    private final BitSet minutes, hours, doms, months, dows;
    private final boolean domStar, dowStar;

    private Cron(String[] f) {
        minutes = field(f[0], 0, 59, null);
        hours = field(f[1], 0, 23, null);
        doms = field(f[2], 1, 31, null);
        months = field(f[3], 1, 12, MONTHS);
        dows = field(f[4], 0, 7, DAYS);
        if (dows.get(7)) dows.set(0);
        domStar = f[2].startsWith("*");
        dowStar = f[4].startsWith("*");
    }

    /** @throws IllegalArgumentException with the reason */
    public static Cron parse(String expr) {
        String[] f = expr.trim().split("\\s+");
        if (f.length != 5) throw new IllegalArgumentException("cron needs 5 fields (minute hour day month weekday), got " + f.length);
        return new Cron(f);
    }

    private static BitSet field(String text, int min, int max, List<String> names) {
        BitSet bits = new BitSet();
        for (String part : text.toLowerCase(Locale.ROOT).split(",")) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = Integer.parseInt(part.substring(slash + 1));
                range = part.substring(0, slash);
                if (step <= 0) throw new IllegalArgumentException("bad step in '" + part + "'");
            }
            int lo, hi;
            if (range.equals("*")) {
                lo = min;
                hi = max;
            } else if (range.contains("-")) {
                String[] r = range.split("-", 2);
                lo = value(r[0], names, min);
                hi = value(r[1], names, min);
            } else {
                lo = value(range, names, min);
                hi = slash >= 0 ? max : lo;
            }
            if (lo < min || hi > max || lo > hi) throw new IllegalArgumentException("'" + part + "' is out of range " + min + "-" + max);
            for (int i = lo; i <= hi; i += step) bits.set(i);
        }
        return bits;
    }

    private static int value(String s, List<String> names, int min) {
        if (names != null && names.contains(s)) return names.indexOf(s) + (names.size() == 12 ? 1 : 0);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number or name");
        }
    }

    public boolean matches(ZonedDateTime t) {
        if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) return false;
        boolean dom = doms.get(t.getDayOfMonth());
        boolean dow = dows.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        if (domStar || dowStar) return dom && dow;
        return dom || dow;
    }

    /** Whether {@code now} lies in a window that opens at a matching minute and lasts {@code duration}. */
    public boolean within(Instant now, Duration duration, ZoneId zone) {
        ZonedDateTime t = now.atZone(zone).truncatedTo(ChronoUnit.MINUTES);
        ZonedDateTime earliest = now.atZone(zone).minus(duration);
        // walk back minute by minute; windows are hours, not months, so this stays cheap
        for (long i = 0; i < 60L * 24 * 366 && t.isAfter(earliest); i++, t = t.minusMinutes(1)) {
            if (matches(t)) return true;
        }
        return false;
    }
}
