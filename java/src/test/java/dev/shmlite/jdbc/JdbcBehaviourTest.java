package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JDBC behaviour frameworks and pools rely on, beyond what the other suites cover: the
 * update-count protocol of prepared statements, generated keys in every form (RETURNING-based,
 * multi-row, batches), metadata and getObject agreeing, result sets ended by commit, savepoints,
 * timeouts and thread safety of one shared connection.
 */
class JdbcBehaviourTest {
    private String url;
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        url = TestSupport.memUrl();
        c = TestSupport.open(url);
        TestSupport.exec(c, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE, n INTEGER DEFAULT 7)");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
        Shmlite.drop(url);
    }

    /** Every generated key row, each as a list of getObject values. */
    private static List<List<Object>> keys(Statement st) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (ResultSet rs = st.getGeneratedKeys()) {
            assertNotNull(rs, "getGeneratedKeys is never null");
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static List<List<Object>> ids(long... ids) {
        List<List<Object>> rows = new ArrayList<>();
        for (long id : ids) {
            rows.add(List.of(id));
        }
        return rows;
    }

    // --- update-count protocol -------------------------------------------------------------------

    @Test
    void preparedExecuteFollowsTheUpdateCountProtocol() throws SQLException {
        // MyBatis: execute() + getUpdateCount(); then getMoreResults()/getUpdateCount() until -1.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
            ps.setString(1, "a");
            assertFalse(ps.execute());
            assertNull(ps.getResultSet());
            assertEquals(1, ps.getUpdateCount());
            assertFalse(ps.getMoreResults());
            assertEquals(-1, ps.getUpdateCount());
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t")) {
            assertTrue(ps.execute());
            assertEquals(-1, ps.getUpdateCount());
            ResultSet rs = ps.getResultSet();
            assertTrue(rs.next());
            assertFalse(ps.getMoreResults());
            assertTrue(rs.isClosed());
            assertEquals(-1, ps.getUpdateCount());
        }
        try (PreparedStatement ps = c.prepareStatement("CREATE INDEX t_n ON t(n)")) {
            assertFalse(ps.execute());
            assertEquals(0, ps.getUpdateCount(), "DDL counts 0");
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE t SET n = n + 1 RETURNING id")) {
            assertEquals(1, ps.executeUpdate(), "the RETURNING rows are read to the end for the count");
        }
    }

    @Test
    void consumerLoopOverAScriptEnds() throws SQLException {
        try (Statement st = c.createStatement()) {
            boolean rows = st.execute("INSERT INTO t(v) VALUES ('x'); INSERT INTO t(v) VALUES ('y'), ('z'); SELECT 1");
            int loops = 0;
            // ScriptUtils / MyBatis DefaultResultSetHandler: loop until no result set and count -1.
            while (rows || st.getUpdateCount() != -1) {
                assertTrue(++loops < 10, "the loop ends");
                rows = st.getMoreResults();
            }
            assertEquals(1, loops, "one update count (the script's total), then the end");
        }
        assertEquals(3, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
    }

    @Test
    void failedBatchInATransactionKeepsItsCompletedRowsUntilRollback() throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
            for (String v : new String[] {"a", "b", "a", "c"}) {
                ps.setString(1, v);
                ps.addBatch();
            }
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            assertArrayEquals(new int[] {1, 1}, e.getUpdateCounts());
            assertEquals(
                    2, TestSupport.queryLong(c, "SELECT count(*) FROM t"), "completed rows stay in the transaction");
        }
        c.rollback();
        assertEquals(0, TestSupport.queryLong(c, "SELECT count(*) FROM t"), "and go with it");
        c.setAutoCommit(true);
    }

    // --- generated keys --------------------------------------------------------------------------

    @Test
    void keysOfSingleAndMultiRowInserts() throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO t(v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
            assertNull(ps.getMetaData(), "the RETURNING clause the driver adds is not a result set");
            assertThrows(SQLException.class, ps::executeQuery);
            ps.setString(1, "a");
            assertEquals(1, ps.executeUpdate());
            try (ResultSet rs = ps.getGeneratedKeys()) {
                ResultSetMetaData md = rs.getMetaData();
                assertEquals(1, md.getColumnCount());
                assertEquals("id", md.getColumnLabel(1), "the INTEGER PRIMARY KEY the rowid is");
                assertEquals(Types.BIGINT, md.getColumnType(1));
                assertEquals("java.lang.Long", md.getColumnClassName(1));
                assertTrue(rs.next());
                assertEquals(1L, rs.getObject(1));
                assertFalse(rs.next());
            }
            ps.setString(1, "b");
            assertFalse(ps.execute());
            assertEquals(1, ps.getUpdateCount());
            assertEquals(ids(2), keys(ps));
        }
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO t(v) VALUES (?), (?), (?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "c");
            ps.setString(2, "d");
            ps.setString(3, "e");
            assertEquals(3, ps.executeUpdate());
            assertEquals(ids(3, 4, 5), keys(ps), "one key per inserted row");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO t(v) SELECT v || '2' FROM t WHERE id <= 2", Statement.RETURN_GENERATED_KEYS)) {
            assertEquals(2, ps.executeUpdate());
            assertEquals(ids(6, 7), keys(ps));
        }
        try (Statement st = c.createStatement()) {
            assertEquals(2, st.executeUpdate("INSERT INTO t(v) VALUES ('f'), ('g')", Statement.RETURN_GENERATED_KEYS));
            assertEquals(ids(8, 9), keys(st));
            assertFalse(st.execute(
                    "REPLACE INTO t(id, v) VALUES (1, 'a2');\n-- a comment after the statement\n",
                    Statement.RETURN_GENERATED_KEYS));
            assertEquals(ids(1), keys(st));
            assertEquals(1, st.executeUpdate("UPDATE t SET n = 0 WHERE id = 1", Statement.RETURN_GENERATED_KEYS));
            assertEquals(ids(), keys(st), "no insert, no keys");
            assertFalse(st.execute(
                    "INSERT INTO t(v) VALUES ('h'); INSERT INTO t(v) VALUES ('i')", Statement.RETURN_GENERATED_KEYS));
            assertEquals(2, st.getUpdateCount());
            assertEquals(ids(), keys(st), "a script gives no keys");
            assertEquals(
                    0, st.executeUpdate("INSERT OR IGNORE INTO t(v) VALUES ('h')", Statement.RETURN_GENERATED_KEYS));
            assertEquals(ids(), keys(st), "an ignored row has no key");
        }
    }

    @Test
    void keysByColumnNamesAndIndexes() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)", new String[] {"ID", "n"})) {
            ps.setString(1, "a");
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                assertEquals("id", rs.getMetaData().getColumnLabel(1));
                assertEquals("n", rs.getMetaData().getColumnLabel(2));
                assertTrue(rs.next());
                assertEquals(1L, rs.getObject("ID"));
                assertEquals(7, rs.getInt("n"), "the column default, as inserted");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?), (?)", new int[] {2, 1})) {
            ps.setString(1, "b");
            ps.setString(2, "c");
            assertEquals(2, ps.executeUpdate());
            assertEquals(List.of(List.of("b", 2L), List.of("c", 3L)), keys(ps));
        }
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO t(v) VALUES ('d')", new String[] {"v"});
            assertEquals(List.of(List.of("d")), keys(st));
            st.executeUpdate("INSERT INTO t(v) VALUES ('e')", new int[] {1});
            assertEquals(ids(5), keys(st));
        }
        SQLSyntaxErrorException e = assertThrows(
                SQLSyntaxErrorException.class,
                () -> c.prepareStatement("INSERT INTO t(v) VALUES (?)", new String[] {"nope"}));
        assertEquals("42S22", e.getSQLState());
        SQLException range = assertThrows(
                SQLException.class, () -> c.prepareStatement("INSERT INTO t(v) VALUES (?)", new int[] {4}));
        assertEquals("07009", range.getSQLState());
    }

    @Test
    void keysOfUnusualTables() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE plain(x TEXT); CREATE TABLE nr(k TEXT PRIMARY KEY, x) WITHOUT ROWID");
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO plain(x) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "a");
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                assertEquals("rowid", rs.getMetaData().getColumnLabel(1));
                assertEquals(Types.BIGINT, rs.getMetaData().getColumnType(1));
                assertTrue(rs.next());
                assertEquals(1L, rs.getObject(1));
            }
        }
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO nr VALUES (?, 1)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "k");
            assertEquals(1, ps.executeUpdate(), "a WITHOUT ROWID table inserts fine");
            assertEquals(ids(), keys(ps), "and has no generated key");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nr VALUES (?, 2)", new String[] {"k"})) {
            ps.setString(1, "k2");
            ps.executeUpdate();
            assertEquals(List.of(List.of("k2")), keys(ps), "named key columns work there");
        }
        // An INSERT with its own RETURNING: its rows are the keys, and execute reports a count.
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO t(v) VALUES (?) RETURNING id, upper(v)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "own");
            assertFalse(ps.execute());
            assertEquals(1, ps.getUpdateCount());
            assertEquals(List.of(List.of(1L, "OWN")), keys(ps));
        }
        try (Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("INSERT INTO t(v) VALUES ('own2') RETURNING v", new int[] {1}));
            assertEquals(List.of(List.of("own2")), keys(st), "its own RETURNING wins over the indexes");
        }
        // Upsert: the key of the row written, inserted or updated.
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO t(v, n) VALUES (?, 1) ON CONFLICT(v) DO UPDATE SET n = n + 1",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "own");
            assertEquals(1, ps.executeUpdate());
            assertEquals(ids(1), keys(ps));
        }
        assertThrows(
                SQLSyntaxErrorException.class,
                () -> c.prepareStatement("INSERT INTO nope VALUES (?)", Statement.RETURN_GENERATED_KEYS),
                "bad SQL fails with SQLite's own error");
    }

    @Test
    void keysAcrossBatches() throws SQLException {
        // One-row INSERT and RETURN_GENERATED_KEYS: one native call, each row's rowid is its key.
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO t(v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < 100; i++) {
                ps.setString(1, "a" + i);
                ps.addBatch();
            }
            assertEquals(100, ps.executeBatch().length);
            List<List<Object>> keys = keys(ps);
            assertEquals(100, keys.size());
            for (int i = 0; i < 100; i++) {
                assertEquals((long) i + 1, keys.get(i).get(0));
            }
        }
        // Asking for the INTEGER PRIMARY KEY by name is asking for the rowid: same shortcut.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)", new String[] {"ID"})) {
            ps.setString(1, "named");
            ps.addBatch();
            ps.executeBatch();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                assertEquals("id", rs.getMetaData().getColumnLabel(1));
                assertTrue(rs.next());
                assertEquals(101L, rs.getObject("id"));
            }
            TestSupport.exec(c, "DELETE FROM t WHERE id = 101");
        }
        // Multi-row entries: row by row, every inserted row's key in order.
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO t(v) VALUES (?), (? || '!')", Statement.RETURN_GENERATED_KEYS)) {
            for (String v : new String[] {"b", "c"}) {
                ps.setString(1, v);
                ps.setString(2, v);
                ps.addBatch();
            }
            assertArrayEquals(new int[] {2, 2}, ps.executeBatch());
            assertEquals(ids(101, 102, 103, 104), keys(ps));
        }
        // Named keys, and a failure: the keys and counts of the rows done before it.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)", new String[] {"id", "v"})) {
            for (String v : new String[] {"d", "e", "a0", "f"}) {
                ps.setString(1, v);
                ps.addBatch();
            }
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            assertEquals("23505", e.getSQLState());
            assertArrayEquals(new int[] {1, 1}, e.getUpdateCounts());
            assertEquals(List.of(List.of(105L, "d"), List.of(106L, "e")), keys(ps));
            assertArrayEquals(new int[0], ps.executeBatch(), "emptied");
        }
        // Upsert entries are not one-row INSERTs for the rowid shortcut: RETURNING says which row.
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO t(v) VALUES (?) ON CONFLICT(v) DO UPDATE SET n = -1", Statement.RETURN_GENERATED_KEYS)) {
            for (String v : new String[] {"a5", "new", "a7"}) {
                ps.setString(1, v);
                ps.addBatch();
            }
            assertArrayEquals(new int[] {1, 1, 1}, ps.executeBatch());
            assertEquals(ids(6, 107, 8), keys(ps));
        }
    }

    @Test
    void withoutAKeyRequestAnInsertStillReportsItsRowid() throws SQLException {
        // sqlite-jdbc compatible and free: the rowid comes with every execution's header.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
            ps.setString(1, "a");
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                assertEquals("GENERATED_KEY", rs.getMetaData().getColumnLabel(1));
                assertTrue(rs.next());
                assertEquals(1L, rs.getObject(1));
            }
        }
    }

    @Test
    void statementEndAndOneRowInsertDetection() {
        assertEquals(8, SqlLexer.statementEnd(bytes("SELECT 1; SELECT 2")));
        assertEquals(24, SqlLexer.statementEnd(bytes("SELECT ';', \"a;\" /* ; */; x")));
        assertEquals(16, SqlLexer.statementEnd(bytes("SELECT 1 -- ; \n ;")));
        String[] one = {
            "INSERT INTO t(v) VALUES (?)",
            "insert into t values(?, (SELECT 1), ')')",
            "INSERT INTO t DEFAULT VALUES",
            "REPLACE INTO t(v) VALUES (?) -- (x), (y)",
            "INSERT INTO t(v) VALUES (?);"
        };
        String[] many = {
            "INSERT INTO t(v) VALUES (?), (?)",
            "INSERT INTO t(v) SELECT v FROM t",
            "INSERT INTO t(v) VALUES (?) ON CONFLICT DO NOTHING",
            "INSERT INTO t(v) SELECT * FROM (VALUES (1))",
            "INSERT INTO t(v) VALUES (?) RETURNING id"
        };
        for (String sql : one) {
            byte[] b = bytes(sql);
            assertTrue(SqlLexer.singleRowValues(b, SqlLexer.statementEnd(b)), sql);
        }
        for (String sql : many) {
            byte[] b = bytes(sql);
            assertFalse(SqlLexer.singleRowValues(b, SqlLexer.statementEnd(b)), sql);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // --- metadata and types ----------------------------------------------------------------------

    @Test
    void getObjectGivesTheClassTheMetadataNames() throws SQLException {
        TestSupport.exec(
                c,
                "CREATE TABLE typed(i INTEGER, r REAL, s TEXT, b BLOB, d DECIMAL(10,2), f BOOLEAN,"
                        + " dt DATE, tm TIME, ts TIMESTAMP, x)");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, 1);
            ps.setDouble(2, 1.5);
            ps.setString(3, "s");
            ps.setBytes(4, new byte[] {1});
            ps.setBigDecimal(5, new BigDecimal("2.25"));
            ps.setBoolean(6, true);
            ps.setDate(7, java.sql.Date.valueOf("2024-01-02"));
            ps.setTime(8, java.sql.Time.valueOf("03:04:05"));
            ps.setTimestamp(9, java.sql.Timestamp.valueOf("2024-01-02 03:04:05.678"));
            ps.setObject(10, 42);
            ps.executeUpdate();
            // a second row whose values are stored as text, and a third of NULLs
            ps.setString(1, "7");
            ps.setString(2, "2.5");
            ps.setInt(3, 3);
            ps.setString(4, "b");
            ps.setString(5, "3.5");
            ps.setString(6, "false");
            ps.setString(7, "2024-02-03");
            ps.setString(8, "04:05:06");
            ps.setString(9, "2024-02-03 04:05:06");
            ps.setString(10, "x");
            ps.executeUpdate();
            for (int i = 1; i <= 10; i++) {
                ps.setNull(i, Types.OTHER);
            }
            ps.executeUpdate();
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM typed")) {
            ResultSetMetaData md = rs.getMetaData(); // before next(): MyBatis picks handlers here
            String[] before = new String[10];
            for (int i = 1; i <= 10; i++) {
                before[i - 1] = md.getColumnClassName(i);
            }
            int row = 0;
            while (rs.next()) {
                row++;
                for (int i = 1; i <= 9; i++) {
                    assertEquals(before[i - 1], md.getColumnClassName(i), "stable per column");
                    Object v = rs.getObject(i);
                    if (row == 3) {
                        assertNull(v);
                    } else if (!(i == 4 && row == 2)) { // text in a BLOB column stays text
                        assertEquals(before[i - 1], v.getClass().getName(), md.getColumnLabel(i) + " row " + row);
                    }
                }
            }
            assertEquals(3, row);
            assertEquals("java.lang.Object", before[9]);
        }
        try (ResultSet rs = c.createStatement().executeQuery("SELECT dt, ts, f, d FROM typed LIMIT 2")) {
            assertTrue(rs.next());
            assertEquals(java.sql.Date.valueOf("2024-01-02"), rs.getObject(1));
            assertEquals(java.sql.Timestamp.valueOf("2024-01-02 03:04:05.678"), rs.getObject(2));
            assertEquals(Boolean.TRUE, rs.getObject(3));
            assertEquals(new BigDecimal("2.25"), rs.getObject(4));
            assertTrue(rs.next());
            assertEquals(java.sql.Date.valueOf("2024-02-03"), rs.getObject(1));
            assertEquals(Boolean.FALSE, rs.getObject(3));
        }
        TestSupport.exec(c, "INSERT INTO typed(dt, f) VALUES ('not a date', 'maybe')");
        try (ResultSet rs = c.createStatement().executeQuery("SELECT dt, f FROM typed WHERE dt = 'not a date'")) {
            assertTrue(rs.next());
            assertEquals("not a date", rs.getObject(1), "a value that is not of the declared type comes as stored");
            assertEquals("maybe", rs.getObject(2));
        }
    }

    @Test
    void setNullAcceptsEveryTypeCode() throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT ? IS NULL")) {
            int codes = 0;
            for (Field f : Types.class.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                    int code = f.getInt(null);
                    ps.setNull(1, code);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertTrue(rs.getBoolean(1), f.getName());
                    }
                    ps.setNull(1, code, "ANY_TYPE_NAME");
                    ps.setObject(1, null, code);
                    codes++;
                }
            }
            assertTrue(codes > 30);
        }
    }

    // --- connections, transactions, result sets --------------------------------------------------

    @Test
    void commitEndsAnUnfinishedResultSetLoudly() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
            for (int i = 0; i < 5000; i++) {
                ps.setString(1, "row " + i + " " + "x".repeat(40));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.setAutoCommit(false);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT v FROM t ORDER BY id")) {
            int read = 0;
            assertTrue(rs.next());
            read++;
            c.commit(); // CLOSE_CURSORS_AT_COMMIT: the core resets the running statement
            SQLException e = assertThrows(SQLException.class, () -> {
                while (rs.next()) {
                    assertTrue(rs.getString(1).startsWith("row "));
                }
            });
            assertEquals("24000", e.getSQLState(), "rows cut short must not look like the end of the data");
            assertTrue(rs.isClosed());
            assertTrue(read < 5000);
        }
        // A result set that was read to its end before the commit is not affected.
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            c.commit();
            assertTrue(rs.next());
            assertEquals(5000, rs.getInt(1));
        }
        c.setAutoCommit(true);
    }

    @Test
    void nestedSavepointsReleaseAndRollBackInOrder() throws SQLException {
        c.setAutoCommit(false);
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('0')");
        Savepoint one = c.setSavepoint("one");
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('1')");
        Savepoint two = c.setSavepoint("two");
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('2')");
        Savepoint three = c.setSavepoint();
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('3')");
        c.releaseSavepoint(three); // keeps '3'
        c.rollback(two); // drops '2' and '3'
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('2b')");
        c.releaseSavepoint(two);
        assertThrows(SQLException.class, () -> c.rollback(two), "a released savepoint is gone");
        c.rollback(one); // drops '1' and '2b'
        c.commit();
        assertEquals("0", TestSupport.queryString(c, "SELECT group_concat(v) FROM t"));
        c.setAutoCommit(true);
    }

    @Test
    void networkTimeoutIsNotALockTimeout() throws Exception {
        try (Connection holder = TestSupport.open(url);
                Connection waiter = TestSupport.open(url + "?busy_timeout=10000")) {
            waiter.setNetworkTimeout(Runnable::run, 1); // stored only: must not shorten lock waits
            holder.setAutoCommit(false);
            TestSupport.exec(holder, "INSERT INTO t(v) VALUES ('held')");
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                AtomicReference<Thread> runner = new AtomicReference<>();
                Future<Integer> f = ex.submit(() -> {
                    runner.set(Thread.currentThread());
                    try (Statement st = waiter.createStatement()) {
                        return st.executeUpdate("INSERT INTO t(v) VALUES ('waited')");
                    }
                });
                while (runner.get() == null) {
                    Thread.onSpinWait();
                }
                LifecycleTest.awaitInNative(runner.get(), "execute"); // waiting for holder's lock
                holder.commit();
                assertEquals(1, f.get(), "the wait outlived the 1 ms network timeout and succeeded");
            } finally {
                ex.shutdownNow();
            }
            assertEquals(1, waiter.getNetworkTimeout());
        }
    }

    @Test
    void abortEndsALockWaitAndTheConnectionIsClosedOnce() throws Exception {
        try (Connection holder = TestSupport.open(url)) {
            holder.setAutoCommit(false);
            TestSupport.exec(holder, "INSERT INTO t(v) VALUES ('held')");
            Connection waiter = TestSupport.open(url + "?busy_timeout=60000");
            ExecutorService ex = Executors.newFixedThreadPool(2);
            try {
                AtomicReference<Thread> runner = new AtomicReference<>();
                Future<?> f = ex.submit(() -> {
                    runner.set(Thread.currentThread());
                    try (Statement st = waiter.createStatement()) {
                        st.executeUpdate("INSERT INTO t(v) VALUES ('never')");
                    }
                    return null;
                });
                while (runner.get() == null) {
                    Thread.onSpinWait();
                }
                LifecycleTest.awaitInNative(runner.get(), "execute");
                waiter.abort(ex);
                assertTrue(waiter.isClosed(), "closed at once");
                java.util.concurrent.ExecutionException e =
                        assertThrows(java.util.concurrent.ExecutionException.class, f::get);
                assertInstanceOf(SQLException.class, e.getCause());
                waiter.abort(ex); // again: nothing
                waiter.close(); // and close: nothing
            } finally {
                ex.shutdown();
                assertTrue(
                        ex.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS), "the executor's close ended");
            }
            holder.rollback();
        }
        assertEquals(1, Shmlite.stats(url).orElseThrow().getConnectionsInUse(), "only c, the test's own connection");
    }

    @Test
    void queryTimeoutAndStatementSettings() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LifecycleTest.LONG_QUERY)) {
            ps.setQueryTimeout(1);
            ps.setFetchSize(10);
            ps.setMaxRows(5);
            ps.setEscapeProcessing(true);
            ps.setPoolable(false);
            SQLTimeoutException e = assertThrows(SQLTimeoutException.class, ps::executeQuery);
            assertEquals("HYT00", e.getSQLState());
        }
        try (PreparedStatement ps = c.prepareStatement(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) SELECT x FROM c")) {
            ps.closeOnCompletion();
            ResultSet rs = ps.executeQuery();
            int n = 0;
            while (rs.next()) {
                assertEquals(++n, rs.getInt(1));
            }
            assertEquals(3000, n, "rows across several fetches, the buffer growing on the way");
            assertFalse(ps.isClosed());
            rs.close();
            assertTrue(ps.isClosed(), "closeOnCompletion");
        }
    }

    @Test
    void dropForgetsTheDatabaseEvenWhileAConnectionStillUsesIt() throws SQLException {
        // What HikariCP does when validation finds a connection to a dropped database dead: it
        // opens the replacement while its closer thread has not yet closed the old connection.
        TestSupport.exec(c, "INSERT INTO t(v) VALUES ('old')");
        assertEquals(1, Shmlite.drop(url), "c still uses it");
        try (Connection fresh = TestSupport.open(url)) {
            assertEquals(
                    0,
                    TestSupport.queryLong(fresh, "SELECT count(*) FROM sqlite_schema"),
                    "README: new connections get a fresh, empty database");
        }
    }

    // --- thread safety ---------------------------------------------------------------------------

    @Test
    void oneConnectionSharedByThreadsStaysConsistent() throws Exception {
        final int threads = 4;
        final int rounds = 150;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (PreparedStatement seed = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
            for (int i = 0; i < 3000; i++) {
                seed.setString(1, "seed " + i + " " + "y".repeat(30)); // several fetch batches per scan
                seed.addBatch();
            }
            seed.executeBatch();
        }
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            final int worker = w;
            workers.add(new Thread(() -> {
                try (PreparedStatement ins = c.prepareStatement(
                                "INSERT INTO t(v, n) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS);
                        PreparedStatement sel = c.prepareStatement("SELECT id, v, n FROM t WHERE id = ?");
                        Statement scan = c.createStatement()) {
                    for (int i = 0; i < rounds; i++) {
                        ins.setString(1, "w" + worker + "-" + i);
                        ins.setInt(2, worker);
                        assertEquals(1, ins.executeUpdate());
                        long id;
                        try (ResultSet k = ins.getGeneratedKeys()) {
                            assertTrue(k.next());
                            id = k.getLong(1);
                        }
                        sel.setLong(1, id);
                        try (ResultSet rs = sel.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals("w" + worker + "-" + i, rs.getString(2), "my key names my row");
                            assertEquals(worker, rs.getInt(3));
                        }
                        if (i % 50 == 0) {
                            // a long scan interleaved with the other threads' statements
                            try (ResultSet rs =
                                    scan.executeQuery("SELECT id, v FROM t WHERE v LIKE 'seed %' ORDER BY id")) {
                                int n = 0;
                                while (rs.next()) {
                                    assertTrue(rs.getString(2).startsWith("seed " + n + " "));
                                    n++;
                                }
                                assertEquals(3000, n);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread t : workers) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
        assertEquals(3000 + threads * rounds, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
        for (int w = 0; w < threads; w++) {
            assertEquals(rounds, TestSupport.queryLong(c, "SELECT count(*) FROM t WHERE n = " + w));
        }
    }
}
