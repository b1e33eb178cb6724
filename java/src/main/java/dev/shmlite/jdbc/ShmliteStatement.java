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
 * <p>Generated keys are prepared for and collected by {@link GeneratedKeys}; the few SQL scans
 * the driver makes itself are {@link SqlLexer}'s.
 */
public class ShmliteStatement implements Statement {
    /** Largest buffer a result set grows to for throughput (bigger only for a row that needs it). */
    static final int DEFAULT_OUT_SIZE = 64 * 1024;
    /** First size of a statement's own buffer: most results fit, and statements are made per call. */
    static final int FIRST_OUT_SIZE = 8 * 1024;

    private static final byte[] NO_PARAMS = new byte[0];

    static final int MODE_EXECUTE = 0;
    static final int MODE_QUERY = 1;
    static final int MODE_UPDATE = 2;

    final ShmliteConnection conn;
    final Object lock;

    /**
     * The statement's own out buffer, read by its result sets after the call that filled it;
     * allocated at the first row-returning execution and reused, result sets may grow it.
     */
    byte[] out;
    /** The buffer of the native call in progress: {@link #out}, or the connection's scratch buffer. */
    private byte[] callBuf;

    private boolean callScratch;
    /** Current result set (open) or null. */
    ShmliteResultSet resultSet;

    long updateCount = -1;
    volatile boolean closed;

    int queryTimeout;

    /** Source of {@link #id}. */
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Names this statement's native calls (never 0): {@link #cancel()} passes it, and the core
     * interrupts the running call only when it belongs to this statement (issue 12 item 9).
     */
    final long id = IDS.incrementAndGet();

    int maxRows;
    int fetchSize;
    int maxFieldSize;
    boolean closeOnCompletion;
    boolean poolable;

    private int[] offsets;
    /** How the current (prepared: every) execution produces keys, and the keys of the last one. */
    final GeneratedKeys keys = new GeneratedKeys();

    // Plain-statement state: the native statement of the current execution and its metadata.
    private final int[] info = new int[Native.INFO_SIZE];
    private long handle;
    private ShmliteResultSetMetaData handleMeta;
    private long handleColumnsId;
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

    /**
     * Starts a native call and returns its out buffer. Rows that a result set reads after the
     * call need the statement's own buffer; everything else (update counts, keys drained during
     * the call, batch counts) uses the connection's scratch buffer, so the statement a framework
     * makes for each update allocates nothing. The caller holds the lock and calls
     * {@link #endCall()} in a finally block.
     */
    final byte[] beginCall(boolean rowsOutliveCall) {
        if (rowsOutliveCall) {
            if (out == null) {
                out = new byte[FIRST_OUT_SIZE];
            }
            callScratch = false;
            callBuf = out;
        } else {
            callScratch = true;
            callBuf = conn.takeScratch();
        }
        return callBuf;
    }

    /** Replaces the call's buffer with a larger one (the statement's own buffer too, when it is that). */
    final byte[] growCall(int size) {
        byte[] bigger = new byte[size];
        if (!callScratch) {
            out = bigger;
        }
        return callBuf = bigger;
    }

    /** The buffer of the call in progress (after a possible {@link #growCall}). */
    final byte[] callBuffer() {
        return callBuf;
    }

    /** Ends the native call: a scratch buffer (maybe grown) goes back to the connection. */
    final void endCall() {
        if (callScratch) {
            conn.giveScratch(callBuf);
            callScratch = false;
        }
        callBuf = null;
    }

    /**
     * True when an execution in {@code mode} of a statement with {@code columns} result columns
     * leaves rows for a result set to read after the call (see {@link #afterExecute}).
     */
    final boolean rowsOutliveCall(int columns, int mode) {
        return columns > 0 && mode != MODE_UPDATE && (!keys.fromRows() || mode == MODE_QUERY);
    }

