package dev.shmlite.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.LinkedHashMap;
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

    /**
     * Lists every property the core accepts, from the core's own table ({@code Native.properties},
     * so the list is the one the loaded library parses): description is the property's one-line
     * doc, choices its values for booleans and enumerations, value the one in {@code info} or
     * else the default for the URL's kind of database (null when unset: SQLite's own, or none).
     * A foreign URL gets an empty array, and the native library is not loaded for it.
     *
     * @throws SQLException (08001) when the native library cannot be loaded
     */
    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return new DriverPropertyInfo[0];
        }
        NativeLibrary.ensureLoaded();
        Map<String, String> given = toMap(info);
        String[] rows = Native.properties(url);
        DriverPropertyInfo[] result = new DriverPropertyInfo[rows.length / Native.PROP_FIELDS];
        for (int i = 0; i < result.length; i++) {
            int row = i * Native.PROP_FIELDS;
            String name = rows[row + Native.PROP_NAME];
            String type = rows[row + Native.PROP_TYPE];
            DriverPropertyInfo dpi =
                    new DriverPropertyInfo(name, given.getOrDefault(name, rows[row + Native.PROP_DEFAULT]));
            dpi.required = false;
            boolean enumerated = type.equals("boolean") || type.equals("choice");
            dpi.choices = enumerated ? rows[row + Native.PROP_VALUES].split(", ") : null;
            dpi.description = rows[row + Native.PROP_DOC];
            result[i] = dpi;
        }
        return result;
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
