package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 3 through plain JDBC, with real threads: no lock errors, exact counts, bounded waits. */
class ConcurrencyTest {

    private static String url(String name) {
        return "jdbc:shmlite:mem:" + name + "-" + UUID.randomUUID();
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void writerAndFlippingReadersNeverFailAndNeverSeeUncommittedRows() throws Exception {
        String url = url("seed");
        final int txns = 200;
        final int rowsPerTxn = 4;
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, txn INTEGER NOT NULL)");
        }
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong partialReads = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> {
            try (Connection c = DriverManager.getConnection(url, props("read_uncommitted", "false"));
                    PreparedStatement ins = c.prepareStatement("INSERT INTO t(txn) VALUES (?)")) {
                for (int txn = 0; txn < txns; txn++) {
                    c.setAutoCommit(false);
                    for (int i = 0; i < rowsPerTxn; i++) {
                        ins.setInt(1, txn);
                        ins.executeUpdate();
                    }
                    c.commit();
                    c.setAutoCommit(true);
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        }));
        for (int r = 0; r < 4; r++) {
            threads.add(new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, props("read_uncommitted", "false"));
                        PreparedStatement q = c.prepareStatement("SELECT txn, count(*) FROM t GROUP BY txn")) {
                    for (int i = 0; i < 200; i++) {
                        c.setAutoCommit(false);
                        try (ResultSet rs = q.executeQuery()) {
                            while (rs.next()) {
                                if (rs.getInt(2) != rowsPerTxn) {
                                    partialReads.incrementAndGet();
                                }
                            }
                        }
                        c.commit();
                        c.setAutoCommit(true);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
        assertEquals(0, partialReads.get(), "a reader saw part of an uncommitted transaction");
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals((long) txns * rowsPerTxn, count(c, "SELECT count(*) FROM t"));
        }
        Shmlite.drop(url);
    }

    @Test
    void readModifyWriteCountersSumExactly() throws Exception {
        String url = url("counters");
        TestSupport.readModifyWrite(url, new Properties());
        Shmlite.drop(url);
    }