    /**
     * Ends the previous execution: closes its result set, releases its native statement, forgets
     * its update count. The caller holds the lock.
     */
    void clearResults(boolean forgetKeys) throws SQLException {
        ShmliteResultSet rs = resultSet;
        resultSet = null;
        updateCount = -1;
        if (forgetKeys) {
            keys.clear();
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

    /**
     * SQLite recompiled the statement {@code h} during the execute (a schema change) and its
     * columns changed: forget the old description; returns the new column count.
     */
    int columnsChanged(long s, long h) throws SQLException {
        Native.describe(s, h, info);
        handleColumnsId = Native.columnsId(info);
        handleMeta = null;
        return info[Native.INFO_COLUMNS];
    }

    /** Metadata of the current execution's columns (cached per native statement). */
    ShmliteResultSetMetaData resultMetaData() throws SQLException {
        synchronized (lock) {
            if (handleMeta == null) {
                if (handle == 0) {
                    throw new SQLException("no result set metadata: the statement has no current result", "HY010");
                }
                handleMeta = conn.columnsOf(handle, handleColumnsId);
            }
            return handleMeta;
        }
    }

    /**
     * Interprets the out buffer after an execute. Row-returning statements become the current
     * result set, except that key rows are drained into the generated keys and executeUpdate
     * runs a writing statement (INSERT … RETURNING) to its end for its count; others set the
     * update count and, when keys were not requested, record the rowid of an insert.
     */
    final boolean afterExecute(long s, long h, int columns, boolean insert, boolean readOnly, int mode)
            throws SQLException {
        byte[] o = callBuf;
        int flags = Wire.getInt(o, Native.OFF_FLAGS);
        if ((flags & Native.FLAG_COLUMNS_CHANGED) != 0) {
            columns = columnsChanged(s, h);
        }
        if ((flags & Native.FLAG_RESULT_SET) != 0) {
            if (keys.fromRows() && mode != MODE_QUERY) {
                updateCount = drain(s, h, true);
                return false;
            }
            if (mode == MODE_UPDATE) {
                if (readOnly) {
                    // a query run through executeUpdate changes nothing: end it instead of reading it all
                    if ((flags & Native.FLAG_DONE) == 0) {
                        Native.reset(s, h);
                    }
                    updateCount = 0;
                } else {
                    // INSERT … RETURNING: the count is in the header of its last batch of rows
                    updateCount = drain(s, h, false);
                }
                return false;
            }
            if (callScratch) {
                // rowsOutliveCall said otherwise: a result set over the shared scratch buffer would be overwritten
                throw new IllegalStateException("result rows in the scratch buffer");
            }
            resultSet = new ShmliteResultSet(this, h, columns, o, maxRows);
            return true;
        }
        if (mode == MODE_QUERY) {
            throw new SQLException("query does not return a result set", "HY000");
        }
        long changes = Wire.getLong(o, Native.OFF_CHANGES);
        updateCount = changes;
        if (keys.fromLastRowid() && insert && changes > 0) {
            keys.add(Wire.getLong(o, Native.OFF_LAST_ROWID));
        }
        return false;
    }

    /**
     * Reads a row-returning execution to its end, keeping its rows as generated keys when
     * {@code keep}; returns the update count from the final header. The caller holds the lock.
     */
    final long drain(long s, long h, boolean keep) throws SQLException {
        while (true) {
            byte[] o = callBuf;
            int flags = Wire.getInt(o, Native.OFF_FLAGS);
            int rows = Wire.getInt(o, Native.OFF_ROWS);
            if (keep && rows > 0) {
                keys.addRows(o, Native.HEADER, Wire.getInt(o, Native.OFF_END) - Native.HEADER, rows);
            }
            if ((flags & Native.FLAG_DONE) != 0) {
                return Wire.getLong(o, Native.OFF_CHANGES);
            }
            if ((flags & Native.FLAG_NEED_SPACE) != 0) {
                o = growCall(Wire.neededSpace(o));
            }
            Native.fetch(s, id, h, o);
        }
    }

    /** Column offsets of the current row, shared by this statement's successive result sets. */
    final int[] rowOffsets(int columns) {
        if (offsets == null || offsets.length < columns) {
            offsets = new int[columns];
        }
        return offsets;
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

    /** SQLState of a query in a batch: ISO SQL's "cursor specification cannot be executed". */
    static final String QUERY_IN_BATCH = "07003";

    /**
     * The error for a batch command that is a query: JDBC requires BatchUpdateException when a
     * batched command returns a result set (its rows would be lost).
     */
    static SQLException queryInBatch(int command) {
        return new SQLException(
                "batch command " + (command + 1) + " is a query (it returns a result set);"
                        + " use executeQuery for it",
                QUERY_IN_BATCH);
    }

    /**
     * Throws {@link #queryInBatch} when the first statement of batched SQL is a query: it
     * returns rows and changes nothing (a SELECT, VALUES, a reading PRAGMA). An INSERT with its
     * own RETURNING still runs. Only the first statement is checked: later statements of a
     * script may need the earlier ones to have run before they can even be prepared.
     */
    /**
     * Runs one command of a {@code Statement} batch and returns its total changes, preparing its
     * first statement once (through the statement cache): a query is refused (07003); a single
     * statement that may write runs as a one-row batch of that handle ({@code ?} binds NULL, as in
     * a script). SQL with more statements after the first, and a transaction-control statement
     * (read-only without columns: its commit must notify like a script's), run as a script, as
     * before. No keys: a script reports no rowid, and asking would cost a query per insert.
     */
    private long batchCommand(long s, byte[] sql, int command) throws SQLException {
        long h = Native.prepare(s, id, sql, info);
        int tail = info[Native.INFO_TAIL];
        boolean more = tail < sql.length && SqlLexer.skipTrivia(sql, tail) < sql.length;
        if (h == 0) {
            return more ? Native.executeScript(s, id, sql, timeoutMillis()) : 0;
        }
        boolean readOnly = info[Native.INFO_READONLY] != 0;
        if (more || readOnly) {
            Native.release(s, h);
            if (info[Native.INFO_COLUMNS] > 0 && readOnly) {
                throw queryInBatch(command);
            }
            return Native.executeScript(s, id, sql, timeoutMillis());
        }
        int params = info[Native.INFO_PARAMS];
        byte[] o = beginCall(false);
        try {
            if (o.length < Native.HEADER + 16) {
                o = growCall(Native.HEADER + 16);
            }
            Native.executeBatch(s, id, h, params == 0 ? NO_PARAMS : new byte[params], params, 1, o, timeoutMillis());
            return Wire.getLong(o, Native.HEADER);
        } finally {
            endCall();
            Native.release(s, h);
        }
    }

    /** A BatchUpdateException that keeps the native exception reachable for translators. */
    static BatchUpdateException batchFailure(SQLException e, long[] completed) {
        BatchUpdateException bue =
                new BatchUpdateException(e.getMessage(), e.getSQLState(), e.getErrorCode(), completed, e);
        bue.setNextException(e);
        return bue;
    }

    /** Metadata of the current key rows. */
    ShmliteResultSetMetaData keyMetaData() throws SQLException {
        return keys.metaData();
    }

    // --- execution -----------------------------------------------------------------------------

    private boolean run(String sql, int mode, GeneratedKeys.Request request) throws SQLException {
        if (sql == null) {
            throw new SQLException("sql is null", "HY009");
        }
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            long s = session();
            clearResults(true);
            long h = keys.prepare(s, id, bytes, mode == MODE_QUERY ? GeneratedKeys.Request.NONE : request, info);
            if (h == 0) {
                if (mode == MODE_QUERY) {
                    throw new SQLException("empty statement: no query to run", "42000");
                }
                updateCount = 0;
                return false;
            }
            int tail = info[Native.INFO_TAIL];
            if (tail < bytes.length && SqlLexer.skipTrivia(bytes, tail) < bytes.length) {
                Native.release(s, h);
                if (mode == MODE_QUERY) {
                    throw new SQLException(
                            "executeQuery takes one statement, but more SQL follows: "
                                    + new String(bytes, tail, bytes.length - tail, StandardCharsets.UTF_8).trim(),
                            "42000");
                }
                keys.none(); // a script: no keys (executeScript reports no rowid)
                updateCount = Native.executeScript(s, id, bytes, timeoutMillis());
                return false;
            }
            int columns = info[Native.INFO_COLUMNS];
            if (mode == MODE_QUERY && columns == 0) {
                Native.release(s, h);
                throw new SQLException("query does not return a result set: " + sql, "HY000");
            }
            handle = h;
            handleColumnsId = Native.columnsId(info);
            // '?' in a plain statement binds NULL, as in sqlite3_exec: a zeroed buffer is all NULL tags.
            int params = info[Native.INFO_PARAMS];
            byte[] nulls = params == 0 ? NO_PARAMS : new byte[params];
            boolean ok = false;
            try {
                Native.execute(s, id, h, nulls, params, beginCall(rowsOutliveCall(columns, mode)), timeoutMillis());
                if (keys.fromRows()) {
                    keys.describe(Native.columns(s, h)); // the handle is released below
                }
                boolean rows =
                        afterExecute(s, h, columns, SqlLexer.isInsert(bytes), info[Native.INFO_READONLY] != 0, mode);
                ok = true;
                if (!rows) {
                    releaseExecution();
                }
                return rows;
            } finally {
                endCall();
                if (!ok) {
                    releaseExecution();
                }
            }
        }
    }

    /** Runs {@code sql}; true when it returns rows (see {@link #getResultSet()}). */
    @Override
    public boolean execute(String sql) throws SQLException {
        return run(sql, MODE_EXECUTE, GeneratedKeys.Request.NONE);
    }

    /**
     * Runs {@code sql}; with {@link Statement#RETURN_GENERATED_KEYS}, an INSERT or REPLACE gives
     * the rowid of each inserted row as its generated key (see the class comment).
     */
    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return run(sql, MODE_EXECUTE, GeneratedKeys.Request.of(autoGeneratedKeys));
    }

    /** Runs {@code sql}; an INSERT or REPLACE gives the columns at these indexes of each inserted row as keys. */
    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return run(sql, MODE_EXECUTE, GeneratedKeys.Request.of(columnIndexes));
    }

