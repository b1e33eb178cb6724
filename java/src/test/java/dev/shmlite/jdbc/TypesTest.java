package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.Random;
import java.util.TimeZone;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Values written through PreparedStatement setters come back unchanged through the getters. */
class TypesTest {
    private String url;
    private Connection c;

    enum Colour {
        RED,
        GREEN
    }

    @BeforeEach
    void open() throws SQLException {
        url = TestSupport.memUrl();
        c = TestSupport.open(url);
        TestSupport.exec(c, "CREATE TABLE v(id INTEGER PRIMARY KEY, x)");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
        Shmlite.drop(url);
    }

    /** Binds one value through {@code setter}, then reads it back positioned on its row. */
    private interface Setter {
        void set(PreparedStatement ps) throws SQLException;
    }

    private ResultSet roundTrip(Setter setter) throws SQLException {
        TestSupport.exec(c, "DELETE FROM v");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO v(id, x) VALUES (1, ?)")) {
            setter.set(ps);
            assertEquals(1, ps.executeUpdate());
        }
        ResultSet rs = c.createStatement().executeQuery("SELECT x, typeof(x) FROM v");
        assertTrue(rs.next());
        return rs;
    }

    private String storedType() throws SQLException {
        return TestSupport.queryString(c, "SELECT typeof(x) FROM v");
    }

    @Test
    void unicodeIncludingSupplementaryCharacters() throws SQLException {
        String s = "héllo wörld ✓ 日本語 😀🎉 𝄞";
        ResultSet rs = roundTrip(ps -> ps.setString(1, s));
        assertEquals(s, rs.getString(1));
        assertEquals("text", rs.getString(2));
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), rs.getBytes(1));
        assertEquals(
                s.getBytes(StandardCharsets.UTF_8).length,
                TestSupport.queryLong(c, "SELECT length(CAST(x AS BLOB)) FROM v"));
    }

    @Test
    void embeddedNulInString() throws SQLException {
        String s = "a\u0000b\u0000";
        ResultSet rs = roundTrip(ps -> ps.setString(1, s));
        assertEquals(s, rs.getString(1));
        assertEquals(4, rs.getString(1).length());
    }

    @Test
    void emptyStringIsNotNull() throws SQLException {
        ResultSet rs = roundTrip(ps -> ps.setString(1, ""));
        assertEquals("", rs.getString(1));
        assertFalse(rs.wasNull());
    }

    @Test
    void tenMegabyteBlob() throws SQLException {
        byte[] blob = new byte[10 * 1024 * 1024];
        new Random(42).nextBytes(blob);
        ResultSet rs = roundTrip(ps -> ps.setBytes(1, blob));
        assertArrayEquals(blob, rs.getBytes(1));
        assertEquals("blob", rs.getString(2));
        rs.close();
        try (PreparedStatement ps = c.prepareStatement("SELECT x FROM v WHERE id = ?")) {
            ps.setInt(1, 1);
            try (ResultSet rs2 = ps.executeQuery()) {
                assertTrue(rs2.next());
                assertArrayEquals(blob, rs2.getBytes(1));
                assertFalse(rs2.next());
            }
        }
    }

    @Test
    void longExtremes() throws SQLException {
        for (long v : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, Integer.MAX_VALUE + 1L}) {
            ResultSet rs = roundTrip(ps -> ps.setLong(1, v));
            assertEquals(v, rs.getLong(1));
            assertEquals(v, rs.getObject(1));
            assertEquals(Long.toString(v), rs.getString(1));
            assertEquals("integer", rs.getString(2));
        }
    }

    @Test
    void nanIsStoredAsNullAndInfinitiesRoundTrip() throws SQLException {
        ResultSet rs = roundTrip(ps -> ps.setDouble(1, Double.NaN));
        assertNull(rs.getObject(1));
        assertEquals("null", rs.getString(2));
        rs = roundTrip(ps -> ps.setDouble(1, Double.POSITIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, rs.getDouble(1));
        rs = roundTrip(ps -> ps.setDouble(1, Double.NEGATIVE_INFINITY));
        assertEquals(Double.NEGATIVE_INFINITY, rs.getDouble(1));
        assertEquals("real", rs.getString(2));
    }

    @Test
    void nullsAndWasNull() throws SQLException {
        for (int type : new int[] {Types.OTHER, Types.NULL, Types.VARCHAR, Types.INTEGER, Types.BLOB}) {
            ResultSet rs = roundTrip(ps -> ps.setNull(1, type));
            assertEquals(0, rs.getInt(1));
            assertTrue(rs.wasNull());
            assertEquals("null", rs.getString(2));
            assertFalse(rs.wasNull());
            assertNull(rs.getString(1));
            assertTrue(rs.wasNull());
            assertEquals(0L, rs.getLong(1));
            assertEquals(0.0, rs.getDouble(1));
            assertFalse(rs.getBoolean(1));
            assertNull(rs.getBytes(1));
            assertNull(rs.getBigDecimal(1));
            assertNull(rs.getTimestamp(1));
            assertNull(rs.getDate(1));
            assertNull(rs.getObject(1));
            assertNull(rs.getObject(1, Integer.class));
            assertNull(rs.getObject(1, LocalDate.class));
            assertNull(rs.getBlob(1));
            assertNull(rs.getClob(1));
            assertNull(rs.getBinaryStream(1));
            assertTrue(rs.wasNull());
        }
        ResultSet rs = roundTrip(ps -> ps.setString(1, null));
        assertNull(rs.getString(1));
        rs = roundTrip(ps -> ps.setObject(1, null));
        assertNull(rs.getObject(1));
        rs = roundTrip(ps -> ps.setBytes(1, null));
        assertNull(rs.getBytes(1));
    }

    @Test
    void primitiveSetterGetterPairs() throws SQLException {
        ResultSet rs = roundTrip(ps -> ps.setBoolean(1, true));
        assertTrue(rs.getBoolean(1));
        assertEquals(1, rs.getInt(1));
        rs = roundTrip(ps -> ps.setBoolean(1, false));
        assertFalse(rs.getBoolean(1));
        assertFalse(rs.wasNull());
        rs = roundTrip(ps -> ps.setByte(1, (byte) -7));
        assertEquals(-7, rs.getByte(1));
        rs = roundTrip(ps -> ps.setShort(1, (short) 31000));
        assertEquals(31000, rs.getShort(1));
        rs = roundTrip(ps -> ps.setInt(1, Integer.MIN_VALUE));
        assertEquals(Integer.MIN_VALUE, rs.getInt(1));
        rs = roundTrip(ps -> ps.setLong(1, 1L << 40));
        assertEquals(1L << 40, rs.getLong(1));
        rs = roundTrip(ps -> ps.setFloat(1, 1.25f));
        assertEquals(1.25f, rs.getFloat(1));
        assertEquals("real", rs.getString(2));
        rs = roundTrip(ps -> ps.setDouble(1, Math.PI));
        assertEquals(Math.PI, rs.getDouble(1));
        assertEquals(Double.toString(Math.PI), rs.getString(1));
        rs = roundTrip(ps -> ps.setDouble(1, 1.0));
        assertEquals("1.0", rs.getString(1));
    }

    @Test
    void bigDecimalChoosesStorageWithoutLoss() throws SQLException {
        ResultSet rs = roundTrip(ps -> ps.setBigDecimal(1, new BigDecimal("42.000")));
        assertEquals("integer", rs.getString(2));
        assertEquals(0, new BigDecimal("42").compareTo(rs.getBigDecimal(1)));
        rs = roundTrip(ps -> ps.setBigDecimal(1, new BigDecimal("0.1")));
        assertEquals("real", rs.getString(2));
        assertEquals(new BigDecimal("0.1"), rs.getBigDecimal(1));
        BigDecimal huge = new BigDecimal("123456789012345678901234567890.123456789");
        rs = roundTrip(ps -> ps.setBigDecimal(1, huge));
        assertEquals("text", rs.getString(2));
        assertEquals(huge, rs.getBigDecimal(1));
        rs = roundTrip(ps -> ps.setObject(1, new BigInteger("123456789012345678901234567890")));
        assertEquals("text", rs.getString(2));
        assertEquals(new BigInteger("123456789012345678901234567890"), rs.getObject(1, BigInteger.class));
        rs = roundTrip(ps -> ps.setObject(1, BigInteger.valueOf(-5)));
        assertEquals("integer", rs.getString(2));
        assertEquals(BigInteger.valueOf(-5), rs.getObject(1, BigInteger.class));
    }

    @Test
    void stringsBytesAndStreams() throws SQLException {
        ResultSet rs = roundTrip(ps -> ps.setNString(1, "nstring"));
        assertEquals("nstring", rs.getNString(1));
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        rs = roundTrip(ps -> ps.setBinaryStream(1, new ByteArrayInputStream(bytes)));
        assertArrayEquals(bytes, rs.getBytes(1));
        rs = roundTrip(ps -> ps.setBinaryStream(1, new ByteArrayInputStream(bytes), 2));
        assertArrayEquals(new byte[] {0, 1}, rs.getBytes(1));
        rs = roundTrip(ps -> ps.setBinaryStream(1, new ByteArrayInputStream(bytes), 3L));
        try (InputStream in = rs.getBinaryStream(1)) {
            assertArrayEquals(new byte[] {0, 1, 2}, in.readAllBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        rs = roundTrip(ps -> ps.setCharacterStream(1, new StringReader("chars😀")));
        assertEquals("chars😀", rs.getString(1));
        rs = roundTrip(ps -> ps.setCharacterStream(1, new StringReader("chars"), 3));
        assertEquals("cha", rs.getString(1));
        try (Reader r = rs.getCharacterStream(1)) {
            char[] buf = new char[10];
            assertEquals(3, r.read(buf));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        rs = roundTrip(
                ps -> ps.setAsciiStream(1, new ByteArrayInputStream("ascii".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("ascii", rs.getString(1));
        assertEquals("text", rs.getString(2));
        rs = roundTrip(ps -> ps.setObject(1, new ByteArrayInputStream(bytes)));
        assertArrayEquals(bytes, rs.getBytes(1));
        rs = roundTrip(ps -> ps.setObject(1, new StringReader("reader")));
        assertEquals("reader", rs.getString(1));
    }

    @Test
    void blobAndClob() throws SQLException {
        Blob b = c.createBlob();
        b.setBytes(1, new byte[] {5, 6, 7});
        ResultSet rs = roundTrip(ps -> ps.setBlob(1, b));
        assertEquals("blob", rs.getString(2));
        Blob back = rs.getBlob(1);
        assertEquals(3, back.length());
        assertArrayEquals(new byte[] {6, 7}, back.getBytes(2, 2));
        rs = roundTrip(ps -> ps.setBlob(1, new ByteArrayInputStream(new byte[] {9, 8})));
        assertArrayEquals(new byte[] {9, 8}, rs.getBytes(1));
        Clob clob = c.createClob();
        clob.setString(1, "clob text");
        rs = roundTrip(ps -> ps.setClob(1, clob));
        assertEquals("text", rs.getString(2));
        Clob cb = rs.getClob(1);
        assertEquals("clob text", cb.getSubString(1, (int) cb.length()));
        rs = roundTrip(ps -> ps.setClob(1, new StringReader("from reader")));
        assertEquals("from reader", rs.getString(1));
        rs = roundTrip(ps -> ps.setObject(1, clob));
        assertEquals("clob text", rs.getString(1));
    }

    @Test
    void javaSqlDatesDefaultToEpochMillis() throws SQLException {
        Timestamp ts = new Timestamp(1_700_000_000_123L);
        ResultSet rs = roundTrip(ps -> ps.setTimestamp(1, ts));
        assertEquals("integer", rs.getString(2));
        assertEquals(ts.getTime(), rs.getLong(1));
        assertEquals(ts, rs.getTimestamp(1));
        Date d = Date.valueOf("2024-02-29");
        rs = roundTrip(ps -> ps.setDate(1, d));
        assertEquals(d, rs.getDate(1));
        assertEquals(d.toLocalDate(), rs.getObject(1, LocalDate.class));
        Time t = Time.valueOf("13:14:15");
        rs = roundTrip(ps -> ps.setTime(1, t));
        assertEquals(t, rs.getTime(1));
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        rs = roundTrip(ps -> ps.setTimestamp(1, ts, utc));
        assertEquals(ts, rs.getTimestamp(1, utc));
        rs = roundTrip(ps -> ps.setObject(1, new java.util.Date(ts.getTime())));
        assertEquals(ts.getTime(), rs.getLong(1));
        assertEquals(ts.getTime(), rs.getObject(1, java.util.Date.class).getTime());
    }

    @Test
    void dateClassTextUsesTheFormat() throws SQLException {
        try (Connection t = TestSupport.open(TestSupport.memUrl() + "?date_class=TEXT")) {
            TestSupport.exec(t, "CREATE TABLE d(x)");
            Timestamp ts = Timestamp.valueOf("2024-05-06 07:08:09.123");
            try (PreparedStatement ps = t.prepareStatement("INSERT INTO d VALUES (?)")) {
                ps.setTimestamp(1, ts);
                ps.executeUpdate();
            }
            assertEquals("2024-05-06 07:08:09.123", TestSupport.queryString(t, "SELECT x FROM d"));
            try (ResultSet rs = t.createStatement().executeQuery("SELECT x FROM d")) {
                assertTrue(rs.next());
                assertEquals(ts, rs.getTimestamp(1));
                assertEquals(LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123_000_000), rs.getObject(1, LocalDateTime.class));
            }
        }
        try (Connection t = TestSupport.open(TestSupport.memUrl() + "?date_class=TEXT&date_string_format=dd/MM/yyyy")) {
            TestSupport.exec(t, "CREATE TABLE d(x)");
            try (PreparedStatement ps = t.prepareStatement("INSERT INTO d VALUES (?)")) {
                ps.setDate(1, Date.valueOf("2024-05-06"));
                ps.executeUpdate();
            }
            assertEquals("06/05/2024", TestSupport.queryString(t, "SELECT x FROM d"));
            try (ResultSet rs = t.createStatement().executeQuery("SELECT x FROM d")) {
                assertTrue(rs.next());
                assertEquals(Date.valueOf("2024-05-06"), rs.getDate(1));
            }
        }
    }

    @Test
    void dateClassRealIsJulianDayAndSecondsPrecision() throws SQLException {
        Timestamp ts = new Timestamp(1_700_000_000_000L);
        try (Connection t = TestSupport.open(TestSupport.memUrl() + "?date_class=REAL")) {
            TestSupport.exec(t, "CREATE TABLE d(x)");
            try (PreparedStatement ps = t.prepareStatement("INSERT INTO d VALUES (?)")) {
                ps.setTimestamp(1, ts);
                ps.executeUpdate();
            }
            assertEquals("real", TestSupport.queryString(t, "SELECT typeof(x) FROM d"));
            assertEquals(
                    1_700_000_000L,
                    TestSupport.queryLong(t, "SELECT CAST(round((x - 2440587.5) * 86400) AS INTEGER) FROM d"));
            try (ResultSet rs = t.createStatement().executeQuery("SELECT x FROM d")) {
                assertTrue(rs.next());
                assertEquals(ts, rs.getTimestamp(1));
            }
        }
        try (Connection t = TestSupport.open(TestSupport.memUrl() + "?date_precision=SECONDS")) {
            TestSupport.exec(t, "CREATE TABLE d(x)");
            try (PreparedStatement ps = t.prepareStatement("INSERT INTO d VALUES (?)")) {
                ps.setTimestamp(1, ts);
                ps.executeUpdate();
            }
            assertEquals(1_700_000_000L, TestSupport.queryLong(t, "SELECT x FROM d"));
            try (ResultSet rs = t.createStatement().executeQuery("SELECT x FROM d")) {
                assertTrue(rs.next());
                assertEquals(ts, rs.getTimestamp(1));
            }
        }
    }

    @Test
    void lenientDateParsingOfText() throws SQLException {
        try (ResultSet rs = c.createStatement()
                .executeQuery("SELECT '2024-01-02', '2024-01-02 03:04', "
                        + "'2024-01-02T03:04:05.123456789', '2024-01-02 03:04:05Z', '2024-01-02T03:04:05+02:00', "
                        + "'03:04:05', '1700000000123', 'garbage'")) {
            assertTrue(rs.next());
            assertEquals(Date.valueOf("2024-01-02"), rs.getDate(1));
            assertEquals(LocalDate.of(2024, 1, 2), rs.getObject(1, LocalDate.class));
            assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4), rs.getObject(2, LocalDateTime.class));
            assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123456789), rs.getObject(3, LocalDateTime.class));
            assertEquals(123456789, rs.getTimestamp(3).getNanos());
            assertEquals(Instant.parse("2024-01-02T03:04:05Z"), rs.getObject(4, Instant.class));
            assertEquals(
                    OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)),
                    rs.getObject(5, OffsetDateTime.class));
            assertEquals(
                    Instant.parse("2024-01-02T01:04:05Z"), rs.getTimestamp(5).toInstant());
            assertEquals(LocalTime.of(3, 4, 5), rs.getObject(6, LocalTime.class));
            assertEquals(Time.valueOf("03:04:05"), rs.getTime(6));
            assertEquals(1700000000123L, rs.getTimestamp(7).getTime());
            SQLDataException e = assertThrows(SQLDataException.class, () -> rs.getTimestamp(8));
            assertEquals("22018", e.getSQLState());
            assertTrue(e.getMessage().contains("garbage"), e.getMessage());
        }
    }

    @Test
    void javaTimeThroughSetObjectAndGetObjectWithClass() throws SQLException {
        LocalDate date = LocalDate.of(2023, 12, 31);
        ResultSet rs = roundTrip(ps -> ps.setObject(1, date));
        assertEquals("2023-12-31", rs.getString(1));
        assertEquals(date, rs.getObject(1, LocalDate.class));

        LocalTime time = LocalTime.of(23, 59, 58, 123_000_000);
        rs = roundTrip(ps -> ps.setObject(1, time));
        assertEquals("23:59:58.123", rs.getString(1));
        assertEquals(time, rs.getObject(1, LocalTime.class));

        LocalDateTime ldt = LocalDateTime.of(2023, 12, 31, 23, 59, 58, 123_456_789);
        rs = roundTrip(ps -> ps.setObject(1, ldt));
        assertEquals("2023-12-31 23:59:58.123456789", rs.getString(1));
        assertEquals(ldt, rs.getObject(1, LocalDateTime.class));
        rs = roundTrip(ps -> ps.setObject(1, ldt.withNano(0)));
        assertEquals("2023-12-31 23:59:58.000", rs.getString(1));
        assertEquals(ldt.withNano(0), rs.getObject(1, LocalDateTime.class));

        OffsetDateTime odt = OffsetDateTime.of(ldt, ZoneOffset.ofHoursMinutes(5, 30));
        rs = roundTrip(ps -> ps.setObject(1, odt));
        assertEquals(odt, rs.getObject(1, OffsetDateTime.class));
        assertEquals(odt.toInstant(), rs.getObject(1, Instant.class));
        assertEquals(odt.toInstant(), rs.getObject(1, ZonedDateTime.class).toInstant());

        Instant instant = Instant.parse("2020-02-03T04:05:06.789Z");
        rs = roundTrip(ps -> ps.setObject(1, instant));
        assertEquals(instant, rs.getObject(1, Instant.class));
        assertEquals(Timestamp.from(instant), rs.getTimestamp(1));

        ZonedDateTime zdt = ZonedDateTime.of(ldt, ZoneOffset.UTC);
        rs = roundTrip(ps -> ps.setObject(1, zdt));
        assertEquals(zdt.toInstant(), rs.getObject(1, Instant.class));
    }

    @Test
    void setObjectDispatchAndGetObjectWithClass() throws SQLException {
        UUID id = UUID.randomUUID();
        ResultSet rs = roundTrip(ps -> ps.setObject(1, id));
        assertEquals("text", rs.getString(2));
        assertEquals(id, rs.getObject(1, UUID.class));
        rs = roundTrip(ps -> ps.setObject(1, Colour.GREEN));
        assertEquals("GREEN", rs.getString(1));
        rs = roundTrip(ps -> ps.setObject(1, 'c'));
        assertEquals("c", rs.getString(1));
        rs = roundTrip(ps -> ps.setObject(1, 12));
        assertEquals("integer", rs.getString(2));
        assertEquals(12L, rs.getObject(1));
        assertEquals(Integer.valueOf(12), rs.getObject(1, Integer.class));
        assertEquals(Short.valueOf((short) 12), rs.getObject(1, Short.class));
        assertEquals(Byte.valueOf((byte) 12), rs.getObject(1, Byte.class));
        assertEquals(Long.valueOf(12), rs.getObject(1, Long.class));
        assertEquals(Double.valueOf(12), rs.getObject(1, Double.class));
        assertEquals(Float.valueOf(12), rs.getObject(1, Float.class));
        assertEquals(Boolean.TRUE, rs.getObject(1, Boolean.class));
        assertEquals("12", rs.getObject(1, String.class));
        assertEquals(new BigDecimal(12), rs.getObject(1, BigDecimal.class));
        assertEquals(12L, rs.getObject(1, Object.class));
        rs = roundTrip(ps -> ps.setObject(1, 2.5f));
        assertEquals("real", rs.getString(2));
        assertEquals(2.5, rs.getObject(1));
        rs = roundTrip(ps -> ps.setObject(1, Boolean.TRUE));
        assertEquals(1L, rs.getObject(1));
        rs = roundTrip(ps -> ps.setObject(1, new byte[] {1, 2}));
        assertArrayEquals(new byte[] {1, 2}, (byte[]) rs.getObject(1));
        assertArrayEquals(new byte[] {1, 2}, rs.getObject(1, byte[].class));
        rs = roundTrip(ps -> ps.setObject(1, "text"));
        assertInstanceOf(String.class, rs.getObject(1));
        rs = roundTrip(ps -> ps.setObject(1, Timestamp.valueOf("2001-02-03 04:05:06")));
        assertEquals(Timestamp.valueOf("2001-02-03 04:05:06"), rs.getObject(1, Timestamp.class));
        assertEquals(Date.valueOf("2001-02-03"), Date.valueOf(rs.getObject(1, LocalDate.class)));
    }

    @Test
    void setObjectWithTargetType() throws SQLException {
        ResultSet rs = roundTrip(ps -> ps.setObject(1, "42", Types.INTEGER));
        assertEquals("integer", rs.getString(2));
        assertEquals(42, rs.getInt(1));
        rs = roundTrip(ps -> ps.setObject(1, 42, Types.VARCHAR));
        assertEquals("text", rs.getString(2));
        rs = roundTrip(ps -> ps.setObject(1, "2.5", Types.DOUBLE));
        assertEquals("real", rs.getString(2));
        rs = roundTrip(ps -> ps.setObject(1, new BigDecimal("1.23456"), Types.DECIMAL, 2));
        assertEquals(new BigDecimal("1.23"), rs.getBigDecimal(1));
        rs = roundTrip(ps -> ps.setObject(1, "true", Types.BOOLEAN));
        assertEquals(1, rs.getInt(1));
        rs = roundTrip(ps -> ps.setObject(1, "abc", Types.BLOB));
        assertEquals("blob", rs.getString(2));
        rs = roundTrip(ps -> ps.setObject(1, null, Types.OTHER));
        assertNull(rs.getObject(1));
        rs = roundTrip(ps -> ps.setObject(1, 7, java.sql.JDBCType.BIGINT));
        assertEquals(7, rs.getInt(1));
        SQLDataException e = assertThrows(
                SQLDataException.class, () -> c.prepareStatement("SELECT ?").setObject(1, "x", Types.INTEGER));
        assertEquals("22018", e.getSQLState());
    }

    @Test
    void unbindableObjectIsRejected() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?")) {
            SQLException e = assertThrows(SQLException.class, () -> ps.setObject(1, new Object()));
            assertEquals("22023", e.getSQLState());
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        }
    }

    @Test
    void lenientNumericConversions() throws SQLException {
        try (ResultSet rs = c.createStatement()
                .executeQuery("SELECT ' 42 ', '3.9', 'abc', 1e12, 300, 2.75, 'true', 'FALSE', 1.5e300, X'3132'")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1));
            assertEquals(42L, rs.getLong(1));
            assertEquals(3, rs.getInt(2));
            assertEquals(3.9, rs.getDouble(2));
            SQLDataException e = assertThrows(SQLDataException.class, () -> rs.getInt(3));
            assertEquals("22018", e.getSQLState());
            assertTrue(e.getMessage().contains("abc"), e.getMessage());
            e = assertThrows(SQLDataException.class, () -> rs.getInt(4));
            assertEquals("22003", e.getSQLState());
            assertEquals(1_000_000_000_000L, rs.getLong(4));
            e = assertThrows(SQLDataException.class, () -> rs.getByte(5));
            assertEquals("22003", e.getSQLState());
            assertEquals(300, rs.getShort(5));
            assertEquals(2, rs.getInt(6));
            assertEquals("2.75", rs.getString(6));
            assertEquals(new BigDecimal("2.75"), rs.getBigDecimal(6));
            assertTrue(rs.getBoolean(7));
            assertFalse(rs.getBoolean(8));
            e = assertThrows(SQLDataException.class, () -> rs.getLong(9));
            assertEquals("22003", e.getSQLState());
            assertEquals("12", rs.getString(10));
            assertEquals(12, rs.getInt(10));
            e = assertThrows(SQLDataException.class, () -> rs.getBoolean(3));
            assertEquals("22018", e.getSQLState());
        }
    }

    @Test
    void manyRowsCrossSeveralFetches() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE big(i INTEGER, s TEXT)");
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO big VALUES (?, ?)")) {
            for (int i = 0; i < 20_000; i++) {
                ps.setInt(1, i);
                ps.setString(2, "row number " + i + " with some padding to fill buffers");
                ps.addBatch();
            }
            assertEquals(20_000, ps.executeBatch().length);
        }
        c.commit();
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement("SELECT i, s FROM big ORDER BY i");
                ResultSet rs = ps.executeQuery()) {
            int n = 0;
            long sum = 0;
            while (rs.next()) {
                assertEquals(n, rs.getInt(1));
                assertEquals("row number " + n + " with some padding to fill buffers", rs.getString(2));
                sum += rs.getInt(1);
                n++;
            }
            assertEquals(20_000, n);
            assertEquals(19_999L * 20_000 / 2, sum);
            assertFalse(rs.next());
        }
    }

    @Test
    void mixedRowSizesIncludingRowsLargerThanTheBuffer() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE m(i INTEGER, b BLOB)");
        int[] sizes = {10, 100_000, 5, 70_000, 200_000, 1};
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO m VALUES (?, ?)")) {
            for (int i = 0; i < sizes.length; i++) {
                ps.setInt(1, i);
                ps.setBytes(2, new byte[sizes[i]]);
                ps.executeUpdate();
            }
        }
        try (ResultSet rs = c.createStatement().executeQuery("SELECT i, b FROM m ORDER BY i")) {
            for (int i = 0; i < sizes.length; i++) {
                assertTrue(rs.next());
                assertEquals(i, rs.getInt(1));
                assertEquals(sizes[i], rs.getBytes(2).length);
            }
            assertFalse(rs.next());
        }
    }
}
