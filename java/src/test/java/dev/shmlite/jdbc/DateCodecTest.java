package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The date codec and the library loader's platform naming, without the native library. */
class DateCodecTest {
    @Test
    void defaultsAndSettings() throws SQLException {
        assertSame(DateCodec.DEFAULT, DateCodec.fromSettings(new String[] {"busy_timeout", "5000"}));
        DateCodec text = DateCodec.fromSettings(new String[] {"date_class", "TEXT", "date_precision", "SECONDS"});
        assertEquals(DateCodec.Storage.TEXT, text.storage);
        assertTrue(text.seconds);
        SQLException e = assertThrows(
                SQLException.class,
                () -> DateCodec.fromSettings(new String[] {"date_string_format", "yyyy-MM-dd qqqqqqq"}));
        assertTrue(e.getMessage().contains("date_string_format"), e.getMessage());
    }

    /**
     * The core validated the date settings and reports them in canonical spelling: the codec maps
     * them and has no rule set of its own, so a value the core never sends is a driver/library
     * mismatch, named as such, not a second validation.
     */
    @Test
    void trustsTheCoresCanonicalValuesAndNamesAMismatch() {
        for (String[] settings : new String[][] {
            {"date_class", "text"},
            {"date_class", "DATE"},
            {"date_precision", "seconds"},
            {"date_precision", null},
            {"date_string_format", ""}
        }) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> DateCodec.fromSettings(settings),
                    String.join("=", String.valueOf(settings[0]), String.valueOf(settings[1])));
            assertEquals("HY000", e.getSQLState());
            assertTrue(e.getMessage().contains(settings[0]) && e.getMessage().contains("do not match"), e.getMessage());
        }
    }

    @Test
    void formatsAndParses() throws SQLException {
        assertEquals("07:08:09.000", DateCodec.formatTime(LocalTime.of(7, 8, 9)));
        assertEquals("07:08:09.000001", DateCodec.formatTime(LocalTime.of(7, 8, 9, 1000)));
        assertEquals(
                "2024-01-02 07:08:09.123",
                DateCodec.formatDateTime(LocalDateTime.of(2024, 1, 2, 7, 8, 9, 123_000_000)));
        DateCodec d = DateCodec.DEFAULT;
        assertEquals(Instant.parse("2024-01-02T03:04:00Z"), d.parseInstant("2024-01-02 03:04", ZoneOffset.UTC));
        assertEquals(Instant.parse("2024-01-02T01:04:05Z"), d.parseInstant("2024-01-02T03:04:05+0200", ZoneOffset.UTC));
        assertEquals(Instant.parse("2024-01-02T03:04:05Z"), d.parseInstant(" 2024-01-02 03:04:05 Z ", ZoneOffset.UTC));
        assertEquals(Instant.ofEpochMilli(-5), d.parseInstant("-5", ZoneOffset.UTC));
        assertThrows(SQLException.class, () -> d.parseInstant("2024-13-45", ZoneOffset.UTC));
        assertThrows(SQLException.class, () -> d.parseInstant("", ZoneOffset.UTC));
        assertEquals(2440587.5, DateCodec.toJulianDay(0));
        assertEquals(86_400_000L, DateCodec.fromJulianDay(2440588.5));
    }

    @Test
    void platformNaming() {
        String p = NativeLibrary.platform();
        assertTrue(p.matches("[a-z0-9]+-[a-z0-9_]+"), p);
        assertTrue(NativeLibrary.resourcePath().startsWith("/dev/shmlite/jdbc/native/" + p + "/"));
        assertTrue(NativeLibrary.resourcePath().endsWith(NativeLibrary.libraryName()));
    }
}
