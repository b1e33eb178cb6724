package dev.shmlite.bench;

import dev.shmlite.jdbc.Shmlite;
import dev.shmlite.jdbc.ShmliteDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * One peer's database for one benchmark run: its URL, driver properties, DataSource and dialect,
 * a keeper connection that keeps an in-memory database alive for the whole run, and clean-up.
 *
 * <p>Peers (the JMH {@code peer} parameter):
 * <ul>
 *   <li>{@code shmlite-mem}: {@code jdbc:shmlite:mem:NAME}, driver defaults.</li>
 *   <li>{@code shmlite-shm}: {@code jdbc:shmlite:shm:NAME} (WAL file on /dev/shm), driver defaults.</li>
 *   <li>{@code sqlite-jdbc}: sqlite-jdbc with its defaults. Single-connection workloads (W1-W3) use
 *       {@code jdbc:sqlite::memory:} (private in-memory: the fastest sqlite-jdbc setup); workloads
 *       that need several connections on one database (W4, W6, W7) use a file in a fresh temporary
 *       directory on /dev/shm (rollback journal, synchronous FULL — free on tmpfs).</li>
 *   <li>{@code sqlite-jdbc-shared}: the seed's configuration,
 *       {@code jdbc:sqlite:file:NAME?mode=memory&cache=shared} with {@code read_uncommitted=true},
 *       {@code synchronous=OFF}, {@code transaction_mode=IMMEDIATE}.</li>
 *   <li>{@code h2}: {@code jdbc:h2:mem:NAME;DB_CLOSE_DELAY=-1}.</li>
 * </ul>
 */
public final class Target implements AutoCloseable {
    public static final List<String> PEERS =
            List.of("shmlite-mem", "shmlite-shm", "sqlite-jdbc", "sqlite-jdbc-shared", "h2");

    private static final AtomicInteger SEQ = new AtomicInteger();

    public final String peer;
    public final String url;
    public final Properties props;
    public final String driverClass;
    public final boolean h2;
    private final Path tempDir;
    private Connection keeper;

    private Target(String peer, String url, Properties props, String driverClass, Path tempDir) {
        this.peer = peer;
        this.url = url;
        this.props = props;
        this.driverClass = driverClass;
        this.h2 = peer.equals("h2");
        this.tempDir = tempDir;
    }

    /** A unique database name for this run: workload, pid, a counter and the clock. */
    public static String uniqueName(String workload) {
        return "bench_" + workload + "_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet() + "_"
                + Long.toHexString(System.nanoTime() & 0xffffffL);
    }

