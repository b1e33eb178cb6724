package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDBC driver on a real dqlite cluster ({@code jdbc:shmlite:dqlite://…}). Runs only with
 * {@code -Dshmlite.dqlite=HOST:PORT,…} (scripts/test-dqlite.sh starts a 3-node loopback cluster
 * and passes it); otherwise every test is skipped with the reason printed.
 */
class DqliteJdbcTest {
    private static final String SEEDS = System.getProperty("shmlite.dqlite", "").trim();

    @BeforeAll
    static void needCluster() {
        if (SEEDS.isEmpty()) {
            System.err.println("SKIPPED DqliteJdbcTest: -Dshmlite.dqlite=HOST:PORT,... not given; "
                    + "run scripts/test-dqlite.sh to start a 3-node dqlite cluster and run it");
        }
        Assumptions.assumeFalse(SEEDS.isEmpty(), "no dqlite cluster (-Dshmlite.dqlite)");
    }

    /** A database of the cluster no other test (or run) uses. */
    private static String url() {
        return "jdbc:shmlite:dqlite://" + SEEDS + "/" + TestSupport.uniqueName("j");
    }

    @Test
    void everyParameterTypeRoundTrips() throws Exception {
        try (Connection c = DriverManager.getConnection(url())) {
            c.createStatement()
                    .execute(
                            "CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, l INTEGER, d REAL, "
                                    + "f REAL, s TEXT, b BLOB, bo INTEGER, bd TEXT, dt INTEGER, ts INTEGER, n TEXT, by INTEGER, sh INTEGER)");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO t(i, l, d, f, s, b, bo, bd, dt, ts, n, by, sh) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setInt(1, 42);
                ps.setLong(2, Long.MIN_VALUE);
                ps.setDouble(3, 2.5);
                ps.setFloat(4, 1.25f);
                ps.setString(5, "héllo; 'world' \u2603");
                ps.setBytes(6, new byte[] {0, 1, (byte) 255});
                ps.setBoolean(7, true);
                ps.setBigDecimal(8, new BigDecimal("12345678901234567890.5"));
                ps.setDate(9, Date.valueOf("2024-02-29"));
                ps.setTimestamp(10, new Timestamp(1_700_000_000_123L));
                ps.setNull(11, Types.VARCHAR);
                ps.setByte(12, (byte) -7);
                ps.setShort(13, (short) 30000);
                assertEquals(1, ps.executeUpdate());
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT i, l, d, f, s, b, bo, bd, dt, ts, n, by, sh FROM t")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
                assertEquals(Long.MIN_VALUE, rs.getLong(2));
                assertEquals(2.5, rs.getDouble(3));
                assertEquals(1.25f, rs.getFloat(4));
                assertEquals("héllo; 'world' \u2603", rs.getString(5));
                assertArrayEquals(new byte[] {0, 1, (byte) 255}, rs.getBytes(6));
                assertTrue(rs.getBoolean(7));
                assertEquals(new BigDecimal("12345678901234567890.5"), rs.getBigDecimal(8));
                assertEquals(Date.valueOf("2024-02-29"), rs.getDate(9));
                assertEquals(new Timestamp(1_700_000_000_123L), rs.getTimestamp(10));
                assertNull(rs.getString(11));
                assertTrue(rs.wasNull());
                assertEquals(-7, rs.getByte(12));
                assertEquals(30000, rs.getShort(13));
                assertEquals("s", rs.getMetaData().getColumnLabel(5));
                assertEquals(5, rs.findColumn("s"));
                assertFalse(rs.next());
            }
        }
    }

    @Test
    void preparedStatementsRunAgainAndResultSetsStreamPastOneBatch() throws Exception {
        try (Connection c = DriverManager.getConnection(url())) {
            c.createStatement().execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(id, v) VALUES(?, ?)")) {
                for (int i = 1; i <= 3000; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "value-" + i + "-" + "x".repeat(64));
                    ps.addBatch();
                }
                long[] counts = ps.executeLargeBatch();
                assertEquals(3000, counts.length);
            }
            c.commit();
            c.setAutoCommit(true);
            try (PreparedStatement q = c.prepareStatement("SELECT id, v FROM t WHERE id > ? ORDER BY id")) {
                for (int round = 0; round < 2; round++) {
                    q.setInt(1, 0);
                    int expect = 1;
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            assertEquals(expect, rs.getInt(1));
                            assertEquals("value-" + expect + "-" + "x".repeat(64), rs.getString("v"));
                            if (expect == 10) {
                                // another statement while this result set is open
                                assertEquals(3000, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
                            }
                            expect++;
                        }
                    }
                    assertEquals(3001, expect);
                }
            }
        }
    }

    @Test
    void transactionsCommitRollBackAndSavepoints() throws Exception {
        String url = url();
        try (Connection a = DriverManager.getConnection(url);
                Connection b = DriverManager.getConnection(url)) {
            a.createStatement().execute("CREATE TABLE t(x INTEGER)");
            a.setAutoCommit(false);
            a.createStatement().executeUpdate("INSERT INTO t VALUES(1)");
            assertEquals(0, TestSupport.queryLong(b, "SELECT count(*) FROM t"), "uncommitted");
            a.rollback();
            assertEquals(0, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
            a.createStatement().executeUpdate("INSERT INTO t VALUES(2)");
            Savepoint sp = a.setSavepoint();
            a.createStatement().executeUpdate("INSERT INTO t VALUES(3)");
            a.rollback(sp);
            a.commit();
            assertEquals(1, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
            assertEquals(2, TestSupport.queryLong(b, "SELECT x FROM t"));
        }
    }

    @Test
    void aReadFirstTransactionBeginsDeferredAndUpgradesAtItsWrite() throws Exception {
        String url = url();
        try (Connection a = DriverManager.getConnection(url);
                Connection b = DriverManager.getConnection(url)) {
            a.createStatement().execute("CREATE TABLE t(x INTEGER)");
            long upgradesBefore = upgrades(url);
            a.setAutoCommit(false);
            assertEquals(0, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
            // a read transaction: b reads meanwhile, a's first write upgrades it
            assertEquals(0, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
            a.createStatement().executeUpdate("INSERT INTO t VALUES(1)");
            a.commit();
            assertEquals(1, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
            assertEquals(upgradesBefore + 1, upgrades(url));
            // The read transaction holds no write lock: b commits while it is open, and a's
            // write on its stale snapshot is a 40001, never a write on top of stale reads.
            assertEquals(1, TestSupport.queryLong(a, "SELECT count(*) FROM t"));
            b.createStatement().executeUpdate("INSERT INTO t VALUES(9)");
            SQLException stale = assertThrows(
                    SQLException.class, () -> a.createStatement().executeUpdate("INSERT INTO t VALUES(2)"));
            assertEquals("40001", stale.getSQLState(), stale.getMessage());
            SQLException lost = assertThrows(SQLException.class, () -> TestSupport.queryLong(a, "SELECT 1"));
            assertEquals("25P02", lost.getSQLState(), "statements are refused until rollback()");
            a.rollback();
            a.createStatement().executeUpdate("INSERT INTO t VALUES(2)");
            a.commit();
            assertEquals(3, TestSupport.queryLong(b, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void generatedKeysOfAnInsert() throws Exception {
        try (Connection c = DriverManager.getConnection(url())) {
            c.createStatement().execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            c.createStatement().execute("INSERT INTO t(v) VALUES('a')");
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO t(v) VALUES(?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "b");
                assertEquals(1, ps.executeUpdate());
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(2, keys.getLong(1));
                }
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO t(v) VALUES('c')", Statement.RETURN_GENERATED_KEYS);
                try (ResultSet keys = st.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(3, keys.getLong(1));
                }
            }
        }
    }

    @Test
    void eightThreadsHundredInsertsEachThroughTheDriver() throws Exception {
        String url = url();
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE t(w INTEGER, i INTEGER, PRIMARY KEY(w, i))");
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> results = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            final int writer = w;
            results.add(pool.submit(() -> {
                int errors = 0;
                try (Connection c = DriverManager.getConnection(url);
                        PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES(?, ?)")) {
                    for (int i = 0; i < 100; i++) {
                        ps.setInt(1, writer);
                        ps.setInt(2, i);
                        try {
                            ps.executeUpdate();
                        } catch (SQLException e) {
                            errors++;
                            System.err.println("writer " + writer + ": " + e);
                        }
                    }
                }
                return errors;
            }));
        }
        int errors = 0;
        for (Future<Integer> f : results) {
            errors += f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, errors);
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(800, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
            for (int w = 0; w < 8; w++) {
                assertEquals(100, TestSupport.queryLong(c, "SELECT count(*) FROM t WHERE w = " + w));
            }
        }
        DatabaseStats s = Shmlite.stats(url).orElseThrow();
        assertTrue(s.getRemoteRequests() >= 800, s.toString());
        assertTrue(s.getRemoteRequestNanosTotal() > 0, s.toString());
    }

    @Test
    void readModifyWriteNeverLosesAnUpdate() throws Exception {
        // 8 threads x 200 read-first increments: a stale upgrade is a 40001 and retried, never a
        // lost update; ALWAYS_IMMEDIATE begins with the write lock and needs no retry at all.
        long retries = TestSupport.readModifyWrite(url(), new Properties());
        Properties immediate = new Properties();
        immediate.setProperty("transaction_mode", "ALWAYS_IMMEDIATE");
        assertEquals(0, TestSupport.readModifyWrite(url(), immediate));
        System.err.println("dqlite read-modify-write: " + retries + " retries (40001) with read-first transactions");
    }

    @Test
    void metadataListsTablesAndColumns() throws Exception {
        try (Connection c = DriverManager.getConnection(url())) {
            c.createStatement()
                    .execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL)");
            c.createStatement().execute("CREATE VIEW big AS SELECT * FROM orders WHERE total > 100");
            // the server's SQLite, not the bundled one (Flyway and Hibernate pick features by it)
            assertEquals(
                    TestSupport.queryString(c, "SELECT sqlite_version()"),
                    c.getMetaData().getDatabaseProductVersion());
            List<String> remote = describe(c);
            assertTrue(remote.get(0).contains("orders"), remote.toString());
            assertFalse(remote.get(0).contains("big"), remote.toString());
            try (Connection local = DriverManager.getConnection(TestSupport.memUrl())) {
                local.createStatement()
                        .execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL)");
                local.createStatement().execute("CREATE VIEW big AS SELECT * FROM orders WHERE total > 100");
                assertEquals(describe(local), remote, "the same catalog answers as on mem:");
            }
        }
    }

    /** Tables (TABLE type) and the columns of {@code orders} as DatabaseMetaData reports them. */
    private static List<String> describe(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        List<String> out = new ArrayList<>();
        StringBuilder tables = new StringBuilder();
        try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.append(rs.getString("TABLE_NAME"))
                        .append(':')
                        .append(rs.getString("TABLE_TYPE"))
                        .append(' ');
            }
        }
        out.add(tables.toString());
        try (ResultSet rs = md.getColumns(null, null, "orders", "%")) {
            while (rs.next()) {
                out.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE")
                        + ":" + rs.getInt("NULLABLE") + ":" + rs.getInt("ORDINAL_POSITION") + ":"
                        + rs.getString("IS_AUTOINCREMENT"));
            }
        }
        try (ResultSet rs = md.getPrimaryKeys(null, null, "orders")) {
            while (rs.next()) {
                out.add("pk " + rs.getString("COLUMN_NAME"));
            }
        }
        return out;
    }

    @Test
    void localOnlyPropertiesAreRefusedAndErrorsKeepTheirSqlStates() throws Exception {
        for (String[] p : new String[][] {
            {"journal_mode", "WAL"},
            {"shm_dir", "/dev/shm"},
            {"wal_limit_mb", "4"},
            {"read_uncommitted", "true"},
            {"mmap_size", "0"}
        }) {
            Properties props = new Properties();
            props.setProperty(p[0], p[1]);
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url(), props));
            assertEquals("08001", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains(p[0]), e.getMessage());
        }
        Properties ok = new Properties();
        ok.setProperty("dqlite_leader_timeout_ms", "5000");
        ok.setProperty("busy_timeout", "300");
        try (Connection c = DriverManager.getConnection(url(), ok)) {
            c.createStatement().execute("CREATE TABLE t(id INTEGER PRIMARY KEY)");
            c.createStatement().execute("INSERT INTO t VALUES(1)");
            SQLException dup =
                    assertThrows(SQLException.class, () -> c.createStatement().execute("INSERT INTO t VALUES(1)"));
            assertEquals("23505", dup.getSQLState());
            SQLException missing = assertThrows(SQLException.class, () -> c.prepareStatement("SELECT * FROM nope"));
            assertEquals("42S02", missing.getSQLState());
            assertThrows(
                    SQLFeatureNotSupportedException.class,
                    () -> c.createStatement().executeQuery("INSERT INTO t VALUES(2) RETURNING id"));
            assertEquals(1, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
            try (Connection holder = DriverManager.getConnection(c.getMetaData().getURL())) {
                holder.setAutoCommit(false);
                holder.createStatement().execute("INSERT INTO t VALUES(5)");
                SQLException busy = assertThrows(
                        SQLTimeoutException.class, () -> c.createStatement().execute("INSERT INTO t VALUES(6)"));
                assertEquals("HYT00", busy.getSQLState());
                holder.rollback();
            }
        }
    }

    /**
     * Two JDBC writers insert in autocommit while the leader is SIGKILLed (and restarted) twice:
     * every insert the driver acknowledged is present afterwards, integrity_check is ok, and the
     * only failures are 08007 for inserts in flight when the leader died. Needs the cluster's
     * directory ({@code -Dshmlite.dqlite.dir}, given by scripts/test-dqlite.sh unless
     * SHMLITE_DQLITE_SKIP_FAILOVER=1) to kill and restart nodes with scripts/dqlite-cluster.sh.
     */
    @Test
    void leaderSigkilledUnderTwoJdbcWritersLosesNoAcknowledgedRow() throws Exception {
        String dir = System.getProperty("shmlite.dqlite.dir", "");
        if (dir.isEmpty()) {
            System.err.println("SKIPPED leaderSigkilledUnderTwoJdbcWriters: -Dshmlite.dqlite.dir not given");
        }
        Assumptions.assumeFalse(dir.isEmpty(), "no cluster directory (-Dshmlite.dqlite.dir)");
        String url = url();
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE f(id INTEGER PRIMARY KEY)");
        }
        List<Long> acked = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicLong unknown = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            final long base = w * 100_000_000L;
            writers.add(pool.submit(() -> {
                // busy_timeout far below an election: queued on the JVM's writer gate, a writer
                // must wait for the new leader, not time out on the gate
                Properties p = new Properties();
                p.setProperty("busy_timeout", "200");
                try (Connection c = DriverManager.getConnection(url, p);
                        PreparedStatement ps = c.prepareStatement("INSERT INTO f VALUES(?)")) {
                    for (long seq = 0; !stop.get(); seq++) {
                        ps.setLong(1, base + seq);
                        try {
                            ps.executeUpdate();
                            acked.add(base + seq);
                        } catch (SQLException e) {
                            if ("08007".equals(e.getSQLState())) {
                                unknown.incrementAndGet(); // in flight when the leader died
                            } else {
                                errors.add(e.getSQLState() + " " + e.getMessage());
                            }
                        }
                    }
                }
                return null;
            }));
        }
        try {
            for (int kill = 0; kill < 2; kill++) {
                awaitProgress(acked, errors, 20);
                int node = leaderNode();
                cluster("kill-node", dir, Integer.toString(node));
                try {
                    long t0 = System.nanoTime();
                    awaitProgress(acked, errors, 20);
                    System.err.printf(
                            "jdbc kill %d: node %d, writes resumed after %d ms%n",
                            kill + 1, node, (System.nanoTime() - t0) / 1_000_000);
                } finally {
                    cluster("start-node", dir, Integer.toString(node)); // also when the test fails
                }
                awaitMembers(3);
            }
        } finally {
            stop.set(true);
            for (Future<?> f : writers) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        try (Connection c = DriverManager.getConnection(url)) {
            Set<Long> rows = new HashSet<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT id FROM f")) {
                while (rs.next()) {
                    rows.add(rs.getLong(1));
                }
            }
            List<Long> missing = new ArrayList<>();
            synchronized (acked) {
                for (Long id : acked) {
                    if (!rows.contains(id)) {
                        missing.add(id);
                    }
                }
            }
            assertTrue(missing.isEmpty(), "acknowledged rows missing: " + missing);
            assertEquals("ok", TestSupport.queryString(c, "PRAGMA integrity_check"));
            System.err.println("jdbc failover: " + acked.size() + " acknowledged, " + rows.size() + " rows, "
                    + unknown.get() + " outcome unknown (08007)");
        }
    }

    /** Bound on waiting for progress or a rejoin (an election after SIGKILL took 5-12 s here). */
    private static final long FAILOVER_WAIT_MS = 90_000;

    private static void awaitProgress(List<Long> acked, List<String> errors, int rows) throws InterruptedException {
        int target = acked.size() + rows;
        long deadline = System.currentTimeMillis() + FAILOVER_WAIT_MS;
        while (acked.size() < target) {
            assertTrue(errors.isEmpty(), errors.toString());
            assertTrue(System.currentTimeMillis() < deadline, "no progress within " + FAILOVER_WAIT_MS + " ms");
            Thread.sleep(5);
        }
    }

    /** 1-based index among the seeds of the node the cluster names as leader. */
    private static int leaderNode() throws Exception {
        String[] seeds = SEEDS.split(",");
        long deadline = System.currentTimeMillis() + FAILOVER_WAIT_MS;
        while (true) {
            String leader =
                    run("dqlite", "-s", SEEDS, "shmlite_probe", ".leader").trim();
            for (int i = 0; i < seeds.length; i++) {
                if (leader.equals(seeds[i].trim())) {
                    return i + 1;
                }
            }
            assertTrue(System.currentTimeMillis() < deadline, "no leader named");
            Thread.sleep(50);
        }
    }

    private static void awaitMembers(int n) throws Exception {
        long deadline = System.currentTimeMillis() + FAILOVER_WAIT_MS;
        while (run("dqlite", "-s", SEEDS, "shmlite_probe", ".cluster")
                        .lines()
                        .filter(l -> l.contains("|"))
                        .count()
                < n) {
            assertTrue(System.currentTimeMillis() < deadline, "node did not rejoin");
            Thread.sleep(50);
        }
    }

    private static void cluster(String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = "../scripts/dqlite-cluster.sh";
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd));
    }

    /** Output of a command bounded by 10 s (the dqlite shell retries while no node answers). */
    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "";
        }
        return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static long upgrades(String url) throws SQLException {
        DatabaseStats s = Shmlite.stats(url).orElseThrow(() -> new AssertionError("no stats for " + url));
        return s.getUpgrades();
    }
}
