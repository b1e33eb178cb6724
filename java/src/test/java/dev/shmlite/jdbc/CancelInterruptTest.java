package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 items 9 and 11: cancel() reaches only its own statement, Thread.interrupt() ends lock
 * and pool waits (SQLTransientException, SQLState HY008, interrupt flag kept), and the query
 * timeout bounds a whole streaming query. Joins have generous timeouts as hang guards only.
 */
class CancelInterruptTest {
    /** Rows of a recursive CTE long enough that every cancel below overlaps it. */
    private static final String LONG_COUNT =
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n";

    private static final long HANG_GUARD_MS = 60_000;

    @Test
    void cancelOfAnIdleStatementDoesNotTouchTheRunningOne() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:mem:");
                Statement a = c.createStatement();
                Statement b = c.createStatement()) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Object> result = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                started.countDown();
                try (ResultSet rs = a.executeQuery(LONG_COUNT)) {
                    rs.next();
                    result.set(rs.getLong(1));
                } catch (SQLException e) {
                    result.set(e);
                }
            });
            runner.start();
            started.await();
            long cancels = 0;
            while (runner.isAlive()) {
                b.cancel(); // B runs nothing: this must not reach A's call
                cancels++;
                Thread.onSpinWait();
            }
            runner.join();
            assertEquals(3_000_000L, result.get(), "A ran to its end despite " + cancels + " cancels of B");
            System.out.println("A ran to its end during " + cancels + " cancels of B");

            // The same loop with A's own cancel does stop A: the cancels above did overlap it.
            Thread again = new Thread(() -> {
                try (ResultSet rs = a.executeQuery(LONG_COUNT)) {
                    rs.next();
                    result.set(rs.getLong(1));
                } catch (SQLException e) {
                    result.set(e);
                }
            });
            again.start();
            while (again.isAlive()) {
                a.cancel();
                Thread.onSpinWait();
            }
            again.join();
            assertTrue(result.get() instanceof SQLTimeoutException, String.valueOf(result.get()));
            assertEquals("57014", ((SQLException) result.get()).getSQLState());
        }
    }

    @Test
    void cancelBeforeAnExecuteLeavesNothingPending() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:mem:");
                Statement a = c.createStatement()) {
            a.cancel();
            a.cancel();
            try (ResultSet rs = a.executeQuery(LONG_COUNT)) {
                rs.next();
                assertEquals(3_000_000L, rs.getLong(1));
            }
        }
    }

    /** A lock wait (the busy handler, on mem: and shm:) ends at an interrupt. */
    @Test
    void interruptEndsALockWaitAndKeepsTheFlag() throws Exception {
        String name = TestSupport.uniqueName("intr");
        for (String url : new String[] {"jdbc:shmlite:mem:" + name, "jdbc:shmlite:shm:" + name}) {
            try (Connection holder = DriverManager.getConnection(url);
                    Connection waiter = DriverManager.getConnection(url + "?busy_timeout=600000")) {
                TestSupport.exec(holder, "CREATE TABLE t(x)");
                holder.setAutoCommit(false);
                TestSupport.exec(holder, "INSERT INTO t VALUES (1)"); // holds the write lock
                AtomicReference<SQLException> failure = new AtomicReference<>();
                AtomicBoolean flagKept = new AtomicBoolean();
                AtomicReference<Long> afterwards = new AtomicReference<>();
                CountDownLatch failed = new CountDownLatch(1);
                CountDownLatch released = new CountDownLatch(1);
                Thread t = new Thread(() -> {
                    try {
                        TestSupport.exec(waiter, "INSERT INTO t VALUES (2)");
                    } catch (SQLException e) {
                        failure.set(e);
                    }
                    flagKept.set(Thread.currentThread().isInterrupted());
                    try {
                        // Interrupted, but nothing waits: statements run (documented).
                        afterwards.set(TestSupport.queryLong(waiter, "SELECT 41 + 1"));
                        Thread.interrupted();
                        failed.countDown();
                        released.await();
                        TestSupport.exec(waiter, "INSERT INTO t VALUES (3)");
                    } catch (Exception e) {
                        failure.set(new SQLException("after the interrupt: " + e, e));
                    }
                });
                t.start();
                t.interrupt();
                failed.await();
                SQLException e = failure.get();
                assertTrue(e instanceof SQLTransientException, url + ": " + e);
                assertEquals("HY008", e.getSQLState(), e.toString());
                assertTrue(flagKept.get(), "the interrupt flag is still set");
                assertEquals(42L, afterwards.get());
                holder.commit();
                released.countDown();
                t.join(HANG_GUARD_MS);
                assertFalse(t.isAlive(), "hang");
                assertTrue(failure.get() == e, "the connection works once the lock is free: " + failure.get());
                assertEquals(2, TestSupport.queryLong(holder, "SELECT count(*) FROM t"));
            }
            Shmlite.drop(url);
        }
    }

    @Test
    void interruptEndsAPoolWait() throws Exception {
        String url = "jdbc:shmlite:mem:" + TestSupport.uniqueName("pool") + "?pool_size=1&pool_timeout=600000";
        try (Connection held = DriverManager.getConnection(url)) {
            AtomicReference<Object> result = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            Thread t = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url)) {
                    result.set(c);
                } catch (SQLException e) {
                    result.set(e);
                }
                flagKept.set(Thread.currentThread().isInterrupted());
            });
            t.start();
            Thread.sleep(100); // usually inside the wait by now; an earlier interrupt ends it at once too
            long at = System.nanoTime();
            t.interrupt();
            t.join(HANG_GUARD_MS);
            assertFalse(t.isAlive(), "hang");
            System.out.println("pool wait ended " + (System.nanoTime() - at) / 1000 + " µs after the interrupt");
            assertTrue(result.get() instanceof SQLTransientException, String.valueOf(result.get()));
            assertEquals("HY008", ((SQLException) result.get()).getSQLState());
            assertTrue(flagKept.get(), "the interrupt flag is still set");
            assertEquals(1, TestSupport.queryLong(held, "SELECT 1"));
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(1, TestSupport.queryLong(c, "SELECT 1"), "the pool hands out its connection again");
        }
        Shmlite.drop(url);
    }

    @Test
    void interruptEndsAwaitChange() throws Exception {
        String url = "jdbc:shmlite:mem:" + TestSupport.uniqueName("await");
        try (Connection c = DriverManager.getConnection(url)) {
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    result.set(Shmlite.awaitChange(c, 600_000));
                } catch (SQLException e) {
                    result.set(e);
                }
            });
            t.start();
            t.interrupt();
            t.join(HANG_GUARD_MS);
            assertFalse(t.isAlive(), "hang");
            assertTrue(result.get() instanceof SQLTransientException, String.valueOf(result.get()));
            assertEquals("HY008", ((SQLException) result.get()).getSQLState());
            assertEquals(1, TestSupport.queryLong(c, "SELECT 1"));
        }
        Shmlite.drop(url);
    }

    /**
     * Issue 12 item 11: the query timeout was re-armed for every fetch, so setQueryTimeout(1) never
     * ended a streaming query. Now it counts from execute through every fetch.
     */
    @Test
    void queryTimeoutBoundsAWholeStreamingQuery() throws SQLException {
        long total = 1_000_000_000L;
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:mem:");
                Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long rows = 0;
            SQLException e = null;
            try (ResultSet rs =
                    s.executeQuery("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + total
                            + ") SELECT i FROM n")) {
                while (rs.next()) {
                    rows++;
                }
            } catch (SQLException x) {
                e = x;
            }
            assertTrue(e instanceof SQLTimeoutException, String.valueOf(e));
            assertEquals("HYT00", e.getSQLState());
            assertTrue(rows > 0 && rows < total, rows + " rows read");
            System.out.println("setQueryTimeout(1): " + rows + " of " + total + " rows read, then " + e.getMessage());
            s.setQueryTimeout(0);
            assertEquals(1, TestSupport.queryLong(c, "SELECT 1"), "usable after the timeout");
        }
    }
}
