package dev.shmlite.jdbc;

import java.sql.SQLException;

/**
 * The native methods of the Rust core (crate {@code shmlite-jni}); the wire formats are in
 * {@code docs/wire.md}.
 *
 * <p>Threading contract: every call that takes a {@code session} handle must be made while the
 * caller holds the owning connection's lock and has checked that the connection is open; the
 * handle is zeroed under that lock when the connection closes, so no stale handle ever reaches
 * native code. Only the cancel-handle calls ({@link #cancel(long, long)}, {@link #abort(long)},
 * {@link #freeCancelHandle(long)}) run without that lock: they take a separate cancel handle, used
 * under its own small lock on the Java side (a handle is freed only where no other thread can
 * still use it: under that lock, or before the connection was published). Every method may throw a
 * {@link SQLException} subclass built by the native side (SQLState and extended result code set).
 *
 * <p>{@code statementId} ({@link ShmliteStatement#id}, 0 for calls no statement owns) names the
 * statement a call runs for: {@link #cancel(long, long)} interrupts only that statement's calls.
 */
final class Native {
    private Native() {}

    // --- out-buffer header (see docs/wire.md) -------------------------------------------------
    static final int HEADER = 32;
    static final int FLAG_RESULT_SET = 1;
    static final int FLAG_DONE = 2;
    static final int FLAG_NEED_SPACE = 4;
    static final int FLAG_COLUMNS_CHANGED = 8;
    static final int OFF_FLAGS = 0;
    static final int OFF_ROWS = 4;
    static final int OFF_CHANGES = 8;
    static final int OFF_LAST_ROWID = 16;
    static final int OFF_NEEDED = 24;
    static final int OFF_END = 28;

    // --- value tags, both directions --------------------------------------------------------
    static final byte TAG_NULL = 0;
    static final byte TAG_INTEGER = 1;
    static final byte TAG_REAL = 2;
    static final byte TAG_TEXT = 3;
    static final byte TAG_BLOB = 4;

    // --- prepare() info slots -----------------------------------------------------------------
    static final int INFO_PARAMS = 0;
    static final int INFO_COLUMNS = 1;
    static final int INFO_READONLY = 2;
    static final int INFO_TAIL = 3;
    static final int INFO_COLUMNS_ID_HI = 4;
    static final int INFO_COLUMNS_ID_LO = 5;
    static final int INFO_SIZE = 6;

    // --- properties() rows: PROP_FIELDS strings per property, in this order ---------------
    static final int PROP_NAME = 0;
    /** boolean, integer, choice or text (the core's value kinds). */
    static final int PROP_TYPE = 1;
    /** What the property accepts, as the invalid-value error says it (choices: comma-separated). */
    static final int PROP_VALUES = 2;
    /** The default as the property would be written; null: unset (SQLite's own, or none). */
    static final int PROP_DEFAULT = 3;
    /** connection or database. */
    static final int PROP_LEVEL = 4;

    static final int PROP_DOC = 5;
    static final int PROP_FIELDS = 6;

    /** {@link #savepoint} operations (rust/core/src/savepoint.rs {@code SavepointOp}). */
    static final int SAVEPOINT_SET = 0;

    static final int SAVEPOINT_ROLLBACK_TO = 1;
    static final int SAVEPOINT_RELEASE = 2;

    /** The columns id of a statement from its prepare() info: equal ids, equal {@link #columns}. */
    static long columnsId(int[] info) {
        return ((long) info[INFO_COLUMNS_ID_HI] << 32) | (info[INFO_COLUMNS_ID_LO] & 0xffffffffL);
    }

    /**
     * Opens a session: parses the URL and properties, finds or creates the database in the
     * registry and borrows a configured native connection from its pool.
     *
     * @return the session handle (never 0)
     */
    static native long open(String url, String[] keys, String[] values) throws SQLException;

    /** Effective settings of the session as alternating key/value strings (all properties). */
    static native String[] settings(long session) throws SQLException;

    /**
     * Rolls back, restores per-connection state and returns the native connection to its pool.
     * {@code reclaimed} is true when a Cleaner found the connection unreachable and unclosed
     * (counted in the statistics). The handle is invalid afterwards.
     */
    static native void close(long session, boolean reclaimed) throws SQLException;

    /** A handle usable without the connection lock to cancel what the session is running. */
    static native long cancelHandle(long session) throws SQLException;

    /**
     * Interrupts the session's running statement or lock wait if it is a call of the statement
     * {@code statementId} (the id passed to prepare/execute/fetch); otherwise does nothing, now
     * or later. Never blocks.
     */
    static native void cancel(long cancelHandle, long statementId);

    /**
     * Aborts the session's running call and every later one until the session closes: used by
     * close/abort from another thread, so a statement entering native code right after is
     * stopped too (a plain cancel is cleared when the next call starts).
     */
    static native void abort(long cancelHandle);

    /** Frees a cancel handle; the caller guarantees no concurrent {@link #cancel(long)}. */
    static native void freeCancelHandle(long cancelHandle);

    /**
     * Prepares the first statement of {@code sql} (UTF-8), through the connection's statement
     * cache. {@code info} ({@link #INFO_SIZE} ints) receives parameter count, column count,
     * read-only flag (1/0), the byte offset of the unparsed tail (== sql.length when there is no
     * further statement) and the columns id (high, low 32 bits): unique per compiled statement in
     * the process and changed by a recompilation, so equal ids mean equal {@link #columns}.
     *
     * @return the statement handle, or 0 when sql holds no statement (only whitespace/comments)
     */
    static native long prepare(long session, long statementId, byte[] sql, int[] info) throws SQLException;

