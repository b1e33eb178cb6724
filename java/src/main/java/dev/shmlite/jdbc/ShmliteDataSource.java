package dev.shmlite.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} for shmlite URLs. Configured through single-argument setters taking only
 * String, int or boolean, none overloaded, so that HikariCP's {@code dataSourceClassName}, MyBatis
 * and Spring can set them by name. Each property setter maps to the snake_case driver property
 * (e.g. {@link #setBusyTimeout} to {@code busy_timeout}); properties set here win over the same
 * property in the URL. There is exactly one setter per property of the core's table
 * ({@code rust/core/src/properties.rs}, also what {@link ShmliteDriver#getPropertyInfo} lists),
 * of the property's type; {@code DataSourceTest} checks both ways.
 */
public class ShmliteDataSource implements DataSource {
    private final ShmliteDriver driver = new ShmliteDriver();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private volatile String url;
    private volatile int loginTimeout;
    private volatile PrintWriter logWriter;

    /** An unconfigured data source; set at least the URL. */
    public ShmliteDataSource() {}

    private synchronized void set(String name, Object value) {
        if (value == null) {
            properties.remove(name);
        } else {
            properties.put(name, String.valueOf(value));
        }
    }

    /** A copy of the driver properties set so far. */
    synchronized Properties toProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        return p;
    }

    /** The JDBC URL, e.g. {@code jdbc:shmlite:mem:demo}. */
    public void setUrl(String url) {
        this.url = url;
    }

    /** The JDBC URL. */
    public String getUrl() {
        return url;
    }

    /** Accepted and ignored by the core (SQLite has no users). */
    public void setUser(String user) {
        set("user", user);
    }

    /** Same as {@link #setUser} (the name Spring Boot's DataSourceBuilder sets). */
    public void setUsername(String username) {
        set("user", username);
    }

    /** Accepted and ignored by the core. */
    public void setPassword(String password) {
        set("password", password);
    }

    /** {@code journal_mode}, e.g. WAL. */
    public void setJournalMode(String journalMode) {
        set("journal_mode", journalMode);
    }

    /** {@code synchronous}: OFF, NORMAL, FULL or EXTRA. */
    public void setSynchronous(String synchronous) {
        set("synchronous", synchronous);
    }

    /** {@code foreign_keys}: enforce foreign key constraints. */
    public void setForeignKeys(boolean foreignKeys) {
        set("foreign_keys", foreignKeys);
    }

    /** {@code busy_timeout}: milliseconds to wait for a lock. */
    public void setBusyTimeout(int busyTimeout) {
        set("busy_timeout", busyTimeout);
    }

    /** {@code transaction_mode}: DEFERRED, IMMEDIATE, EXCLUSIVE or ALWAYS_IMMEDIATE (README "Transactions"). */
    public void setTransactionMode(String transactionMode) {
        set("transaction_mode", transactionMode);
    }

    /** {@code read_uncommitted}: read other connections' uncommitted rows. */
    public void setReadUncommitted(boolean readUncommitted) {
        set("read_uncommitted", readUncommitted);
    }

    /** {@code cache_size}: SQLite page cache size. */
    public void setCacheSize(int cacheSize) {
        set("cache_size", cacheSize);
    }

    /** {@code open_mode}: how the database is opened. */
    public void setOpenMode(String openMode) {
        set("open_mode", openMode);
    }

    /** {@code read_only}: connections start read-only. */
    public void setReadOnly(boolean readOnly) {
        set("read_only", readOnly);
    }

    /** {@code pool_size}: native connections pooled per database. */
    public void setPoolSize(int poolSize) {
        set("pool_size", poolSize);
    }

    /** {@code pool_timeout}: milliseconds to wait for a pooled native connection. */
    public void setPoolTimeout(int poolTimeout) {
        set("pool_timeout", poolTimeout);
    }

    /** {@code keep_alive}: keep a named in-memory database after its last connection closes. */
    public void setKeepAlive(boolean keepAlive) {
        set("keep_alive", keepAlive);
    }

    /** {@code date_class}: INTEGER, REAL or TEXT storage of java.sql dates. */
    public void setDateClass(String dateClass) {
        set("date_class", dateClass);
    }

    /** {@code date_precision}: MILLISECONDS or SECONDS for INTEGER dates. */
    public void setDatePrecision(String datePrecision) {
        set("date_precision", datePrecision);
    }

    /** {@code date_string_format}: pattern of TEXT dates. */
    public void setDateStringFormat(String dateStringFormat) {
        set("date_string_format", dateStringFormat);
    }

    /** {@code shm_dir}: tmpfs directory holding the private directory of {@code shm:} databases. */
    public void setShmDir(String shmDir) {
        set("shm_dir", shmDir);
    }

    /** {@code automatic_index} (sqlite-jdbc's property): SQLite's automatic indexes for joins (default true). */
    public void setAutomaticIndex(boolean automaticIndex) {
        set("automatic_index", automaticIndex);
    }

    /** {@code case_sensitive_like} (sqlite-jdbc's property): LIKE compares ASCII case-sensitively (default false). */
    public void setCaseSensitiveLike(boolean caseSensitiveLike) {
        set("case_sensitive_like", caseSensitiveLike);
    }

    /** {@code defer_foreign_keys} (sqlite-jdbc's property): foreign keys are checked at commit (default false). */
    public void setDeferForeignKeys(boolean deferForeignKeys) {
        set("defer_foreign_keys", deferForeignKeys);
    }

    /** {@code legacy_alter_table} (sqlite-jdbc's property): ALTER TABLE RENAME as before SQLite 3.26 (default false). */
    public void setLegacyAlterTable(boolean legacyAlterTable) {
        set("legacy_alter_table", legacyAlterTable);
    }

    /** {@code limit_attached} (sqlite-jdbc's property): most attached databases (at most 10). */
    public void setLimitAttached(int limitAttached) {
        set("limit_attached", limitAttached);
    }

    /** {@code limit_column} (sqlite-jdbc's property): most columns in a table, index or result. */
    public void setLimitColumn(int limitColumn) {
        set("limit_column", limitColumn);
    }

    /** {@code limit_compound_select} (sqlite-jdbc's property): most terms of a compound SELECT. */
    public void setLimitCompoundSelect(int limitCompoundSelect) {
        set("limit_compound_select", limitCompoundSelect);
    }

    /** {@code limit_expr_depth} (sqlite-jdbc's property): deepest expression tree. */
    public void setLimitExprDepth(int limitExprDepth) {
        set("limit_expr_depth", limitExprDepth);
    }

    /** {@code limit_function_arg} (sqlite-jdbc's property): most arguments of a function. */
    public void setLimitFunctionArg(int limitFunctionArg) {
        set("limit_function_arg", limitFunctionArg);
    }

    /** {@code limit_length} (sqlite-jdbc's property): longest string or blob, in bytes. */
    public void setLimitLength(int limitLength) {
        set("limit_length", limitLength);
    }

    /** {@code limit_like_pattern_length} (sqlite-jdbc's property): longest LIKE or GLOB pattern. */
    public void setLimitLikePatternLength(int limitLikePatternLength) {
        set("limit_like_pattern_length", limitLikePatternLength);
    }

    /** {@code limit_sql_length} (sqlite-jdbc's property): longest SQL statement, in bytes. */
    public void setLimitSqlLength(int limitSqlLength) {
        set("limit_sql_length", limitSqlLength);
    }

    /** {@code limit_trigger_depth} (sqlite-jdbc's property): deepest trigger recursion. */
    public void setLimitTriggerDepth(int limitTriggerDepth) {
        set("limit_trigger_depth", limitTriggerDepth);
    }

    /** {@code limit_variable_number} (sqlite-jdbc's property): highest host parameter number (at most 250000). */
    public void setLimitVariableNumber(int limitVariableNumber) {
        set("limit_variable_number", limitVariableNumber);
    }

    /** {@code limit_vdbe_op} (sqlite-jdbc's property): most instructions of a prepared statement. */
    public void setLimitVdbeOp(int limitVdbeOp) {
        set("limit_vdbe_op", limitVdbeOp);
    }

    /** {@code limit_worker_threads} (sqlite-jdbc's property): most auxiliary sort threads (default 0). */
    public void setLimitWorkerThreads(int limitWorkerThreads) {
        set("limit_worker_threads", limitWorkerThreads);
    }

    /** {@code mmap_size} (sqlite-jdbc's property): bytes of the database file read through mmap (default 0; file and shm: databases). */
    public void setMmapSize(long mmapSize) {
        set("mmap_size", mmapSize);
    }

    /** {@code page_size} (sqlite-jdbc's property): page size of a database created by this connection (before its first table). */
    public void setPageSize(int pageSize) {
        set("page_size", pageSize);
    }

    /** {@code recursive_triggers} (sqlite-jdbc's property): triggers fire triggers recursively (default false). */
    public void setRecursiveTriggers(boolean recursiveTriggers) {
        set("recursive_triggers", recursiveTriggers);
    }

    /** {@code reverse_unordered_selects} (sqlite-jdbc's property): unordered SELECTs return rows in reverse order (testing aid; default false). */
    public void setReverseUnorderedSelects(boolean reverseUnorderedSelects) {
        set("reverse_unordered_selects", reverseUnorderedSelects);
    }

    /** {@code secure_delete} (sqlite-jdbc's property): overwrite deleted content: true, false or FAST (default false). */
    public void setSecureDelete(String secureDelete) {
        set("secure_delete", secureDelete);
    }

    /** {@code temp_store} (sqlite-jdbc's property): where TEMP tables and indexes live: DEFAULT, FILE or MEMORY. */
    public void setTempStore(String tempStore) {
        set("temp_store", tempStore);
    }

    /** {@code wal_limit_mb}: WAL size in MiB past which a commit waits for readers and empties the WAL. */
    public void setWalLimitMb(int walLimitMb) {
        set("wal_limit_mb", walLimitMb);
    }

    /**
     * {@code defensive}: SQLite's defensive mode (default true), in which SQL cannot deliberately
     * corrupt the database file ({@code PRAGMA writable_schema}, {@code journal_mode=OFF},
     * {@code schema_version=N}, writes to shadow tables).
     */
    public void setDefensive(boolean defensive) {
        set("defensive", defensive);
    }

    /**
     * {@code init_from}: an SQLite file a {@code mem:} database is loaded from when it is created
     * (database-level; see {@link Shmlite#restore(String, java.nio.file.Path)}).
     */
    public void setInitFrom(String initFrom) {
        set("init_from", initFrom);
    }

    /** {@code dqlite_connect_timeout_ms} ({@code dqlite://} only): bound on one TCP connect to a node. */
    public void setDqliteConnectTimeoutMs(int dqliteConnectTimeoutMs) {
        set("dqlite_connect_timeout_ms", dqliteConnectTimeoutMs);
    }

    /**
     * {@code dqlite_read_timeout_ms} ({@code dqlite://} only): bound on one response of the cluster;
     * a write whose answer does not come within it has an unknown outcome (08007).
     */
    public void setDqliteReadTimeoutMs(int dqliteReadTimeoutMs) {
        set("dqlite_read_timeout_ms", dqliteReadTimeoutMs);
    }

    /** {@code dqlite_leader_timeout_ms} ({@code dqlite://} only): how long a statement waits for a leader. */
    public void setDqliteLeaderTimeoutMs(int dqliteLeaderTimeoutMs) {
        set("dqlite_leader_timeout_ms", dqliteLeaderTimeoutMs);
    }

    /** Opens a connection with the configured URL and properties. */
    @Override
    public Connection getConnection() throws SQLException {
        return connect(toProperties());
    }

    /** Opens a connection; {@code username}/{@code password} replace the configured ones. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        Properties p = toProperties();
        if (username != null) {
            p.setProperty("user", username);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return connect(p);
    }

    private Connection connect(Properties p) throws SQLException {
        String u = url;
        if (u == null) {
            throw new SQLException("ShmliteDataSource: url is not set", "08001");
        }
        Connection c = driver.connect(u, p);
        if (c == null) {
            throw new SQLException(
                    "ShmliteDataSource: not a shmlite URL (expected " + ShmliteDriver.PREFIX + "…): " + u, "08001");
        }
        return c;
    }

    /** The stored log writer (the driver does not log). */
    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    /** Stored only. */
    @Override
    public void setLogWriter(PrintWriter out) {
        logWriter = out;
    }

    /** Stored only: opening never waits on the network. */
    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeout = seconds;
    }

    /** The stored login timeout. */
    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    /** The driver does not log through java.util.logging. */
    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("shmlite does not use java.util.logging", "HYC00");
    }

    /** Unwraps to this data source. */
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
