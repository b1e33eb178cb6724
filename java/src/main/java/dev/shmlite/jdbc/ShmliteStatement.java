package dev.shmlite.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A statement: each {@code execute} prepares its SQL through the connection's statement cache
 * and runs it in one native call that also returns the first rows. SQL holding several
 * statements runs as a script (rows discarded, total changes as the update count).
 *
 * <p>Result sets are forward-only and read-only. All native calls happen under the connection
 * lock; {@link #cancel()} deliberately does not take it, as the running statement holds it.
 *
 * <p>Generated keys are the rowids of the rows an INSERT or REPLACE inserted, one row per
 * execution (or per batch entry) that changed rows, whether or not keys were requested.
 */
public class ShmliteStatement implements Statement {
    static final int DEFAULT_OUT_SIZE = 64 * 1024;
    private static final byte[] NO_PARAMS = new byte[0];

    static final int MODE_EXECUTE = 0;
    static final int MODE_QUERY = 1;
    static final int MODE_UPDATE = 2;

    final ShmliteConnection conn;
    final Object lock;

    /** Out buffer, allocated at the first execution and reused; result sets may grow it. */
    byte[] out;
    /** Current result set (open) or null. */
    ShmliteResultSet resultSet;
    long updateCount = -1;
    volatile boolean closed;

    int queryTimeout;
    int maxRows;
    int fetchSize;
    int maxFieldSize;
    boolean closeOnCompletion;
    boolean poolable;

    private int[] offsets;
    /** Rowids of the rows inserted by the last execution (reused array). */
    long[] keyRowids = new long[1];
    int keyCount;
    /** Label of the generated key column. */
    String keyLabel;

    // Plain-statement state: the native statement of the current execution and its metadata.
    private final int[] info = new int[4];
    private long handle;
    private ShmliteResultSetMetaData handleMeta;
    private List<String> batch;

    ShmliteStatement(ShmliteConnection conn) {
        this.conn = conn;
        this.lock = conn.lock();
    }

    // --- shared machinery ----------------------------------------------------------------------

    static SQLException closedStatement() {
        return new SQLException("statement is closed", "HY010");
    }

    /** The live session; the caller holds the lock. */
    final long session() throws SQLException {
        if (closed) {
            throw closedStatement();
        }
        return conn.session();
    }

    final void checkOpen() throws SQLException {
        if (closed) {
            throw closedStatement();
        }
        if (conn.isClosed()) {
            throw ShmliteConnection.closedException();
        }
    }

    final int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, queryTimeout * 1000L);
    }

    final byte[] out() {
        if (out == null) {
            out = new byte[DEFAULT_OUT_SIZE];
        }
        return out;
    }

    /**
     * Ends the previous execution: closes its result set, releases its native statement, forgets
     * its update count. The caller holds the lock.
     */
    void clearResults(boolean keys) throws SQLException {
        ShmliteResultSet rs = resultSet;
        resultSet = null;
        updateCount = -1;
        if (keys) {
            keyCount = 0;
        }
        SQLException failure = null;
        if (rs != null) {
            try {
                rs.closeFromStatement();
            } catch (SQLException e) {
                failure = e;
            }
        }
        releaseExecution();
        if (failure != null) {
            throw failure;
        }
    }

    /** Releases the native statement of the last plain execution; prepared statements keep theirs. */
    void releaseExecution() throws SQLException {
        long h = handle;
        if (h != 0) {
            handle = 0;
            handleMeta = null;
            long s = conn.sessionForCleanup();
            if (s != 0) {
                Native.release(s, h);
            }
        }
    }

    /** Called by a result set the application closed. The caller holds the lock. */
    void resultSetClosed(ShmliteResultSet rs) throws SQLException {
        if (rs != resultSet) {
            return;
        }
        resultSet = null;
        releaseExecution();
        if (closeOnCompletion) {
            close();
        }
    }

    /** Metadata of the current execution's columns (cached per native statement). */
    ShmliteResultSetMetaData resultMetaData() throws SQLException {
        synchronized (lock) {
            if (handleMeta == null) {
                if (handle == 0) {
                    throw new SQLException("no result set metadata: the statement has no current result", "HY010");
                }
                handleMeta = new ShmliteResultSetMetaData(Native.columns(session(), handle));
            }
            return handleMeta;
        }
    }

    /**
     * Interprets the out buffer after an execute. Row-returning statements become the current
     * result set (executeUpdate ends them instead); others set the update count and record the
     * rowid of an insert as its generated key.
     */
    final boolean afterExecute(long s, long h, int columns, boolean insert, int mode) throws SQLException {
        byte[] o = out;
        int flags = Wire.getInt(o, Native.OFF_FLAGS);
        if ((flags & Native.FLAG_RESULT_SET) != 0) {
            if (mode == MODE_UPDATE) {
                // executeUpdate on a row-returning statement (e.g. INSERT … RETURNING): its changes
                // are known only when all rows fitted; otherwise end it and count 0.
                if ((flags & Native.FLAG_DONE) == 0) {
                    Native.reset(s, h);
                    updateCount = 0;
                    return false;
                }
            } else {
                resultSet = new ShmliteResultSet(this, h, columns, o, maxRows);
                return true;
            }
        }
        if (mode == MODE_QUERY) {
            throw new SQLException("query does not return a result set", "HY000");
        }
        long changes = Wire.getLong(o, Native.OFF_CHANGES);
        updateCount = changes;
        if (insert && changes > 0) {
            addKey(Wire.getLong(o, Native.OFF_LAST_ROWID));
        }
        return false;
    }

    /** Column offsets of the current row, shared by this statement's successive result sets. */
    final int[] rowOffsets(int columns) {
        if (offsets == null || offsets.length < columns) {
            offsets = new int[columns];
        }
        return offsets;
    }

    final void addKey(long rowid) {
        if (keyCount == keyRowids.length) {
            keyRowids = Arrays.copyOf(keyRowids, keyCount * 2);
        }
        keyRowids[keyCount++] = rowid;
    }

    static int clamp(long v) {
        return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : v < Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) v;
    }

    static int[] clamp(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = clamp(v[i]);
        }
        return r;
    }

    /** A BatchUpdateException that keeps the native exception reachable for translators. */
    static BatchUpdateException batchFailure(SQLException e, long[] completed) {
        BatchUpdateException bue = new BatchUpdateException(e.getMessage(), e.getSQLState(), e.getErrorCode(),
                completed, e);
        bue.setNextException(e);
        return bue;
    }

    /** True if the SQL's first keyword is INSERT or REPLACE (skipping whitespace and comments). */
    static boolean isInsert(byte[] sql) {
        int i = skipTrivia(sql, 0);
        return keyword(sql, i, "INSERT") || keyword(sql, i, "REPLACE");
    }

    private static boolean keyword(byte[] sql, int i, String word) {
        int n = word.length();
        if (i + n > sql.length) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (Character.toUpperCase((char) sql[i + k]) != word.charAt(k)) {
                return false;
            }
        }
        return i + n == sql.length || !Character.isLetterOrDigit((char) (sql[i + n] & 0xFF)) && sql[i + n] != '_';
    }

    /** Offset of the first byte at or after {@code i} that is not whitespace, ';' or a comment. */
    static int skipTrivia(byte[] sql, int i) {
        int n = sql.length;
        while (i < n) {
            byte b = sql[i];
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == ';') {
                i++;
            } else if (b == '-' && i + 1 < n && sql[i + 1] == '-') {
                while (i < n && sql[i] != '\n') {
                    i++;
                }
            } else if (b == '/' && i + 1 < n && sql[i + 1] == '*') {
                int end = i + 2;
                while (end + 1 < n && !(sql[end] == '*' && sql[end + 1] == '/')) {
                    end++;
                }
                i = end + 1 < n ? end + 2 : n;
            } else {
                return i;
            }
        }
        return n;
    }

    // --- execution -----------------------------------------------------------------------------

    private boolean run(String sql, int mode, String keyName) throws SQLException {
        if (sql == null) {
            throw new SQLException("sql is null", "HY009");
        }
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            long s = session();
            clearResults(true);
            keyLabel = keyName;
            long h = Native.prepare(s, bytes, info);
            if (h == 0) {
                if (mode == MODE_QUERY) {
                    throw new SQLException("empty statement: no query to run", "42000");
                }
                updateCount = 0;
                return false;
            }
            int tail = info[Native.INFO_TAIL];
            if (tail < bytes.length && skipTrivia(bytes, tail) < bytes.length) {
                Native.release(s, h);
                if (mode == MODE_QUERY) {
                    throw new SQLException("executeQuery takes one statement, but more SQL follows: "
                            + new String(bytes, tail, bytes.length - tail, StandardCharsets.UTF_8).trim(), "42000");
                }
                updateCount = Native.executeScript(s, bytes, timeoutMillis());
                return false;
            }
            int columns = info[Native.INFO_COLUMNS];
            if (mode == MODE_QUERY && columns == 0) {
                Native.release(s, h);
                throw new SQLException("query does not return a result set: " + sql, "HY000");
            }
            handle = h;
            // '?' in a plain statement binds NULL, as in sqlite3_exec: a zeroed buffer is all NULL tags.
            int params = info[Native.INFO_PARAMS];
            byte[] nulls = params == 0 ? NO_PARAMS : new byte[params];
            boolean ok = false;
            try {
                Native.execute(s, h, nulls, params, out(), timeoutMillis());
                boolean rows = afterExecute(s, h, columns, isInsert(bytes), mode);
                ok = true;
                if (!rows) {
                    releaseExecution();
                }
                return rows;
            } finally {
                if (!ok) {
                    releaseExecution();
                }
            }
        }
    }

    /** Runs {@code sql}; true when it returns rows (see {@link #getResultSet()}). */
    @Override
    public boolean execute(String sql) throws SQLException {
        return run(sql, MODE_EXECUTE, null);
    }

    /** Runs {@code sql}; generated keys are the rowids of inserted rows. */
    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return run(sql, MODE_EXECUTE, null);
    }

    /** Runs {@code sql}; generated keys are the rowids of inserted rows. */
    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return run(sql, MODE_EXECUTE, null);
    }

    /** Runs {@code sql}; generated keys are the rowids of inserted rows, labelled with the first name. */
    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return run(sql, MODE_EXECUTE, firstName(columnNames));
    }

    static String firstName(String[] names) {
        return names != null && names.length > 0 ? names[0] : null;
    }

    /** Runs a query (one statement that returns rows). */
    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        synchronized (lock) {
            run(sql, MODE_QUERY, null);
            return resultSet;
        }
    }

    /** Runs {@code sql} and returns the number of changed rows (0 for DDL and queries). */
    @Override
    public int executeUpdate(String sql) throws SQLException {
        return clamp(executeLargeUpdate(sql));
    }

    /** Like {@link #executeUpdate(String)}, with generated keys. */
    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return clamp(executeLargeUpdate(sql, autoGeneratedKeys));
    }

    /** Like {@link #executeUpdate(String)}, with generated keys. */
    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return clamp(executeLargeUpdate(sql, columnIndexes));
    }

    /** Like {@link #executeUpdate(String)}, with generated keys. */
    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return clamp(executeLargeUpdate(sql, columnNames));
    }

    /** Runs {@code sql} and returns the number of changed rows. */
    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return update(sql, null);
    }

    /** Like {@link #executeLargeUpdate(String)}, with generated keys. */
    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return update(sql, null);
    }

    /** Like {@link #executeLargeUpdate(String)}, with generated keys. */
    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return update(sql, null);
    }

    /** Like {@link #executeLargeUpdate(String)}, with generated keys. */
    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        return update(sql, firstName(columnNames));
    }

    private long update(String sql, String keyName) throws SQLException {
        synchronized (lock) {
            run(sql, MODE_UPDATE, keyName);
            return updateCount;
        }
    }

    /** The current result set, or null when the last execution returned none. */
    @Override
    public ResultSet getResultSet() throws SQLException {
        synchronized (lock) {
            checkOpen();
            return resultSet;
        }
    }

    /** The update count of the last execution, -1 when it returned rows or after {@link #getMoreResults()}. */
    @Override
    public int getUpdateCount() throws SQLException {
        return clamp(getLargeUpdateCount());
    }

    /** Like {@link #getUpdateCount()}. */
    @Override
    public long getLargeUpdateCount() throws SQLException {
        synchronized (lock) {
            checkOpen();
            return updateCount;
        }
    }

    /** Closes the current result set; there is never another result: returns false, update count -1. */
    @Override
    public boolean getMoreResults() throws SQLException {
        return getMoreResults(CLOSE_CURRENT_RESULT);
    }

    /** Like {@link #getMoreResults()}; every mode closes the current result set. */
    @Override
    public boolean getMoreResults(int current) throws SQLException {
        synchronized (lock) {
            checkOpen();
            clearResults(false);
            return false;
        }
    }

    /**
     * One row per row inserted by the last execution (or batch), holding its rowid as a Long;
     * empty when nothing was inserted. Never null.
     */
    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        synchronized (lock) {
            checkOpen();
            List<Object[]> rows = new ArrayList<>(keyCount);
            for (int i = 0; i < keyCount; i++) {
                rows.add(new Object[] {keyRowids[i]});
            }
            String label = keyLabel != null ? keyLabel : "GENERATED_KEY";
            ShmliteResultSetMetaData meta = new ShmliteResultSetMetaData(new String[] {label, label, "INTEGER", null});
            return new ShmliteResultSet(this, conn, Wire.resultBuffer(rows), meta);
        }
    }

    // --- batch ---------------------------------------------------------------------------------

    /** Adds SQL (possibly a script) to the batch. */
    @Override
    public void addBatch(String sql) throws SQLException {
        if (sql == null) {
            throw new SQLException("sql is null", "HY009");
        }
        synchronized (lock) {
            checkOpen();
            if (batch == null) {
                batch = new ArrayList<>();
            }
            batch.add(sql);
        }
    }

    /** Empties the batch. */
    @Override
    public void clearBatch() throws SQLException {
        synchronized (lock) {
            checkOpen();
            if (batch != null) {
                batch.clear();
            }
        }
    }

    /** Runs each batched SQL as a script; counts are each script's total changes. */
    @Override
    public int[] executeBatch() throws SQLException {
        return clamp(executeLargeBatch());
    }

    /**
     * Like {@link #executeBatch()}. On failure throws {@link BatchUpdateException} with the counts
     * of the SQL that completed; the batch is emptied either way.
     */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        synchronized (lock) {
            long s = session();
            clearResults(true);
            if (batch == null || batch.isEmpty()) {
                return new long[0];
            }
            long[] counts = new long[batch.size()];
            int i = 0;
            try {
                for (; i < counts.length; i++) {
                    byte[] bytes = batch.get(i).getBytes(StandardCharsets.UTF_8);
                    counts[i] = Native.executeScript(s, bytes, timeoutMillis());
                    if (counts[i] > 0 && isInsert(bytes)) {
                        addKey(lastInsertRowid(s));
                    }
                }
                return counts;
            } catch (SQLException e) {
                throw batchFailure(e, Arrays.copyOf(counts, i));
            } finally {
                batch.clear();
            }
        }
    }

    private long lastInsertRowid(long s) throws SQLException {
        // executeScript does not report the rowid: ask SQLite (cheap, statement cache).
        byte[] sql = "SELECT last_insert_rowid()".getBytes(StandardCharsets.US_ASCII);
        long h = Native.prepare(s, sql, info);
        try {
            byte[] o = out();
            Native.execute(s, h, NO_PARAMS, 0, o, 0);
            if ((Wire.getInt(o, Native.OFF_FLAGS) & Native.FLAG_DONE) == 0) {
                Native.reset(s, h);
            }
            // one INTEGER column: tag at HEADER, value after it
            return Wire.getLong(o, Native.HEADER + 1);
        } finally {
            Native.release(s, h);
        }
    }

    // --- settings ------------------------------------------------------------------------------

    /** Interrupts the statement running on this statement's connection (not taking its lock). */
    @Override
    public void cancel() throws SQLException {
        checkOpen();
        conn.cancelRunning();
    }

    /** Seconds before a running execution is interrupted; 0 for none. */
    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        if (seconds < 0) {
            throw new SQLException("query timeout must not be negative: " + seconds, "HY024");
        }
        synchronized (lock) {
            checkOpen();
            queryTimeout = seconds;
        }
    }

    /** The query timeout in seconds. */
    @Override
    public int getQueryTimeout() throws SQLException {
        checkOpen();
        return queryTimeout;
    }

    /** Limits result sets to {@code max} rows (0: no limit). */
    @Override
    public void setMaxRows(int max) throws SQLException {
        setLargeMaxRows(max);
    }

    /** The row limit (0: none). */
    @Override
    public int getMaxRows() throws SQLException {
        checkOpen();
        return maxRows;
    }

    /** Limits result sets to {@code max} rows (0: no limit; values beyond int range mean no limit). */
    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        if (max < 0) {
            throw new SQLException("max rows must not be negative: " + max, "HY024");
        }
        synchronized (lock) {
            checkOpen();
            maxRows = max > Integer.MAX_VALUE ? 0 : (int) max;
        }
    }

    /** The row limit (0: none). */
    @Override
    public long getLargeMaxRows() throws SQLException {
        return getMaxRows();
    }

    /** Stored only: rows come in buffers sized by bytes, not rows. */
    @Override
    public void setFetchSize(int rows) throws SQLException {
        if (rows < 0) {
            throw new SQLException("fetch size must not be negative: " + rows, "HY024");
        }
        checkOpen();
        fetchSize = rows;
    }

    /** The stored fetch size. */
    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize;
    }

    /** Only FETCH_FORWARD is supported (HYC00 otherwise). */
    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD) {
            throw new SQLFeatureNotSupportedException("only FETCH_FORWARD is supported (got " + direction + ")",
                    "HYC00");
        }
    }

    /** Always FETCH_FORWARD. */
    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return ResultSet.FETCH_FORWARD;
    }

    /** Stored only. */
    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        if (max < 0) {
            throw new SQLException("max field size must not be negative: " + max, "HY024");
        }
        checkOpen();
        maxFieldSize = max;
    }

    /** The stored max field size. */
    @Override
    public int getMaxFieldSize() throws SQLException {
        checkOpen();
        return maxFieldSize;
    }

    /** No-op: there are no JDBC escapes to process. */
    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        checkOpen();
    }

    /** Not supported (HYC00): no positioned updates. */
    @Override
    public void setCursorName(String name) throws SQLException {
        throw ShmliteConnection.unsupported("setCursorName");
    }

    /** Always null. */
    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return null;
    }

    /** Nothing to clear. */
    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
    }

    /** The owning connection. */
    @Override
    public Connection getConnection() throws SQLException {
        checkOpen();
        return conn;
    }

    /** Always CONCUR_READ_ONLY. */
    @Override
    public int getResultSetConcurrency() throws SQLException {
        checkOpen();
        return ResultSet.CONCUR_READ_ONLY;
    }

    /** Always TYPE_FORWARD_ONLY. */
    @Override
    public int getResultSetType() throws SQLException {
        checkOpen();
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    /** The connection's holdability. */
    @Override
    public int getResultSetHoldability() throws SQLException {
        checkOpen();
        return conn.holdabilityMirror();
    }

    /** Closes the statement when its result set is closed. */
    @Override
    public void closeOnCompletion() throws SQLException {
        checkOpen();
        closeOnCompletion = true;
    }

    /** Whether {@link #closeOnCompletion()} was called. */
    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        checkOpen();
        return closeOnCompletion;
    }

    /** Stored only. */
    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        checkOpen();
        this.poolable = poolable;
    }

    /** The stored poolable hint. */
    @Override
    public boolean isPoolable() throws SQLException {
        checkOpen();
        return poolable;
    }

    /** True after close, or once the connection is closed. */
    @Override
    public boolean isClosed() {
        return closed || conn.isClosed();
    }

    /** Closes the current result set and releases the native statement. Idempotent. */
    @Override
    public void close() throws SQLException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                clearResults(true);
                releaseStatement();
            } finally {
                conn.unregister(this);
            }
        }
    }

    /** Releases a prepared statement's own native handle; nothing for a plain statement. */
    void releaseStatement() throws SQLException {}

    /** Unwraps to this statement. */
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
}
