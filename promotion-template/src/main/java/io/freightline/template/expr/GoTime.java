package io.freightline.template.expr;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A point in time as expr-lang expressions see Go's {@code time.Time}: the values of {@code date()}, {@code now()}
 * and of time variables such as a commit's {@code commitDate}. Method names are Go's ({@code After}, {@code Year},
 * ...); {@code <}, {@code >} and {@code ==} compare instants.
 */
@SuppressWarnings("unused") // the Go-named methods are called from expressions
public record GoTime(OffsetDateTime time) implements Comparable<GoTime> {
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    public static GoTime of(Instant instant) {
        return new GoTime(instant.atOffset(ZoneOffset.UTC));
    }

    /** expr-lang's {@code date(s)}: RFC 3339, {@code 2006-01-02T15:04:05}, {@code 2006-01-02 15:04:05} or {@code 2006-01-02} (UTC when no offset). */
    public static GoTime parse(String s) {
        String t = s.strip();
        try {
            return new GoTime(OffsetDateTime.parse(t));
        } catch (DateTimeParseException e) {
            // try the forms without an offset
        }
        try {
            return new GoTime(LocalDateTime.parse(t).atOffset(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return new GoTime(LocalDateTime.parse(t, SPACED).atOffset(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return new GoTime(LocalDate.parse(t).atStartOfDay().atOffset(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("date('" + s + "'): not a date (use RFC 3339, e.g. 2024-01-01T00:00:00Z, or 2024-01-01)");
        }
    }

    public boolean After(GoTime other) {
        return time.toInstant().isAfter(other.time.toInstant());
    }

    public boolean Before(GoTime other) {
        return time.toInstant().isBefore(other.time.toInstant());
    }

    public boolean Equal(GoTime other) {
        return time.toInstant().equals(other.time.toInstant());
    }

    public int Year() {
        return time.getYear();
    }

    public int Month() {
        return time.getMonthValue();
    }

    public int Day() {
        return time.getDayOfMonth();
    }

    public int Hour() {
        return time.getHour();
    }

    public int Minute() {
        return time.getMinute();
    }

    public int Second() {
        return time.getSecond();
    }

    public long Unix() {
        return time.toEpochSecond();
    }

    public int YearDay() {
        return time.getDayOfYear();
    }

    public GoTime UTC() {
        return new GoTime(time.withOffsetSameInstant(ZoneOffset.UTC));
    }

    public String String() {
        return toString();
    }

    @Override
    public int compareTo(GoTime o) {
        return time.toInstant().compareTo(o.time.toInstant());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoTime g && g.time.toInstant().equals(time.toInstant());
    }

    @Override
    public int hashCode() {
        return time.toInstant().hashCode();
    }

    @Override
    public String toString() {
        return time.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
