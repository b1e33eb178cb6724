package dev.shmlite.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Map;
import java.util.UUID;

/**
 * A forward-only, read-only result set over the out buffer of its statement (format in
 * {@code docs/wire.md}). Rows are parsed lazily: {@link #next()} only records where each column
 * of the current row starts, getters decode the one value asked for, and further batches are
 * fetched into the same buffer when the current one is used up.
 *
 * <p>Conversions follow SQLite's spirit: numbers convert between each other, text is parsed
 * leniently (failure: {@link SQLDataException} 22018; out of range: 22003), and dates are read
 * from epoch numbers, Julian days or ISO text as described for the connection's date settings.
 */
public final class ShmliteResultSet implements ResultSet {
    private final ShmliteStatement owner;
    private final ShmliteConnection conn;
    private final Object lock;
    /** Native statement, 0 for result sets built in Java (generated keys, metadata). */
    private final long handle;

    private final int columns;
    private final int maxRows;
    private final int[] offsets;
    private byte[] buf;
    private ShmliteResultSetMetaData meta;

    private int pos;
    private int remaining;
    /** The native statement has no more rows (and has been reset). */
    private boolean done;

    private int row;
    private boolean onRow;
    private boolean afterLast;
    private volatile boolean closed;
    private boolean wasNull;
    private int fetchSize;

    /** A result set over rows the native core wrote into {@code buf} for statement {@code handle}. */
    ShmliteResultSet(ShmliteStatement owner, long handle, int columns, byte[] buf, int maxRows) {
        this.owner = owner;
        this.conn = owner.conn;
        this.lock = conn.lock();
        this.handle = handle;
        this.columns = columns;
        this.buf = buf;
        this.maxRows = maxRows;
        this.offsets = owner.rowOffsets(columns);
        readHeader();
    }

    /** A result set over rows encoded in Java ({@link Wire#resultBuffer}); {@code owner} may be null. */
    ShmliteResultSet(ShmliteStatement owner, ShmliteConnection conn, byte[] buf, ShmliteResultSetMetaData meta) {
        this.owner = owner;
        this.conn = conn;
        this.lock = conn.lock();
        this.handle = 0;
        this.columns = meta.count();
        this.buf = buf;
        this.maxRows = 0;
        this.offsets = new int[columns];
        this.meta = meta;
        readHeader();
    }

    private void readHeader() {
        int flags = Wire.getInt(buf, Native.OFF_FLAGS);
        done = (flags & Native.FLAG_DONE) != 0;
        remaining = Wire.getInt(buf, Native.OFF_ROWS);
        pos = Native.HEADER;
    }

    // --- cursor --------------------------------------------------------------------------------

