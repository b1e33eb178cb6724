package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lazy transactions, visibility across connections, savepoints. */
class TransactionTest {
    private String url;
    private Connection a;

    @BeforeEach
    void open() throws SQLException {
        url = TestSupport.memUrl();
        a = TestSupport.open(url);
        TestSupport.exec(a, "CREATE TABLE t(x INTEGER)");
        TestSupport.exec(a, "CREATE TABLE other(y INTEGER)");
    }

    @AfterEach
    void close() throws SQLException {
        a.close();
        Shmlite.drop(url);
    }

    @Test
    void uncommittedRowsAreInvisibleUntilCommit() throws SQLException {
        a.setAutoCommit(false);
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        // mem: is WAL: a reader does not wait for the open write transaction, it reads the last commit.
        try (Connection b = TestSupport.open(url + "?busy_timeout=0")) {
            assertEquals(0, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
            a.commit();
            assertEquals(1, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void readUncommittedNeverSeesUncommittedRows() throws SQLException {
        a.setAutoCommit(false);
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        try (Connection b = TestSupport.open(url + "?read_uncommitted=true&busy_timeout=0")) {
            assertEquals(Connection.TRANSACTION_READ_UNCOMMITTED, b.getTransactionIsolation());
            assertEquals(0, TestSupport.queryLong(b, "SELECT count(*) FROM t"), "WAL shows no dirty rows");
        }
        a.rollback();
    }

    @Test
    void walDatabaseReadersSeeOnlyCommittedRows() throws SQLException, IOException {
        String name = TestSupport.uniqueName("txn");
        String shm = "jdbc:shmlite:shm:" + name;
        try (Connection w = TestSupport.open(shm);
                Connection r = TestSupport.open(shm)) {
            TestSupport.exec(w, "CREATE TABLE t(x)");
            w.setAutoCommit(false);
            TestSupport.exec(w, "INSERT INTO t VALUES (1), (2)");
            assertEquals(2, TestSupport.queryLong(w, "SELECT count(*) FROM t"));
            assertEquals(0, TestSupport.queryLong(r, "SELECT count(*) FROM t"));
            w.commit();
            assertEquals(2, TestSupport.queryLong(r, "SELECT count(*) FROM t"));
            TestSupport.exec(w, "INSERT INTO t VALUES (3)");
            w.rollback();
            assertEquals(2, TestSupport.queryLong(r, "SELECT count(*) FROM t"));
            w.setAutoCommit(true);
        } finally {
            Shmlite.drop(shm);
            CrudTest.deleteShmFiles(name);
        }
    }

    @Test
    void rollbackDiscards() throws SQLException {
        a.setAutoCommit(false);
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        assertEquals(1, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        a.rollback();
        assertEquals(0, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        a.setAutoCommit(true);
        assertEquals(0, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
    }

    @Test
    void setAutoCommitTrueCommits() throws SQLException {
        a.setAutoCommit(false);
        assertFalse(a.getAutoCommit());
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        a.setAutoCommit(true);
        assertTrue(a.getAutoCommit());
        try (Connection b = TestSupport.open(url)) {
            assertEquals(1, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void commitAndRollbackInAutoCommitModeDoNotThrow() throws SQLException {
        assertTrue(a.getAutoCommit());
        a.commit();
        a.rollback();
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        a.rollback();
        assertEquals(1, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
    }

    @Test
    void flippingAutoCommitWithoutStatementsBeginsNothing() throws SQLException {
        long begins = begins();
        for (int i = 0; i < 10; i++) {
            a.setAutoCommit(false);
            a.commit();
            a.rollback();
            a.setAutoCommit(true);
        }
        assertEquals(begins, begins());
    }

    private long begins() throws SQLException {
        DatabaseStats s = Shmlite.stats(url).orElseThrow();
        return s.getBeginsDeferred() + s.getBeginsImmediate() + s.getBeginsExclusive();
    }

    @Test
    void savepoints() throws SQLException {
        a.setAutoCommit(false);
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        Savepoint sp1 = a.setSavepoint();
        assertTrue(sp1.getSavepointId() > 0);
        assertThrows(SQLException.class, sp1::getSavepointName);
        TestSupport.exec(a, "INSERT INTO t VALUES (2)");
        Savepoint sp2 = a.setSavepoint("SAVEPOINT_\"2\"");
        assertEquals("SAVEPOINT_\"2\"", sp2.getSavepointName());
        assertThrows(SQLException.class, sp2::getSavepointId);
        TestSupport.exec(a, "INSERT INTO t VALUES (3)");
        assertEquals(3, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        a.rollback(sp2);
        assertEquals(2, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        a.rollback(sp1);
        assertEquals(1, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        a.releaseSavepoint(sp1);
        a.commit();
        a.setAutoCommit(true);
        try (Connection b = TestSupport.open(url)) {
            assertEquals(1, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void savepointNeedsAutoCommitOff() {
        SQLException e = assertThrows(SQLException.class, () -> a.setSavepoint());
        assertEquals("25000", e.getSQLState());
    }

    /** The rule lives in the core's session (Session::savepoint): every operation, same class, state and text. */
    @Test
    void everySavepointOperationNeedsAutoCommitOff() throws SQLException {
        a.setAutoCommit(false);
        Savepoint sp = a.setSavepoint("kept");
        a.commit();
        a.setAutoCommit(true);
        java.util.Map<String, org.junit.jupiter.api.function.Executable> ops = new java.util.LinkedHashMap<>();
        ops.put("SAVEPOINT", () -> a.setSavepoint("x"));
        ops.put("ROLLBACK TO", () -> a.rollback(sp));
        ops.put("RELEASE", () -> a.releaseSavepoint(sp));
        for (java.util.Map.Entry<String, org.junit.jupiter.api.function.Executable> op : ops.entrySet()) {
            SQLException e = assertThrows(SQLException.class, op.getValue(), op.getKey());
            assertEquals(SQLException.class, e.getClass(), op.getKey());
            assertEquals("25000", e.getSQLState(), op.getKey());
            assertEquals(op.getKey() + " needs autoCommit false", e.getMessage());
        }
    }

    @Test
    void savepointFirstBeginsTheTransaction() throws SQLException {
        a.setAutoCommit(false);
        Savepoint sp = a.setSavepoint("first");
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        a.rollback(sp);
        a.commit();
        assertEquals(0, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
    }

    @Test
    void readOnlyRefusesWrites() throws SQLException {
        a.setReadOnly(true);
        assertTrue(a.isReadOnly());
        SQLException e = assertThrows(SQLException.class, () -> TestSupport.exec(a, "INSERT INTO t VALUES (1)"));
        assertEquals("25006", e.getSQLState());
        assertEquals(0, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        a.setReadOnly(false);
        TestSupport.exec(a, "INSERT INTO t VALUES (1)");
        assertEquals(1, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
    }

    @Test
    void everyIsolationLevelIsAccepted() throws SQLException {
        assertEquals(Connection.TRANSACTION_SERIALIZABLE, a.getTransactionIsolation());
        for (int level : new int[] {
            Connection.TRANSACTION_READ_UNCOMMITTED,
            Connection.TRANSACTION_READ_COMMITTED,
            Connection.TRANSACTION_REPEATABLE_READ,
            Connection.TRANSACTION_SERIALIZABLE
        }) {
            a.setTransactionIsolation(level);
            // REPEATABLE_READ runs (and is reported) as SERIALIZABLE: SQLite has nothing in between.
            int inForce = level == Connection.TRANSACTION_REPEATABLE_READ ? Connection.TRANSACTION_SERIALIZABLE : level;
            assertEquals(inForce, a.getTransactionIsolation());
            assertEquals(0, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void poolCallsNeverThrowOnAnOpenConnection() throws SQLException {
        a.setCatalog("x");
        a.setSchema("y");
        a.clearWarnings();
        assertEquals(null, a.getWarnings());
        a.setNetworkTimeout(Runnable::run, 5000);
        assertEquals(5000, a.getNetworkTimeout());
        a.setHoldability(java.sql.ResultSet.HOLD_CURSORS_OVER_COMMIT);
        a.setClientInfo("ApplicationName", "test");
        assertEquals("test", a.getClientInfo("ApplicationName"));
        assertEquals("SELECT 1", a.nativeSQL("SELECT 1"));
        assertTrue(a.isWrapperFor(ShmliteConnection.class));
        assertEquals(a, a.unwrap(ShmliteConnection.class));
    }
}
