package dev.shmlite.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Calendar;
import java.util.UUID;

/**
 * A prepared statement: the SQL (exactly one statement) is prepared once, parameters are kept in
 * Java in typed arrays (no boxing) and encoded into a reused buffer at execution, so an execution
 * is a single native call. Batches are encoded row after row into one buffer and run in one call,
 * except when generated keys must come from RETURNING rows (the core's batch discards rows): then
 * each row runs in its own call.
 */
public final class ShmlitePreparedStatement extends ShmliteStatement implements PreparedStatement {
    private static final byte UNSET = -1;

    private final String sql;
    private final long stmt;
    private final int paramCount;
    /** Columns of the caller's SQL (0 when the only columns are a RETURNING clause we added). */
    private int columnCount;

    private final boolean insert;
    private final boolean readOnly;
    private long columnsId;

    // Parameter store: the tag says which array holds the value.
    private final byte[] tags;
    private final long[] longs;
    private final double[] doubles;
    /** UTF-8 bytes of TEXT, bytes of BLOB. */
    private final Object[] refs;

    private final Wire.Writer params;
    private Wire.Writer batch;
    private int batchRows;
    private ShmliteResultSetMetaData meta;
    /** Frees the native statement at close, or when this object is forgotten (GC). */
    private final java.lang.ref.Cleaner.Cleanable release;

    /**
     * Prepares {@code sql} for the generated keys {@code request} (see {@link GeneratedKeys#prepare}).
     * The caller holds the connection lock.
     */
    ShmlitePreparedStatement(ShmliteConnection conn, String sql, GeneratedKeys.Request request) throws SQLException {
        super(conn);
        this.sql = sql;
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        int[] info = new int[Native.INFO_SIZE];
        long s = conn.session();
        long h = keys.prepare(s, id, bytes, request, info);
        if (h == 0) {
            throw new SQLException("empty statement: no SQL to prepare in '" + sql + "'", "42000");
        }
        int tail = info[Native.INFO_TAIL];
        if (tail < bytes.length && SqlLexer.skipTrivia(bytes, tail) < bytes.length) {
            Native.release(s, h);
            throw new SQLSyntaxErrorException(
                    "a prepared statement takes one SQL statement; extra text: "
                            + new String(bytes, tail, bytes.length - tail, StandardCharsets.UTF_8).trim(),
                    "42000");
        }
        this.stmt = h;
        this.release = conn.cleanLater(this, h);
        this.paramCount = info[Native.INFO_PARAMS];
        this.columnCount = keys.returningAdded() ? 0 : info[Native.INFO_COLUMNS];
        this.insert = SqlLexer.isInsert(bytes);
        this.readOnly = info[Native.INFO_READONLY] != 0;
        this.columnsId = Native.columnsId(info);
        this.tags = new byte[paramCount];
        Arrays.fill(tags, UNSET);
        this.longs = new long[paramCount];
        this.doubles = new double[paramCount];
        this.refs = new Object[paramCount];
        this.params = new Wire.Writer(Math.max(16, paramCount * 16));
    }

    // --- execution -----------------------------------------------------------------------------

    private void encodeRow(Wire.Writer w) throws SQLException {
        int start = w.len;
        for (int i = 0; i < paramCount; i++) {
            switch (tags[i]) {
                case Native.TAG_NULL:
                    w.putNull();
                    break;
                case Native.TAG_INTEGER:
                    w.putLong(longs[i]);
                    break;
                case Native.TAG_REAL:
                    w.putDouble(doubles[i]);
                    break;
                case Native.TAG_TEXT:
                case Native.TAG_BLOB:
                    byte[] v = (byte[]) refs[i];
                    if (w.len + 5L + v.length > Wire.MAX_BUFFER) {
                        long total = w.len + 5L + v.length;
                        w.len = start;
                        throw new SQLDataException(
                                "parameter " + (i + 1) + " (" + v.length + " bytes) makes the "
                                        + (w == params ? "parameters" : "batch") + " " + total
                                        + " bytes, over the limit of "
                                        + Wire.MAX_BUFFER + " bytes (2 GiB) for one execution's parameters",
                                "22001");
                    }
                    w.putBytes(tags[i], v);
                    break;
                default:
                    w.len = start; // no half-written row in a batch
                    throw new SQLException("parameter " + (i + 1) + " is not set", "07001");
            }
        }
    }

