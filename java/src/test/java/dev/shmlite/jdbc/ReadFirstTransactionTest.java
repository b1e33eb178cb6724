package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 through plain JDBC on {@code mem:}, {@code shm:} and a WAL {@code file:}: a
 * transaction that has only read never blocks another connection's write, a read-modify-write
 * never loses an update (40001 and a retry instead), isolation levels and transaction_mode.
 */
class ReadFirstTransactionTest {
    private static Path dir;
    private static final List<String> SHM_NAMES = new ArrayList<>();

    @BeforeAll
    static void makeDir() throws IOException {
        Path base = Files.isDirectory(Path.of("/dev/shm"))
                ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(base, "shmlite-rft-");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        for (String name : SHM_NAMES) {
            CrudTest.deleteShmFiles(name);
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** A fresh database of each kind: shared-cache mem:, shm: (WAL) and file: in WAL mode. */
    private static List<String> urls(String prefix) {
        String name = TestSupport.uniqueName(prefix);
        SHM_NAMES.add(name);
        return List.of(
                "jdbc:shmlite:mem:" + name,
                "jdbc:shmlite:shm:" + name,
                "jdbc:shmlite:file:" + dir.resolve(name + ".db") + "?journal_mode=WAL");
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static DatabaseStats stats(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            return Shmlite.stats(url).orElseThrow();
        }
    }

    private static void drop(String url) throws SQLException {
        Shmlite.drop(url);
    }

    /** The repro: c2's INSERT commits while c1's read transaction is open, without a wait. */
    @Test
    void writeOfAnotherConnectionDoesNotWaitForAReadTransaction() throws SQLException {
        for (String url : urls("repro")) {
            try (Connection c1 = DriverManager.getConnection(url);
                    Connection c2 = DriverManager.getConnection(url)) {
                c1.createStatement().execute("CREATE TABLE a(x)");
                c1.createStatement().execute("CREATE TABLE b(x)");
                DatabaseStats before = Shmlite.stats(url).orElseThrow();
                c1.setAutoCommit(false);
                try (ResultSet rs = c1.createStatement().executeQuery("SELECT count(*) FROM a")) {
                    assertTrue(rs.next());
                }
                assertEquals(1, c2.createStatement().executeUpdate("INSERT INTO b VALUES (1)"), url);
                assertEquals(1, TestSupport.queryLong(c2, "SELECT count(*) FROM b"));
                c1.commit();
                DatabaseStats after = Shmlite.stats(url).orElseThrow();
                assertEquals(before.getLockWaits(), after.getLockWaits(), url + ": no wait");
                assertEquals(1, after.getReadTransactions() - before.getReadTransactions(), url);
                assertEquals(before.getBeginsImmediate(), after.getBeginsImmediate(), url);
            } finally {
                drop(url);
            }
        }
    }

    /** 8 threads × 200 SELECT-then-UPDATE transactions, retried on 40001 only: exact sums. */
    @Test
    void readModifyWriteNeverLosesAnUpdate() throws Exception {
        for (String url : urls("rmw")) {
            long retries = TestSupport.readModifyWrite(url, new Properties());
            DatabaseStats s = stats(url);
            assertEquals(retries, s.getUpgradeConflicts(), url + ": each retry was an upgrade conflict");
            System.out.printf(
                    "ReadFirstTransactionTest %s: 1600 increments, %d retries on 40001 (%s)%n", url, retries, s);
            drop(url);
        }
    }

    /** ALWAYS_IMMEDIATE keeps the old rule: every transaction takes the write lock first, no retry ever. */
    @Test
    void alwaysImmediateReadModifyWriteNeedsNoRetry() throws Exception {
        for (String url : urls("rmw-always")) {
            assertEquals(0, TestSupport.readModifyWrite(url, props("transaction_mode", "ALWAYS_IMMEDIATE")), url);
            DatabaseStats s = stats(url);
            assertEquals(0, s.getReadTransactions(), url);
            assertEquals(1600, s.getWriteTransactions(), url);
            drop(url);
        }
    }

    /** Two read-first transactions that both upgrade on mem:: a cycle, 40001 for exactly one. */
    @Test
    void upgradeDeadlockEndsIn40001ForExactlyOneSide() throws Exception {
        String url = urls("updl").get(0);
        try (Connection one = DriverManager.getConnection(url, props("busy_timeout", "30000"));
                Connection two = DriverManager.getConnection(url, props("busy_timeout", "30000"))) {
            TestSupport.exec(one, "CREATE TABLE t(x); INSERT INTO t VALUES (0)");
            one.setAutoCommit(false);
            two.setAutoCommit(false);
            // Both read the value they then update: the second writer's re-validation sees it changed.
            assertEquals(0, TestSupport.queryLong(one, "SELECT x FROM t"));
            assertEquals(0, TestSupport.queryLong(two, "SELECT x FROM t"));
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService ex = Executors.newSingleThreadExecutor();
            Future<SQLException> twoSide = ex.submit(() -> {
                go.await();
                return updateAndCommit(two);
            });
            go.countDown();
            SQLException oneError = updateAndCommit(one);
            SQLException twoError = twoSide.get();
            ex.shutdown();
            assertTrue(
                    (oneError == null) != (twoError == null), "exactly one side fails: " + oneError + " / " + twoError);
            SQLException e = oneError != null ? oneError : twoError;
            assertTrue(e instanceof SQLTransactionRollbackException, e.toString());
            assertEquals("40001", e.getSQLState());
            (oneError != null ? one : two).rollback();
            assertEquals(1, TestSupport.queryLong(one, "SELECT x FROM t"));
            one.commit();
        }
        DatabaseStats s = Shmlite.stats(url).orElseThrow();
        assertEquals(1, s.getUpgradeConflicts());
        assertEquals(2, s.getUpgrades());
        drop(url);
    }

    private static SQLException updateAndCommit(Connection c) {
        try {
            c.createStatement().executeUpdate("UPDATE t SET x = x + 1");
            c.commit();
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    /** WAL: a read whose snapshot another commit made stale fails the first write, never writes over it. */
    @Test
    void staleSnapshotFailsTheUpgradeWith40001() throws SQLException {
        for (String url : urls("stale").subList(1, 3)) {
            try (Connection a = DriverManager.getConnection(url);
                    Connection b = DriverManager.getConnection(url)) {
                TestSupport.exec(a, "CREATE TABLE t(x); INSERT INTO t VALUES (0)");
                a.setAutoCommit(false);
                long seen = TestSupport.queryLong(a, "SELECT x FROM t");
                TestSupport.exec(b, "UPDATE t SET x = 10");
                SQLTransactionRollbackException e = assertThrows(
                        SQLTransactionRollbackException.class,
                        () -> TestSupport.exec(a, "UPDATE t SET x = " + (seen + 1)));
                assertEquals("40001", e.getSQLState(), url);
                a.rollback();
                assertEquals(10, TestSupport.queryLong(a, "SELECT x FROM t"), url + ": b's update kept");
                a.commit();
            } finally {
                drop(url);
            }
        }
    }

    /** Isolation levels: accepted, reported as in force, and with the documented effect. */
    @Test
    void isolationLevelsAreAcceptedReportedAndMeanSomething() throws SQLException {
        for (String url : urls("iso")) {
            try (Connection a = DriverManager.getConnection(url);
                    Connection b = DriverManager.getConnection(url, props("busy_timeout", "0"))) {
                TestSupport.exec(a, "CREATE TABLE t(x)");
                assertEquals(Connection.TRANSACTION_SERIALIZABLE, a.getTransactionIsolation());
                a.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                assertEquals(Connection.TRANSACTION_SERIALIZABLE, a.getTransactionIsolation(), "what is in force");
                assertEquals(
                        "HY024",
                        assertThrows(SQLException.class, () -> a.setTransactionIsolation(Connection.TRANSACTION_NONE))
                                .getSQLState());
                assertEquals(
                        "HY024",
                        assertThrows(SQLException.class, () -> a.setTransactionIsolation(3))
                                .getSQLState());
                a.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                assertEquals(Connection.TRANSACTION_READ_COMMITTED, a.getTransactionIsolation());
                a.setAutoCommit(false);
                assertEquals(0, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
                TestSupport.exec(b, "INSERT INTO t VALUES (1)");
                // READ_COMMITTED: the next read sees b's commit (no snapshot held since the first read).
                assertEquals(1, TestSupport.queryLong(a, "SELECT count(*) FROM t"), url);
                TestSupport.exec(a, "INSERT INTO t VALUES (2)");
                a.commit();
                a.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                assertEquals(1, TestSupport.queryLong(a, "SELECT count(*) FROM t WHERE x = 1"));
                a.commit();
                a.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
                assertEquals(Connection.TRANSACTION_READ_UNCOMMITTED, a.getTransactionIsolation());
                assertEquals(2, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
                a.commit();
            } finally {
                drop(url);
            }
        }
    }

    /** mem: at SERIALIZABLE a reader waits for a writer's uncommitted table; at READ_UNCOMMITTED it does not. */
    @Test
    void readsOnMemNeverWaitForAnOpenWriteTransaction() throws SQLException {
        String url = urls("ru").get(0);
        try (Connection w = DriverManager.getConnection(url);
                Connection r = DriverManager.getConnection(url, props("busy_timeout", "0"))) {
            TestSupport.exec(w, "CREATE TABLE t(x)");
            w.setAutoCommit(false);
            TestSupport.exec(w, "INSERT INTO t VALUES (1)");
            assertEquals(0, TestSupport.queryLong(r, "SELECT count(*) FROM t"), "the last commit, no wait");
            r.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
            assertEquals(0, TestSupport.queryLong(r, "SELECT count(*) FROM t"), "WAL: no dirty read");
            w.rollback();
        } finally {
            drop(url);
        }
    }

    /**
     * The seed workload through plain JDBC with defaults: one writer inserting 4-row transactions,
     * four readers flipping autoCommit. Zero exceptions, exact counts, no partial transaction seen,
     * and the readers' transactions are read transactions: none takes the write lock.
     */
    @Test
    void seedWorkloadReadersTakeNoWriteLock() throws Exception {
        for (String url : urls("seed").subList(0, 2)) {
            final int txns = 200;
            final int rowsPerTxn = 4;
            final int readers = 4;
            final int reads = 200;
            try (Connection c = DriverManager.getConnection(url);
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, txn INTEGER NOT NULL)");
            }
            DatabaseStats before = stats(url);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicLong partialReads = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url);
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
            for (int r = 0; r < readers; r++) {
                threads.add(new Thread(() -> {
                    try (Connection c = DriverManager.getConnection(url);
                            PreparedStatement q = c.prepareStatement("SELECT txn, count(*) FROM t GROUP BY txn")) {
                        for (int i = 0; i < reads; i++) {
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
            assertTrue(failures.isEmpty(), () -> url + ": " + failures.size() + " failures, first: " + failures.peek());
            assertEquals(0, partialReads.get(), url + ": a reader saw part of an uncommitted transaction");
            DatabaseStats after = stats(url);
            try (Connection c = DriverManager.getConnection(url)) {
                assertEquals((long) txns * rowsPerTxn, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
            }
            assertEquals(txns, after.getWriteTransactions() - before.getWriteTransactions(), url + ": only the writer");
            assertEquals((long) readers * reads, after.getReadTransactions() - before.getReadTransactions(), url);
            assertEquals(0, after.getUpgrades() - before.getUpgrades(), url);
            assertEquals(0, after.getLockTimeouts() + after.getDeadlocks(), url);
            drop(url);
        }
    }
}
