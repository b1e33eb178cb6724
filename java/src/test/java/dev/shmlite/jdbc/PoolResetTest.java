package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pooled native connection comes back to the next JDBC connection indistinguishable from a
 * freshly opened one (issue 12, item 2): with {@code pool_size=1} every session of a database
 * gets the same native connection, unless closing evicted it.
 */
class PoolResetTest {
    private Path shmDir;
    private final List<String> urls = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Path base = Files.isDirectory(Path.of("/dev/shm"))
                ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir"));
        shmDir = Files.createTempDirectory(base, "shmlite-reset-");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String u : urls) {
            Shmlite.drop(u);
        }
        try (var files = Files.walk(shmDir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private String url(String kind, String extra) {
        String name = "reset" + UUID.randomUUID().toString().substring(0, 8);
        String u = "mem".equals(kind)
                ? "jdbc:shmlite:mem:" + name + "?pool_size=1"
                : "jdbc:shmlite:shm:" + name + "?pool_size=1&shm_dir=" + shmDir;
        u += extra;
        urls.add(u);
        return u;
    }

    private static DatabaseStats stats(String url) throws SQLException {
        return Shmlite.stats(url).orElseThrow();
    }

    /** Every row of {@code sql} as text, so that "no row" is a value too. */
    private static String read(Connection c, String sql) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    out.append(rs.getString(i)).append(i < n ? "|" : ";");
                }
            }
        }
        return out.length() == 0 ? "<no row>" : out.toString();
    }

    /**
     * Every pragma of SQLite's list that changes connection state, set to a value other than
     * its default: {setting, what reads its effect, evicts}. Pragmas closing restores keep the
     * native connection; the others evict it.
     */
    static Stream<Arguments> statefulPragmas() {
        Object[][] rows = {
            {"analysis_limit=100", "PRAGMA analysis_limit", false},
            {"automatic_index=0", "PRAGMA automatic_index", false},
            {"busy_timeout=1234", "PRAGMA busy_timeout", false},
            {"cache_size=-5000", "PRAGMA cache_size", false},
            {"cache_spill=0", "PRAGMA cache_spill", false},
            {"case_sensitive_like=1", "SELECT 'a' LIKE 'A'", false},
            {"cell_size_check=1", "PRAGMA cell_size_check", false},
            {"checkpoint_fullfsync=1", "PRAGMA checkpoint_fullfsync", false},
            {"count_changes=1", "PRAGMA count_changes", false},
            {"defer_foreign_keys=1", "PRAGMA defer_foreign_keys", false},
            {"empty_result_callbacks=1", "PRAGMA empty_result_callbacks", false},
            {"foreign_keys=1", "PRAGMA foreign_keys", false},
            {"full_column_names=1", "PRAGMA full_column_names", false},
            {"fullfsync=1", "PRAGMA fullfsync", false},
            {"ignore_check_constraints=1", "PRAGMA ignore_check_constraints", false},
            {"legacy_alter_table=1", "PRAGMA legacy_alter_table", false},
            {"mmap_size=1048576", "PRAGMA mmap_size", false},
            {"query_only=1", "PRAGMA query_only", false},
            {"read_uncommitted=1", "PRAGMA read_uncommitted", false},
            {"recursive_triggers=1", "PRAGMA recursive_triggers", false},
            {"reverse_unordered_selects=1", "PRAGMA reverse_unordered_selects", false},
            {"secure_delete=1", "PRAGMA secure_delete", false},
            {"short_column_names=0", "PRAGMA short_column_names", false},
            {"synchronous=0", "PRAGMA synchronous", false},
            {"temp_store=2", "PRAGMA temp_store", false},
            {"threads=2", "PRAGMA threads", false},
            {"trusted_schema=0", "PRAGMA trusted_schema", false},
            {"wal_autocheckpoint=50", "PRAGMA wal_autocheckpoint", false},
            {"writable_schema=1", "PRAGMA writable_schema", false},
            {"journal_size_limit=12345", "PRAGMA journal_size_limit", true},
            {"locking_mode=EXCLUSIVE", "PRAGMA locking_mode", true},
            {"max_page_count=123456", "PRAGMA max_page_count", true},
            {"journal_mode=MEMORY", "PRAGMA journal_mode", true},
            {"no_such_pragma=1", "SELECT 1", true},
        };
        List<Arguments> out = new ArrayList<>();
        for (String kind : new String[] {"mem", "shm"}) {
            for (Object[] r : rows) {
                out.add(Arguments.of(kind, r[0], r[1], r[2]));
            }
        }
        return out.stream();
    }

    /**
     * Pragmas whose state lives in the pager, which SQLite's shared cache (mem:) shares between
     * all connections of the database: a fresh native connection reads the session's value too.
     */
    private static final java.util.Set<String> SHARED_PAGER = java.util.Set.of("journal_size_limit", "max_page_count");

    @ParameterizedTest(name = "{0}: PRAGMA {1}")
    @MethodSource("statefulPragmas")
    void aPragmaSetInOneSessionIsGoneInTheNext(String kind, String setting, String probe, boolean evicts)
            throws Exception {
        // Every session below gets the same native connection unless one was evicted. pool_size=2
        // so that a brand-new native connection can be opened next to it for comparison.
        String url = url(kind, "").replace("pool_size=1", "pool_size=2");
        String fresh;
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS t(x)");
            fresh = read(c, probe);
        }
        DatabaseStats before = stats(url);
        String changed;
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("PRAGMA " + setting);
            changed = read(c, probe);
        }
        if ("shm".equals(kind) && evicts) {
            // Its only native connection closed, the shm: database left the registry (a mem:
            // one stays, held by its keeper connection).
            assertTrue(Shmlite.stats(url).isEmpty(), "the connection was evicted");
        } else {
            DatabaseStats after = stats(url);
            assertEquals(evicts ? 1 : 0, after.getConnectionsEvicted() - before.getConnectionsEvicted(), "evictions");
            assertEquals(0, after.getNativeConnectionsOpened() - before.getNativeConnectionsOpened());
            assertEquals(evicts ? 0 : 1, after.getConnectionsIdle(), "the native connection went back to the pool");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            String name = setting.substring(0, setting.indexOf('='));
            String now = read(c, probe);
            try (Connection brandNew = DriverManager.getConnection(url)) { // no idle one: opened now
                assertEquals(read(brandNew, probe), now, "PRAGMA " + setting + ": as on a freshly opened connection");
            }
            if (!("mem".equals(kind) && SHARED_PAGER.contains(name))) {
                assertEquals(fresh, now, "PRAGMA " + setting + " (session 1 read " + changed + ")");
            }
        }
    }

    /** The same pragma through a prepared statement reused from the statement cache and inside a script. */
    @Test
    void aPragmaIsSeenThroughCachedStatementsAndScripts() throws Exception {
        String url = url("mem", "");
        for (int round = 0; round < 3; round++) {
            try (Connection c = DriverManager.getConnection(url)) {
                assertEquals("0;", read(c, "PRAGMA recursive_triggers"), "round " + round);
                // Prepared (and released) in every round: a cached statement would skip the record.
                try (var ps = c.prepareStatement("PRAGMA recursive_triggers=1")) {
                    ps.execute();
                }
                c.createStatement().execute("SELECT 1; PRAGMA reverse_unordered_selects=1; SELECT 2");
                assertEquals("1;", read(c, "PRAGMA reverse_unordered_selects"));
            }
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals("0;", read(c, "PRAGMA reverse_unordered_selects"));
        }
        assertEquals(0, stats(url).getConnectionsEvicted());
    }

    @Test
    void ignoreCheckConstraintsDoesNotReachTheNextSession() throws Exception {
        String url = url("mem", "");
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE ck(x INTEGER CHECK (x > 0))");
            c.createStatement().execute("PRAGMA ignore_check_constraints=1");
            c.createStatement().execute("INSERT INTO ck VALUES (-1)"); // allowed in this session
        }
        try (Connection c = DriverManager.getConnection(url)) {
            SQLIntegrityConstraintViolationException e = assertThrows(
                    SQLIntegrityConstraintViolationException.class,
                    () -> c.createStatement().execute("INSERT INTO ck VALUES (-2)"));
            assertEquals("23514", e.getSQLState());
        }
    }

    @Test
    void tempTablesAndTriggersAreGoneAndTheConnectionIsEvicted() throws Exception {
        String url = url("mem", "");
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE t(x); CREATE TABLE log(x)");
        }
        long opened = stats(url).getNativeConnectionsOpened();
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TEMP TABLE secret(x); INSERT INTO secret VALUES ('session 1')");
            c.createStatement()
                    .execute("CREATE TEMP TRIGGER spy AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.x); END");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals("0;", read(c, "SELECT count(*) FROM temp.sqlite_schema"));
            SQLException e = assertThrows(SQLException.class, () -> read(c, "SELECT * FROM secret"));
            assertEquals("42S02", e.getSQLState());
            c.createStatement().execute("INSERT INTO t VALUES (1)");
            assertEquals("0;", read(c, "SELECT count(*) FROM log"), "session 1's TEMP trigger fired");
        }
        assertEquals(1, stats(url).getConnectionsEvicted());
        assertEquals(opened + 1, stats(url).getNativeConnectionsOpened());
    }

    @Test
    void attachedDatabasesAreDetachedAndTheConnectionKept() throws Exception {
        String url = url("mem", "");
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("ATTACH ':memory:' AS aux");
            c.createStatement().execute("CREATE TABLE aux.x(y)");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals("0;", read(c, "SELECT count(*) FROM pragma_database_list WHERE name = 'aux'"));
        }
        assertEquals(0, stats(url).getConnectionsEvicted());
    }

    @Test
    void processWidePragmasAreRefusedAndReadingThemIsAllowed() throws Exception {
        String url = url("mem", "");
        try (Connection c = DriverManager.getConnection(url)) {
            for (String p :
                    new String[] {"soft_heap_limit=1000000", "hard_heap_limit=1000000", "temp_store_directory='/tmp'"
                    }) {
                SQLException e = assertThrows(
                        SQLException.class, () -> c.createStatement().execute("PRAGMA " + p), p);
                assertEquals("42501", e.getSQLState(), p);
                assertTrue(e.getMessage().contains("every SQLite connection of this process"), e.getMessage());
            }
            assertEquals("0;", read(c, "PRAGMA soft_heap_limit"));
            assertEquals("0;", read(c, "PRAGMA hard_heap_limit"));
        }
    }

    /**
     * After {@code PRAGMA busy_timeout=0} (with which SQLite replaces shmlite's busy handler)
     * writes still wait for a lock held by another connection, as the busy_timeout property
     * says: in that session and in the next one (same native connection). Counted as lock
     * waits, not failed at once.
     */
    @Test
    void busyTimeoutZeroDoesNotLeaveASessionWithoutLockWaits() throws Exception {
        String url = url("shm", "&busy_timeout=200");
        String name = url.substring(url.indexOf("shm:") + 4, url.indexOf('?'));
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE t(x)");
        }
        // The same file under another key: a second pool, so a second native connection.
        Path file = shmDir.resolve("shmlite-" + Files.getAttribute(shmDir, "unix:uid"))
                .resolve(name + ".db");
        String holderUrl = "jdbc:shmlite:file:" + file;
        urls.add(holderUrl);
        try (Connection holder = DriverManager.getConnection(holderUrl)) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("INSERT INTO t VALUES (1)"); // holds the write lock
            for (int session = 1; session <= 2; session++) {
                try (Connection c = DriverManager.getConnection(url)) {
                    if (session == 1) {
                        c.createStatement().execute("PRAGMA busy_timeout=0");
                    }
                    DatabaseStats before = stats(url);
                    SQLTimeoutException e = assertThrows(
                            SQLTimeoutException.class, () -> c.createStatement().execute("INSERT INTO t VALUES (2)"));
                    assertEquals("HYT00", e.getSQLState());
                    DatabaseStats after = stats(url);
                    assertEquals(
                            1, after.getLockWaits() - before.getLockWaits(), "session " + session + " waited: " + e);
                    assertTrue(after.getLockWaitNanosTotal() > before.getLockWaitNanosTotal());
                }
            }
            holder.rollback();
        }
        assertEquals(1, stats(url).getNativeConnectionsOpened(), "one native connection served both sessions");
    }

    /** A child JVM that reads and writes a database once: prints "ok N" or "failed STATE message". */
    public static final class Probe {
        private Probe() {}

        /**
         * Reads and writes the database at {@code args[0]}.
         *
         * @param args the URL
         */
        public static void main(String[] args) {
            try (Connection c = DriverManager.getConnection(args[0]);
                    Statement s = c.createStatement()) {
                long n;
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                    n = rs.getLong(1);
                }
                s.executeUpdate("INSERT INTO t VALUES ('child')");
                System.out.println("ok " + n);
            } catch (SQLException e) {
                System.out.println("failed " + e.getSQLState() + " " + e.getMessage());
            }
            System.out.flush();
        }
    }

    private static String runProbe(String url) throws Exception {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Probe.class.getName(),
                url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = String.join("\n", r.lines().toList());
        }
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "probe did not finish");
        return out;
    }

    @Test
    void lockingModeExclusiveSessionClosedLetsAnotherProcessReadAndWrite() throws Exception {
        String url = url("shm", "&busy_timeout=500");
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE t(x)");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("PRAGMA locking_mode=EXCLUSIVE");
            c.createStatement().execute("INSERT INTO t VALUES ('exclusive')"); // takes the exclusive lock
        }
        boolean evicted = Shmlite.stats(url).isEmpty(); // its only native connection was closed, not pooled
        String out = runProbe(url);
        assertTrue(out.endsWith("ok 1"), out);
        assertTrue(evicted, "the database stayed registered: its connection was pooled");
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals("2;", read(c, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void lastInsertRowidStartsAtZero() throws Exception {
        String url = url("mem", "");
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)");
            assertNotEquals("0;", read(c, "SELECT last_insert_rowid()"));
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals("0;", read(c, "SELECT last_insert_rowid()"));
        }
    }
}
