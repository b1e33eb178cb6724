package dev.shmlite.jdbc;

import java.lang.ref.Cleaner;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.ClientInfoStatus;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A JDBC connection: one native session of the Rust core, which owns a pooled SQLite connection
 * and begins transactions lazily (at the first statement after {@code setAutoCommit(false)}), so
 * that the calls pools and frameworks make on every checkout are cheap and take no lock.
 *
 * <p>Thread safety: calls are serialized by the connection's lock, which statements and result
 * sets share; only {@link #close()}, {@link #abort} and {@link Statement#cancel()} reach into a
 * statement running on another thread, through a separate cancel handle. A connection that
 * becomes unreachable without being closed is reclaimed by a {@link Cleaner}.
 */
public final class ShmliteConnection implements Connection {
    /** One cleaner thread for the whole driver. */
    private static final Cleaner CLEANER = Cleaner.create();

    /**
     * The native handles, kept apart from the connection so that the cleaner action does not
     * reach the connection (which would keep it reachable forever). It is also the connection
     * lock: whoever holds it may use {@link #session}.
     */
    static final class State implements Runnable {
        /** 0 once closed; read and written only under {@code synchronized(this)}. */
        long session;
        /** 0 once freed; guarded by {@link #cancelLock}. */
        private long cancelHandle;
        /** Tiny lock for the cancel handle: never held while waiting for anything else. */
        private final Object cancelLock = new Object();

        State(long session, long cancelHandle) {
            this.session = session;
            this.cancelHandle = cancelHandle;
        }

        /**
         * Interrupts the session's running call if it belongs to the statement with this id
         * ({@link ShmliteStatement#id}); never waits for the connection lock.
         */
        void cancel(long statementId) {
            synchronized (cancelLock) {
                if (cancelHandle != 0) {
                    Native.cancel(cancelHandle, statementId);
                }
            }
        }

        /** Stops the running call and any later one until the session ends (close, abort). */
        void abort() {
            synchronized (cancelLock) {
                if (cancelHandle != 0) {
                    Native.abort(cancelHandle);
                }
            }
        }

        /** Frees the native cancel handle once; later cancels and aborts do nothing. */
        void freeCancelHandle() {
            synchronized (cancelLock) {
                if (cancelHandle != 0) {
                    Native.freeCancelHandle(cancelHandle);
                    cancelHandle = 0;
                }
            }
        }

        /** Cleaner action: the connection was dropped unclosed (or already closed: then nothing). */
        @Override
        public void run() {
            synchronized (this) {
                if (session != 0) {
                    try {
                        Native.close(session, true);
                    } catch (SQLException | RuntimeException e) {
                        // nobody to report to on the cleaner thread; the core counts the reclaim
                    } finally {
                        session = 0;
                    }
                }
            }
            freeCancelHandle();
        }
    }

    /** Settings of a (URL, properties) pair, cached: building them costs ~40 JNI strings per open. */
    private static final Map<String, Settings> SETTINGS = new java.util.concurrent.ConcurrentHashMap<>();
    /** Distinct (URL, properties) pairs whose settings are cached. */
    private static final int MAX_CACHED_SETTINGS = 256;

    /** The parsed, immutable settings of a session. */
    private static final class Settings {
        final String[] values;
        final DateCodec dates;

        Settings(String[] values, DateCodec dates) {
            this.values = values;
            this.dates = dates;
        }
    }

    /** Column descriptions kept per connection: as many as the native statement cache holds. */
    private static final int MAX_CACHED_COLUMNS = 64;

    private final String url;
    private final State lock;
    /** {@link #columnsOf}'s cache, least recently used first; guarded by {@link #lock}. */
    private final Map<Long, ShmliteResultSetMetaData> columnsCache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ShmliteResultSetMetaData> eldest) {
            return size() > MAX_CACHED_COLUMNS;
        }
    };

    private final Cleaner.Cleanable cleanable;
    /** Date storage settings of this session. */
    final DateCodec dates;

    private volatile boolean closed;
    // Mirrors of native state: answered without a native call (pools ask these constantly).
    private volatile boolean autoCommit = true;
    private volatile boolean readOnly;
    /** The database was opened with open_mode=READONLY: the connection is read-only for good. */
    private boolean readOnlyDatabase;
    /** Version of the SQLite that runs this connection's SQL (the server's on a cluster). */
    private String sqliteVersion;

    private volatile int isolation;
    private volatile int holdability = ResultSet.CLOSE_CURSORS_AT_COMMIT;
    private volatile int networkTimeout;

    /**
     * Open statements, closed with the connection; guarded by {@link #lock}. Weak: a statement the
     * application forgot is collected, and its Cleaner action frees the native statement (see
     * {@link #cleanLater}).
     */
    private final Set<ShmliteStatement> statements = Collections.newSetFromMap(new java.util.WeakHashMap<>());

    private final Properties clientInfo = new Properties();
    private Map<String, Class<?>> typeMap = new HashMap<>();
    private int savepointCounter;
    private ShmliteDatabaseMetaData metaData;
    /** The scratch out buffer when no call is using it; guarded by {@link #lock}. */
    private byte[] spareOut;

    private ShmliteConnection(String url, long session, long cancelHandle, String[] settings, DateCodec dates) {
        this.url = url;
        this.lock = new State(session, cancelHandle);
        this.dates = dates;
        for (int i = 0; settings != null && i + 1 < settings.length; i += 2) {
            if ("open_mode".equalsIgnoreCase(settings[i])) {
                readOnlyDatabase = "READONLY".equalsIgnoreCase(settings[i + 1]);
            } else if ("read_only".equalsIgnoreCase(settings[i])) {
                readOnly = "true".equalsIgnoreCase(settings[i + 1]) || "1".equals(settings[i + 1]);
            } else if ("sqlite_version".equals(settings[i])) {
                sqliteVersion = settings[i + 1];
            } else if ("read_uncommitted".equalsIgnoreCase(settings[i])) {
                isolation = "true".equalsIgnoreCase(settings[i + 1]) || "1".equals(settings[i + 1])
                        ? TRANSACTION_READ_UNCOMMITTED
                        : 0;
            }
        }
        if (isolation == 0) {
            isolation = TRANSACTION_SERIALIZABLE;
        }
        this.cleanable = CLEANER.register(this, lock);
    }

    /** Version of the SQLite that runs this connection's SQL, e.g. "3.54.1". */
    String sqliteVersion() {
        return sqliteVersion != null ? sqliteVersion : Native.sqliteVersion();
    }

    /** Wraps a freshly opened session; closes it if the connection cannot be set up. */
    static ShmliteConnection open(String url, long session, String settingsKey) throws SQLException {
        long cancelHandle = 0;
        try {
            Settings known = SETTINGS.get(settingsKey);
            if (known == null) {
                String[] settings = Native.settings(session);
                known = new Settings(settings, DateCodec.fromSettings(settings));
                if (SETTINGS.size() >= MAX_CACHED_SETTINGS) {
                    SETTINGS.clear(); // a bound, not an LRU: applications use a handful of URLs
                }
                SETTINGS.put(settingsKey, known);
            }
            String[] settings = known.values;
            DateCodec dates = known.dates;
            cancelHandle = Native.cancelHandle(session);
            return new ShmliteConnection(url, session, cancelHandle, settings, dates);
        } catch (SQLException | RuntimeException e) {
            if (cancelHandle != 0) {
                Native.freeCancelHandle(cancelHandle);
            }
            try {
                Native.close(session, false);
            } catch (SQLException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    // --- internal API for statements, result sets and metadata --------------------------------

    /**
     * Column descriptions of a native statement, shared by every statement of this connection
     * that runs the same compiled SQL: MyBatis and Spring prepare a new statement per call and
     * ask each result set for its metadata, which otherwise costs a JNI call building six strings
     * per column, and a metadata object, per query. The caller holds {@link #lock()}.
     */
    ShmliteResultSetMetaData columnsOf(long stmt, long columnsId) throws SQLException {
        ShmliteResultSetMetaData meta = columnsCache.get(columnsId);
        if (meta == null) {
            meta = new ShmliteResultSetMetaData(ColumnInfo.fromNative(Native.columns(session(), stmt)));
            columnsCache.put(columnsId, meta);
        }
        return meta;
    }

    /** The connection lock, shared by its statements and result sets. */
    Object lock() {
        return lock;
    }

    /** The live session handle; the caller holds {@link #lock()}. Throws 08003 when closed. */
    long session() throws SQLException {
        long s = lock.session;
        if (s == 0 || closed) {
            throw closedException();
        }
        return s;
    }

    /**
     * The session handle even while the connection is closing (0 once closed); for releasing
     * statements, which must still happen between close() starting and the session ending.
     */
    long sessionForCleanup() {
        return lock.session;
    }

    /** Cancels the running statement, if any, without taking the connection lock. */
    void cancelRunning(long statementId) {
        lock.cancel(statementId);
    }

    String url() {
        return url;
    }

    /** Holdability reported by result sets (the core ends open result sets at commit/rollback). */
    int holdabilityMirror() {
        return holdability;
    }

    /** Largest scratch buffer kept: a huge batch must not pin its buffer for the connection's life. */
    private static final int MAX_SCRATCH = 1 << 20;

    /**
     * The connection's scratch out buffer, for a native call whose results are read before it
     * returns (update counts, keys, batch counts). Frameworks prepare a statement per call, and
     * giving each its own buffer cost more than the call. The caller holds the lock and gives
     * the buffer back with {@link #giveScratch}; a nested call simply gets a new one.
     */
    byte[] takeScratch() {
        byte[] b = spareOut;
        if (b == null) {
            return new byte[ShmliteStatement.FIRST_OUT_SIZE];
        }
        spareOut = null;
        return b;
    }

    /** Takes the scratch buffer back (maybe grown); the caller holds the lock. */
    void giveScratch(byte[] b) {
        if (b.length <= MAX_SCRATCH && (spareOut == null || spareOut.length < b.length)) {
            spareOut = b;
        }
    }

    void register(ShmliteStatement st) {
        statements.add(st);
    }

    /**
     * Frees native statement {@code stmt} when {@code owner} becomes unreachable without being
     * closed; {@code clean()} on the result frees it at once (explicit close). Runs under the
     * connection lock, and does nothing once the connection is closed (that freed everything).
     */
    Cleaner.Cleanable cleanLater(Object owner, long stmt) {
        final State state = lock;
        return CLEANER.register(owner, () -> {
            synchronized (state) {
                if (state.session != 0) {
                    try {
                        Native.release(state.session, stmt);
                    } catch (SQLException | RuntimeException e) {
                        // already gone with its session: nothing to free
                    }
                }
            }
        });
    }

    void unregister(ShmliteStatement st) {
        statements.remove(st);
    }

    static SQLNonTransientConnectionException closedException() {
        return new SQLNonTransientConnectionException("connection is closed", "08003");
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw closedException();
        }
    }

    static SQLFeatureNotSupportedException unsupported(String what) {
        return new SQLFeatureNotSupportedException(what + " is not supported", "HYC00");
    }

    static void checkCursor(int type, int concurrency) throws SQLException {
        if (type != ResultSet.TYPE_FORWARD_ONLY) {
            throw new SQLFeatureNotSupportedException(
                    "only TYPE_FORWARD_ONLY result sets are supported (got " + type + ")", "HYC00");
        }
        if (concurrency != ResultSet.CONCUR_READ_ONLY) {
            throw new SQLFeatureNotSupportedException(
                    "only CONCUR_READ_ONLY result sets are supported (got " + concurrency + ")", "HYC00");
        }
    }

    private static void checkHoldability(int h) throws SQLException {
        if (h != ResultSet.HOLD_CURSORS_OVER_COMMIT && h != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
            throw new SQLException("invalid holdability " + h, "HY024");
        }
    }

    // --- statements ----------------------------------------------------------------------------

    /** A new statement (forward-only, read-only). */
    @Override
    public Statement createStatement() throws SQLException {
        synchronized (lock) {
            session();
            ShmliteStatement st = new ShmliteStatement(this);
            register(st);
            return st;
        }
    }

    /** A new statement; only TYPE_FORWARD_ONLY / CONCUR_READ_ONLY are supported (else HYC00). */
    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        checkCursor(resultSetType, resultSetConcurrency);
        return createStatement();
    }

    /** A new statement; only TYPE_FORWARD_ONLY / CONCUR_READ_ONLY are supported (else HYC00). */
    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        checkHoldability(resultSetHoldability);
        return createStatement(resultSetType, resultSetConcurrency);
    }

    /** Prepares one SQL statement (a second statement in {@code sql} is a syntax error, 42000). */
    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return prepare(sql, GeneratedKeys.Request.NONE);
    }

    private PreparedStatement prepare(String sql, GeneratedKeys.Request keys) throws SQLException {
        if (sql == null) {
            throw new SQLException("sql is null", "HY009");
        }
        synchronized (lock) {
            session();
            ShmlitePreparedStatement ps = new ShmlitePreparedStatement(this, sql, keys);
            register(ps);
            return ps;
        }
    }

    /** Prepares a statement; only TYPE_FORWARD_ONLY / CONCUR_READ_ONLY are supported (else HYC00). */
    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        checkCursor(resultSetType, resultSetConcurrency);
        return prepareStatement(sql);
    }

    /** Prepares a statement; only TYPE_FORWARD_ONLY / CONCUR_READ_ONLY are supported (else HYC00). */
    @Override
    public PreparedStatement prepareStatement(
            String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        checkHoldability(resultSetHoldability);
        return prepareStatement(sql, resultSetType, resultSetConcurrency);
    }

    /**
     * Prepares a statement; with {@link Statement#RETURN_GENERATED_KEYS}, an INSERT or REPLACE is
     * prepared with {@code RETURNING rowid} appended, and {@link Statement#getGeneratedKeys()}
     * gives the rowid of each inserted row (also for multi-row VALUES and across a batch).
     */
    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return prepare(sql, GeneratedKeys.Request.of(autoGeneratedKeys));
    }

    /**
     * Prepares a statement whose generated keys are the table columns at these 1-based indexes
     * of each row an INSERT or REPLACE inserts (empty or null: the rowid).
     */
    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return prepare(sql, GeneratedKeys.Request.of(columnIndexes));
    }

    /**
     * Prepares a statement whose generated keys are these columns of each row an INSERT or
     * REPLACE inserts (empty or null: the rowid); an unknown column fails here (42S22).
     */
    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return prepare(sql, GeneratedKeys.Request.of(columnNames));
    }

    /** SQLite has no stored procedures: always HYC00. */
    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        throw unsupported("prepareCall (SQLite has no stored procedures)");
    }

    /** SQLite has no stored procedures: always HYC00. */
    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        throw unsupported("prepareCall (SQLite has no stored procedures)");
    }

    /** SQLite has no stored procedures: always HYC00. */
    @Override
    public CallableStatement prepareCall(
            String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        throw unsupported("prepareCall (SQLite has no stored procedures)");
    }

    /** Returns {@code sql} unchanged: there are no JDBC escapes to translate. */
    @Override
    public String nativeSQL(String sql) throws SQLException {
        checkOpen();
        return sql;
    }

    // --- transactions --------------------------------------------------------------------------

    /**
     * Switches auto-commit. {@code false} begins nothing yet (the core begins at the next
     * statement); {@code true} commits an open transaction. Unchanged: no-op.
     */
    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        synchronized (lock) {
            long s = session();
            if (this.autoCommit == autoCommit) {
                return;
            }
            Native.setAutoCommit(s, autoCommit);
            this.autoCommit = autoCommit;
        }
    }

    /** The auto-commit mode (no native call). */
    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    /**
     * Commits the open transaction. Does not throw in auto-commit mode (JDBC would): with no
     * open transaction it does nothing, and pools call it freely.
     */
    @Override
    public void commit() throws SQLException {
        synchronized (lock) {
            Native.commit(session());
        }
    }

    /** Rolls back the open transaction; like {@link #commit()}, a no-op without one. */
    @Override
    public void rollback() throws SQLException {
        synchronized (lock) {
            Native.rollback(session());
        }
    }

    /** A savepoint named {@code SP_n}; needs auto-commit off (25000 otherwise). */
    @Override
    public Savepoint setSavepoint() throws SQLException {
        synchronized (lock) {
            session();
            int id = ++savepointCounter;
            return savepoint(new ShmliteSavepoint(id, null, "SP_" + id));
        }
    }

    /** A named savepoint; needs auto-commit off (25000 otherwise). */
    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        if (name == null) {
            throw new SQLException("savepoint name is null", "HY009");
        }
        synchronized (lock) {
            session();
            return savepoint(new ShmliteSavepoint(0, name, name));
        }
    }

    private Savepoint savepoint(ShmliteSavepoint sp) throws SQLException {
        Native.savepoint(session(), Native.SAVEPOINT_SET, sp.sqlName);
        return sp;
    }

    /** Rolls back to the savepoint, which stays active (SQLite's ROLLBACK TO). */
    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        synchronized (lock) {
            Native.savepoint(session(), Native.SAVEPOINT_ROLLBACK_TO, ours(savepoint).sqlName);
        }
    }

    /** Releases the savepoint and the savepoints after it. */
    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        synchronized (lock) {
            Native.savepoint(session(), Native.SAVEPOINT_RELEASE, ours(savepoint).sqlName);
        }
    }

    private static ShmliteSavepoint ours(Savepoint sp) throws SQLException {
        if (!(sp instanceof ShmliteSavepoint)) {
            throw new SQLException("not a shmlite savepoint: " + sp, "3B001");
        }
        return (ShmliteSavepoint) sp;
    }

    /** Savepoints are plain SQLite savepoints; unnamed ones get the name {@code SP_n}. */
    private static final class ShmliteSavepoint implements Savepoint {
        final int id;
        final String name;
        final String sqlName;

        ShmliteSavepoint(int id, String name, String sqlName) {
            this.id = id;
            this.name = name;
            this.sqlName = sqlName;
        }

        @Override
        public int getSavepointId() throws SQLException {
            if (name != null) {
                throw new SQLException("named savepoint " + name + " has no id", "HY024");
            }
            return id;
        }

        @Override
        public String getSavepointName() throws SQLException {
            if (name == null) {
                throw new SQLException("savepoint " + id + " is unnamed", "HY024");
            }
            return name;
        }

        @Override
        public String toString() {
            return "Savepoint[" + sqlName + "]";
        }
    }

    /**
     * Sets the read-only flag; the core applies it before the next statement. On a database
     * opened with {@code open_mode=READONLY}, {@code setReadOnly(false)} is ignored (JDBC calls
     * it a hint; pools call it on every checkout): the connection stays read-only.
     */
    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        synchronized (lock) {
            long s = session();
            if (this.readOnly == readOnly || (readOnlyDatabase && !readOnly)) {
                return;
            }
            Native.setReadOnly(s, readOnly);
            this.readOnly = readOnly;
        }
    }

    /** The read-only flag (no native call). */
    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly;
    }

    /**
     * Sets the isolation level (README "Isolation levels"); it applies from the next transaction.
     * SERIALIZABLE (the default) runs a transaction's reads inside it, so a read made stale by
     * another commit fails the transaction's first write with 40001; READ_COMMITTED runs the
     * reads before the first write outside any transaction (each sees the latest commit);
     * READ_UNCOMMITTED does the same and, on a {@code mem:} database, reads without table locks
     * (uncommitted rows visible). REPEATABLE_READ gets SERIALIZABLE, and
     * {@link #getTransactionIsolation()} then reports SERIALIZABLE.
     *
     * @throws SQLException SQLState HY024 for TRANSACTION_NONE or a value that is no level
     */
    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        int inForce;
        switch (level) {
            case TRANSACTION_READ_UNCOMMITTED:
            case TRANSACTION_READ_COMMITTED:
            case TRANSACTION_SERIALIZABLE:
                inForce = level;
                break;
            case TRANSACTION_REPEATABLE_READ:
                inForce = TRANSACTION_SERIALIZABLE; // SQLite has nothing in between
                break;
            default:
                throw new SQLException(
                        "invalid transaction isolation level " + level
                                + "; use TRANSACTION_READ_UNCOMMITTED (1), TRANSACTION_READ_COMMITTED (2),"
                                + " TRANSACTION_REPEATABLE_READ (4) or TRANSACTION_SERIALIZABLE (8)",
                        "HY024");
        }
        synchronized (lock) {
            long s = session();
            if (isolation == inForce) {
                return;
            }
            Native.setIsolation(s, inForce);
            isolation = inForce;
        }
    }

    /** The isolation level in force (no native call): REPEATABLE_READ is reported as SERIALIZABLE. */
    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return isolation;
    }

    // --- lifecycle -----------------------------------------------------------------------------

    /**
     * Closes the connection: interrupts a statement running on another thread, closes this
     * connection's statements and result sets, then rolls back and returns the native connection
     * to the pool. Idempotent.
     */
    @Override
    public void close() throws SQLException {
        closed = true;
        // Before taking the lock: a statement running on another thread holds it until interrupted.
        // Sticky, so a statement that enters native code right after is stopped as well.
        lock.abort();
        SQLException failure = null;
        synchronized (lock) {
            if (lock.session == 0) {
                return;
            }
            for (ShmliteStatement st : statements.toArray(new ShmliteStatement[0])) {
                try {
                    st.close();
                } catch (SQLException e) {
                    // Ending the session below frees every native statement anyway.
                }
            }
            statements.clear();
            try {
                Native.close(lock.session, false);
            } catch (SQLException e) {
                failure = chain(failure, e);
            } finally {
                lock.session = 0;
            }
        }
        lock.freeCancelHandle();
        cleanable.clean(); // deregisters; the action finds nothing left to do
        if (failure != null) {
            throw failure;
        }
    }

    private static SQLException chain(SQLException first, SQLException next) {
        if (first == null) {
            return next;
        }
        first.setNextException(next);
        return first;
    }

    /** True after {@link #close()} or {@link #abort}. */
    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Marks the connection closed at once, interrupts a running statement, and finishes closing
     * on {@code executor}.
     */
    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("executor is null", "HY009");
        }
        if (closed) {
            return;
        }
        closed = true;
        lock.abort();
        executor.execute(() -> {
            try {
                close();
            } catch (SQLException e) {
                // abort has already returned: nobody to report to
            }
        });
    }

    /**
     * True if the connection is open and its database answers; false once closed or dropped.
     *
     * @param timeout seconds (not used: the check never waits for SQLite locks); negative throws
     */
    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) {
            throw new SQLException("isValid timeout must not be negative: " + timeout, "HY024");
        }
        if (closed) {
            return false;
        }
        synchronized (lock) {
            long s = lock.session;
            return s != 0 && !closed && Native.ping(s);
        }
    }

    /**
     * Waits until another connection or process has committed to this database since the last
     * call (or since this connection opened), or until {@code timeoutMillis} passes. Lets a
     * reader follow new data without polling. Needs no open transaction (a transaction sees a
     * fixed snapshot); {@link Statement#cancel()} on one of this connection's statements,
     * {@link #close()} and {@link #abort} end the wait. See also {@link Shmlite#awaitChange}.
     *
     * @param timeoutMillis how long to wait at most; 0 only checks
     * @return true when something was committed, false on timeout
     */
    public boolean awaitChange(long timeoutMillis) throws SQLException {
        if (timeoutMillis < 0) {
            throw new SQLException("awaitChange timeout must not be negative: " + timeoutMillis, "HY024");
        }
        synchronized (lock) {
            return Native.awaitChange(session(), (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
        }
    }

    // --- metadata and trivial properties ------------------------------------------------------

    /** Database metadata (one instance per connection). */
    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        checkOpen();
        synchronized (lock) {
            if (metaData == null) {
                metaData = new ShmliteDatabaseMetaData(this);
            }
            return metaData;
        }
    }

    /** Ignored: SQLite has no catalogs. */
    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
    }

    /** Always null. */
    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        return null;
    }

    /** Ignored: schemas are attached databases, not a session setting. */
    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
    }

    /** Always null: the main database's objects have no schema (see DatabaseMetaData.getSchemas). */
    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        return null;
    }

    /** Always null: the driver raises no warnings. */
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

    /** The stored type map (unused). */
    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        return typeMap;
    }

    /** Stores the type map; it is not used (no UDTs). */
    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        typeMap = map == null ? new HashMap<>() : map;
    }

    /** Stored and reported by new statements' result sets. */
    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        checkHoldability(holdability);
        this.holdability = holdability;
    }

    /** The stored holdability (default CLOSE_CURSORS_AT_COMMIT). */
    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return holdability;
    }

    /** Stored only: an embedded database has no network to time out. */
    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        if (milliseconds < 0) {
            throw new SQLException("network timeout must not be negative: " + milliseconds, "HY024");
        }
        networkTimeout = milliseconds;
    }

    /** The stored network timeout. */
    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        return networkTimeout;
    }

    /** Stored in memory; not sent anywhere. */
    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        if (closed) {
            throw new SQLClientInfoException(
                    "connection is closed",
                    "08003",
                    0,
                    Collections.singletonMap(name, ClientInfoStatus.REASON_UNKNOWN));
        }
        synchronized (clientInfo) {
            if (value == null) {
                clientInfo.remove(name);
            } else {
                clientInfo.setProperty(name, value);
            }
        }
    }

    /** Replaces the stored client info. */
    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        if (closed) {
            throw new SQLClientInfoException("connection is closed", "08003", 0, Collections.emptyMap());
        }
        synchronized (clientInfo) {
            clientInfo.clear();
            if (properties != null) {
                for (String key : properties.stringPropertyNames()) {
                    clientInfo.setProperty(key, properties.getProperty(key));
                }
            }
        }
    }

    /** A stored client info value, or null. */
    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        synchronized (clientInfo) {
            return clientInfo.getProperty(name);
        }
    }

    /** A copy of the stored client info. */
    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        synchronized (clientInfo) {
            Properties copy = new Properties();
            copy.putAll(clientInfo);
            return copy;
        }
    }

    /** An empty, growable in-memory Blob. */
    @Override
    public Blob createBlob() throws SQLException {
        checkOpen();
        return new ShmliteBlob(new byte[0]);
    }

    /** An empty, growable in-memory Clob. */
    @Override
    public Clob createClob() throws SQLException {
        checkOpen();
        return new ShmliteClob("");
    }

    /** Not supported (HYC00). */
    @Override
    public NClob createNClob() throws SQLException {
        throw unsupported("createNClob");
    }

    /** Not supported (HYC00). */
    @Override
    public SQLXML createSQLXML() throws SQLException {
        throw unsupported("createSQLXML");
    }

    /** Not supported (HYC00): SQLite has no arrays. */
    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        throw unsupported("createArrayOf");
    }

    /** Not supported (HYC00): SQLite has no structured types. */
    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        throw unsupported("createStruct");
    }

    /** Unwraps to this connection. */
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

    /** The URL, and whether the connection is closed. */
    @Override
    public String toString() {
        return "ShmliteConnection[" + url + (closed ? ", closed]" : "]");
    }
}