    /** Runs {@code sql}; an INSERT or REPLACE gives these columns of each inserted row as keys. */
    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return run(sql, MODE_EXECUTE, GeneratedKeys.Request.of(columnNames));
    }

    /** Runs a query (one statement that returns rows). */
    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        synchronized (lock) {
            run(sql, MODE_QUERY, GeneratedKeys.Request.NONE);
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
        return update(sql, GeneratedKeys.Request.NONE);
    }

    /** Like {@link #executeLargeUpdate(String)}, with generated keys (see {@link #execute(String, int)}). */
    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return update(sql, GeneratedKeys.Request.of(autoGeneratedKeys));
    }

    /** Like {@link #executeLargeUpdate(String)}, with generated keys (see {@link #execute(String, int[])}). */
    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return update(sql, GeneratedKeys.Request.of(columnIndexes));
    }

    /** Like {@link #executeLargeUpdate(String)}, with generated keys (see {@link #execute(String, String[])}). */
    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        return update(sql, GeneratedKeys.Request.of(columnNames));
    }

    private long update(String sql, GeneratedKeys.Request request) throws SQLException {
        synchronized (lock) {
            run(sql, MODE_UPDATE, request);
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

    /**
     * Like {@link #getMoreResults()}; every mode closes the current result set (there is never a
     * next one to keep it open for). A value other than CLOSE_CURRENT_RESULT, KEEP_CURRENT_RESULT
     * or CLOSE_ALL_RESULTS fails with SQLState HY024.
     */
    @Override
    public boolean getMoreResults(int current) throws SQLException {
        if (current != CLOSE_CURRENT_RESULT && current != KEEP_CURRENT_RESULT && current != CLOSE_ALL_RESULTS) {
            throw new SQLException(
                    "getMoreResults: " + current + " is not CLOSE_CURRENT_RESULT (1),"
                            + " KEEP_CURRENT_RESULT (2) or CLOSE_ALL_RESULTS (3)",
                    "HY024");
        }
        synchronized (lock) {
            checkOpen();
            clearResults(false);
            return false;
        }
    }

    /**
     * The generated keys of the last execution or batch: with keys requested, one row per
     * inserted row holding the rowid (a Long, labelled like the INTEGER PRIMARY KEY column when
     * there is one) or the requested columns; without a request, the last inserted rowid
     * (labelled {@code GENERATED_KEY}) of an INSERT. Empty when nothing was inserted; never null.
     */
    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        synchronized (lock) {
            checkOpen();
            ShmliteResultSetMetaData meta = keyMetaData();
            return new ShmliteResultSet(this, conn, keys.resultBuffer(), meta);
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

    /** Runs each batched SQL as a script; counts are each script's total changes. No generated keys. */
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
                    counts[i] = batchCommand(s, batch.get(i).getBytes(StandardCharsets.UTF_8), i);
                }
                return counts;
            } catch (SQLException e) {
                throw batchFailure(e, Arrays.copyOf(counts, i));
            } finally {
                batch.clear();
            }
        }
    }

    // --- settings ------------------------------------------------------------------------------

    /**
     * Interrupts this statement's running execution, fetch or lock wait (57014), without taking
     * the connection lock. Does nothing when this statement is not running: another statement
     * of the connection is never affected, and no cancel is kept for a later execution.
     */
    @Override
    public void cancel() throws SQLException {
        checkOpen();
        conn.cancelRunning(id);
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

    /**
     * Only FETCH_FORWARD: FETCH_REVERSE and FETCH_UNKNOWN fail with HYC00 (result sets are
     * forward-only; a silently ignored hint would let code expecting reverse order run), any
     * other value with HY024.
     */
    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD
                && direction != ResultSet.FETCH_REVERSE
                && direction != ResultSet.FETCH_UNKNOWN) {
            throw new SQLException(
                    "fetch direction " + direction + " is not FETCH_FORWARD, FETCH_REVERSE or" + " FETCH_UNKNOWN",
                    "HY024");
        }
        if (direction != ResultSet.FETCH_FORWARD) {
            throw new SQLFeatureNotSupportedException(
                    "only FETCH_FORWARD is supported (got " + direction + ")", "HYC00");
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
