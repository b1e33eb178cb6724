package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HikariCP 6 in front of shmlite: configured by jdbcUrl and by dataSourceClassName, borrow/return
 * churn with rollback-on-return, validation with isValid, and shutdown while statements run.
 * The surefire configuration sets {@code com.zaxxer.hikari.aliveBypassWindowMs=0}, so every
 * borrow is validated.
 */
class HikariTest {
    private String url;

    @BeforeEach
    void setUp() {
        url = "jdbc:shmlite:mem:hikari-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() throws SQLException {
        Shmlite.drop(url);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void configuredByJdbcUrl() throws SQLException {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url + "?cache_size=-3000");
        cfg.setDriverClassName("dev.shmlite.jdbc.ShmliteDriver");
        cfg.addDataSourceProperty("foreign_keys", "true");
        cfg.setMaximumPoolSize(4);
        cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        cfg.setCatalog("main");
        cfg.setSchema("main");
        cfg.setConnectionInitSql("PRAGMA foreign_keys"); // a statement that returns a row
        try (HikariDataSource ds = new HikariDataSource(cfg);
                Connection c = ds.getConnection()) {
            assertEquals(1, count(c, "PRAGMA foreign_keys"), "dataSourceProperties reach the driver");
            assertEquals(-3000, count(c, "PRAGMA cache_size"), "URL properties reach the driver");
            assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
                assertEquals(1, st.executeUpdate("INSERT INTO t(v) VALUES ('a')"));
            }
            assertEquals("SQLite", c.getMetaData().getDatabaseProductName());
        }
    }

    @Test
    void configuredByDataSourceClassName() throws SQLException {
        HikariConfig cfg = new HikariConfig();
        cfg.setDataSourceClassName("dev.shmlite.jdbc.ShmliteDataSource");
        cfg.addDataSourceProperty("url", url);
        cfg.addDataSourceProperty("busyTimeout", "2500");
        cfg.addDataSourceProperty("cacheSize", "-2500");
        cfg.addDataSourceProperty("foreignKeys", "true");
        cfg.addDataSourceProperty("transactionMode", "IMMEDIATE");
        cfg.setUsername("app"); // accepted and ignored
        cfg.setAutoCommit(false);
        cfg.setMaximumPoolSize(2);
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            assertInstanceOf(
                    ShmliteDataSource.class,
                    ds.getDataSource() == null ? ds.unwrap(ShmliteDataSource.class) : ds.getDataSource());
            try (Connection c = ds.getConnection()) {
                assertFalse(c.getAutoCommit());
                assertEquals(1, count(c, "PRAGMA foreign_keys"));
                assertEquals(-2500, count(c, "PRAGMA cache_size"));
                c.createStatement().execute("CREATE TABLE t(x)");
                c.commit();
            }
        }
    }

    @Test
    void borrowReturnChurnRollsBackWhatWasNotCommitted() throws Exception {
        try (Connection setup = TestSupport.open(url)) {
            TestSupport.exec(setup, "CREATE TABLE t(id INTEGER PRIMARY KEY, worker INTEGER, i INTEGER)");
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setAutoCommit(false);
        cfg.setMaximumPoolSize(4);
        cfg.setConnectionTimeout(30_000);
        final int workers = 8;
        final int rounds = 60;
        AtomicLong committed = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                final int worker = w;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < rounds; i++) {
                        try (Connection c = ds.getConnection();
                                PreparedStatement ps = c.prepareStatement("INSERT INTO t(worker, i) VALUES (?, ?)")) {
                            if (i % 5 == 4) {
                                c.setReadOnly(true); // Hikari resets it on return
                                count(c, "SELECT count(*) FROM t");
                                continue;
                            }
                            ps.setInt(1, worker);
                            ps.setInt(2, i);
                            assertEquals(1, ps.executeUpdate());
                            if (i % 3 == 0) {
                                continue; // returned dirty: HikariCP must roll it back
                            }
                            c.commit();
                            committed.incrementAndGet();
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
            assertEquals(0, ds.getHikariPoolMXBean().getActiveConnections());
            assertTrue(ds.getHikariPoolMXBean().getTotalConnections() <= 4);
            try (Connection c = ds.getConnection()) {
                assertFalse(c.isReadOnly(), "read-only was reset on return");
                assertEquals(committed.get(), count(c, "SELECT count(*) FROM t"));
                assertEquals(0, count(c, "SELECT count(*) FROM t WHERE i % 3 = 0"), "no uncommitted row survived");
            }
        }
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        assertEquals(0, stats.getLockTimeouts());
        assertEquals(0, stats.getDeadlocks());
    }

    @Test
    void validationOnBorrowReplacesADeadConnection() throws SQLException {
        assertEquals(
                "0", System.getProperty("com.zaxxer.hikari.aliveBypassWindowMs"), "set by the surefire configuration");
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setMaximumPoolSize(1);
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            ShmliteConnection first;
            try (Connection c = ds.getConnection()) {
                first = c.unwrap(ShmliteConnection.class);
                TestSupport.exec(c, "CREATE TABLE t(x)");
            }
            try (Connection c = ds.getConnection()) {
                assertSame(first, c.unwrap(ShmliteConnection.class), "a healthy connection is kept");
            }
            assertEquals(1, Shmlite.drop(url), "the pool's idle connection");
            assertFalse(first.isValid(1), "isValid is honest about a dropped database");
            // HikariCP validates a connection idle for more than aliveBypassWindowMs (0) whole
            // milliseconds: let two pass since it was returned.
            long returned = System.nanoTime();
            while (System.nanoTime() - returned < TimeUnit.MILLISECONDS.toNanos(2)) {
                Thread.onSpinWait();
            }
            try (Connection c = ds.getConnection()) {
                assertNotSame(first, c.unwrap(ShmliteConnection.class), "the dead connection was evicted");
                assertTrue(c.isValid(1));
                assertEquals(1, count(c, "SELECT 1"));
            }
            // HikariCP closes an evicted connection on its closer thread.
            long start = System.nanoTime();
            while (!first.isClosed()) {
                assertTrue(
                        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60),
                        "the evicted connection is never closed");
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void shutdownWhileStatementsRunEndsThemWithSqlExceptions() throws Exception {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setMaximumPoolSize(3);
        final int busy = 3;
        ConcurrentLinkedQueue<Throwable> outcomes = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        HikariDataSource ds = new HikariDataSource(cfg);
        for (int i = 0; i < busy; i++) {
            Thread t = new Thread(
                    () -> {
                        try (Connection c = ds.getConnection();
                                Statement st = c.createStatement()) {
                            st.executeQuery(LifecycleTest.LONG_QUERY);
                            outcomes.add(new AssertionError("the long query was not interrupted"));
                        } catch (Throwable e) {
                            outcomes.add(e);
                        }
                    },
                    "busy-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            LifecycleTest.awaitInNative(t, "execute");
        }
        ds.close(); // HikariCP aborts the connections in use
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60)); // a hang detector, not a timing requirement
            assertFalse(t.isAlive(), t.getName() + " hangs");
        }
        assertEquals(busy, outcomes.size());
        for (Throwable e : outcomes) {
            assertInstanceOf(SQLException.class, e, () -> "every running statement ends with an SQLException: " + e);
        }
        assertTrue(ds.isClosed());
        try (Connection c = TestSupport.open(url)) {
            assertEquals(1, count(c, "SELECT 1"), "the database is fine afterwards");
        }
        assertEquals(0, Shmlite.stats(url).orElseThrow().getConnectionsInUse(), "every aborted connection was closed");
    }
}
