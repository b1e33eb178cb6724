package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statement semantics: results, update counts, scripts, batches, generated keys, limits. */
class StatementTest {
    private String url;
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        url = TestSupport.memUrl();
        c = TestSupport.open(url);
        TestSupport.exec(c, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
        Shmlite.drop(url);
    }

    private static List<Long> keys(Statement st) throws SQLException {
        List<Long> keys = new ArrayList<>();
        try (ResultSet rs = st.getGeneratedKeys()) {
            assertNotNull(rs);
            assertEquals(1, rs.getMetaData().getColumnCount());
            while (rs.next()) {
                keys.add(rs.getLong(1));
                assertEquals(Long.class, rs.getObject(1).getClass());
            }
        }
        return keys;
    }

    @Test
    void executeReportsResultSetOrUpdateCount() throws SQLException {
        try (Statement st = c.createStatement()) {
            assertFalse(st.execute("INSERT INTO t(v) VALUES ('a'), ('b')"));
            assertNull(st.getResultSet());
            assertEquals(2, st.getUpdateCount());
            assertEquals(2, st.getUpdateCount());
            assertFalse(st.getMoreResults());
            assertEquals(-1, st.getUpdateCount());
            assertNull(st.getResultSet());

            assertTrue(st.execute("SELECT v FROM t ORDER BY id"));
            assertEquals(-1, st.getUpdateCount());
            ResultSet rs = st.getResultSet();
            assertNotNull(rs);
            assertTrue(rs.next());
            assertEquals("a", rs.getString(1));
            assertFalse(st.getMoreResults());
            assertTrue(rs.isClosed());
            assertEquals(-1, st.getUpdateCount());
            assertNull(st.getResultSet());

            assertFalse(st.execute("CREATE TABLE u(x)"));
            assertEquals(0, st.getUpdateCount());
        }
    }

    @Test
    void scriptsRunWholeAndCountChanges() throws SQLException {
        try (Statement st = c.createStatement()) {
            assertFalse(st.execute("CREATE TABLE s(x); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2), (3);\n"
                    + "-- trailing comment"));
            assertEquals(3, st.getUpdateCount());
            assertEquals(3, TestSupport.queryLong(c, "SELECT count(*) FROM s"));
            assertEquals(2, st.executeUpdate("DELETE FROM s WHERE x > 1; SELECT 1"));
            assertFalse(st.execute("  -- only a comment\n"));
            assertThrows(SQLException.class, () -> st.executeQuery("SELECT 1; SELECT 2"));
        }
    }

    @Test
    void pragmaReturningRowsThroughExecute() throws SQLException {
        try (Statement st = c.createStatement()) {
            assertTrue(st.execute("PRAGMA foreign_keys"));
            st.execute("PRAGMA foreign_keys = ON");
            assertEquals(1, TestSupport.queryLong(c, "PRAGMA foreign_keys"));
        }
    }