    /**
     * Writes what {@link #prepare} reports into {@code info}, for the statement as it is now
     * (tail: 0): after an execute flagged {@link #FLAG_COLUMNS_CHANGED}, when SQLite recompiled
     * it for a schema change and its columns changed.
     */
    static native void describe(long session, long stmt, int[] info) throws SQLException;

    /**
     * Column descriptions of a prepared statement: {@link ColumnInfo#FIELDS} strings
     * per column, in order: label (honours AS), origin column name or null, declared type or
     * null, origin table name or null, origin database (schema) name or null, origin facts or
     * null (letters: N not null, P primary key, A numbered automatically; null for expressions).
     */
    static native String[] columns(long session, long stmt) throws SQLException;

    /** Releases a statement back to the connection's statement cache (or finalizes it). */
    static native void release(long session, long stmt) throws SQLException;

    /**
     * Binds {@code params[0..paramLen)} (one row of tagged values), begins the transaction if one
     * is due, steps, and writes the header plus as many rows as fit into {@code out}.
     *
     * @param timeoutMillis the statement's query timeout, 0 for none
     */
    static native void execute(
            long session, long statementId, long stmt, byte[] params, int paramLen, byte[] out, int timeoutMillis)
            throws SQLException;

    /** Writes the next batch of rows of a statement whose last header lacked FLAG_DONE. */
    static native void fetch(long session, long statementId, long stmt, byte[] out) throws SQLException;

    /** Resets a statement (ends its result set and releases its read locks). */
    static native void reset(long session, long stmt) throws SQLException;

    /**
     * Executes {@code rows} parameter rows in one call. Writes per row, starting at HEADER, an
     * i64 update count and an i64 last insert rowid; the header's rows field says how many rows
     * completed. On failure the completed rows are written and then the exception is thrown.
     */
    static native void executeBatch(
            long session,
            long statementId,
            long stmt,
            byte[] params,
            int paramLen,
            int rows,
            byte[] out,
            int timeoutMillis)
            throws SQLException;

    /** Runs every statement of a UTF-8 script, discarding rows; returns the total changes. */
    static native long executeScript(long session, long statementId, byte[] sql, int timeoutMillis) throws SQLException;

    /** Sets autoCommit; {@code true} commits an open transaction. No other work. */
    static native void setAutoCommit(long session, boolean autoCommit) throws SQLException;

    /**
     * Runs a savepoint operation ({@code SAVEPOINT_*}) on savepoint {@code name}; with autoCommit
     * on the core refuses it (25000), as the transaction state lives there.
     */
    static native void savepoint(long session, int op, String name) throws SQLException;

    /** Commits the open transaction; nothing when none is open. */
    static native void commit(long session) throws SQLException;

    /** Rolls back the open transaction; nothing when none is open. */
    static native void rollback(long session) throws SQLException;

    /** True when a native transaction is open right now. */
    static native boolean inTransaction(long session) throws SQLException;

    /** Read-only flag; applied lazily before the next statement. */
    static native void setReadOnly(long session, boolean readOnly) throws SQLException;

    /** java.sql.Connection isolation level; applied lazily before the next statement. */
    static native void setIsolation(long session, int level) throws SQLException;

    /**
     * Blocks until another connection or process has committed since the last call (or since
     * the session opened), or the timeout passes. Needs no open transaction.
     *
     * @return true when something changed
     */
    static native boolean awaitChange(long session, int timeoutMillis) throws SQLException;

    /** Cheap health check: the database is not dropped and the handle answers. */
    static native boolean ping(long session);

    /** Keys of the live named databases (e.g. "mem:demo", "shm:feed", "file:/abs/path"). */
    static native String[] databases();

    /** Statistics of a live database, in the order of {@link DatabaseStats}'s fields; null when not live. */
    static native long[] stats(String urlOrKey);

    /**
     * Drops the database a URL or key names: returns the number of JDBC connections still using
     * it, -1 when there was nothing to drop.
     */
    static native int drop(String urlOrKey);

    /**
     * The registry key of the database a URL or key names (its {@code shm_dir} included), as the
     * core resolves it; null for a private in-memory database.
     */
    static native String key(String urlOrKey) throws SQLException;

    /** The SQLite library version, e.g. "3.54.1". */
    static native String sqliteVersion();

    /**
     * The layout the native side uses for what this class and {@link DatabaseStats} mirror:
     * {@code NAME=value} for each wire constant, info slot and property row field above,
     * {@code stats.INDEX=name} for each statistics field and {@code native.name=signature} for
     * each registered native method. Only {@code NativeLayoutTest} calls it.
     */
    static native String[] layout();

    /**
     * The core's property table ({@code rust/core/src/properties.rs}), {@link #PROP_FIELDS}
     * strings per property, with the defaults of {@code url}'s kind of database (null or an
     * unparsable URL: a {@code mem:} one). Cold: {@link ShmliteDriver#getPropertyInfo} and tests.
     */
    static native String[] properties(String url);

    /**
     * Starts a backup of the live database {@code url} into {@code path}, or with {@code restore}
     * a restore of {@code path} into it. The handle is used by one thread and freed with
     * {@link #backupClose(long)}.
     */
    static native long backupOpen(String url, String path, boolean restore) throws SQLException;

    /** Copies one step; writes (pages remaining, pages in total) to {@code progress}; true when done. */
    static native boolean backupStep(long handle, int[] progress) throws SQLException;

    /** Ends a backup or restore (finished or not) and frees its handle. */
    static native void backupClose(long handle);
}