    private boolean exec(int mode) throws SQLException {
        synchronized (lock) {
            long s = session();
            if (mode == MODE_QUERY && columnCount == 0) {
                throw new SQLException("query does not return a result set: " + sql, "HY000");
            }
            params.reset();
            encodeRow(params);
            clearResults(true);
            try {
                Native.execute(
                        s,
                        id,
                        stmt,
                        params.buf,
                        params.len,
                        beginCall(rowsOutliveCall(columnCount, mode)),
                        timeoutMillis());
                return afterExecute(s, stmt, columnCount, insert, readOnly, mode);
            } finally {
                endCall();
            }
        }
    }

    /** Runs the statement; true when it returns rows. */
    @Override
    public boolean execute() throws SQLException {
        return exec(MODE_EXECUTE);
    }

    /** Runs a query (HY000 if the statement returns no columns). */
    @Override
    public ResultSet executeQuery() throws SQLException {
        synchronized (lock) {
            exec(MODE_QUERY);
            return resultSet;
        }
    }

    /** Runs the statement and returns the number of changed rows (0 for DDL and queries). */
    @Override
    public int executeUpdate() throws SQLException {
        return clamp(executeLargeUpdate());
    }

    /** Like {@link #executeUpdate()}. */
    @Override
    public long executeLargeUpdate() throws SQLException {
        synchronized (lock) {
            exec(MODE_UPDATE);
            return updateCount;
        }
    }

    /** Adds the current parameters to the batch (07001 if one is unset). */
    @Override
    public void addBatch() throws SQLException {
        synchronized (lock) {
            checkOpen();
            if (batch == null) {
                batch = new Wire.Writer(Math.max(64, paramCount * 16) * 16);
            }
            encodeRow(batch);
            batchRows++;
        }
    }

    /** Empties the batch. */
    @Override
    public void clearBatch() throws SQLException {
        synchronized (lock) {
            checkOpen();
            if (batch != null) {
                batch.reset();
            }
            batchRows = 0;
        }
    }

    /** Runs all batched rows in one native call. See {@link #executeLargeBatch()}. */
    @Override
    public int[] executeBatch() throws SQLException {
        return clamp(executeLargeBatch());
    }

