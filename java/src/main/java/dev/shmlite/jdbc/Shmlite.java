package dev.shmlite.jdbc;

import java.nio.file.Path;
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
 * {@code shm:feed?shm_dir=/run/user/1000} outside the default directory, {@code file:/abs/path});
 * every method also accepts a JDBC URL ({@code jdbc:shmlite:shm:feed?shm_dir=/run/user/1000}),
 * which the native core resolves exactly as it does when connecting.
 * Each method loads the native library first and throws {@link SQLException} if it cannot.
 */
public final class Shmlite {
    private Shmlite() {}

    /** Keys of the live named databases. */
    public static List<String> databases() throws SQLException {
        NativeLibrary.ensureLoaded();
        String[] keys = Native.databases();
        return keys == null
                ? Collections.emptyList()
                : Collections.unmodifiableList(new ArrayList<>(Arrays.asList(keys)));
    }

    /** Statistics of a live database, empty when it is not live. */
    public static Optional<DatabaseStats> stats(String urlOrKey) throws SQLException {
        String key = key(urlOrKey);
        long[] values = key == null ? null : Native.stats(key);
        return values == null ? Optional.empty() : Optional.of(new DatabaseStats(key, values));
    }

    /**
     * Drops the database a URL or key names, and nothing else: for {@code shm:} the one in the
     * URL's {@code shm_dir}. It is forgotten at once: from the moment this returns, new
     * connections get a fresh, empty database (for {@code shm:}, the files were deleted and are
     * created anew). Connections still open on the dropped database fail with SQLState 08003
     * and are freed when closed. An {@code shm:} database that another process has open is not
     * dropped: the SQLException names that process.
     *
     * @return the number of JDBC connections of this JVM still using it, 0 for an {@code shm:}
     *     database that was not open here but whose files were deleted, or -1 when there was
     *     nothing to drop
     */
    public static int drop(String urlOrKey) throws SQLException {
        // The core resolves the URL or key itself (registry::drop_database), under its lock.
        int result = Native.drop(checked(urlOrKey));
        Jmx.changed();
        return result;
    }

    /**
     * Turns the {@link DatabaseStatsMXBean}s on or off. On: every live database (and every one
     * opened later) gets an MXBean {@code dev.shmlite:type=Database,name="<key>"} on the platform
     * MBean server, unregistered when the database is dropped or no longer live. Off (the default,
     * unless the JVM runs with {@code -Dshmlite.jmx=true}): all are unregistered.
     */
    public static void setJmxEnabled(boolean enabled) throws SQLException {
        Jmx.setEnabled(enabled);
    }

    /** Whether {@link #setJmxEnabled(boolean) JMX registration} is on. */
    public static boolean isJmxEnabled() {
        return Jmx.enabled();
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

    /** Pause between two backup steps, so writers waiting for the copy's lock get in. */
    public static final int BACKUP_STEP_PAUSE_MILLIS = 1;

    /** Progress of {@link #backup(String, Path, ProgressListener)} and {@link #restore(String, Path, ProgressListener)}. */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * Called after each step (256 pages) of the copy.
         *
         * @param remaining pages still to copy
         * @param total pages of the source (it can change when a writer commits meanwhile)
         */
        void progress(int remaining, int total);
    }

    /**
     * Copies the live database {@code url} (a URL or key: {@code mem:NAME}, {@code shm:NAME},
     * {@code file:PATH}) into the SQLite file {@code file} (created or overwritten), online,
     * through SQLite's backup API in steps of 256 pages: writers keep committing meanwhile and
     * the file is a committed snapshot. I/O problems (unwritable path, not a database) are
     * SQLState 58030.
     */
    public static void backup(String url, Path file) throws SQLException {
        backup(url, file, null);
    }

    /** {@link #backup(String, Path)} reporting progress after each step to {@code listener}. */
    public static void backup(String url, Path file, ProgressListener listener) throws SQLException {
        transfer(url, file, false, listener);
    }

    /**
     * Replaces the content of the live database {@code url} by the SQLite file {@code file}
     * through SQLite's backup API: the database's write lock is held from the first page to the
     * commit, so its readers see the old or the new content, never a mix. A missing, unreadable
     * or corrupt file is SQLState 58030.
     */
    public static void restore(String url, Path file) throws SQLException {
        restore(url, file, null);
    }

    /** {@link #restore(String, Path)} reporting progress after each step to {@code listener}. */
    public static void restore(String url, Path file, ProgressListener listener) throws SQLException {
        transfer(url, file, true, listener);
    }

    private static void transfer(String url, Path file, boolean restore, ProgressListener listener)
            throws SQLException {
        if (url == null || file == null) {
            throw new SQLException("database URL and file must not be null", "HY009");
        }
        NativeLibrary.ensureLoaded();
        long handle = Native.backupOpen(url, file.toString(), restore);
        int[] progress = new int[2];
        try {
            while (true) {
                boolean done = Native.backupStep(handle, progress);
                if (listener != null) {
                    listener.progress(progress[0], progress[1]);
                }
                if (done) {
                    return;
                }
                if (!restore) {
                    // Between steps the source is unlocked: let writers in.
                    Thread.sleep(BACKUP_STEP_PAUSE_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.sql.SQLTransientException(
                    (restore ? "restore" : "backup") + " of " + url + " interrupted", "HY008", e);
        } finally {
            Native.backupClose(handle);
        }
    }

    /**
     * The key of the database a URL or key names, resolved by the core (null: private); Java
     * never parses URLs or keys itself.
     */
    private static String key(String urlOrKey) throws SQLException {
        return Native.key(checked(urlOrKey));
    }

    /** {@code urlOrKey}, refused with HY009 when null; the native library is loaded. */
    private static String checked(String urlOrKey) throws SQLException {
        if (urlOrKey == null) {
            throw new SQLException("database key is null", "HY009");
        }
        NativeLibrary.ensureLoaded();
        return urlOrKey;
    }
}