    @Test
    void forcedDeadlockEndsIn40001ForOneSideAndTheOtherCompletes() throws Exception {
        // mem: is WAL: the shared cache's table-lock cycle (one writes a and wants b, two read b and
        // wants a) cannot form, two reads its snapshot at once. When two then writes too, it gets the
        // write lock after one's commit with a stale snapshot whose read of b changed: 40001 for two,
        // one completes, nothing is lost.
        String url = url("deadlock");
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE a(x); CREATE TABLE b(x); INSERT INTO a VALUES (0); INSERT INTO b VALUES (0)");
        }
        Properties deferred = props("transaction_mode", "DEFERRED", "busy_timeout", "30000");
        try (Connection one = DriverManager.getConnection(url, deferred);
                Connection two = DriverManager.getConnection(url, deferred)) {
            one.setAutoCommit(false);
            two.setAutoCommit(false);
            one.createStatement().executeUpdate("INSERT INTO a VALUES (1)"); // one: the write lock
            assertEquals(1, count(two, "SELECT count(*) FROM b"));
            assertEquals(1, count(two, "SELECT count(*) FROM a"), "two reads its snapshot without waiting");
            ExecutorService ex = Executors.newSingleThreadExecutor();
            Future<Throwable> twoSide = ex.submit(() -> {
                try {
                    two.createStatement().executeUpdate("INSERT INTO a VALUES (2)"); // waits for one
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            one.createStatement().executeUpdate("INSERT INTO b VALUES (1)");
            one.commit();
            Throwable e = twoSide.get();
            ex.shutdown();
            assertTrue(e instanceof SQLTransactionRollbackException, String.valueOf(e));
            assertEquals("40001", ((SQLException) e).getSQLState());
            two.rollback();
            assertEquals(2, count(two, "SELECT count(*) FROM a"), "one's rows, not two's");
            assertEquals(2, count(one, "SELECT count(*) FROM b"));
        }
        assertEquals(1, Shmlite.stats(url).orElseThrow().getUpgradeConflicts());
        Shmlite.drop(url);
    }

    @Test
    void waitPastBusyTimeoutIsATimeoutAndCancelEndsAWait() throws Exception {
        String url = url("waits");
        try (Connection holder = DriverManager.getConnection(url)) {
            holder.createStatement().execute("CREATE TABLE t(x)");
            holder.setAutoCommit(false);
            holder.createStatement().executeUpdate("INSERT INTO t VALUES (1)"); // holds the write lock

            try (Connection impatient = DriverManager.getConnection(url, props("busy_timeout", "100"))) {
                SQLException e = assertThrows(
                        SQLException.class,
                        () -> impatient.createStatement().executeUpdate("INSERT INTO t VALUES (2)"));
                assertTrue(e instanceof SQLTimeoutException, e.toString());
                assertTrue(e.getMessage().contains("locked"), e.getMessage());
            }

            try (Connection patient = DriverManager.getConnection(url, props("busy_timeout", "600000"));
                    Statement st = patient.createStatement()) {
                ExecutorService ex = Executors.newSingleThreadExecutor();
                Future<SQLException> waiting = ex.submit(() -> {
                    try {
                        st.executeUpdate("INSERT INTO t VALUES (3)");
                        return null;
                    } catch (SQLException e) {
                        return e;
                    }
                });
                // A cancel that lands before the wait began is cleared by the execute; repeat it.
                while (!waiting.isDone()) {
                    st.cancel();
                    Thread.onSpinWait();
                }
                SQLException e = waiting.get();
                ex.shutdown();
                assertTrue(e instanceof SQLTimeoutException, String.valueOf(e));
                assertEquals("57014", e.getSQLState());
                holder.commit();
                assertEquals(1, st.executeUpdate("INSERT INTO t VALUES (4)"), "usable after cancel");
            }
        }
        Shmlite.drop(url);
    }

    @Test
    void queryTimeoutStopsALongQuery() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:mem:");
                Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> s.executeQuery(
                            "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"));
            assertTrue(e instanceof SQLTimeoutException, e.toString());
            s.setQueryTimeout(0);
            assertEquals(2, count(c, "SELECT 1 + 1"));
        }
    }

    @Test
    void exhaustedPoolTimesOutWithATransientConnectionException() throws Exception {
        String url = url("pool") + "?pool_size=2&pool_timeout=50";
        try (Connection a = DriverManager.getConnection(url);
                Connection b = DriverManager.getConnection(url)) {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url));
            assertTrue(e instanceof SQLTransientConnectionException, e.toString());
            assertEquals(2, Shmlite.stats(url).orElseThrow().getConnectionsInUse());
        }
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        assertEquals(0, stats.getConnectionsInUse());
        assertEquals(1, stats.getPoolTimeouts());
        Shmlite.drop(url);
    }

    @Test
    void returnedConnectionCarriesNoTransactionOrReadOnlyState() throws Exception {
        String url = url("clean") + "?pool_size=1";
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE t(x)");
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.createStatement().executeQuery("SELECT * FROM t").close(); // begins a transaction
        } // closed mid-transaction, read-only
        try (Connection c = DriverManager.getConnection(url)) {
            assertTrue(c.getAutoCommit());
            assertFalse(c.isReadOnly());
            assertEquals(1, c.createStatement().executeUpdate("INSERT INTO t VALUES (1)"));
        }
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        assertEquals(1, stats.getRollbacks(), "the open transaction was rolled back on return");
        Shmlite.drop(url);
    }

    @Test
    void forgottenConnectionIsReclaimed() throws Exception {
        String url = url("forgotten") + "?pool_size=1&pool_timeout=100";
        forget(url);
        // Each GC cycle gives the Cleaner a chance; the reclaim is observed in the statistics.
        for (int i = 0; i < 200 && Shmlite.stats(url).orElseThrow().getSessionsReclaimed() == 0; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(1, Shmlite.stats(url).orElseThrow().getSessionsReclaimed());
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(1, count(c, "SELECT count(*) FROM t"), "the forgotten connection's commit survived");
        }
        Shmlite.drop(url);
    }

    private static void forget(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        c.createStatement().execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    }

    @Test
    void dataSurvivesEveryConnectionClosingUntilDropped() throws Exception {
        String url = url("survive");
        String other = url("isolated");
        try (Connection c = DriverManager.getConnection(url);
                Connection o = DriverManager.getConnection(other)) {
            c.createStatement().execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)");
            o.createStatement().execute("CREATE TABLE t(x)");
        }
        assertTrue(Shmlite.databases().contains(url.substring("jdbc:shmlite:".length())));
        try (Connection c = DriverManager.getConnection(url);
                Connection o = DriverManager.getConnection(other)) {
            assertEquals(2, count(c, "SELECT count(*) FROM t"));
            assertEquals(0, count(o, "SELECT count(*) FROM t"));
        }
        assertEquals(0, Shmlite.drop(url));
        assertEquals(-1, Shmlite.drop(url));
        try (Connection c = DriverManager.getConnection(url)) {
            SQLException e = assertThrows(SQLException.class, () -> count(c, "SELECT count(*) FROM t"));
            assertEquals("42S02", e.getSQLState());
        }
        Shmlite.drop(url);
        Shmlite.drop(other);
    }
}