    /**
     * Runs all batched rows in one native call; returns each row's update count. On failure
     * throws {@link java.sql.BatchUpdateException} holding the counts of the rows that completed.
     * The batch is emptied either way.
     */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        synchronized (lock) {
            long s = session();
            clearResults(true);
            int rows = batchRows;
            if (rows == 0) {
                return new long[0];
            }
            if (columnCount > 0 && readOnly) {
                batch.reset();
                batchRows = 0;
                throw batchFailure(queryInBatch(0), new long[0]);
            }
            if (keys.fromRows()) {
                return batchRowByRow(s, rows);
            }
            long need = Native.HEADER + 16L * rows;
            if (need > Integer.MAX_VALUE - 8) {
                throw new SQLException("batch of " + rows + " rows is too large", "54000");
            }
            byte[] o = beginCall(false);
            try {
                if (o.length < need) {
                    o = growCall((int) need);
                }
                Wire.putInt(o, Native.OFF_ROWS, 0);
                Native.executeBatch(s, id, stmt, batch.buf, batch.len, rows, o, timeoutMillis());
                return batchCounts(o, rows);
            } catch (SQLException e) {
                int completed = Math.max(0, Math.min(rows, Wire.getInt(o, Native.OFF_ROWS)));
                throw batchFailure(e, batchCounts(o, completed));
            } finally {
                endCall();
                batch.reset();
                batchRows = 0;
            }
        }
    }

    private long[] batchCounts(byte[] o, int rows) {
        long[] counts = new long[rows];
        // A one-row INSERT inserts one row or none: its rowid is its key (RETURNING rowid would say the same).
        boolean lastRowid = insert && keys.fromLastRowid();
        for (int r = 0; r < rows; r++) {
            int at = Native.HEADER + 16 * r;
            counts[r] = Wire.getLong(o, at);
            if (lastRowid && counts[r] > 0) {
                keys.add(Wire.getLong(o, at + 8));
            }
        }
        return counts;
    }

    /**
     * Runs the batch one row per native call, keeping every row's RETURNING rows as keys (the
     * core's batch call discards rows). Same results and failure reporting as the batch call.
     */
    private long[] batchRowByRow(long s, int rows) throws SQLException {
        long[] counts = new long[rows];
        byte[] all = batch.buf;
        int pos = 0;
        int r = 0;
        byte[] o = beginCall(false);
        try {
            for (; r < rows; r++) {
                int start = pos;
                for (int p = 0; p < paramCount; p++) {
                    pos = Wire.skipValue(all, pos);
                }
                params.reset();
                params.putRaw(all, start, pos - start);
                Native.execute(s, id, stmt, params.buf, params.len, o, timeoutMillis());
                counts[r] = drain(s, stmt, true);
                o = callBuffer(); // drain may have grown it
            }
            return counts;
        } catch (SQLException e) {
            throw batchFailure(e, Arrays.copyOf(counts, r));
        } finally {
            endCall();
            batch.reset();
            batchRows = 0;
        }
    }

    @Override
    ShmliteResultSetMetaData keyMetaData() throws SQLException {
        if (keys.needsDescription()) {
            keys.describe(Native.columns(session(), stmt));
        }
        return super.keyMetaData();
    }

    @Override
    int columnsChanged(long s, long h) throws SQLException {
        int[] info = new int[Native.INFO_SIZE];
        Native.describe(s, h, info);
        columnsId = Native.columnsId(info);
        meta = null;
        columnCount = keys.returningAdded() ? 0 : info[Native.INFO_COLUMNS];
        return columnCount;
    }

    @Override
    ShmliteResultSetMetaData resultMetaData() throws SQLException {
        synchronized (lock) {
            if (meta == null) {
                meta = conn.columnsOf(stmt, columnsId);
            }
            return meta;
        }
    }

    @Override
    void releaseStatement() {
        release.clean(); // once: the Cleaner then has nothing left to do
    }

    /** Column metadata, available before execution; null when the statement returns no columns. */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        return columnCount == 0 ? null : resultMetaData();
    }

    /** Parameter count and conservative per-parameter answers; never throws for a valid index. */
    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        checkOpen();
        return new Parameters();
    }

    /** What SQLite knows about parameters: their number. Types are not declared. */
    private final class Parameters implements ParameterMetaData {
        private void check(int param) throws SQLException {
            if (param < 1 || param > paramCount) {
                throw new SQLException("parameter index " + param + " out of range 1.." + paramCount, "07009");
            }
        }

        @Override
        public int getParameterCount() {
            return paramCount;
        }

        @Override
        public int isNullable(int param) throws SQLException {
            check(param);
            return parameterNullableUnknown;
        }

        @Override
        public boolean isSigned(int param) throws SQLException {
            check(param);
            return true;
        }

        @Override
        public int getPrecision(int param) throws SQLException {
            check(param);
            return 0;
        }

        @Override
        public int getScale(int param) throws SQLException {
            check(param);
            return 0;
        }

        @Override
        public int getParameterType(int param) throws SQLException {
            check(param);
            return Types.OTHER;
        }

        @Override
        public String getParameterTypeName(int param) throws SQLException {
            check(param);
            return "";
        }

        @Override
        public String getParameterClassName(int param) throws SQLException {
            check(param);
            return "java.lang.Object";
        }

        @Override
        public int getParameterMode(int param) throws SQLException {
            check(param);
            return parameterModeIn;
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }

    // --- parameter store -----------------------------------------------------------------------

    private int index(int parameterIndex) throws SQLException {
        if (closed) {
            throw closedStatement();
        }
        if (parameterIndex < 1 || parameterIndex > paramCount) {
            throw new SQLException("parameter index " + parameterIndex + " out of range 1.." + paramCount, "07009");
        }
        return parameterIndex - 1;
    }

    private void bindNull(int parameterIndex) throws SQLException {
        int i = index(parameterIndex);
        tags[i] = Native.TAG_NULL;
        refs[i] = null;
    }

    private void bindLong(int parameterIndex, long v) throws SQLException {
        int i = index(parameterIndex);
        tags[i] = Native.TAG_INTEGER;
        longs[i] = v;
        refs[i] = null;
    }

    private void bindDouble(int parameterIndex, double v) throws SQLException {
        int i = index(parameterIndex);
        tags[i] = Native.TAG_REAL;
        doubles[i] = v;
        refs[i] = null;
    }

    private void bindText(int parameterIndex, String v) throws SQLException {
        if (v == null) {
            bindNull(parameterIndex);
            return;
        }
        int i = index(parameterIndex);
        tags[i] = Native.TAG_TEXT;
        refs[i] = v.getBytes(StandardCharsets.UTF_8);
    }

    private void bindBlob(int parameterIndex, byte[] v) throws SQLException {
        if (v == null) {
            bindNull(parameterIndex);
            return;
        }
        int i = index(parameterIndex);
        tags[i] = Native.TAG_BLOB;
        refs[i] = v;
    }

    /** Forgets all parameter values (they must be set again before executing). */
    @Override
    public void clearParameters() throws SQLException {
        checkOpen();
        Arrays.fill(tags, UNSET);
        Arrays.fill(refs, null);
    }

    // --- setters -------------------------------------------------------------------------------

    /** Binds NULL (any type code, including Types.OTHER and Types.NULL). */
    @Override
    public void setNull(int parameterIndex, int sqlType) throws SQLException {
        bindNull(parameterIndex);
    }

    /** Binds NULL. */
    @Override
    public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
        bindNull(parameterIndex);
    }

    /** Binds INTEGER 1 or 0. */
    @Override
    public void setBoolean(int parameterIndex, boolean x) throws SQLException {
        bindLong(parameterIndex, x ? 1 : 0);
    }

    /** Binds INTEGER. */
    @Override
    public void setByte(int parameterIndex, byte x) throws SQLException {
        bindLong(parameterIndex, x);
    }

    /** Binds INTEGER. */
    @Override
    public void setShort(int parameterIndex, short x) throws SQLException {
        bindLong(parameterIndex, x);
    }

    /** Binds INTEGER. */
    @Override
    public void setInt(int parameterIndex, int x) throws SQLException {
        bindLong(parameterIndex, x);
    }

    /** Binds INTEGER. */
    @Override
    public void setLong(int parameterIndex, long x) throws SQLException {
        bindLong(parameterIndex, x);
    }

    /** Binds REAL. */
    @Override
    public void setFloat(int parameterIndex, float x) throws SQLException {
        bindDouble(parameterIndex, x);
    }

    /** Binds REAL (SQLite stores NaN as NULL). */
    @Override
    public void setDouble(int parameterIndex, double x) throws SQLException {
        bindDouble(parameterIndex, x);
    }

    /**
     * Binds INTEGER when the value is integral and fits a long, REAL when the double holds it
     * exactly (shortest decimal form), else TEXT (plain notation) so that no digit is lost.
     */
    @Override
    public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
        if (x == null) {
            bindNull(parameterIndex);
            return;
        }
        if (x.signum() == 0 || x.stripTrailingZeros().scale() <= 0) {
            try {
                bindLong(parameterIndex, x.longValueExact());
                return;
            } catch (ArithmeticException e) {
                // too big for a long: try REAL, then TEXT
            }
        }
        double d = x.doubleValue();
        if (!Double.isInfinite(d) && BigDecimal.valueOf(d).compareTo(x) == 0) {
            bindDouble(parameterIndex, d);
        } else {
            bindText(parameterIndex, x.toPlainString());
        }
    }

    /** Binds TEXT (UTF-8); null binds NULL. */
    @Override
    public void setString(int parameterIndex, String x) throws SQLException {
        bindText(parameterIndex, x);
    }

    /** Same as {@link #setString}. */
    @Override
    public void setNString(int parameterIndex, String value) throws SQLException {
        bindText(parameterIndex, value);
    }

    /** Binds BLOB (the array is read at execution or addBatch, not copied now); null binds NULL. */
    @Override
    public void setBytes(int parameterIndex, byte[] x) throws SQLException {
        bindBlob(parameterIndex, x);
    }

    private void bindTime(int parameterIndex, long millis, int nanos, Calendar cal) throws SQLException {
        DateCodec dates = conn.dates;
        switch (dates.storage) {
            case REAL:
                bindDouble(parameterIndex, DateCodec.toJulianDay(millis));
                break;
            case TEXT:
                bindText(parameterIndex, dates.format(Math.floorDiv(millis, 1000L), nanos, cal));
                break;
            default:
                bindLong(parameterIndex, dates.toStoredLong(millis));
                break;
        }
    }

    private void bindTime(int parameterIndex, java.util.Date x, Calendar cal) throws SQLException {
        if (x == null) {
            bindNull(parameterIndex);
            return;
        }
        long millis = x.getTime();
        int nanos =
                x instanceof Timestamp ? ((Timestamp) x).getNanos() : (int) Math.floorMod(millis, 1000L) * 1_000_000;
        bindTime(parameterIndex, millis, nanos, cal);
    }

    /** Binds per the connection's date_class: INTEGER epoch millis (default), REAL Julian day or TEXT. */
    @Override
    public void setDate(int parameterIndex, Date x) throws SQLException {
        bindTime(parameterIndex, x, null);
    }

    /** Like {@link #setDate(int, Date)}; TEXT is formatted in the calendar's zone. */
    @Override
    public void setDate(int parameterIndex, Date x, Calendar cal) throws SQLException {
        bindTime(parameterIndex, x, cal);
    }

    /** Binds per the connection's date_class (see {@link #setDate(int, Date)}). */
    @Override
    public void setTime(int parameterIndex, Time x) throws SQLException {
        bindTime(parameterIndex, x, null);
    }

    /** Like {@link #setTime(int, Time)}; TEXT is formatted in the calendar's zone. */
    @Override
    public void setTime(int parameterIndex, Time x, Calendar cal) throws SQLException {
        bindTime(parameterIndex, x, cal);
    }

    /** Binds per the connection's date_class (see {@link #setDate(int, Date)}). */
    @Override
    public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
        bindTime(parameterIndex, x, null);
    }

    /** Like {@link #setTimestamp(int, Timestamp)}; TEXT is formatted in the calendar's zone. */
    @Override
    public void setTimestamp(int parameterIndex, Timestamp x, Calendar cal) throws SQLException {
        bindTime(parameterIndex, x, cal);
    }

    /** Binds TEXT {@code url.toString()}. */
    @Override
    public void setURL(int parameterIndex, URL x) throws SQLException {
        bindText(parameterIndex, x == null ? null : x.toString());
    }

    /**
     * Binds by the value's class: numbers, Boolean (1/0), String, Character, byte[], BigDecimal,
     * BigInteger, java.sql/java.util dates (date_class), LocalDate ({@code yyyy-MM-dd}), LocalTime
     * ({@code HH:mm:ss.SSS}), LocalDateTime ({@code yyyy-MM-dd HH:mm:ss.SSS}), OffsetDateTime,
     * ZonedDateTime, OffsetTime and Instant (ISO-8601 text), UUID (text), enums (name), Blob, Clob,
     * InputStream and Reader (read fully). Anything else: 22023.
     */
    @Override
    public void setObject(int parameterIndex, Object x) throws SQLException {
        if (x == null) {
            bindNull(parameterIndex);
        } else if (x instanceof String) {
            bindText(parameterIndex, (String) x);
        } else if (x instanceof Integer || x instanceof Long || x instanceof Short || x instanceof Byte) {
            bindLong(parameterIndex, ((Number) x).longValue());
        } else if (x instanceof Double || x instanceof Float) {
            bindDouble(parameterIndex, ((Number) x).doubleValue());
        } else if (x instanceof Boolean) {
            bindLong(parameterIndex, (Boolean) x ? 1 : 0);
        } else if (x instanceof BigDecimal) {
            setBigDecimal(parameterIndex, (BigDecimal) x);
        } else if (x instanceof BigInteger) {
            BigInteger b = (BigInteger) x;
            if (b.bitLength() < 64) {
                bindLong(parameterIndex, b.longValue());
            } else {
                bindText(parameterIndex, b.toString());
            }
        } else if (x instanceof byte[]) {
            bindBlob(parameterIndex, (byte[]) x);
        } else if (x instanceof java.util.Date) {
            bindTime(parameterIndex, (java.util.Date) x, null);
        } else if (x instanceof LocalDate) {
            bindText(parameterIndex, x.toString());
        } else if (x instanceof LocalTime) {
            bindText(parameterIndex, DateCodec.formatTime((LocalTime) x));
        } else if (x instanceof LocalDateTime) {
            bindText(parameterIndex, DateCodec.formatDateTime((LocalDateTime) x));
        } else if (x instanceof OffsetDateTime) {
            bindText(parameterIndex, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format((OffsetDateTime) x));
        } else if (x instanceof ZonedDateTime) {
            bindText(parameterIndex, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format((ZonedDateTime) x));
        } else if (x instanceof Instant) {
            bindText(parameterIndex, x.toString());
        } else if (x instanceof OffsetTime) {
            bindText(parameterIndex, DateTimeFormatter.ISO_OFFSET_TIME.format((OffsetTime) x));
        } else if (x instanceof UUID || x instanceof Character) {
            bindText(parameterIndex, x.toString());
        } else if (x instanceof Enum) {
            bindText(parameterIndex, ((Enum<?>) x).name());
        } else if (x instanceof Calendar) {
            bindTime(parameterIndex, ((Calendar) x).getTime(), (Calendar) x);
        } else if (x instanceof Blob) {
            setBlob(parameterIndex, (Blob) x);
        } else if (x instanceof Clob) {
            setClob(parameterIndex, (Clob) x);
        } else if (x instanceof InputStream) {
            setBinaryStream(parameterIndex, (InputStream) x);
        } else if (x instanceof Reader) {
            setCharacterStream(parameterIndex, (Reader) x);
        } else if (x instanceof ByteBuffer) {
            ByteBuffer bb = ((ByteBuffer) x).duplicate();
            byte[] b = new byte[bb.remaining()];
            bb.get(b);
            bindBlob(parameterIndex, b);
        } else if (x instanceof Number) {
            Number n = (Number) x;
            if (n.doubleValue() == n.longValue()) {
                bindLong(parameterIndex, n.longValue());
            } else {
                bindDouble(parameterIndex, n.doubleValue());
            }
        } else {
            index(parameterIndex);
            throw new SQLException(
                    "cannot bind " + x.getClass().getName() + " (parameter " + parameterIndex + ")", "22023");
        }
    }

    /** Converts the value to the storage the JDBC type implies, then binds it. */
    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
        setObject(parameterIndex, x, targetSqlType, -1);
    }

    /**
     * Converts the value to the storage the JDBC type implies (text types: TEXT; integer types:
     * INTEGER; floating types: REAL; DECIMAL/NUMERIC: rounded to {@code scaleOrLength} when it is
     * not negative; binary types: BLOB; BOOLEAN/BIT: 1/0), then binds it.
     */
    @Override
    public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        if (x == null || targetSqlType == Types.NULL) {
            bindNull(parameterIndex);
            return;
        }
        try {
            switch (targetSqlType) {
                case Types.CHAR:
                case Types.VARCHAR:
                case Types.LONGVARCHAR:
                case Types.NCHAR:
                case Types.NVARCHAR:
                case Types.LONGNVARCHAR:
                case Types.CLOB:
                case Types.NCLOB:
                    if (x instanceof Clob || x instanceof Reader) {
                        setObject(parameterIndex, x);
                    } else if (x instanceof byte[]) {
                        bindText(parameterIndex, new String((byte[]) x, StandardCharsets.UTF_8));
                    } else {
                        bindText(parameterIndex, x.toString());
                    }
                    return;
                case Types.TINYINT:
                case Types.SMALLINT:
                case Types.INTEGER:
                case Types.BIGINT:
                    if (x instanceof Boolean) {
                        bindLong(parameterIndex, (Boolean) x ? 1 : 0);
                    } else if (x instanceof BigDecimal) {
                        bindLong(
                                parameterIndex,
                                ((BigDecimal) x).setScale(0, RoundingMode.DOWN).longValueExact());
                    } else if (x instanceof BigInteger) {
                        bindLong(parameterIndex, ((BigInteger) x).longValueExact());
                    } else if (x instanceof Number) {
                        bindLong(parameterIndex, ((Number) x).longValue());
                    } else if (x instanceof String) {
                        bindLong(
                                parameterIndex,
                                new BigDecimal(((String) x).trim())
                                        .setScale(0, RoundingMode.DOWN)
                                        .longValueExact());
                    } else {
                        setObject(parameterIndex, x);
                    }
                    return;
                case Types.REAL:
                case Types.FLOAT:
                case Types.DOUBLE:
                    if (x instanceof Number) {
                        bindDouble(parameterIndex, ((Number) x).doubleValue());
                    } else if (x instanceof Boolean) {
                        bindDouble(parameterIndex, (Boolean) x ? 1 : 0);
                    } else if (x instanceof String) {
                        bindDouble(parameterIndex, Double.parseDouble(((String) x).trim()));
                    } else {
                        setObject(parameterIndex, x);
                    }
                    return;
                case Types.DECIMAL:
                case Types.NUMERIC:
                    BigDecimal d;
                    if (x instanceof BigDecimal) {
                        d = (BigDecimal) x;
                    } else if (x instanceof BigInteger) {
                        d = new BigDecimal((BigInteger) x);
                    } else if (x instanceof Double || x instanceof Float) {
                        d = BigDecimal.valueOf(((Number) x).doubleValue());
                    } else if (x instanceof Number) {
                        d = BigDecimal.valueOf(((Number) x).longValue());
                    } else if (x instanceof Boolean) {
                        d = (Boolean) x ? BigDecimal.ONE : BigDecimal.ZERO;
                    } else if (x instanceof String) {
                        d = new BigDecimal(((String) x).trim());
                    } else {
                        setObject(parameterIndex, x);
                        return;
                    }
                    setBigDecimal(
                            parameterIndex, scaleOrLength >= 0 ? d.setScale(scaleOrLength, RoundingMode.HALF_UP) : d);
                    return;
                case Types.BIT:
                case Types.BOOLEAN:
                    if (x instanceof Boolean) {
                        bindLong(parameterIndex, (Boolean) x ? 1 : 0);
                    } else if (x instanceof Number) {
                        bindLong(parameterIndex, ((Number) x).doubleValue() != 0 ? 1 : 0);
                    } else if (x instanceof String) {
                        String s = ((String) x).trim();
                        bindLong(
                                parameterIndex,
                                "true".equalsIgnoreCase(s)
                                                || (!"false".equalsIgnoreCase(s) && Double.parseDouble(s) != 0)
                                        ? 1
                                        : 0);
                    } else {
                        setObject(parameterIndex, x);
                    }
                    return;
                case Types.BINARY:
                case Types.VARBINARY:
                case Types.LONGVARBINARY:
                case Types.BLOB:
                    if (x instanceof String) {
                        bindBlob(parameterIndex, ((String) x).getBytes(StandardCharsets.UTF_8));
                    } else {
                        setObject(parameterIndex, x);
                    }
                    return;
                default:
                    setObject(parameterIndex, x);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            index(parameterIndex);
            throw new SQLDataException(
                    "cannot convert " + x.getClass().getSimpleName() + " '" + x + "' to JDBC type " + targetSqlType
                            + " (parameter " + parameterIndex + ")",
                    "22018",
                    e);
        }
    }

    /** Uses the type's vendor number as a {@link Types} code. */
    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
        setObject(parameterIndex, x, typeCode(targetSqlType), -1);
    }

    /** Uses the type's vendor number as a {@link Types} code. */
    @Override
    public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        setObject(parameterIndex, x, typeCode(targetSqlType), scaleOrLength);
    }

    private static int typeCode(SQLType type) {
        Integer code = type == null ? null : type.getVendorTypeNumber();
        return code == null ? Types.OTHER : code;
    }

    // --- streams and LOBs (read fully: SQLite values are written whole) --------------------

    private static byte[] readBytes(InputStream in, long length) throws SQLException {
        if (in == null) {
            return null;
        }
        try {
            if (length < 0) {
                return in.readAllBytes();
            }
            if (length > Integer.MAX_VALUE - 8) {
                throw new SQLException("stream length " + length + " exceeds 2 GiB", "22001");
            }
            return in.readNBytes((int) length);
        } catch (IOException | RuntimeException e) {
            // The application's stream failed: report it as the JDBC call's failure, cause kept.
            throw new SQLException("cannot read parameter stream: " + e, "HY000", e);
        }
    }

    private static String readChars(Reader in, long length) throws SQLException {
        if (in == null) {
            return null;
        }
        try {
            StringWriter w = new StringWriter();
            char[] chunk = new char[8192];
            long left = length < 0 ? Long.MAX_VALUE : length;
            while (left > 0) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    break;
                }
                w.write(chunk, 0, n);
                left -= n;
            }
            return w.toString();
        } catch (IOException | RuntimeException e) {
            throw new SQLException("cannot read parameter reader: " + e, "HY000", e);
        }
    }

    /** Reads {@code length} bytes and binds them as TEXT (ASCII is UTF-8). */
    @Override
    public void setAsciiStream(int parameterIndex, InputStream x, int length) throws SQLException {
        setAsciiStream(parameterIndex, x, (long) length);
    }

    /** Reads {@code length} bytes and binds them as TEXT. */
    @Override
    public void setAsciiStream(int parameterIndex, InputStream x, long length) throws SQLException {
        byte[] b = readBytes(x, length);
        bindText(parameterIndex, b == null ? null : new String(b, StandardCharsets.UTF_8));
    }

    /** Reads the stream fully and binds it as TEXT. */
    @Override
    public void setAsciiStream(int parameterIndex, InputStream x) throws SQLException {
        setAsciiStream(parameterIndex, x, -1L);
    }

    /** Not supported (HYC00): deprecated since JDBC 2. */
    @Override
    @Deprecated
    public void setUnicodeStream(int parameterIndex, InputStream x, int length) throws SQLException {
        throw ShmliteConnection.unsupported("setUnicodeStream");
    }

    /** Reads {@code length} bytes and binds them as BLOB. */
    @Override
    public void setBinaryStream(int parameterIndex, InputStream x, int length) throws SQLException {
        bindBlob(parameterIndex, readBytes(x, length));
    }

    /** Reads {@code length} bytes and binds them as BLOB. */
    @Override
    public void setBinaryStream(int parameterIndex, InputStream x, long length) throws SQLException {
        bindBlob(parameterIndex, readBytes(x, length));
    }

    /** Reads the stream fully and binds it as BLOB. */
    @Override
    public void setBinaryStream(int parameterIndex, InputStream x) throws SQLException {
        bindBlob(parameterIndex, readBytes(x, -1));
    }

    /** Reads {@code length} chars and binds them as TEXT. */
    @Override
    public void setCharacterStream(int parameterIndex, Reader reader, int length) throws SQLException {
        bindText(parameterIndex, readChars(reader, length));
    }

    /** Reads {@code length} chars and binds them as TEXT. */
    @Override
    public void setCharacterStream(int parameterIndex, Reader reader, long length) throws SQLException {
        bindText(parameterIndex, readChars(reader, length));
    }

    /** Reads the reader fully and binds it as TEXT. */
    @Override
    public void setCharacterStream(int parameterIndex, Reader reader) throws SQLException {
        bindText(parameterIndex, readChars(reader, -1));
    }

    /** Same as {@link #setCharacterStream(int, Reader, long)}. */
    @Override
    public void setNCharacterStream(int parameterIndex, Reader value, long length) throws SQLException {
        bindText(parameterIndex, readChars(value, length));
    }

    /** Same as {@link #setCharacterStream(int, Reader)}. */
    @Override
    public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
        bindText(parameterIndex, readChars(value, -1));
    }

    /** Binds the blob's bytes as BLOB. */
    @Override
    public void setBlob(int parameterIndex, Blob x) throws SQLException {
        if (x == null) {
            bindNull(parameterIndex);
        } else if (x instanceof ShmliteBlob) {
            bindBlob(parameterIndex, ((ShmliteBlob) x).toBytes());
        } else {
            long len = x.length();
            if (len > Integer.MAX_VALUE - 8) {
                throw new SQLException("blob length " + len + " exceeds 2 GiB", "22001");
            }
            bindBlob(parameterIndex, x.getBytes(1, (int) len));
        }
    }

    /** Reads {@code length} bytes and binds them as BLOB. */
    @Override
    public void setBlob(int parameterIndex, InputStream inputStream, long length) throws SQLException {
        bindBlob(parameterIndex, readBytes(inputStream, length));
    }

    /** Reads the stream fully and binds it as BLOB. */
    @Override
    public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
        bindBlob(parameterIndex, readBytes(inputStream, -1));
    }

    /** Binds the clob's text as TEXT. */
    @Override
    public void setClob(int parameterIndex, Clob x) throws SQLException {
        if (x == null) {
            bindNull(parameterIndex);
        } else if (x instanceof ShmliteClob) {
            bindText(parameterIndex, x.toString());
        } else {
            bindText(parameterIndex, readChars(x.getCharacterStream(), -1));
        }
    }

    /** Reads {@code length} chars and binds them as TEXT. */
    @Override
    public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
        bindText(parameterIndex, readChars(reader, length));
    }

    /** Reads the reader fully and binds it as TEXT. */
    @Override
    public void setClob(int parameterIndex, Reader reader) throws SQLException {
        bindText(parameterIndex, readChars(reader, -1));
    }

    /** Binds the clob's text as TEXT. */
    @Override
    public void setNClob(int parameterIndex, NClob value) throws SQLException {
        setClob(parameterIndex, value);
    }

    /** Reads {@code length} chars and binds them as TEXT. */
    @Override
    public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
        bindText(parameterIndex, readChars(reader, length));
    }

    /** Reads the reader fully and binds it as TEXT. */
    @Override
    public void setNClob(int parameterIndex, Reader reader) throws SQLException {
        bindText(parameterIndex, readChars(reader, -1));
    }

    /** Not supported (HYC00). */
    @Override
    public void setRef(int parameterIndex, Ref x) throws SQLException {
        throw ShmliteConnection.unsupported("setRef");
    }

    /** Not supported (HYC00): SQLite has no arrays. */
    @Override
    public void setArray(int parameterIndex, Array x) throws SQLException {
        throw ShmliteConnection.unsupported("setArray");
    }

    /** Not supported (HYC00). */
    @Override
    public void setRowId(int parameterIndex, RowId x) throws SQLException {
        throw ShmliteConnection.unsupported("setRowId");
    }

    /** Not supported (HYC00). */
    @Override
    public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
        throw ShmliteConnection.unsupported("setSQLXML");
    }

    // --- Statement methods that take SQL: not allowed here (JDBC) ----------------------------

    private static SQLException sqlNotAllowed(String method) {
        return new SQLException(method + "(String) cannot be called on a PreparedStatement", "HY000");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public boolean execute(String sql) throws SQLException {
        throw sqlNotAllowed("execute");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        throw sqlNotAllowed("execute");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        throw sqlNotAllowed("execute");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        throw sqlNotAllowed("execute");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        throw sqlNotAllowed("executeQuery");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public int executeUpdate(String sql) throws SQLException {
        throw sqlNotAllowed("executeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        throw sqlNotAllowed("executeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        throw sqlNotAllowed("executeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        throw sqlNotAllowed("executeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        throw sqlNotAllowed("executeLargeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        throw sqlNotAllowed("executeLargeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        throw sqlNotAllowed("executeLargeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        throw sqlNotAllowed("executeLargeUpdate");
    }

    /** Not allowed on a PreparedStatement (JDBC): throws. */
    @Override
    public void addBatch(String sql) throws SQLException {
        throw sqlNotAllowed("addBatch");
    }

    /** The SQL of this statement. */
    @Override
    public String toString() {
        return "ShmlitePreparedStatement[" + sql + "]";
    }
}
