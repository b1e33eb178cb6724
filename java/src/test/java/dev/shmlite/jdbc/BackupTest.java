package dev.shmlite.jdbc;

import static dev.shmlite.jdbc.TestSupport.exec;
import static dev.shmlite.jdbc.TestSupport.queryLong;
import static dev.shmlite.jdbc.TestSupport.queryString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Online backup, restore and {@code init_from} (issue 14, item 10). */
class BackupTest {
    private final List<String> urls = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("shmlite-backup-");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String u : urls) {
            Shmlite.drop(u);
        }
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private String mem(String extra) {
        String u = "jdbc:shmlite:mem:" + TestSupport.uniqueName("bk") + extra;
        urls.add(u);
        return u;
    }

    /** Rows of about 1 KiB, so that a few thousand take several backup steps. */
    private static void fill(Connection c, String table, int rows, String tag) throws SQLException {
        exec(c, "CREATE TABLE IF NOT EXISTS " + table + " (id INTEGER PRIMARY KEY, tag TEXT, pad BLOB)");
        exec(c, "INSERT INTO " + table + " (tag, pad) " + rowsOf(rows, "'" + tag + "', randomblob(1000)"));
    }

    private static String rowsOf(int n, String columns) {
        return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + n + ") SELECT " + columns
                + " FROM n";
    }

    @Test
    void aBackupWhileAWriterCommitsIsAConsistentSnapshot() throws Exception {
        String url = mem("");
        Path file = dir.resolve("snap.db");
        try (Connection c = TestSupport.open(url);
                Connection w = TestSupport.open(url)) {
            exec(c, "CREATE TABLE pairs (id INTEGER PRIMARY KEY, pad BLOB)");
            exec(c, "INSERT INTO pairs (pad) " + rowsOf(4000, "randomblob(1000)")); // even
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong commits = new AtomicLong();
            w.setAutoCommit(false);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (Statement s = w.createStatement()) {
                    while (!stop.get()) {
                        // Two rows per transaction: a copy with an odd count holds half of one.
                        s.execute("INSERT INTO pairs (pad) VALUES (randomblob(1000))");
                        s.execute("INSERT INTO pairs (pad) VALUES (randomblob(1000))");
                        w.commit();
                        commits.incrementAndGet();
                    }
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
            AtomicInteger steps = new AtomicInteger();
            AtomicInteger lastTotal = new AtomicInteger();
            Shmlite.backup(url, file, (remaining, total) -> {
                steps.incrementAndGet();
                lastTotal.set(total);
                assertTrue(remaining >= 0 && remaining <= total, remaining + "/" + total);
            });
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
            assertTrue(steps.get() > 1, "copied in steps: " + steps.get());
            assertTrue(commits.get() > 0);
        }
        String copy = "jdbc:shmlite:file:" + file;
        urls.add(copy);
        try (Connection r = TestSupport.open(copy)) {
            assertEquals("ok", queryString(r, "PRAGMA integrity_check"));
            long n = queryLong(r, "SELECT count(*) FROM pairs");
            assertTrue(n >= 4000, "n=" + n);
            assertEquals(0, n % 2, "no half transaction in the copy: " + n);
        }
    }

    @Test
    void readersNeverSeeAHalfRestoredDatabase() throws Exception {
        String url = mem("");
        Path file = dir.resolve("new.db");
        String source = mem("");
        try (Connection s = TestSupport.open(source)) {
            fill(s, "t", 3000, "new");
        }
        Shmlite.backup(source, file);
        try (Connection c = TestSupport.open(url)) {
            fill(c, "t", 1000, "old");
            AtomicBoolean restored = new AtomicBoolean();
            AtomicInteger oldSeen = new AtomicInteger(), newSeen = new AtomicInteger();
            List<CompletableFuture<Void>> readers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                readers.add(CompletableFuture.runAsync(() -> {
                    try (Connection r = TestSupport.open(url);
                            Statement st = r.createStatement()) {
                        int after = 0;
                        while (after < 20) {
                            if (restored.get()) {
                                after++;
                            }
                            try (ResultSet rs =
                                    st.executeQuery("SELECT count(*), count(DISTINCT tag), min(tag) FROM t")) {
                                rs.next();
                                long n = rs.getLong(1);
                                String tag = rs.getString(3);
                                assertEquals(1, rs.getLong(2), "one content only");
                                if (tag.equals("old")) {
                                    assertEquals(1000, n);
                                    oldSeen.incrementAndGet();
                                } else {
                                    assertEquals(3000, n);
                                    newSeen.incrementAndGet();
                                }
                            }
                        }
                    } catch (SQLException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            Shmlite.restore(url, file);
            restored.set(true);
            for (CompletableFuture<Void> r : readers) {
                r.get(30, TimeUnit.SECONDS);
            }
            assertTrue(newSeen.get() >= 40, "every read after the restore sees the new content");
            assertEquals(3000, queryLong(c, "SELECT count(*) FROM t WHERE tag = 'new'"));
            assertEquals("ok", queryString(c, "PRAGMA integrity_check"));
        }
    }

    @Test
    void initFromLoadsANewMemDatabaseOnce() throws Exception {
        String source = mem("");
        Path file = dir.resolve("seed.db");
        try (Connection s = TestSupport.open(source)) {
            fill(s, "seed", 10, "x");
        }
        Shmlite.backup(source, file);
        String url = mem("?init_from=" + file);
        try (Connection c = TestSupport.open(url)) {
            assertEquals(10, queryLong(c, "SELECT count(*) FROM seed"));
            exec(c, "DELETE FROM seed");
        }
        // Loaded when created only: later connections see the live database.
        try (Connection c = TestSupport.open(url)) {
            assertEquals(0, queryLong(c, "SELECT count(*) FROM seed"));
        }
        SQLException notMem = assertThrows(
                SQLException.class,
                () -> TestSupport.open("jdbc:shmlite:file:" + dir.resolve("f.db") + "?init_from=" + file));
        assertTrue(notMem.getMessage().contains("init_from"), notMem.getMessage());
        String missing = mem("?init_from=" + dir.resolve("missing.db"));
        SQLException e = assertThrows(SQLException.class, () -> TestSupport.open(missing));
        assertEquals("58030", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains("missing.db"), e.getMessage());
        assertFalse(Shmlite.databases().contains(missing.substring("jdbc:shmlite:".length(), missing.indexOf('?'))));
    }

    @Test
    void badPathsAreClearSqlExceptions() throws Exception {
        String url = mem("");
        try (Connection c = TestSupport.open(url)) {
            exec(c, "CREATE TABLE t (v INTEGER)");
            exec(c, "INSERT INTO t VALUES (1)");
            SQLException unwritable =
                    assertThrows(SQLException.class, () -> Shmlite.backup(url, dir.resolve("no/such/dir/x.db")));
            assertEquals("58030", unwritable.getSQLState(), unwritable.getMessage());
            SQLException missing =
                    assertThrows(SQLException.class, () -> Shmlite.restore(url, dir.resolve("missing.db")));
            assertEquals("58030", missing.getSQLState(), missing.getMessage());
            Path corrupt = dir.resolve("corrupt.db");
            byte[] junk = new byte[8192];
            new java.util.Random(1).nextBytes(junk);
            Files.write(corrupt, junk);
            SQLException bad = assertThrows(SQLException.class, () -> Shmlite.restore(url, corrupt));
            assertEquals("58030", bad.getSQLState(), bad.getMessage());
            assertTrue(bad.getMessage().contains("corrupt.db"), bad.getMessage());
            // Nothing was replaced by the failed restores.
            assertEquals(1, queryLong(c, "SELECT count(*) FROM t"));
        }
        SQLException notLive = assertThrows(
                SQLException.class,
                () -> Shmlite.backup("mem:" + TestSupport.uniqueName("nobody"), dir.resolve("n.db")));
        assertTrue(notLive.getMessage().contains("not a live database"), notLive.getMessage());
        assertThrows(SQLException.class, () -> Shmlite.backup("mem:", dir.resolve("p.db")));
    }

    @Test
    void vacuumIntoWritesACopyThroughSql() throws SQLException {
        String url = mem("");
        Path file = dir.resolve("vac.db");
        try (Connection c = TestSupport.open(url)) {
            fill(c, "t", 5, "v");
            exec(c, "VACUUM INTO '" + file + "'");
        }
        String copy = "jdbc:shmlite:file:" + file;
        urls.add(copy);
        try (Connection r = TestSupport.open(copy)) {
            assertEquals(5, queryLong(r, "SELECT count(*) FROM t"));
        }
    }
}
