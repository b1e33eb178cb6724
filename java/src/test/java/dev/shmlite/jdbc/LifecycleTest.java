package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Closing, closed-object use, cancellation, abort and reclaiming of forgotten connections. */
class LifecycleTest {
    /** Long enough (minutes) that only an interrupt ends it within the test; finite so a bug cannot hang forever. */
    static final String LONG_QUERY =
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000)"
                    + " SELECT count(*) FROM c";

    private static void assertClosedConnection(Executable e) {
        SQLNonTransientConnectionException ex = assertThrows(SQLNonTransientConnectionException.class, e::run);
        assertEquals("08003", ex.getSQLState());
    }

    private static void assertHy010(Executable e, String what) {
        SQLException ex = assertThrows(SQLException.class, e::run);
        assertEquals("HY010", ex.getSQLState());
        assertTrue(ex.getMessage().contains(what), ex.getMessage());
    }

    private interface Executable {
        void run() throws Exception;
    }

    @Test
    void closedConnectionThrows08003() throws SQLException {
        Connection c = TestSupport.open(TestSupport.memUrl());
        c.close();
        c.close(); // idempotent
        assertTrue(c.isClosed());
        assertFalse(c.isValid(0));
        assertClosedConnection(c::createStatement);
        assertClosedConnection(() -> c.prepareStatement("SELECT 1"));
        assertClosedConnection(() -> c.setAutoCommit(false));
        assertClosedConnection(c::getAutoCommit);
        assertClosedConnection(c::commit);
        assertClosedConnection(c::rollback);
        assertClosedConnection(c::getMetaData);
        assertClosedConnection(() -> c.setReadOnly(true));
        assertClosedConnection(() -> c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED));
        assertClosedConnection(c::setSavepoint);
    }

    @Test
    void closedStatementThrowsHy010() throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl())) {
            Statement st = c.createStatement();
            st.close();
            st.close();
            assertTrue(st.isClosed());
            assertHy010(() -> st.executeQuery("SELECT 1"), "statement is closed");
            assertHy010(() -> st.execute("SELECT 1"), "statement is closed");
            assertHy010(st::getResultSet, "statement is closed");
            PreparedStatement ps = c.prepareStatement("SELECT ?");
            ps.close();
            assertHy010(() -> ps.setInt(1, 1), "statement is closed");
            assertHy010(ps::executeQuery, "statement is closed");
        }
    }

    @Test
    void closedResultSetThrowsHy010() throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl());
                Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT 1 UNION ALL SELECT 2");
            assertTrue(rs.next());
            rs.close();
            rs.close();
            assertTrue(rs.isClosed());
            assertHy010(rs::next, "result set is closed");
            assertHy010(() -> rs.getInt(1), "result set is closed");
            assertHy010(rs::getMetaData, "result set is closed");
            // the statement is reusable after its result set was closed early
            assertEquals(7, TestSupport.queryLong(c, "SELECT 7"));
            try (ResultSet again = st.executeQuery("SELECT 3")) {
                assertTrue(again.next());
                assertEquals(3, again.getInt(1));
            }
        }
    }

    @Test
    void closingConnectionClosesStatementsAndResultSets() throws SQLException {
        Connection c = TestSupport.open(TestSupport.memUrl());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1 UNION ALL SELECT 2");
        PreparedStatement ps = c.prepareStatement("SELECT ?");
        ps.setInt(1, 5);
        ResultSet prs = ps.executeQuery();
        assertTrue(prs.next());
        c.close();
        assertTrue(st.isClosed());
        assertTrue(ps.isClosed());
        assertTrue(rs.isClosed());
        assertTrue(prs.isClosed());
        assertHy010(rs::next, "result set is closed");
        assertHy010(() -> prs.getInt(1), "result set is closed");
        assertHy010(() -> st.execute("SELECT 1"), "statement is closed");
    }

    @Test
    void closingStatementClosesItsResultSetAndReexecutingClosesThePrevious() throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl())) {
            PreparedStatement ps = c.prepareStatement("SELECT 1 UNION ALL SELECT 2");
            ResultSet first = ps.executeQuery();
            assertTrue(first.next());
            ResultSet second = ps.executeQuery();
            assertTrue(first.isClosed());
            assertTrue(second.next());
            assertEquals(1, second.getInt(1));
            ps.close();
            assertTrue(second.isClosed());
        }
    }

    @Test
    void closeOnCompletion() throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl())) {
            Statement st = c.createStatement();
            st.closeOnCompletion();
            assertTrue(st.isCloseOnCompletion());
            ResultSet rs = st.executeQuery("SELECT 1");
            assertFalse(st.isClosed());
            rs.close();
            assertTrue(st.isClosed());
        }
    }

    @Test
    void isValid() throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl())) {
            assertTrue(c.isValid(0));
            assertTrue(c.isValid(5));
            SQLException e = assertThrows(SQLException.class, () -> c.isValid(-1));
            assertNotNull(e.getSQLState());
        }
    }

    /** Waits (spinning, no sleep) until {@code t} has been inside {@code Native.method} for a while. */
    static void awaitInNative(Thread t, String method) {
        int seen = 0;
        while (seen < 500) {
            if (!t.isAlive()) {
                throw new AssertionError("thread ended before reaching Native." + method);
            }
            StackTraceElement[] stack = t.getStackTrace();
            boolean inside = stack.length > 0
                    && stack[0].getClassName().equals(Native.class.getName())
                    && stack[0].getMethodName().equals(method);
            seen = inside ? seen + 1 : 0;
        }
    }

    private static Throwable failureOf(Future<?> f) throws InterruptedException {
        try {
            f.get();
            throw new AssertionError("the statement was not interrupted");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void cancelInterruptsARunningStatement() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection c = TestSupport.open(TestSupport.memUrl());
                Statement st = c.createStatement()) {
            AtomicReference<Thread> runner = new AtomicReference<>();
            Future<?> f = pool.submit(() -> {
                runner.set(Thread.currentThread());
                st.executeQuery(LONG_QUERY);
                return null;
            });
            while (runner.get() == null) {
                Thread.onSpinWait();
            }
            awaitInNative(runner.get(), "execute");
            st.cancel();
            Throwable t = failureOf(f);
            assertInstanceOf(SQLTimeoutException.class, t);
            assertEquals("57014", ((SQLException) t).getSQLState());
            assertTrue(c.isValid(1));
            assertEquals(1, TestSupport.queryLong(c, "SELECT 1"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void queryTimeoutInterruptsALongStatement() throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl());
                Statement st = c.createStatement()) {
            st.setQueryTimeout(1);
            assertEquals(1, st.getQueryTimeout());
            SQLTimeoutException e = assertThrows(SQLTimeoutException.class, () -> st.executeQuery(LONG_QUERY));
            assertEquals("HYT00", e.getSQLState());
            st.setQueryTimeout(0);
            assertEquals(1, TestSupport.queryLong(c, "SELECT 1"));
        }
    }

    @Test
    void closeFromAnotherThreadInterruptsTheRunningStatement() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Connection c = TestSupport.open(TestSupport.memUrl());
            Statement st = c.createStatement();
            AtomicReference<Thread> runner = new AtomicReference<>();
            Future<?> f = pool.submit(() -> {
                runner.set(Thread.currentThread());
                st.executeQuery(LONG_QUERY);
                return null;
            });
            while (runner.get() == null) {
                Thread.onSpinWait();
            }
            awaitInNative(runner.get(), "execute");
            c.close();
            assertInstanceOf(SQLException.class, failureOf(f));
            assertTrue(c.isClosed());
            assertTrue(st.isClosed());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void abortMarksClosedAtOnceAndFinishesOnTheExecutor() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            Connection c = TestSupport.open(TestSupport.memUrl());
            Statement st = c.createStatement();
            AtomicReference<Thread> runner = new AtomicReference<>();
            Future<?> f = pool.submit(() -> {
                runner.set(Thread.currentThread());
                st.executeQuery(LONG_QUERY);
                return null;
            });
            while (runner.get() == null) {
                Thread.onSpinWait();
            }
            awaitInNative(runner.get(), "execute");
            c.abort(closer);
            assertTrue(c.isClosed());
            assertInstanceOf(SQLException.class, failureOf(f));
            closer.shutdown();
            while (!closer.isTerminated()) {
                Thread.onSpinWait();
            }
            assertTrue(st.isClosed());
            assertThrows(SQLException.class, () -> c.abort(null));
        } finally {
            pool.shutdownNow();
            closer.shutdownNow();
        }
    }

    private static void openAndForget(String url) throws SQLException {
        Connection c = TestSupport.open(url);
        TestSupport.exec(c, "CREATE TABLE IF NOT EXISTS t(x)");
    }

    @Test
    void forgottenConnectionIsReclaimed() throws SQLException {
        String url = TestSupport.memUrl();
        try (Connection keep = TestSupport.open(url)) {
            openAndForget(url);
            long inUse = Shmlite.stats(url).orElseThrow().getConnectionsInUse();
            long reclaimed = 0;
            for (int i = 0; i < 500 && reclaimed == 0; i++) {
                System.gc();
                Thread.yield();
                reclaimed = Shmlite.stats(url).orElseThrow().getSessionsReclaimed();
            }
            assertEquals(1, reclaimed);
            assertEquals(inUse - 1, Shmlite.stats(url).orElseThrow().getConnectionsInUse());
            assertTrue(keep.isValid(1));
        } finally {
            Shmlite.drop(url);
        }
    }
}
