package dev.shmlite.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The shmlite JDBC driver, for URLs starting with {@value #PREFIX}: {@code mem:NAME} (named
 * in-memory database shared within the JVM), {@code mem:} (private in-memory), {@code shm:NAME}
 * (shared memory), {@code file:PATH} or a bare path, or {@code dqlite://HOST:PORT[,HOST:PORT...]/NAME}
 * (database NAME of a dqlite cluster, README "Past one host"), each optionally followed by
 * {@code ?name=value&...} properties.
 *
 * <p>Registered with {@link DriverManager} when the class loads and through
 * {@code META-INF/services/java.sql.Driver}. The native library is loaded on the first
 * {@link #connect} with one of our URLs, never for foreign URLs.
 */
public final class ShmliteDriver implements Driver {
    /** The URL prefix this driver accepts. */
    public static final String PREFIX = "jdbc:shmlite:";

    static final int MAJOR_VERSION = 0;
    static final int MINOR_VERSION = 1;

    static {
        try {
            DriverManager.registerDriver(new ShmliteDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Property names, choices (null: free value) and descriptions, for {@link #getPropertyInfo}. */
    private static final String[][] PROPERTIES = {
        {"journal_mode", "DELETE,TRUNCATE,PERSIST,MEMORY,WAL,OFF", "SQLite journal mode"},
        {"synchronous", "OFF,NORMAL,FULL,EXTRA", "SQLite synchronous setting"},
        {"foreign_keys", "true,false", "enforce foreign key constraints"},
        {"busy_timeout", null, "milliseconds to wait for a lock before failing"},
        {"transaction_mode", "DEFERRED,IMMEDIATE,EXCLUSIVE,ALWAYS_IMMEDIATE",
            "how a write-first transaction begins (read-first ones begin DEFERRED, except with ALWAYS_IMMEDIATE)"},
        {"read_uncommitted", "true,false", "read uncommitted rows of other connections (shared cache)"},
        {"cache_size", null, "SQLite page cache size (pages, or KiB when negative)"},
        {"open_mode", "READONLY,READWRITE,READWRITE_CREATE", "how the database file is opened"},
        {"read_only", "true,false", "connections start read-only"},
        {"pool_size", null, "native connections pooled per database"},
        {"pool_timeout", null, "milliseconds to wait for a pooled native connection"},
        {"keep_alive", "true,false", "keep a named in-memory database after its last connection closes"},
        {"date_class", "INTEGER,REAL,TEXT", "storage class of setDate/setTime/setTimestamp"},
        {"date_precision", "MILLISECONDS,SECONDS", "unit of dates stored as INTEGER"},
        {"date_string_format", null, "pattern of dates stored as TEXT (default yyyy-MM-dd HH:mm:ss.SSS)"},
        {"shm_dir", null, "tmpfs directory holding the private directory of shm: databases (default /dev/shm)"},
        {"wal_limit_mb", null, "WAL size in MiB past which a commit truncates the WAL"},
        {"defensive", "true,false", "SQLite's defensive mode: SQL cannot deliberately corrupt the database file (default true)"},
        {"init_from", null, "SQLite file a mem: database is loaded from when it is created"},
        {"dqlite_connect_timeout_ms", null, "dqlite:// only: bound on one TCP connect to a node (default 3000)"},
        {"dqlite_read_timeout_ms", null, "dqlite:// only: bound on one response of the cluster (default 10000)"},
        {"dqlite_leader_timeout_ms", null, "dqlite:// only: how long a statement waits for a leader (default 30000)"},
        // sqlite-jdbc's pragma and limit properties (rust/core/src/sqlite_props.rs), connection-level
        {"automatic_index", "true,false", "SQLite's automatic indexes for joins (default true)"},
        {"case_sensitive_like", "true,false", "LIKE compares ASCII case-sensitively (default false)"},
        {"defer_foreign_keys", "true,false", "foreign keys are checked at commit (default false)"},
        {"legacy_alter_table", "true,false", "ALTER TABLE RENAME as before SQLite 3.26 (default false)"},
        {"limit_attached", null, "most attached databases (at most 10)"},
        {"limit_column", null, "most columns in a table, index or result"},
        {"limit_compound_select", null, "most terms of a compound SELECT"},
        {"limit_expr_depth", null, "deepest expression tree"},
        {"limit_function_arg", null, "most arguments of a function"},
        {"limit_length", null, "longest string or blob, in bytes"},
        {"limit_like_pattern_length", null, "longest LIKE or GLOB pattern"},
        {"limit_sql_length", null, "longest SQL statement, in bytes"},
        {"limit_trigger_depth", null, "deepest trigger recursion"},
        {"limit_variable_number", null, "highest host parameter number (at most 250000)"},
        {"limit_vdbe_op", null, "most instructions of a prepared statement"},
        {"limit_worker_threads", null, "most auxiliary sort threads (default 0)"},
        {"mmap_size", null, "bytes of the database file read through mmap (default 0; file and shm: databases)"},
        {"page_size", null, "page size of a database created by this connection (before its first table)"},
        {"recursive_triggers", "true,false", "triggers fire triggers recursively (default false)"},
        {"reverse_unordered_selects", "true,false", "unordered SELECTs return rows in reverse order (testing aid; default false)"},
        {"secure_delete", "true,false,FAST", "overwrite deleted content: true, false or FAST (default false)"},
        {"temp_store", "DEFAULT,FILE,MEMORY", "where TEMP tables and indexes live: DEFAULT, FILE or MEMORY"},
        {"user", null, "accepted and ignored"},
        {"password", null, "accepted and ignored"},
    };

    /** Public for ServiceLoader and frameworks that instantiate drivers by class name. */
    public ShmliteDriver() {}

    /**
     * Opens a connection, or returns null when the URL is not a shmlite URL (so that
     * {@link DriverManager} can try other drivers). URL properties and {@code info} are merged
     * by the native core, {@code info} winning; unknown or invalid properties are an error.
     */
    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (url == null) {
            throw new SQLException("url is null", "08001");
        }
        if (!acceptsURL(url)) {
            return null;
        }
        NativeLibrary.ensureLoaded();
        Map<String, String> props = toMap(info);
        String[] keys = props.keySet().toArray(new String[0]);
        String[] values = props.values().toArray(new String[0]);
        long session = Native.open(url, keys, values);
        Connection connection = ShmliteConnection.open(url, session, settingsKey(url, props));
        if (Jmx.enabled()) { // opt-in: one volatile read when JMX is off
            Jmx.opened(url);
        }
        return connection;
    }

    /** Cache key of the settings of a (URL, properties) pair: they are a function of both. */
    private static String settingsKey(String url, Map<String, String> props) {
        if (props.isEmpty()) {
            return url;
        }
        StringBuilder key = new StringBuilder(url);
        props.forEach((k, v) -> key.append('\0').append(k).append('=').append(v));
        return key.toString();
    }

    /**
     * Flattens Properties; values are read with {@code get} because pools (HikariCP 6.3.1+) pass
     * non-String values as they are, and with {@code getProperty} for values held as defaults.
     */
    static Map<String, String> toMap(Properties info) {
        Map<String, String> map = new LinkedHashMap<>();
        if (info == null) {
            return map;
        }
        for (String key : info.stringPropertyNames()) {
            Object v = info.get(key);
            String value = v != null ? String.valueOf(v) : info.getProperty(key);
            if (value != null) {
                map.put(key, value);
            }
        }
        for (Object key : info.keySet()) {
            Object v = info.get(key);
            if (v != null) {
                map.putIfAbsent(String.valueOf(key), String.valueOf(v));
            }
        }
        return map;
    }

    /** True only for URLs starting with {@value #PREFIX}. */
    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    /** Lists every property the core accepts, with current values from {@code info} when present. */
    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        Map<String, String> given = toMap(info);
        List<DriverPropertyInfo> result = new ArrayList<>(PROPERTIES.length);
        for (String[] p : PROPERTIES) {
            DriverPropertyInfo dpi = new DriverPropertyInfo(p[0], given.get(p[0]));
            dpi.required = false;
            dpi.choices = p[1] == null ? null : p[1].split(",");
            dpi.description = p[2];
            result.add(dpi);
        }
        return result.toArray(new DriverPropertyInfo[0]);
    }

    /** Returns 0. */
    @Override
    public int getMajorVersion() {
        return MAJOR_VERSION;
    }

    /** Returns 1. */
    @Override
    public int getMinorVersion() {
        return MINOR_VERSION;
    }

    /** False: SQLite does not pass the JDBC compliance tests (no stored procedures, for one). */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    /** The driver does not log through java.util.logging. */
    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("shmlite does not use java.util.logging", "HYC00");
    }
}