    /** Moves to the next row, fetching the next batch from the core when this one is used up. */
    @Override
    public boolean next() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        if (afterLast) {
            return false;
        }
        if (maxRows > 0 && row >= maxRows) {
            finish();
            return false;
        }
        while (remaining == 0) {
            if (done) {
                finish();
                return false;
            }
            fetch();
        }
        byte[] b = buf;
        int p = pos;
        for (int c = 0; c < columns; c++) {
            offsets[c] = p;
            p = Wire.skipValue(b, p);
        }
        pos = p;
        remaining--;
        row++;
        onRow = true;
        return true;
    }

    private void fetch() throws SQLException {
        synchronized (lock) {
            if (closed) {
                throw closedResultSet();
            }
            long s = conn.session();
            int size = buf.length;
            if ((Wire.getInt(buf, Native.OFF_FLAGS) & Native.FLAG_NEED_SPACE) != 0) {
                size = Wire.neededSpace(buf);
            } else if (size < ShmliteStatement.DEFAULT_OUT_SIZE) {
                // More rows than the first buffer held: a long result, worth fewer, larger batches.
                size = Math.min(ShmliteStatement.DEFAULT_OUT_SIZE, size * 4);
            }
            if (size > buf.length) {
                byte[] bigger = new byte[size];
                if (owner != null && owner.out == buf) {
                    owner.out = bigger; // the statement keeps the larger buffer for later executions
                }
                buf = bigger;
            }
            onRow = false; // the fetch overwrites the current row
            Native.fetch(s, owner == null ? 0 : owner.id, handle, buf);
            readHeader();
            int flags = Wire.getInt(buf, Native.OFF_FLAGS);
            if (remaining == 0 && (flags & (Native.FLAG_DONE | Native.FLAG_NEED_SPACE)) == 0) {
                throw new SQLException("native fetch returned no rows and no end of rows", "HY000");
            }
            if (remaining == 0 && done) {
                // A running statement always has its next row pending in the core, so an empty end
                // means commit/rollback (or setAutoCommit(true)) reset it: the rows were cut short,
                // which must not pass for the end of the data (CLOSE_CURSORS_AT_COMMIT).
                closed = true;
                onRow = false;
                if (owner != null) {
                    owner.resultSetClosed(this);
                }
                throw new SQLException(
                        "result set was closed by the commit or rollback of its transaction "
                                + "before all rows were read",
                        "24000");
            }
        }
    }

    /** After the last row (or maxRows): end the native statement now so its read locks go. */
    private void finish() throws SQLException {
        onRow = false;
        afterLast = true;
        if (!done && handle != 0) {
            synchronized (lock) {
                done = true;
                long s = conn.sessionForCleanup();
                if (s != 0 && !closed) {
                    Native.reset(s, handle);
                }
            }
        }
    }

    static SQLException closedResultSet() {
        return new SQLException("result set is closed", "HY010");
    }

    /** Offset of the value of column {@code i} of the current row; sets wasNull. */
    private int at(int i) throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        if (i < 1 || i > columns) {
            throw new SQLException("column index " + i + " out of range 1.." + columns, "07009");
        }
        if (!onRow) {
            throw new SQLException("no current row", "24000");
        }
        int off = offsets[i - 1];
        wasNull = buf[off] == Native.TAG_NULL;
        return off;
    }

    private String text(int off) {
        return new String(buf, off + 5, Wire.getInt(buf, off + 1), StandardCharsets.UTF_8);
    }

    private static String typeName(byte tag) {
        switch (tag) {
            case Native.TAG_NULL:
                return "NULL";
            case Native.TAG_INTEGER:
                return "INTEGER";
            case Native.TAG_REAL:
                return "REAL";
            case Native.TAG_TEXT:
                return "TEXT";
            default:
                return "BLOB";
        }
    }

    private SQLDataException cannotConvert(int off, String target) {
        String value = buf[off] == Native.TAG_BLOB
                ? "of " + Wire.getInt(buf, off + 1) + " bytes"
                : "'" + abbreviate(valueText(off)) + "'";
        return new SQLDataException("cannot convert " + typeName(buf[off]) + " " + value + " to " + target, "22018");
    }

    private static SQLDataException outOfRange(Object value, String target) {
        return new SQLDataException("value " + value + " out of range for " + target, "22003");
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private String valueText(int off) {
        switch (buf[off]) {
            case Native.TAG_INTEGER:
                return Long.toString(Wire.getLong(buf, off + 1));
            case Native.TAG_REAL:
                return Double.toString(Wire.getDouble(buf, off + 1));
            case Native.TAG_NULL:
                return "NULL";
            default:
                return text(off);
        }
    }

    // --- numeric getters -----------------------------------------------------------------------

    private long longValue(int off, String target) throws SQLException {
        switch (buf[off]) {
            case Native.TAG_NULL:
                return 0;
            case Native.TAG_INTEGER:
                return Wire.getLong(buf, off + 1);
            case Native.TAG_REAL:
                return truncate(Wire.getDouble(buf, off + 1), target);
            default:
                String s = text(off).trim();
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    try {
                        return truncate(Double.parseDouble(s), target);
                    } catch (NumberFormatException e2) {
                        throw cannotConvert(off, target);
                    }
                }
        }
    }

    private static long truncate(double d, String target) throws SQLDataException {
        // 2^63 is exactly representable; anything at or beyond it does not fit a long.
        if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
            throw outOfRange(d, target);
        }
        return (long) d;
    }

    private double doubleValue(int off, String target) throws SQLException {
        switch (buf[off]) {
            case Native.TAG_NULL:
                return 0;
            case Native.TAG_INTEGER:
                return Wire.getLong(buf, off + 1);
            case Native.TAG_REAL:
                return Wire.getDouble(buf, off + 1);
            default:
                try {
                    return Double.parseDouble(text(off).trim());
                } catch (NumberFormatException e) {
                    throw cannotConvert(off, target);
                }
        }
    }

    /** The value as long: REAL truncated, TEXT parsed (22018 if not a number); NULL is 0. */
    @Override
    public long getLong(int columnIndex) throws SQLException {
        return longValue(at(columnIndex), "long");
    }

    /** Like {@link #getLong(int)}, range-checked (22003). */
    @Override
    public int getInt(int columnIndex) throws SQLException {
        long v = longValue(at(columnIndex), "int");
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw outOfRange(v, "int (column " + columnIndex + ")");
        }
        return (int) v;
    }

    /** Like {@link #getLong(int)}, range-checked (22003). */
    @Override
    public short getShort(int columnIndex) throws SQLException {
        long v = longValue(at(columnIndex), "short");
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
            throw outOfRange(v, "short (column " + columnIndex + ")");
        }
        return (short) v;
    }

    /** Like {@link #getLong(int)}, range-checked (22003). */
    @Override
    public byte getByte(int columnIndex) throws SQLException {
        long v = longValue(at(columnIndex), "byte");
        if (v < Byte.MIN_VALUE || v > Byte.MAX_VALUE) {
            throw outOfRange(v, "byte (column " + columnIndex + ")");
        }
        return (byte) v;
    }

    /** The value as double; TEXT parsed (22018 if not a number); NULL is 0. */
    @Override
    public double getDouble(int columnIndex) throws SQLException {
        return doubleValue(at(columnIndex), "double");
    }

    /** Like {@link #getDouble(int)}, narrowed. */
    @Override
    public float getFloat(int columnIndex) throws SQLException {
        return (float) doubleValue(at(columnIndex), "float");
    }

    /** Non-zero numbers are true; TEXT may also be {@code true}/{@code false}; NULL is false. */
    @Override
    public boolean getBoolean(int columnIndex) throws SQLException {
        int off = at(columnIndex);
        switch (buf[off]) {
            case Native.TAG_NULL:
                return false;
            case Native.TAG_INTEGER:
                return Wire.getLong(buf, off + 1) != 0;
            case Native.TAG_REAL:
                return Wire.getDouble(buf, off + 1) != 0;
            default:
                String s = text(off).trim();
                if ("true".equalsIgnoreCase(s)) {
                    return true;
                }
                if ("false".equalsIgnoreCase(s)) {
                    return false;
                }
                try {
                    return Double.parseDouble(s) != 0;
                } catch (NumberFormatException e) {
                    throw cannotConvert(off, "boolean");
                }
        }
    }

    /** The exact value: INTEGER exactly, REAL by its shortest decimal form, TEXT parsed. */
    @Override
    public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
        return bigDecimal(at(columnIndex));
    }

    private BigDecimal bigDecimal(int off) throws SQLException {
        switch (buf[off]) {
            case Native.TAG_NULL:
                return null;
            case Native.TAG_INTEGER:
                return BigDecimal.valueOf(Wire.getLong(buf, off + 1));
            case Native.TAG_REAL:
                double d = Wire.getDouble(buf, off + 1);
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw outOfRange(d, "BigDecimal");
                }
                return BigDecimal.valueOf(d);
            default:
                try {
                    return new BigDecimal(text(off).trim());
                } catch (NumberFormatException e) {
                    throw cannotConvert(off, "BigDecimal");
                }
        }
    }

    /** {@link #getBigDecimal(int)} rounded half-up to {@code scale}. */
    @Override
    @Deprecated
    public BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
        BigDecimal v = getBigDecimal(columnIndex);
        return v == null ? null : v.setScale(scale, RoundingMode.HALF_UP);
    }

    // --- text and bytes ------------------------------------------------------------------------

    /** The value as text: numbers in Java's decimal form, BLOB decoded as UTF-8; NULL is null. */
    @Override
    public String getString(int columnIndex) throws SQLException {
        int off = at(columnIndex);
        switch (buf[off]) {
            case Native.TAG_NULL:
                return null;
            case Native.TAG_INTEGER:
                return Long.toString(Wire.getLong(buf, off + 1));
            case Native.TAG_REAL:
                return Double.toString(Wire.getDouble(buf, off + 1));
            default:
                return text(off);
        }
    }

    /** Same as {@link #getString(int)}. */
    @Override
    public String getNString(int columnIndex) throws SQLException {
        return getString(columnIndex);
    }

    /** BLOB bytes; TEXT as its UTF-8 bytes; numbers as the bytes of their text; NULL is null. */
    @Override
    public byte[] getBytes(int columnIndex) throws SQLException {
        int off = at(columnIndex);
        switch (buf[off]) {
            case Native.TAG_NULL:
                return null;
            case Native.TAG_TEXT:
            case Native.TAG_BLOB:
                return Arrays.copyOfRange(buf, off + 5, off + 5 + Wire.getInt(buf, off + 1));
            default:
                return valueText(off).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The value as an in-memory Blob (see {@link #getBytes(int)}). */
    @Override
    public Blob getBlob(int columnIndex) throws SQLException {
        byte[] b = getBytes(columnIndex);
        return b == null ? null : new ShmliteBlob(b);
    }

    /** The value as an in-memory Clob (see {@link #getString(int)}). */
    @Override
    public Clob getClob(int columnIndex) throws SQLException {
        String s = getString(columnIndex);
        return s == null ? null : new ShmliteClob(s);
    }

    /** A stream over {@link #getBytes(int)}. */
    @Override
    public InputStream getBinaryStream(int columnIndex) throws SQLException {
        byte[] b = getBytes(columnIndex);
        return b == null ? null : new ByteArrayInputStream(b);
    }

    /** A stream over the UTF-8 bytes of {@link #getString(int)}. */
    @Override
    public InputStream getAsciiStream(int columnIndex) throws SQLException {
        String s = getString(columnIndex);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Not supported (HYC00): deprecated since JDBC 2. */
    @Override
    @Deprecated
    public InputStream getUnicodeStream(int columnIndex) throws SQLException {
        throw ShmliteConnection.unsupported("getUnicodeStream");
    }

    /** A reader over {@link #getString(int)}. */
    @Override
    public Reader getCharacterStream(int columnIndex) throws SQLException {
        String s = getString(columnIndex);
        return s == null ? null : new StringReader(s);
    }

    /** Same as {@link #getCharacterStream(int)}. */
    @Override
    public Reader getNCharacterStream(int columnIndex) throws SQLException {
        return getCharacterStream(columnIndex);
    }

    /** The text parsed as a URL (22018 if malformed). */
    @Override
    public URL getURL(int columnIndex) throws SQLException {
        String s = getString(columnIndex);
        if (s == null) {
            return null;
        }
        try {
            return new URL(s);
        } catch (MalformedURLException e) {
            throw new SQLDataException("cannot convert '" + abbreviate(s) + "' to URL: " + e.getMessage(), "22018", e);
        }
    }

    // --- dates ---------------------------------------------------------------------------------

    /**
     * The stored value as a point in time: INTEGER epoch millis (seconds with
     * date_precision=SECONDS), REAL Julian day, TEXT ISO-like date/time (local values in the
     * calendar's zone); null for NULL.
     */
    private Instant instant(int off, Calendar cal) throws SQLException {
        switch (buf[off]) {
            case Native.TAG_NULL:
                return null;
            case Native.TAG_INTEGER:
                return Instant.ofEpochMilli(conn.dates.integerToMillis(Wire.getLong(buf, off + 1)));
            case Native.TAG_REAL:
                return Instant.ofEpochMilli(DateCodec.fromJulianDay(Wire.getDouble(buf, off + 1)));
            default:
                return conn.dates.parseInstant(
                        text(off),
                        cal == null ? ZoneId.systemDefault() : cal.getTimeZone().toZoneId());
        }
    }

    /** The value as a date (see the storage rules on the class); null for NULL. */
    @Override
    public Date getDate(int columnIndex) throws SQLException {
        return getDate(columnIndex, null);
    }

    /** Like {@link #getDate(int)}, local text read in the calendar's zone. */
    @Override
    public Date getDate(int columnIndex, Calendar cal) throws SQLException {
        Instant t = instant(at(columnIndex), cal);
        return t == null ? null : new Date(t.toEpochMilli());
    }

    /** The value as a time; null for NULL. */
    @Override
    public Time getTime(int columnIndex) throws SQLException {
        return getTime(columnIndex, null);
    }

    /** Like {@link #getTime(int)}, local text read in the calendar's zone. */
    @Override
    public Time getTime(int columnIndex, Calendar cal) throws SQLException {
        Instant t = instant(at(columnIndex), cal);
        return t == null ? null : new Time(t.toEpochMilli());
    }

    /** The value as a timestamp (nanoseconds kept from text); null for NULL. */
    @Override
    public Timestamp getTimestamp(int columnIndex) throws SQLException {
        return getTimestamp(columnIndex, null);
    }

    /** Like {@link #getTimestamp(int)}, local text read in the calendar's zone. */
    @Override
    public Timestamp getTimestamp(int columnIndex, Calendar cal) throws SQLException {
        Instant t = instant(at(columnIndex), cal);
        return t == null ? null : Timestamp.from(t);
    }

    private LocalDateTime localDateTime(int off) throws SQLException {
        if (buf[off] == Native.TAG_TEXT || buf[off] == Native.TAG_BLOB) {
            return conn.dates.parseLocal(text(off));
        }
        Instant t = instant(off, null);
        return t == null ? null : LocalDateTime.ofInstant(t, ZoneId.systemDefault());
    }

    // --- objects -------------------------------------------------------------------------------

    /**
     * The value as the class {@link ResultSetMetaData#getColumnClassName} reports: for columns
     * declared BOOLEAN, DATE, TIME, DATETIME/TIMESTAMP or NUMERIC/DECIMAL a Boolean,
     * java.sql.Date/Time/Timestamp or BigDecimal (as the typed getters read it); otherwise, or
     * when the stored value does not convert, by storage class: Long, Double, String or byte[].
     * Null for NULL.
     */
    @Override
    public Object getObject(int columnIndex) throws SQLException {
        int off = at(columnIndex);
        byte tag = buf[off];
        if (tag == Native.TAG_NULL) {
            return null;
        }
        if (tag != Native.TAG_BLOB) {
            try {
                switch (getMeta().type(columnIndex - 1)) {
                    case Types.BOOLEAN:
                        return getBoolean(columnIndex);
                    case Types.NUMERIC:
                        return bigDecimal(off);
                    case Types.DATE:
                        return getDate(columnIndex);
                    case Types.TIME:
                        return getTime(columnIndex);
                    case Types.TIMESTAMP:
                        return getTimestamp(columnIndex);
                    default:
                        break;
                }
            } catch (SQLDataException e) {
                // SQLite stores anything anywhere: a value that is not of the declared type comes as it is stored
            }
        }
        switch (tag) {
            case Native.TAG_INTEGER:
                return Wire.getLong(buf, off + 1);
            case Native.TAG_REAL:
                return Wire.getDouble(buf, off + 1);
            case Native.TAG_TEXT:
                return text(off);
            default:
                return Arrays.copyOfRange(buf, off + 5, off + 5 + Wire.getInt(buf, off + 1));
        }
    }

    /** Same as {@link #getObject(int)}: there are no user-defined types to map. */
    @Override
    public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
        return getObject(columnIndex);
    }

    /**
     * The value converted to {@code type}: String, the boxed primitives, BigDecimal, BigInteger,
     * byte[], the java.time types, UUID, java.sql/java.util dates, Blob, Clob or Object. SQL NULL
     * gives null for every type.
     */
    @Override
    public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
        if (type == null) {
            throw new SQLException("type is null", "HY009");
        }
        int off = at(columnIndex);
        if (buf[off] == Native.TAG_NULL) {
            return null;
        }
        Object v;
        if (type == String.class) {
            v = getString(columnIndex);
        } else if (type == Long.class || type == long.class) {
            v = getLong(columnIndex);
        } else if (type == Integer.class || type == int.class) {
            v = getInt(columnIndex);
        } else if (type == Double.class || type == double.class) {
            v = getDouble(columnIndex);
        } else if (type == Boolean.class || type == boolean.class) {
            v = getBoolean(columnIndex);
        } else if (type == BigDecimal.class) {
            v = getBigDecimal(columnIndex);
        } else if (type == byte[].class) {
            v = getBytes(columnIndex);
        } else if (type == LocalDateTime.class) {
            v = localDateTime(off);
        } else if (type == LocalDate.class) {
            v = buf[off] == Native.TAG_TEXT || buf[off] == Native.TAG_BLOB
                    ? conn.dates.parseLocalDate(text(off))
                    : localDateTime(off).toLocalDate();
        } else if (type == LocalTime.class) {
            v = buf[off] == Native.TAG_TEXT || buf[off] == Native.TAG_BLOB
                    ? conn.dates.parseLocalTime(text(off))
                    : localDateTime(off).toLocalTime();
        } else if (type == OffsetDateTime.class) {
            v = buf[off] == Native.TAG_TEXT || buf[off] == Native.TAG_BLOB
                    ? conn.dates.parseOffset(text(off))
                    : OffsetDateTime.ofInstant(instant(off, null), ZoneId.systemDefault());
        } else if (type == ZonedDateTime.class) {
            v = buf[off] == Native.TAG_TEXT || buf[off] == Native.TAG_BLOB
                    ? conn.dates.parseOffset(text(off)).toZonedDateTime()
                    : ZonedDateTime.ofInstant(instant(off, null), ZoneId.systemDefault());
        } else if (type == OffsetTime.class) {
            v = buf[off] == Native.TAG_TEXT || buf[off] == Native.TAG_BLOB
                    ? conn.dates.parseOffset(text(off)).toOffsetTime()
                    : OffsetDateTime.ofInstant(instant(off, null), ZoneId.systemDefault())
                            .toOffsetTime();
        } else if (type == Instant.class) {
            v = instant(off, null);
        } else if (type == Timestamp.class || type == java.util.Date.class) {
            v = getTimestamp(columnIndex);
        } else if (type == Date.class) {
            v = getDate(columnIndex);
        } else if (type == Time.class) {
            v = getTime(columnIndex);
        } else if (type == Short.class || type == short.class) {
            v = getShort(columnIndex);
        } else if (type == Byte.class || type == byte.class) {
            v = getByte(columnIndex);
        } else if (type == Float.class || type == float.class) {
            v = getFloat(columnIndex);
        } else if (type == BigInteger.class) {
            v = bigInteger(off);
        } else if (type == UUID.class) {
            v = uuid(off);
        } else if (type == Blob.class) {
            v = getBlob(columnIndex);
        } else if (type == Clob.class) {
            v = getClob(columnIndex);
        } else if (type == Calendar.class) {
            Calendar c = Calendar.getInstance();
            c.setTimeInMillis(instant(off, null).toEpochMilli());
            v = c;
        } else {
            v = getObject(columnIndex);
            if (!type.isInstance(v)) {
                throw cannotConvert(off, type.getName());
            }
        }
        @SuppressWarnings("unchecked")
        T t = (T) v;
        return t;
    }

    private BigInteger bigInteger(int off) throws SQLException {
        if (buf[off] == Native.TAG_INTEGER) {
            return BigInteger.valueOf(Wire.getLong(buf, off + 1));
        }
        return bigDecimal(off).toBigInteger();
    }

    private UUID uuid(int off) throws SQLException {
        if (buf[off] == Native.TAG_BLOB && Wire.getInt(buf, off + 1) == 16) {
            ByteBuffer bb = ByteBuffer.wrap(buf, off + 5, 16);
            return new UUID(bb.getLong(), bb.getLong());
        }
        try {
            return UUID.fromString(valueText(off).trim());
        } catch (IllegalArgumentException e) {
            throw cannotConvert(off, "UUID");
        }
    }

    /** Not supported (HYC00). */
    @Override
    public Ref getRef(int columnIndex) throws SQLException {
        throw ShmliteConnection.unsupported("getRef");
    }

    /** Not supported (HYC00): SQLite has no arrays. */
    @Override
    public Array getArray(int columnIndex) throws SQLException {
        throw ShmliteConnection.unsupported("getArray");
    }

    /** Not supported (HYC00). */
    @Override
    public RowId getRowId(int columnIndex) throws SQLException {
        throw ShmliteConnection.unsupported("getRowId");
    }

    /** Not supported (HYC00). */
    @Override
    public NClob getNClob(int columnIndex) throws SQLException {
        throw ShmliteConnection.unsupported("getNClob");
    }

    /** Not supported (HYC00). */
    @Override
    public SQLXML getSQLXML(int columnIndex) throws SQLException {
        throw ShmliteConnection.unsupported("getSQLXML");
    }

    /** True if the last value read was SQL NULL. */
    @Override
    public boolean wasNull() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return wasNull;
    }

    // --- by label ------------------------------------------------------------------------------

    /** 1-based index of the first column with this label, compared case-insensitively (42S22 if none). */
    @Override
    public int findColumn(String columnLabel) throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        int i = getMeta().indexOf(columnLabel);
        if (i < 0) {
            throw new SQLException("no such column: " + columnLabel, "42S22");
        }
        return i + 1;
    }

    /** See {@link #getString(int)}. */
    @Override
    public String getString(String columnLabel) throws SQLException {
        return getString(findColumn(columnLabel));
    }

    /** See {@link #getBoolean(int)}. */
    @Override
    public boolean getBoolean(String columnLabel) throws SQLException {
        return getBoolean(findColumn(columnLabel));
    }

    /** See {@link #getByte(int)}. */
    @Override
    public byte getByte(String columnLabel) throws SQLException {
        return getByte(findColumn(columnLabel));
    }

    /** See {@link #getShort(int)}. */
    @Override
    public short getShort(String columnLabel) throws SQLException {
        return getShort(findColumn(columnLabel));
    }

    /** See {@link #getInt(int)}. */
    @Override
    public int getInt(String columnLabel) throws SQLException {
        return getInt(findColumn(columnLabel));
    }

    /** See {@link #getLong(int)}. */
    @Override
    public long getLong(String columnLabel) throws SQLException {
        return getLong(findColumn(columnLabel));
    }

    /** See {@link #getFloat(int)}. */
    @Override
    public float getFloat(String columnLabel) throws SQLException {
        return getFloat(findColumn(columnLabel));
    }

    /** See {@link #getDouble(int)}. */
    @Override
    public double getDouble(String columnLabel) throws SQLException {
        return getDouble(findColumn(columnLabel));
    }

    /** See {@link #getBigDecimal(int, int)}. */
    @Override
    @Deprecated
    public BigDecimal getBigDecimal(String columnLabel, int scale) throws SQLException {
        return getBigDecimal(findColumn(columnLabel), scale);
    }

    /** See {@link #getBytes(int)}. */
    @Override
    public byte[] getBytes(String columnLabel) throws SQLException {
        return getBytes(findColumn(columnLabel));
    }

    /** See {@link #getDate(int)}. */
    @Override
    public Date getDate(String columnLabel) throws SQLException {
        return getDate(findColumn(columnLabel));
    }

    /** See {@link #getTime(int)}. */
    @Override
    public Time getTime(String columnLabel) throws SQLException {
        return getTime(findColumn(columnLabel));
    }

    /** See {@link #getTimestamp(int)}. */
    @Override
    public Timestamp getTimestamp(String columnLabel) throws SQLException {
        return getTimestamp(findColumn(columnLabel));
    }

    /** See {@link #getAsciiStream(int)}. */
    @Override
    public InputStream getAsciiStream(String columnLabel) throws SQLException {
        return getAsciiStream(findColumn(columnLabel));
    }

    /** Not supported (HYC00). */
    @Override
    @Deprecated
    public InputStream getUnicodeStream(String columnLabel) throws SQLException {
        return getUnicodeStream(findColumn(columnLabel));
    }

    /** See {@link #getBinaryStream(int)}. */
    @Override
    public InputStream getBinaryStream(String columnLabel) throws SQLException {
        return getBinaryStream(findColumn(columnLabel));
    }

    /** See {@link #getObject(int)}. */
    @Override
    public Object getObject(String columnLabel) throws SQLException {
        return getObject(findColumn(columnLabel));
    }

    /** See {@link #getCharacterStream(int)}. */
    @Override
    public Reader getCharacterStream(String columnLabel) throws SQLException {
        return getCharacterStream(findColumn(columnLabel));
    }

    /** See {@link #getBigDecimal(int)}. */
    @Override
    public BigDecimal getBigDecimal(String columnLabel) throws SQLException {
        return getBigDecimal(findColumn(columnLabel));
    }

    /** See {@link #getObject(int, Map)}. */
    @Override
    public Object getObject(String columnLabel, Map<String, Class<?>> map) throws SQLException {
        return getObject(findColumn(columnLabel), map);
    }

    /** Not supported (HYC00). */
    @Override
    public Ref getRef(String columnLabel) throws SQLException {
        return getRef(findColumn(columnLabel));
    }

    /** See {@link #getBlob(int)}. */
    @Override
    public Blob getBlob(String columnLabel) throws SQLException {
        return getBlob(findColumn(columnLabel));
    }

    /** See {@link #getClob(int)}. */
    @Override
    public Clob getClob(String columnLabel) throws SQLException {
        return getClob(findColumn(columnLabel));
    }

    /** Not supported (HYC00). */
    @Override
    public Array getArray(String columnLabel) throws SQLException {
        return getArray(findColumn(columnLabel));
    }

    /** See {@link #getDate(int, Calendar)}. */
    @Override
    public Date getDate(String columnLabel, Calendar cal) throws SQLException {
        return getDate(findColumn(columnLabel), cal);
    }

    /** See {@link #getTime(int, Calendar)}. */
    @Override
    public Time getTime(String columnLabel, Calendar cal) throws SQLException {
        return getTime(findColumn(columnLabel), cal);
    }

    /** See {@link #getTimestamp(int, Calendar)}. */
    @Override
    public Timestamp getTimestamp(String columnLabel, Calendar cal) throws SQLException {
        return getTimestamp(findColumn(columnLabel), cal);
    }

    /** See {@link #getURL(int)}. */
    @Override
    public URL getURL(String columnLabel) throws SQLException {
        return getURL(findColumn(columnLabel));
    }

    /** Not supported (HYC00). */
    @Override
    public RowId getRowId(String columnLabel) throws SQLException {
        return getRowId(findColumn(columnLabel));
    }

    /** See {@link #getNString(int)}. */
    @Override
    public String getNString(String columnLabel) throws SQLException {
        return getNString(findColumn(columnLabel));
    }

    /** Not supported (HYC00). */
    @Override
    public NClob getNClob(String columnLabel) throws SQLException {
        return getNClob(findColumn(columnLabel));
    }

    /** Not supported (HYC00). */
    @Override
    public SQLXML getSQLXML(String columnLabel) throws SQLException {
        return getSQLXML(findColumn(columnLabel));
    }

    /** See {@link #getNCharacterStream(int)}. */
    @Override
    public Reader getNCharacterStream(String columnLabel) throws SQLException {
        return getNCharacterStream(findColumn(columnLabel));
    }

    /** See {@link #getObject(int, Class)}. */
    @Override
    public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
        return getObject(findColumn(columnLabel), type);
    }

    // --- state ---------------------------------------------------------------------------------

    private ShmliteResultSetMetaData getMeta() throws SQLException {
        if (meta == null) {
            meta = owner.resultMetaData();
        }
        return meta;
    }

    /** Column metadata (cached by the statement). */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return getMeta();
    }

    /** The statement that produced this result set; for metadata results, the internal statement or null. */
    @Override
    public Statement getStatement() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return owner;
    }

    /** Ends the result set (resetting the native statement if rows remain). Idempotent. */
    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            closeFromStatement();
            if (owner != null) {
                owner.resultSetClosed(this);
            }
        }
    }

    /** Closes without notifying the statement (it is the caller). The caller holds the lock. */
    void closeFromStatement() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        onRow = false;
        if (!done && handle != 0) {
            done = true;
            long s = conn.sessionForCleanup();
            if (s != 0) {
                Native.reset(s, handle);
            }
        }
    }

    /** True after close (also when its statement or connection closed). */
    @Override
    public boolean isClosed() {
        return closed;
    }

    /** 1-based number of the current row, 0 when there is none. */
    @Override
    public int getRow() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return onRow ? row : 0;
    }

    /** True before the first row of a non-empty result (best effort: an unfetched batch counts as rows). */
    @Override
    public boolean isBeforeFirst() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return row == 0 && !afterLast && (remaining > 0 || !done);
    }

    /** True after the last row of a non-empty result. */
    @Override
    public boolean isAfterLast() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return afterLast && row > 0;
    }

    /** True on the first row. */
    @Override
    public boolean isFirst() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return onRow && row == 1;
    }

    /**
     * True on the last row when that is known without reading ahead (the core sent the end of
     * rows, or maxRows is reached); false otherwise.
     */
    @Override
    public boolean isLast() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return onRow && ((remaining == 0 && done) || (maxRows > 0 && row == maxRows));
    }

    /** Not supported (HYC00): forward-only. */
    @Override
    public void beforeFirst() throws SQLException {
        throw forwardOnly("beforeFirst");
    }

    /** Not supported (HYC00): forward-only. */
    @Override
    public void afterLast() throws SQLException {
        throw forwardOnly("afterLast");
    }

    /** Not supported (HYC00): forward-only. */
    @Override
    public boolean first() throws SQLException {
        throw forwardOnly("first");
    }

    /** Not supported (HYC00): forward-only. */
    @Override
    public boolean last() throws SQLException {
        throw forwardOnly("last");
    }

    /** Not supported (HYC00): forward-only. */
    @Override
    public boolean absolute(int row) throws SQLException {
        throw forwardOnly("absolute");
    }

    /** Not supported (HYC00): forward-only. */
    @Override
    public boolean relative(int rows) throws SQLException {
        throw forwardOnly("relative");
    }

    /** Not supported (HYC00): forward-only. */
    @Override
    public boolean previous() throws SQLException {
        throw forwardOnly("previous");
    }

    private static SQLFeatureNotSupportedException forwardOnly(String what) {
        return new SQLFeatureNotSupportedException(what + " is not supported: result sets are forward-only", "HYC00");
    }

    private static SQLFeatureNotSupportedException readOnly() {
        return new SQLFeatureNotSupportedException("result sets are read-only", "HYC00");
    }

    /**
     * Only FETCH_FORWARD: the result set is TYPE_FORWARD_ONLY, for which JDBC requires an
     * SQLException for another direction (HYC00; HY024 for a value that is no direction).
     */
    @Override
    public void setFetchDirection(int direction) throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        if (direction != FETCH_FORWARD && direction != FETCH_REVERSE && direction != FETCH_UNKNOWN) {
            throw new SQLException(
                    "fetch direction " + direction + " is not FETCH_FORWARD, FETCH_REVERSE or" + " FETCH_UNKNOWN",
                    "HY024");
        }
        if (direction != FETCH_FORWARD) {
            throw new SQLFeatureNotSupportedException(
                    "only FETCH_FORWARD is supported (got " + direction + ")", "HYC00");
        }
    }

    /** Always FETCH_FORWARD. */
    @Override
    public int getFetchDirection() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return FETCH_FORWARD;
    }

    /** Stored only: batches are sized in bytes. */
    @Override
    public void setFetchSize(int rows) throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        if (rows < 0) {
            throw new SQLException("fetch size must not be negative: " + rows, "HY024");
        }
        fetchSize = rows;
    }

    /** The stored fetch size. */
    @Override
    public int getFetchSize() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return fetchSize;
    }

    /** Always TYPE_FORWARD_ONLY. */
    @Override
    public int getType() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return TYPE_FORWARD_ONLY;
    }

    /** Always CONCUR_READ_ONLY. */
    @Override
    public int getConcurrency() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return CONCUR_READ_ONLY;
    }

    /** The connection's holdability. */
    @Override
    public int getHoldability() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return conn.holdabilityMirror();
    }

    /** Always null. */
    @Override
    public SQLWarning getWarnings() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
        return null;
    }

    /** Nothing to clear. */
    @Override
    public void clearWarnings() throws SQLException {
        if (closed) {
            throw closedResultSet();
        }
    }

    /** Not supported (HYC00): no named cursors. */
    @Override
    public String getCursorName() throws SQLException {
        throw ShmliteConnection.unsupported("getCursorName");
    }

    /** Always false: rows are never updated through the result set. */
    @Override
    public boolean rowUpdated() throws SQLException {
        return false;
    }

    /** Always false. */
    @Override
    public boolean rowInserted() throws SQLException {
        return false;
    }

    /** Always false. */
    @Override
    public boolean rowDeleted() throws SQLException {
        return false;
    }

    /** Not supported (HYC00): read-only. */
    @Override
    public void insertRow() throws SQLException {
        throw readOnly();
    }

    /** Not supported (HYC00): read-only. */
    @Override
    public void updateRow() throws SQLException {
        throw readOnly();
    }

    /** Not supported (HYC00): read-only. */
    @Override
    public void deleteRow() throws SQLException {
        throw readOnly();
    }

    /** Not supported (HYC00): read-only. */
    @Override
    public void refreshRow() throws SQLException {
        throw readOnly();
    }

    /** Not supported (HYC00): read-only. */
    @Override
    public void cancelRowUpdates() throws SQLException {
        throw readOnly();
    }

    /** Not supported (HYC00): read-only. */
    @Override
    public void moveToInsertRow() throws SQLException {
        throw readOnly();
    }

    /** Not supported (HYC00): read-only. */
    @Override
    public void moveToCurrentRow() throws SQLException {
        throw readOnly();
    }

    /** Unwraps to this result set. */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    /** True for interfaces this class implements. */
    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    // --- updaters: all unsupported -------------------------------------------------------------

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateArray(String columnLabel, Array x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateArray(int columnIndex, Array x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateAsciiStream(String columnLabel, InputStream x, int length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateAsciiStream(String columnLabel, InputStream x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateAsciiStream(String columnLabel, InputStream x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateAsciiStream(int columnIndex, InputStream x, int length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateAsciiStream(int columnIndex, InputStream x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateAsciiStream(int columnIndex, InputStream x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBigDecimal(String columnLabel, BigDecimal x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBigDecimal(int columnIndex, BigDecimal x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBinaryStream(String columnLabel, InputStream x, int length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBinaryStream(String columnLabel, InputStream x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBinaryStream(String columnLabel, InputStream x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBinaryStream(int columnIndex, InputStream x, int length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBinaryStream(int columnIndex, InputStream x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBinaryStream(int columnIndex, InputStream x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBlob(String columnLabel, InputStream x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBlob(String columnLabel, InputStream x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBlob(String columnLabel, Blob x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBlob(int columnIndex, InputStream x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBlob(int columnIndex, InputStream x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBlob(int columnIndex, Blob x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBoolean(String columnLabel, boolean x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBoolean(int columnIndex, boolean x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateByte(String columnLabel, byte x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateByte(int columnIndex, byte x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBytes(String columnLabel, byte[] x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateBytes(int columnIndex, byte[] x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateCharacterStream(String columnLabel, Reader x, int length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateCharacterStream(String columnLabel, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateCharacterStream(String columnLabel, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateCharacterStream(int columnIndex, Reader x, int length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateCharacterStream(int columnIndex, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateCharacterStream(int columnIndex, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateClob(String columnLabel, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateClob(String columnLabel, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateClob(String columnLabel, Clob x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateClob(int columnIndex, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateClob(int columnIndex, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateClob(int columnIndex, Clob x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateDate(String columnLabel, Date x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateDate(int columnIndex, Date x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateDouble(String columnLabel, double x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateDouble(int columnIndex, double x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateFloat(String columnLabel, float x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateFloat(int columnIndex, float x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateInt(String columnLabel, int x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateInt(int columnIndex, int x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateLong(String columnLabel, long x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateLong(int columnIndex, long x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNCharacterStream(String columnLabel, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNCharacterStream(String columnLabel, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNCharacterStream(int columnIndex, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNCharacterStream(int columnIndex, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNClob(String columnLabel, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNClob(String columnLabel, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNClob(String columnLabel, NClob x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNClob(int columnIndex, Reader x, long length) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNClob(int columnIndex, Reader x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNClob(int columnIndex, NClob x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNString(String columnLabel, String x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNString(int columnIndex, String x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNull(String columnLabel) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateNull(int columnIndex) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(String columnLabel, Object x, int scaleOrLength) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(String columnLabel, Object x, SQLType targetSqlType, int scaleOrLength)
            throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(String columnLabel, Object x, SQLType targetSqlType) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(String columnLabel, Object x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(int columnIndex, Object x, int scaleOrLength) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(int columnIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(int columnIndex, Object x, SQLType targetSqlType) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateObject(int columnIndex, Object x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateRef(String columnLabel, Ref x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateRef(int columnIndex, Ref x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateRowId(String columnLabel, RowId x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateRowId(int columnIndex, RowId x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateSQLXML(String columnLabel, SQLXML x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateSQLXML(int columnIndex, SQLXML x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateShort(String columnLabel, short x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateShort(int columnIndex, short x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateString(String columnLabel, String x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateString(int columnIndex, String x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateTime(String columnLabel, Time x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateTime(int columnIndex, Time x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateTimestamp(String columnLabel, Timestamp x) throws SQLException {
        throw readOnly();
    }

    /** Not supported: result sets are read-only (HYC00). */
    @Override
    public void updateTimestamp(int columnIndex, Timestamp x) throws SQLException {
        throw readOnly();
    }
}
