package dev.shmlite.jdbc;

import java.sql.SQLDataException;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.Calendar;
import java.util.Locale;

/**
 * How a connection stores {@code java.sql} dates (settings {@code date_class},
 * {@code date_precision}, {@code date_string_format}, compatible with xerial sqlite-jdbc) and
 * how any stored value is read back as a point in time.
 *
 * <p>Reading is lenient on purpose: databases written by other tools hold ISO text with or
 * without {@code T}, seconds, fractions or offsets, epoch numbers and Julian days.
 */
final class DateCodec {
    /** Storage class of java.sql dates. */
    enum Storage {
        INTEGER,
        REAL,
        TEXT
    }

    static final String DEFAULT_PATTERN = "yyyy-MM-dd HH:mm:ss.SSS";
    static final DateCodec DEFAULT = new DateCodec(
            Storage.INTEGER, false, DEFAULT_PATTERN, DateTimeFormatter.ofPattern(DEFAULT_PATTERN, Locale.ROOT));

    private static final double JULIAN_EPOCH = 2440587.5;
    private static final double MILLIS_PER_DAY = 86_400_000.0;

    final Storage storage;
    /** date_precision=SECONDS: INTEGER values are epoch seconds. */
    final boolean seconds;

    final String pattern;
    private final DateTimeFormatter formatter;

    private DateCodec(Storage storage, boolean seconds, String pattern, DateTimeFormatter formatter) {
        this.storage = storage;
        this.seconds = seconds;
        this.pattern = pattern;
        this.formatter = formatter;
    }