    @Test
    void executeQueryAndExecuteUpdateMismatches() throws SQLException {
        try (Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.executeQuery("INSERT INTO t(v) VALUES ('x')"));
            assertEquals(0, TestSupport.queryLong(c, "SELECT count(*) FROM t"), "executeQuery must not run DML");
            assertEquals(0, st.executeUpdate("SELECT 1"));
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM t")) {
            assertThrows(SQLException.class, ps::executeQuery);
            assertNull(ps.getMetaData());
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM t")) {
            assertEquals(0, ps.executeUpdate());
        }
    }

    @Test
    void statementBatch() throws SQLException {
        try (Statement st = c.createStatement()) {
            st.addBatch("INSERT INTO t(v) VALUES ('a')");
            st.addBatch("INSERT INTO t(v) VALUES ('b'), ('c')");
            st.addBatch("UPDATE t SET v = v || '!'");
            assertArrayEquals(new int[] {1, 2, 3}, st.executeBatch());
            assertArrayEquals(new int[0], st.executeBatch(), "the batch is emptied");
            st.addBatch("INSERT INTO t(v) VALUES ('d')");
            st.addBatch("INSERT INTO t(id, v) VALUES (1, 'dup')");
            st.addBatch("INSERT INTO t(v) VALUES ('never')");
            BatchUpdateException e = assertThrows(BatchUpdateException.class, st::executeBatch);
            assertEquals("23505", e.getSQLState());
            assertArrayEquals(new int[] {1}, e.getUpdateCounts());
            assertTrue(e.getCause() instanceof SQLIntegrityConstraintViolationException);
            st.clearBatch();
            assertArrayEquals(new int[0], st.executeBatch());
        }
    }

    /**
     * A Statement batch prepares each command once and runs a single writing statement on that
     * handle; every kind of command reports what running it as a script reported: counts with
     * trigger changes, RETURNING, {@code ?} as NULL, scripts, comments, transaction control, and
     * the same SQLState as {@code execute} for a command that fails.
     */
    @Test
    void statementBatchCommandsOfEveryKind() throws Exception {
        TestSupport.exec(c, "CREATE TABLE audit(n INTEGER)");
        TestSupport.exec(c, "CREATE TRIGGER t_audit AFTER UPDATE ON t BEGIN INSERT INTO audit VALUES (new.id); END");
        try (Statement st = c.createStatement()) {
            st.addBatch("INSERT INTO t(v) VALUES ('a'), ('b')");
            st.addBatch("UPDATE t SET v = v || '!'"); // 2: the trigger's rows are not counted
            st.addBatch("INSERT INTO t(v) VALUES ('c') RETURNING id");
            st.addBatch("INSERT INTO t(v) VALUES (?)"); // binds NULL, as a script does
            st.addBatch("INSERT INTO t(v) VALUES ('d'); INSERT INTO t(v) VALUES ('e')");
            st.addBatch("-- nothing but a comment");
            st.addBatch("; INSERT INTO t(v) VALUES ('f')");
            st.addBatch("BEGIN");
            st.addBatch("INSERT INTO t(v) VALUES ('g')");
            st.addBatch("COMMIT");
            assertArrayEquals(new long[] {2, 2, 1, 1, 2, 0, 1, 0, 1, 0}, st.executeLargeBatch());
            assertTrue(c.getAutoCommit());
            assertEquals(8, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
            assertEquals(1, TestSupport.queryLong(c, "SELECT count(*) FROM t WHERE v IS NULL"));
            assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM audit"));

            // The same statement many times: each command is one cached prepare and one run.
            for (int i = 0; i < 300; i++) {
                st.addBatch("INSERT INTO t(v) VALUES ('many')");
            }
            long[] many = st.executeLargeBatch();
            assertEquals(300, many.length);
            assertEquals(300, java.util.Arrays.stream(many).sum());

            for (String bad : new String[] {
                "INSERT INTO nowhere VALUES (1)", "INSERT INTO t(id) VALUES (1)", "SELEC 1", "SELECT v FROM t"
            }) {
                String expected;
                try {
                    st.executeUpdate(bad);
                    expected = "07003"; // the query: executeUpdate accepts it, a batch does not
                } catch (SQLException e) {
                    expected = e.getSQLState();
                }
                st.addBatch("INSERT INTO t(v) VALUES ('before')");
                st.addBatch(bad);
                st.addBatch("INSERT INTO t(v) VALUES ('never')");
                BatchUpdateException e = assertThrows(BatchUpdateException.class, st::executeBatch, bad);
                assertEquals(expected, e.getSQLState(), bad);
                assertArrayEquals(new int[] {1}, e.getUpdateCounts(), bad);
            }
            assertEquals(0, TestSupport.queryLong(c, "SELECT count(*) FROM t WHERE v = 'never'"));

            // Off autocommit the commands join the open transaction, which rollback undoes.
            c.setAutoCommit(false);
            st.addBatch("INSERT INTO t(v) VALUES ('x')");
            st.addBatch("DELETE FROM t WHERE v = 'many'");
            assertArrayEquals(new int[] {1, 300}, st.executeBatch());
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(300, TestSupport.queryLong(c, "SELECT count(*) FROM t WHERE v = 'many'"));
            assertEquals(0, TestSupport.queryLong(c, "SELECT count(*) FROM t WHERE v = 'x'"));
        }
    }

    @Test
    void preparedBatchWithCountsAndKeys() throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO t(v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < 5; i++) {
                ps.setString(1, "v" + i);
                ps.addBatch();
            }
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, ps.executeBatch());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), keys(ps));
            assertArrayEquals(new long[0], ps.executeLargeBatch());
        }
        assertEquals(5, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
    }

    @Test
    void preparedBatchFailureReportsCompletedRows() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(id, v) VALUES (?, ?)")) {
            int[] ids = {10, 11, 10, 12};
            for (int id : ids) {
                ps.setInt(1, id);
                ps.setString(2, "x");
                ps.addBatch();
            }
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            assertEquals("23505", e.getSQLState());
            assertEquals(1555, e.getErrorCode());
            assertArrayEquals(new int[] {1, 1}, e.getUpdateCounts());
            assertArrayEquals(new long[] {1, 1}, e.getLargeUpdateCounts());
            assertNotNull(e.getNextException());
            assertArrayEquals(new int[0], ps.executeBatch(), "the batch is emptied after a failure");
        }
        assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
    }

    @Test
    void generatedKeysNeverNull() throws SQLException {
        try (Statement st = c.createStatement()) {
            assertEquals(List.of(), keys(st));
            st.executeUpdate("INSERT INTO t(v) VALUES ('a')", Statement.RETURN_GENERATED_KEYS);
            assertEquals(List.of(1L), keys(st));
            st.executeUpdate("UPDATE t SET v = 'b'");
            assertEquals(List.of(), keys(st), "no insert, no key");
            st.executeUpdate("INSERT INTO t(v) VALUES ('c')", new String[] {"id"});
            try (ResultSet rs = st.getGeneratedKeys()) {
                assertEquals("id", rs.getMetaData().getColumnLabel(1));
                assertTrue(rs.next());
                assertEquals(2, rs.getLong("id"));
            }
            st.addBatch("INSERT INTO t(v) VALUES ('d')");
            st.addBatch("INSERT INTO t(v) VALUES ('e')");
            st.executeBatch();
            // A Statement batch cannot ask for keys, and finding them would cost a query per insert.
            assertEquals(List.of(), keys(st));
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)", new int[] {1})) {
            ps.setString(1, "f");
            assertEquals(1, ps.executeUpdate());
            assertEquals(List.of(5L), keys(ps));
            ps.setString(1, "g");
            assertFalse(ps.execute());
            assertEquals(1, ps.getUpdateCount());
            assertEquals(List.of(6L), keys(ps));
        }
    }

    @Test
    void insertReturningGivesRows() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?) RETURNING id, v")) {
            ps.setString(1, "r");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(1, rs.getLong("id"));
                assertEquals("r", rs.getString("v"));
                assertFalse(rs.next());
            }
        }
        assertEquals(1, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
    }

    @Test
    void executeUpdateOfInsertReturningRunsTheInsert() throws SQLException {
        try (Statement st = c.createStatement()) {
            // The RETURNING rows are read to their end, whose header carries the update count.
            assertEquals(2, st.executeUpdate("INSERT INTO t(v) VALUES ('a'), ('b') RETURNING id"));
            assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void questionMarksInAPlainStatementBindNull() throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT ? IS NULL, ?2")) {
            assertTrue(rs.next());
            assertTrue(rs.getBoolean(1));
            assertNull(rs.getObject(2));
        }
    }

    @Test
    void maxRowsStopsTheResultSet() throws SQLException {
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('a'), ('b'), ('c'), ('d')");
        try (Statement st = c.createStatement()) {
            st.setMaxRows(2);
            assertEquals(2, st.getMaxRows());
            try (ResultSet rs = st.executeQuery("SELECT v FROM t ORDER BY id")) {
                assertTrue(rs.next());
                assertTrue(rs.next());
                assertTrue(rs.isLast());
                assertFalse(rs.next());
                assertTrue(rs.isAfterLast());
                // stopping at maxRows ended the native statement: its read lock is gone
                try (Connection other = TestSupport.open(url + "?busy_timeout=100")) {
                    TestSupport.exec(other, "INSERT INTO t(v) VALUES ('e')");
                }
            }
            st.setMaxRows(0);
            try (ResultSet rs = st.executeQuery("SELECT v FROM t")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                assertEquals(5, n);
            }
        }
    }

    @Test
    void resultSetCursorState() throws SQLException {
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('a'), ('b')");
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT v FROM t ORDER BY id")) {
            assertTrue(rs.isBeforeFirst());
            assertEquals(0, rs.getRow());
            assertTrue(rs.next());
            assertTrue(rs.isFirst());
            assertEquals(1, rs.getRow());
            assertTrue(rs.next());
            assertTrue(rs.isLast());
            assertEquals(2, rs.getRow());
            assertFalse(rs.next());
            assertTrue(rs.isAfterLast());
            assertFalse(rs.next());
            assertEquals(ResultSet.TYPE_FORWARD_ONLY, rs.getType());
            assertEquals(ResultSet.CONCUR_READ_ONLY, rs.getConcurrency());
            assertEquals(st, rs.getStatement());
            assertNull(rs.getWarnings());
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT v FROM t WHERE 0")) {
            assertFalse(rs.isBeforeFirst());
            assertFalse(rs.next());
            assertFalse(rs.isAfterLast());
        }
    }

    @Test
    void preparedStatementIsReusable() throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO t(v) VALUES (?)");
                PreparedStatement sel = c.prepareStatement("SELECT count(*) FROM t WHERE v = ?")) {
            for (int i = 0; i < 100; i++) {
                ins.setString(1, "v" + (i % 10));
                ins.executeUpdate();
            }
            for (int i = 0; i < 10; i++) {
                sel.setString(1, "v" + i);
                try (ResultSet rs = sel.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(10, rs.getInt(1));
                }
            }
        }
    }

    @Test
    void statementSettings() throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setFetchSize(100);
            assertEquals(100, st.getFetchSize());
            st.setEscapeProcessing(false);
            st.setPoolable(true);
            assertTrue(st.isPoolable());
            assertEquals(c, st.getConnection());
            assertEquals(ResultSet.FETCH_FORWARD, st.getFetchDirection());
            assertThrows(SQLException.class, () -> st.setQueryTimeout(-1));
            assertThrows(SQLException.class, () -> st.setMaxRows(-1));
            assertNull(st.getWarnings());
        }
    }
}
