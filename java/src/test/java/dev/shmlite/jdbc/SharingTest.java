package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Named in-memory databases: shared by name, isolated across names, alive until dropped. */
class SharingTest {
    @Test
    void twoConnectionsToOneNameShareCommittedRows() throws SQLException {
        String url = TestSupport.memUrl();
        try (Connection a = TestSupport.open(url);
                Connection b = TestSupport.open(url)) {
            TestSupport.exec(a, "CREATE TABLE t(x)");
            TestSupport.exec(a, "INSERT INTO t VALUES (1), (2)");
            assertEquals(2, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
            TestSupport.exec(b, "INSERT INTO t VALUES (3)");
            assertEquals(3, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
        } finally {
            Shmlite.drop(url);
        }
    }

    @Test
    void differentNamesAreIsolated() throws SQLException {
        String u1 = TestSupport.memUrl();
        String u2 = TestSupport.memUrl();
        try (Connection a = TestSupport.open(u1);
                Connection b = TestSupport.open(u2)) {
            TestSupport.exec(a, "CREATE TABLE only_in_a(x)");
            SQLSyntaxErrorException e = assertThrows(
                    SQLSyntaxErrorException.class, () -> TestSupport.queryLong(b, "SELECT count(*) FROM only_in_a"));
            assertEquals("42S02", e.getSQLState());
        } finally {
            Shmlite.drop(u1);
            Shmlite.drop(u2);
        }
    }

    @Test
    void privateMemoryDatabasesAreIsolated() throws SQLException {
        try (Connection a = TestSupport.open("jdbc:shmlite:mem:");
                Connection b = TestSupport.open("jdbc:shmlite:mem:")) {
            TestSupport.exec(a, "CREATE TABLE mine(x)");
            assertThrows(SQLSyntaxErrorException.class, () -> TestSupport.queryLong(b, "SELECT count(*) FROM mine"));
        }
    }

    @Test
    void dataSurvivesAllConnectionsClosingUntilDropped() throws SQLException {
        String name = TestSupport.uniqueName("keep");
        String url = "jdbc:shmlite:mem:" + name;
        try (Connection a = TestSupport.open(url)) {
            TestSupport.exec(a, "CREATE TABLE t(x)");
            TestSupport.exec(a, "INSERT INTO t VALUES (42)");
        }
        assertTrue(
                Shmlite.databases().contains("mem:" + name), Shmlite.databases().toString());
        Optional<DatabaseStats> stats = Shmlite.stats(url);
        assertTrue(stats.isPresent());
        assertEquals("mem:" + name, stats.get().getKey());
        assertEquals(0, stats.get().getConnectionsInUse());
        assertTrue(stats.get().getSessionsOpened() >= 1);
        assertTrue(stats.get().toString().contains("sessionsOpened="));
        assertEquals(
                stats.get().getKey(), Shmlite.stats("mem:" + name).orElseThrow().getKey());
        try (Connection b = TestSupport.open(url)) {
            assertEquals(42, TestSupport.queryLong(b, "SELECT x FROM t"));
        }
        assertEquals(0, Shmlite.drop(url));
        assertFalse(Shmlite.databases().contains("mem:" + name));
        assertFalse(Shmlite.stats(url).isPresent());
        assertEquals(-1, Shmlite.drop(url));
        try (Connection c = TestSupport.open(url)) {
            assertThrows(SQLSyntaxErrorException.class, () -> TestSupport.queryLong(c, "SELECT x FROM t"));
        } finally {
            Shmlite.drop(url);
        }
    }

    @Test
    void dropReportsConnectionsStillInUse() throws SQLException {
        String url = TestSupport.memUrl();
        try (Connection a = TestSupport.open(url);
                Connection b = TestSupport.open(url)) {
            TestSupport.exec(a, "CREATE TABLE t(x)");
            assertEquals(2, Shmlite.drop(url));
            assertFalse(Shmlite.stats(url).isPresent());
            assertFalse(a.isValid(1), "a dropped database is no longer valid");
            java.sql.SQLNonTransientConnectionException e = assertThrows(
                    java.sql.SQLNonTransientConnectionException.class,
                    () -> TestSupport.queryLong(b, "SELECT count(*) FROM t"));
            assertEquals("08003", e.getSQLState());
        } // closing connections of a dropped database does not throw
    }

    /** README: a dropped database answers 08003, also to statements prepared before the drop. */
    @Test
    void statementPreparedBeforeDropFailsAfterIt() throws SQLException {
        String url = TestSupport.memUrl();
        try (Connection a = TestSupport.open(url)) {
            TestSupport.exec(a, "CREATE TABLE t(x)");
            java.sql.PreparedStatement ps = a.prepareStatement("SELECT count(*) FROM t");
            assertEquals(1, Shmlite.drop(url));
            java.sql.SQLNonTransientConnectionException e =
                    assertThrows(java.sql.SQLNonTransientConnectionException.class, ps::executeQuery);
            assertEquals("08003", e.getSQLState());
        }
    }

    @Test
    void keepAliveFalseEndsWithTheLastConnection() throws SQLException {
        String url = TestSupport.memUrl() + "?keep_alive=false";
        try (Connection a = TestSupport.open(url)) {
            TestSupport.exec(a, "CREATE TABLE t(x)");
        }
        try (Connection b = TestSupport.open(url)) {
            assertThrows(SQLSyntaxErrorException.class, () -> TestSupport.queryLong(b, "SELECT count(*) FROM t"));
        } finally {
            Shmlite.drop(url);
        }
    }

    @Test
    void awaitChangeSeesAnotherConnectionsCommit() throws SQLException {
        String url = TestSupport.memUrl();
        try (Connection reader = TestSupport.open(url);
                Connection writer = TestSupport.open(url)) {
            ShmliteConnection r = reader.unwrap(ShmliteConnection.class);
            TestSupport.exec(writer, "CREATE TABLE t(x)");
            assertTrue(r.awaitChange(0), "the CREATE TABLE was committed after the reader opened");
            assertFalse(r.awaitChange(0), "nothing new since the last call");
            assertFalse(r.awaitChange(20));
            TestSupport.exec(writer, "INSERT INTO t VALUES (1)");
            assertTrue(Shmlite.awaitChange(reader, 60_000));
            assertEquals(1, TestSupport.queryLong(reader, "SELECT count(*) FROM t"));
            assertThrows(SQLException.class, () -> r.awaitChange(-1));
        } finally {
            Shmlite.drop(url);
        }
    }

    @Test
    void sqliteVersion() throws SQLException {
        assertTrue(Shmlite.sqliteVersion().startsWith("3."), Shmlite.sqliteVersion());
    }
}