    /**
     * Builds the codec from {@code Native.settings} (alternating keys and values). The core
     * ({@code config.rs}) validated {@code date_class}, {@code date_precision} and
     * {@code date_string_format} (non-empty) and reports them under their canonical names, the
     * first two in canonical spelling, so they are only mapped here: a value the core could not
     * have sent is a core/driver mismatch and fails with {@link #impossible}, not with a second
     * rule set. Only the {@link DateTimeFormatter} pattern is checked here, which only Java can do.
     */
    static DateCodec fromSettings(String[] settings) throws SQLException {
        Storage storage = Storage.INTEGER;
        boolean seconds = false;
        String pattern = DEFAULT_PATTERN;
        for (int i = 0; settings != null && i + 1 < settings.length; i += 2) {
            String key = settings[i];
            String value = settings[i + 1];
            if ("date_class".equals(key)) {
                storage = storage(value);
            } else if ("date_precision".equals(key)) {
                if (!"SECONDS".equals(value) && !"MILLISECONDS".equals(value)) {
                    throw impossible(key, value);
                }
                seconds = "SECONDS".equals(value);
            } else if ("date_string_format".equals(key)) {
                if (value == null || value.isEmpty()) {
                    throw impossible(key, value);
                }
                pattern = value;
            }
        }
        if (storage == Storage.INTEGER && !seconds && DEFAULT_PATTERN.equals(pattern)) {
            return DEFAULT;
        }
        try {
            return new DateCodec(storage, seconds, pattern, DateTimeFormatter.ofPattern(pattern, Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SQLException("invalid date_string_format '" + pattern + "': " + e.getMessage(), "22023", e);
        }
    }

    private static Storage storage(String value) throws SQLException {
        for (Storage s : Storage.values()) {
            if (s.name().equals(value)) {
                return s;
            }
        }
        throw impossible("date_class", value);
    }

    /** A setting value the native side validates and would never report: driver and library do not match. */
    private static SQLException impossible(String key, String value) {
        return new SQLException(
                "the native library reported " + key + " '" + value + "', which it never accepts;"
                        + " the driver and its native library do not match",
                "HY000");
    }

    // --- writing -------------------------------------------------------------------------------

    /** The INTEGER stored for an epoch-millisecond time. */
    long toStoredLong(long millis) {
        return seconds ? Math.floorDiv(millis, 1000L) : millis;
    }

    /** The TEXT stored for a point in time, in the calendar's zone (or the JVM default). */
    String format(long epochSecond, int nanos, Calendar cal) {
        ZoneId zone = cal == null ? ZoneId.systemDefault() : cal.getTimeZone().toZoneId();
        return formatter.format(Instant.ofEpochSecond(epochSecond, nanos).atZone(zone));
    }

    static double toJulianDay(long millis) {
        return millis / MILLIS_PER_DAY + JULIAN_EPOCH;
    }

    static long fromJulianDay(double day) {
        return Math.round((day - JULIAN_EPOCH) * MILLIS_PER_DAY);
    }

    /** ISO time with at least millisecond digits, and more only when they are not zero. */
    static String formatTime(LocalTime t) {
        StringBuilder sb = new StringBuilder(18);
        appendTime(sb, t);
        return sb.toString();
    }

    /** {@code yyyy-MM-dd HH:mm:ss.SSS[SSS[SSS]]}: SQLite's own date-time text form, sortable. */
    static String formatDateTime(LocalDateTime dt) {
        StringBuilder sb = new StringBuilder(29);
        sb.append(dt.toLocalDate()).append(' ');
        appendTime(sb, dt.toLocalTime());
        return sb.toString();
    }

    private static void appendTime(StringBuilder sb, LocalTime t) {
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond()).append('.');
        int nanos = t.getNano();
        if (nanos % 1_000_000 == 0) {
            digits(sb, nanos / 1_000_000, 3);
        } else if (nanos % 1000 == 0) {
            digits(sb, nanos / 1000, 6);
        } else {
            digits(sb, nanos, 9);
        }
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        return digits(sb, v, 2);
    }

    private static StringBuilder digits(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    // --- reading -------------------------------------------------------------------------------

    /** Epoch millis of a stored INTEGER. */
    long integerToMillis(long v) {
        return seconds ? v * 1000L : v;
    }

    /**
     * Parses stored text as a point in time; a local (zone-less) value is taken in {@code zone}.
     *
     * @throws SQLDataException 22018 when the text is no date-time this codec understands
     */
    Instant parseInstant(String text, ZoneId zone) throws SQLDataException {
        Parsed p = parse(text);
        if (p.epochNumber) {
            return Instant.ofEpochMilli(integerToMillis(p.number));
        }
        LocalDate date = p.date != null ? p.date : LocalDate.of(1970, 1, 1);
        LocalTime time = p.time != null ? p.time : LocalTime.MIDNIGHT;
        LocalDateTime ldt = LocalDateTime.of(date, time);
        return p.offset != null ? ldt.toInstant(p.offset) : ldt.atZone(zone).toInstant();
    }

    /** Parses stored text as a local date-time; a value with an offset is moved to the JVM zone. */
    LocalDateTime parseLocal(String text) throws SQLDataException {
        Parsed p = parse(text);
        if (p.epochNumber || p.offset != null) {
            return LocalDateTime.ofInstant(parseInstant(text, ZoneId.systemDefault()), ZoneId.systemDefault());
        }
        return LocalDateTime.of(
                p.date != null ? p.date : LocalDate.of(1970, 1, 1), p.time != null ? p.time : LocalTime.MIDNIGHT);
    }

    /** Parses stored text keeping its offset (the JVM zone's offset when it has none). */
    OffsetDateTime parseOffset(String text) throws SQLDataException {
        Parsed p = parse(text);
        if (p.offset == null || p.epochNumber) {
            return OffsetDateTime.ofInstant(parseInstant(text, ZoneId.systemDefault()), ZoneId.systemDefault());
        }
        return OffsetDateTime.of(
                p.date != null ? p.date : LocalDate.of(1970, 1, 1),
                p.time != null ? p.time : LocalTime.MIDNIGHT,
                p.offset);
    }

    /** Time-of-day of stored text (time-only text is allowed). */
    LocalTime parseLocalTime(String text) throws SQLDataException {
        Parsed p = parse(text);
        if (p.epochNumber || p.offset != null) {
            return parseLocal(text).toLocalTime();
        }
        return p.time != null ? p.time : LocalTime.MIDNIGHT;
    }

    /** Date of stored text. */
    LocalDate parseLocalDate(String text) throws SQLDataException {
        Parsed p = parse(text);
        if (p.epochNumber || p.offset != null || p.date == null) {
            return parseLocal(text).toLocalDate();
        }
        return p.date;
    }

    private static final class Parsed {
        LocalDate date;
        LocalTime time;
        ZoneOffset offset;
        boolean epochNumber;
        long number;
    }

    private Parsed parse(String text) throws SQLDataException {
        String s = text.trim();
        Parsed p = lenient(s);
        if (p == null) {
            p = withPattern(s);
        }
        if (p == null) {
            throw new SQLDataException("cannot convert TEXT '" + text + "' to a date/time", "22018");
        }
        return p;
    }

    private Parsed withPattern(String s) {
        try {
            TemporalAccessor ta = formatter.parse(s);
            Parsed p = new Parsed();
            p.date = ta.query(TemporalQueries.localDate());
            p.time = ta.query(TemporalQueries.localTime());
            p.offset = ta.query(TemporalQueries.offset());
            if (p.offset == null) {
                ZoneId zone = ta.query(TemporalQueries.zone());
                if (zone != null && p.date != null) {
                    p.offset = zone.getRules()
                            .getOffset(LocalDateTime.of(p.date, p.time != null ? p.time : LocalTime.MIDNIGHT));
                }
            }
            return p.date == null && p.time == null ? null : p;
        } catch (DateTimeException e) {
            return null;
        }
    }

    /**
     * {@code [yyyy-MM-dd][( |T)HH:mm[:ss[.f…]]][ ][Z|±hh[:mm]]}, or an integer (epoch value).
     * Returns null when the text does not match.
     */
    static Parsed lenient(String s) {
        int n = s.length();
        if (n == 0) {
            return null;
        }
        Parsed p = new Parsed();
        int i = 0;
        if (isEpochNumber(s)) {
            try {
                p.epochNumber = true;
                p.number = Long.parseLong(s);
                return p;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            // date part: at least 4 year digits, then -MM-dd
            int y = 0;
            while (y < n && Character.isDigit(s.charAt(y))) {
                y++;
            }
            if (y >= 4 && y < n && s.charAt(y) == '-') {
                if (y + 6 > n || s.charAt(y + 3) != '-') {
                    return null;
                }
                int year = Integer.parseInt(s.substring(0, y));
                int month = num2(s, y + 1);
                int day = num2(s, y + 4);
                if (month < 0 || day < 0) {
                    return null;
                }
                p.date = LocalDate.of(year, month, day);
                i = y + 6;
                if (i < n && (s.charAt(i) == ' ' || s.charAt(i) == 'T' || s.charAt(i) == 't')) {
                    int j = i + 1;
                    while (j < n && s.charAt(j) == ' ') {
                        j++;
                    }
                    if (j + 5 <= n && s.charAt(j + 2) == ':') {
                        i = j;
                    }
                }
            }
            // time part
            if (i + 5 <= n && s.charAt(i + 2) == ':' && Character.isDigit(s.charAt(i))) {
                int hour = num2(s, i);
                int minute = num2(s, i + 3);
                if (hour < 0 || minute < 0) {
                    return null;
                }
                int second = 0;
                int nanos = 0;
                i += 5;
                if (i + 3 <= n && s.charAt(i) == ':') {
                    second = num2(s, i + 1);
                    if (second < 0) {
                        return null;
                    }
                    i += 3;
                    if (i < n && s.charAt(i) == '.') {
                        i++;
                        int digits = 0;
                        while (i < n && Character.isDigit(s.charAt(i))) {
                            if (digits < 9) {
                                nanos = nanos * 10 + (s.charAt(i) - '0');
                            }
                            digits++;
                            i++;
                        }
                        if (digits == 0) {
                            return null;
                        }
                        for (int d = digits; d < 9; d++) {
                            nanos *= 10;
                        }
                    }
                }
                p.time = LocalTime.of(hour, minute, second, nanos);
            }
            if (p.date == null && p.time == null) {
                return null;
            }
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            if (i < n) {
                char c = s.charAt(i);
                if ((c == 'Z' || c == 'z') && i + 1 == n) {
                    p.offset = ZoneOffset.UTC;
                } else if (c == '+' || c == '-') {
                    String off = s.substring(i);
                    if (off.length() == 3) {
                        off = off + ":00";
                    } else if (off.length() == 5 && off.indexOf(':') < 0) {
                        off = off.substring(0, 3) + ":" + off.substring(3);
                    }
                    p.offset = ZoneOffset.of(off);
                } else {
                    return null;
                }
            }
            return p;
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    private static boolean isEpochNumber(String s) {
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == s.length()) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int num2(String s, int i) {
        if (i + 2 > s.length()) {
            return -1;
        }
        char a = s.charAt(i);
        char b = s.charAt(i + 1);
        if (a < '0' || a > '9' || b < '0' || b > '9') {
            return -1;
        }
        return (a - '0') * 10 + (b - '0');
    }
}