    /**
     * Creates the database of {@code peer} for {@code workload}.
     *
     * @param singleConnection true when the workload uses one connection only (sqlite-jdbc defaults then
     *     uses a private {@code :memory:} database)
     */
    public static Target create(String peer, String workload, boolean singleConnection) throws SQLException {
        String name = uniqueName(workload);
        Properties props = new Properties();
        Target t;
        switch (peer) {
            case "shmlite-mem":
                t = new Target(peer, "jdbc:shmlite:mem:" + name, props, "dev.shmlite.jdbc.ShmliteDriver", null);
                break;
            case "shmlite-shm":
                t = new Target(peer, "jdbc:shmlite:shm:" + name, props, "dev.shmlite.jdbc.ShmliteDriver", null);
                break;
            case "shmlite-mem-deferred": // not default peers: what transaction_mode=DEFERRED changes
            case "shmlite-shm-deferred":
                t = new Target(peer, "jdbc:shmlite:" + peer.substring(8, 11) + ":" + name
                        + "?transaction_mode=DEFERRED", props, "dev.shmlite.jdbc.ShmliteDriver", null);
                break;
            case "shmlite-mem-always": // not default peers: the rule before issue 13 (readers take the write lock)
            case "shmlite-shm-always":
                t = new Target(peer, "jdbc:shmlite:" + peer.substring(8, 11) + ":" + name
                        + "?transaction_mode=ALWAYS_IMMEDIATE", props, "dev.shmlite.jdbc.ShmliteDriver", null);
                break;
            case "shmlite-mem-seed": // not default peers: the seed's MyBatis configuration (issue 13)
            case "shmlite-shm-seed":
                // driver.synchronous=OFF, driver.transaction_mode=IMMEDIATE, driver.foreign_keys=ON and
                // defaultTransactionIsolationLevel=1, which read_uncommitted=true starts every connection at.
                t = new Target(peer, "jdbc:shmlite:" + peer.substring(8, 11) + ":" + name
                        + "?synchronous=OFF&transaction_mode=IMMEDIATE&foreign_keys=ON&read_uncommitted=true", props,
                        "dev.shmlite.jdbc.ShmliteDriver", null);
                break;
            case "sqlite-jdbc":
                if (singleConnection) {
                    t = new Target(peer, "jdbc:sqlite::memory:", props, "org.sqlite.JDBC", null);
                } else {
                    Path dir;
                    try {
                        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmlite-bench-");
                    } catch (IOException e) {
                        throw new SQLException("cannot create a temporary directory on /dev/shm", e);
                    }
                    t = new Target(peer, "jdbc:sqlite:" + dir.resolve(name + ".db"), props, "org.sqlite.JDBC", dir);
                }
                break;
            case "sqlite-jdbc-shared": {
                SQLiteConfig cfg = seedConfig();
                props.putAll(cfg.toProperties());
                t = new Target(peer, "jdbc:sqlite:file:" + name + "?mode=memory&cache=shared", props,
                        "org.sqlite.JDBC", null);
                break;
            }
            case "h2":
                t = new Target(peer, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", props, "org.h2.Driver", null);
                break;
            default:
                throw new IllegalArgumentException("unknown peer " + peer + " (known: " + PEERS + ")");
        }
        // Drivers register themselves when loaded; make sure they are (the uber-jar has all three).
        try {
            Class.forName(t.driverClass);
        } catch (ClassNotFoundException e) {
            throw new SQLException("driver class missing: " + t.driverClass, e);
        }
        if (!(peer.equals("sqlite-jdbc") && singleConnection)) {
            // In-memory databases live as long as one connection does; hold one for the whole run.
            t.keeper = t.connect();
        }
        return t;
    }

    /** The seed's sqlite-jdbc configuration (shared cache is selected by the URL). */
    static SQLiteConfig seedConfig() {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadUncommitted(true);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        return cfg;
    }

    /** A new connection through DriverManager with the peer's properties. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, props);
    }

    /** The peer's own DataSource implementation, configured like {@link #connect()}. */
    public DataSource dataSource() {
        switch (peer) {
            case "shmlite-mem":
            case "shmlite-mem-deferred":
            case "shmlite-shm-deferred":
            case "shmlite-shm": {
                ShmliteDataSource ds = new ShmliteDataSource();
                ds.setUrl(url);
                return ds;
            }
            case "sqlite-jdbc": {
                SQLiteDataSource ds = new SQLiteDataSource();
                ds.setUrl(url);
                return ds;
            }
            case "sqlite-jdbc-shared": {
                SQLiteDataSource ds = new SQLiteDataSource(seedConfig());
                ds.setUrl(url);
                return ds;
            }
            case "h2": {
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL(url);
                return ds;
            }
            default:
                throw new IllegalStateException(peer);
        }
    }

    /** Runs DDL on a short-lived connection. */
    public void execute(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    // --- dialect ---------------------------------------------------------------------------------

    /** The W1/W2/W3/W6 table: 5 columns, integer key, real, short text, 100-byte blob, always NULL. */
    public String createBench() {
        return h2 ? "CREATE TABLE bench(id BIGINT PRIMARY KEY, r DOUBLE PRECISION, s VARCHAR(64), b VARBINARY(100), n BIGINT)"
                : "CREATE TABLE bench(id INTEGER PRIMARY KEY, r REAL, s TEXT, b BLOB, n INTEGER)";
    }

    /** The W4 table (as in the seed application and {@code shmlite demo}). */
    public String createEvents() {
        return h2 ? "CREATE TABLE events(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, payload VARCHAR(100) NOT NULL, created BIGINT NOT NULL)"
                : "CREATE TABLE events(id INTEGER PRIMARY KEY, payload TEXT NOT NULL, created INTEGER NOT NULL)";
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        if (keeper != null) {
            try {
                keeper.close();
            } catch (SQLException e) {
                failure = e;
            }
            keeper = null;
        }
        if (peer.startsWith("shmlite")) {
            Shmlite.drop(url);
        }
        if (h2) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException ignored) {
                // already gone
            }
        }
        if (tempDir != null) {
            try (Stream<Path> files = Files.walk(tempDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
