package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12, item 11: defensive mode, and opening while another connection changes the schema. */
class SchemaSafetyTest {
    private static final String CORRUPT = "UPDATE sqlite_master SET sql = 'CREATE TABLE t(x, y, z)' WHERE name = 't'";

    @Test
    void writableSchemaCannotCorruptTheSchemaByDefault() throws Exception {
        String url = TestSupport.memUrl();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(x)");
            s.execute("PRAGMA writable_schema=1");
            SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(CORRUPT));
            assertTrue(e.getMessage().contains("may not be modified"), e.getMessage());
            assertEquals(
                    "CREATE TABLE t(x)", TestSupport.queryString(c, "SELECT sql FROM sqlite_master WHERE name = 't'"));
        } finally {
            Shmlite.drop(url);
        }
    }

    @Test
    void defensiveFalseAllowsWritingTheSchema() throws Exception {
        String url = TestSupport.memUrl() + "?defensive=false";
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(x)");
            s.execute("PRAGMA writable_schema=1");
            assertEquals(1, s.executeUpdate(CORRUPT));
        } finally {
            Shmlite.drop(url); // a throwaway database: its schema no longer matches its pages
        }
    }

    @Test
    void defensiveTakesOnlyBooleans() {
        SQLException e = assertThrows(
                SQLException.class, () -> DriverManager.getConnection(TestSupport.memUrl() + "?defensive=maybe"));
        assertEquals("08001", e.getSQLState());
        assertTrue(e.getMessage().contains("defensive"), e.getMessage());
    }

    /**
     * getConnection() used to fail with HYT00 after busy_timeout while another connection held
     * uncommitted DDL: opening ran SQL needing the schema lock. Fresh and pooled native
     * connections, default and non-default settings, now open without waiting.
     */
    @Test
    void openingDoesNotWaitForAnotherConnectionsUncommittedSchemaChange() throws Exception {
        String url = TestSupport.memUrl() + "?busy_timeout=200&pool_size=4";
        try (Connection ddl = DriverManager.getConnection(url)) {
            // Two idle pooled connections, one of them with a statement cache already used.
            try (Connection a = DriverManager.getConnection(url);
                    Connection b = DriverManager.getConnection(url)) {
                TestSupport.queryLong(a, "SELECT 1");
                TestSupport.queryLong(b, "SELECT 1");
            }
            ddl.setAutoCommit(false);
            ddl.createStatement().execute("CREATE TABLE t(x)"); // holds the schema lock, uncommitted
            long waits = Shmlite.stats(url).orElseThrow().getLockWaits();
            List<Connection> opened = new ArrayList<>();
            try {
                opened.add(DriverManager.getConnection(url)); // pooled
                java.util.Properties p = new java.util.Properties();
                p.setProperty("foreign_keys", "true");
                p.setProperty("read_only", "true");
                opened.add(DriverManager.getConnection(url, p)); // pooled, other settings
                opened.add(DriverManager.getConnection(url)); // freshly opened
                assertEquals(
                        waits, Shmlite.stats(url).orElseThrow().getLockWaits(), "an open waited for the schema lock");
                // mem: is WAL: a statement does not wait either; it reads the committed schema.
                SQLException e = assertThrows(
                        SQLException.class, () -> TestSupport.queryLong(opened.get(0), "SELECT count(*) FROM t"));
                assertTrue(e.getMessage().contains("no such table: t"), e.getMessage());
                assertEquals(waits, Shmlite.stats(url).orElseThrow().getLockWaits(), "nothing waited");
                ddl.commit();
                for (Connection c : opened) {
                    assertEquals(0, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
                }
                try (ResultSet rs = opened.get(1).createStatement().executeQuery("PRAGMA foreign_keys")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "the open's settings were applied by its first statement");
                }
            } finally {
                for (Connection c : opened) {
                    c.close();
                }
            }
        } finally {
            Shmlite.drop(url);
        }
    }
}
