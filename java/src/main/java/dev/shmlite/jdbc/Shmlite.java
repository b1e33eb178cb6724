package dev.shmlite.jdbc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Static access to the databases the driver keeps in this JVM: which are live, their
 * statistics, and dropping one. Databases are named by key ({@code mem:demo}, {@code shm:feed},
 * {@code file:/abs/path}); every method also accepts a JDBC URL ({@code jdbc:shmlite:mem:demo}).
 * Each method loads the native library first and throws {@link SQLException} if it cannot.
 */
public final class Shmlite {
    private Shmlite() {}

    /** Keys of the live named databases. */
    public static List<String> databases() throws SQLException {
        NativeLibrary.ensureLoaded();
        String[] keys = Native.databases();
        return keys == null ? Collections.emptyList() : Collections.unmodifiableList(new ArrayList<>(Arrays.asList(keys)));
    }

    /** Statistics of a live database, empty when it is not live. */
    public static Optional<DatabaseStats> stats(String urlOrKey) throws SQLException {
        NativeLibrary.ensureLoaded();
        for (String key : candidateKeys(urlOrKey)) {
            long[] values = Native.stats(key);
            if (values != null) {
                return Optional.of(new DatabaseStats(key, values));
            }
        }
        return Optional.empty();
    }

    /**
     * Drops a named database: it is forgotten at once (new connections get a fresh, empty one)
     * and freed when its last connection closes.
     *
     * @return the number of JDBC connections still using it, or -1 when it was not live
     */
    public static int drop(String urlOrKey) throws SQLException {
        NativeLibrary.ensureLoaded();
        int result = -1;
        for (String key : candidateKeys(urlOrKey)) {
            result = Native.drop(key);
            if (result >= 0) {
                break;
            }
        }
        return result;
    }

    /**
     * Waits until another connection or process has committed to the connection's database since
     * the connection's last wait (or since it opened), or until the timeout passes. The
     * connection may be a pool's proxy: it is unwrapped. See {@link ShmliteConnection#awaitChange}.
     *
     * @param connection a shmlite connection with no open transaction
     * @param timeoutMillis how long to wait at most; 0 only checks
     * @return true when something was committed, false on timeout
     */
    public static boolean awaitChange(Connection connection, long timeoutMillis) throws SQLException {
        if (connection == null) {
            throw new SQLException("connection is null", "HY009");
        }
        return connection.unwrap(ShmliteConnection.class).awaitChange(timeoutMillis);
    }

    /** The SQLite library version, e.g. "3.54.1". */
    public static String sqliteVersion() throws SQLException {
        NativeLibrary.ensureLoaded();
        return Native.sqliteVersion();
    }

    /**
     * The key(s) a URL or key may denote: the URL prefix and query are dropped, and a file path
     * is made absolute (then also tried with symbolic links resolved, in case the core keys files
     * by their real path).
     */
    static List<String> candidateKeys(String urlOrKey) throws SQLException {
        if (urlOrKey == null) {
            throw new SQLException("database key is null", "HY009");
        }
        String k = urlOrKey.startsWith(ShmliteDriver.PREFIX) ? urlOrKey.substring(ShmliteDriver.PREFIX.length())
                : urlOrKey;
        int q = k.indexOf('?');
        if (q >= 0) {
            k = k.substring(0, q);
        }
        if (k.startsWith("mem:") || k.startsWith("shm:")) {
            return Collections.singletonList(k);
        }
        String file = k.startsWith("file:") ? k.substring("file:".length()) : k;
        List<String> keys = new ArrayList<>(2);
        try {
            Path abs = Paths.get(file).toAbsolutePath().normalize();
            keys.add("file:" + abs);
            if (Files.exists(abs)) {
                String real = "file:" + abs.toRealPath();
                if (!keys.contains(real)) {
                    keys.add(real);
                }
            }
        } catch (InvalidPathException | IOException e) {
            keys.add("file:" + file);
        }
        return keys;
    }
}
