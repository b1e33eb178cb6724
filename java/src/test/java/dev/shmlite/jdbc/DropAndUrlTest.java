package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Shmlite#drop} acts on exactly the database a URL names ({@code shm_dir} included, the
 * URL resolved by the core), and URLs whose database part is an empty {@code shm:} name or a
 * typo'd scheme are refused instead of creating a file.
 */
class DropAndUrlTest {
    private static long uid() throws IOException {
        return (Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
    }

    private static Path dbFile(String shmDir, String name) throws IOException {
        return Paths.get(shmDir, "shmlite-" + uid(), name + ".db");
    }

    private static void fill(String url, int rows) throws SQLException {
        try (Connection c = TestSupport.open(url)) {
            TestSupport.exec(c, "CREATE TABLE IF NOT EXISTS t(x)");
            for (int i = 0; i < rows; i++) {
                TestSupport.exec(c, "INSERT INTO t VALUES (" + i + ")");
            }
        }
    }

    @Test
    void dropWithShmDirDropsThatDatabaseAndLeavesTheDefaultDirectorysTwin() throws Exception {
        Path dir = Files.createTempDirectory(
                Paths.get("/dev/shm"),
                "shmlite-droptest-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String name = TestSupport.uniqueName("twin");
        String inDefault = "jdbc:shmlite:shm:" + name;
        String inOther = "jdbc:shmlite:shm:" + name + "?shm_dir=" + dir;
        try {
            fill(inDefault, 3);
            fill(inOther, 5);
            assertTrue(
                    Shmlite.databases().contains("shm:" + name + "?shm_dir=" + dir),
                    Shmlite.databases().toString());
            assertEquals(
                    "shm:" + name + "?shm_dir=" + dir,
                    Shmlite.stats(inOther).orElseThrow().getKey());

            assertEquals(0, Shmlite.drop(inOther));
            assertFalse(Files.exists(dbFile(dir.toString(), name)), "the named database is gone");
            assertTrue(Files.exists(dbFile("/dev/shm", name)), "its twin in /dev/shm is untouched");
            try (Connection c = TestSupport.open(inDefault)) {
                assertEquals(3, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
            }
            fill(inOther, 5);
            assertEquals(0, Shmlite.drop(inDefault));
            assertFalse(Files.exists(dbFile("/dev/shm", name)));
            try (Connection c = TestSupport.open(inOther)) {
                assertEquals(5, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
            }
        } finally {
            Shmlite.drop(inDefault);
            Shmlite.drop(inOther);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void anEmptyShmNameIsRefused() {
        SQLNonTransientConnectionException e =
                assertThrows(SQLNonTransientConnectionException.class, () -> TestSupport.open("jdbc:shmlite:shm:"));
        assertEquals("08001", e.getSQLState());
        assertTrue(e.getMessage().contains("needs a database name"), e.getMessage());
    }

    @Test
    void aTypoedSchemeIsRefusedAndCreatesNoFile() throws SQLException {
        for (String url : new String[] {"jdbc:shmlite:mme:orders", "jdbc:shmlite:nonsense-scheme:x"}) {
            String file = url.substring("jdbc:shmlite:".length());
            SQLNonTransientConnectionException e =
                    assertThrows(SQLNonTransientConnectionException.class, () -> TestSupport.open(url));
            assertEquals("08001", e.getSQLState(), url);
            assertTrue(
                    e.getMessage().contains("mem:NAME")
                            && e.getMessage().contains("shm:NAME")
                            && e.getMessage().contains("file:PATH"),
                    e.getMessage());
            assertFalse(Files.exists(Paths.get(file)), "no file " + file);
            assertThrows(SQLNonTransientConnectionException.class, () -> Shmlite.drop(url));
        }
    }

    /**
     * A bound file name ({@code ATTACH ? AS x}) means what the literal means: a shmlite name
     * attaches the live database, another scheme is refused, a path attaches a file. (It used to
     * reach SQLite unchecked, which created a file named {@code mem:NAME} in the working
     * directory.)
     */
    @Test
    void aBoundAttachNameMeansWhatTheLiteralMeans(@org.junit.jupiter.api.io.TempDir Path tmp) throws SQLException {
        String auxUrl = TestSupport.memUrl();
        String auxName = auxUrl.substring("jdbc:shmlite:".length());
        try (Connection aux = TestSupport.open(auxUrl);
                Connection c = TestSupport.open(TestSupport.memUrl())) {
            TestSupport.exec(aux, "CREATE TABLE items (v TEXT)");
            TestSupport.exec(aux, "INSERT INTO items VALUES ('from aux')");
            try (java.sql.PreparedStatement ps = c.prepareStatement("ATTACH ? AS a")) {
                ps.setString(1, auxName);
                ps.execute();
            }
            assertFalse(Files.exists(Paths.get(auxName)), "no file " + auxName);
            assertEquals("from aux", TestSupport.queryString(c, "SELECT v FROM a.items"));
            TestSupport.exec(aux, "INSERT INTO items VALUES ('later')");
            assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM a.items"), "the live database");
            TestSupport.exec(c, "DETACH a");
            // the jdbc:shmlite: form, a numbered parameter and the DATABASE keyword
            try (java.sql.PreparedStatement ps = c.prepareStatement("ATTACH DATABASE ?1 AS b")) {
                ps.setString(1, auxUrl);
                ps.execute();
            }
            assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM b.items"));
            TestSupport.exec(c, "DETACH b");
            for (String bad : new String[] {"mme:aux", "mem:", "mem:no/slash"}) {
                try (java.sql.PreparedStatement ps = c.prepareStatement("ATTACH ? AS x")) {
                    ps.setString(1, bad);
                    SQLException e = assertThrows(SQLException.class, ps::execute, bad);
                    assertEquals("42000", e.getSQLState(), bad);
                    assertTrue(e.getMessage().contains(bad), e.getMessage());
                }
                assertFalse(Files.exists(Paths.get(bad)), "no file " + bad);
            }
            // A path still attaches a file there.
            Path file = tmp.resolve("aux.db");
            try (java.sql.PreparedStatement ps = c.prepareStatement("ATTACH ? AS f")) {
                ps.setString(1, file.toString());
                ps.execute();
            }
            TestSupport.exec(c, "CREATE TABLE f.t (x)");
            TestSupport.exec(c, "DETACH f");
            assertTrue(Files.exists(file));
        }
    }

    /**
     * VACUUM INTO takes a file: a shmlite name or another scheme, literal or bound, is refused with
     * 42000 naming it (it was "authorization denied", 42501), and no file of that name appears.
     */
    @Test
    void vacuumIntoAShmliteNameIsRefusedNamingIt(@org.junit.jupiter.api.io.TempDir Path tmp) throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl());
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (x)");
            for (String target : new String[] {"mem:vx", "mme:vy", "jdbc:shmlite:shm:vz"}) {
                SQLException e = assertThrows(SQLException.class, () -> st.execute("VACUUM INTO '" + target + "'"));
                assertEquals("42000", e.getSQLState(), target);
                assertTrue(e.getMessage().contains("VACUUM INTO '" + target + "'"), e.getMessage());
                try (java.sql.PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
                    ps.setString(1, target);
                    SQLException bound = assertThrows(SQLException.class, ps::execute);
                    assertEquals("42000", bound.getSQLState(), target);
                    assertTrue(bound.getMessage().contains(target), bound.getMessage());
                }
                assertFalse(Files.exists(Paths.get(target)), "no file " + target);
            }
            Path copy = tmp.resolve("copy.db");
            st.execute("VACUUM INTO '" + copy + "'");
            assertTrue(Files.exists(copy));
        }
    }

    @Test
    void attachOfAShmliteNameOrAnotherSchemeIsRefusedAndCreatesNoFile() throws SQLException {
        try (Connection c = TestSupport.open(TestSupport.memUrl());
                Statement st = c.createStatement()) {
            // mem:NAME and shm:NAME as a literal attach the live database (ConformanceTest); an
            // expression cannot be checked before it runs, so it is refused.
            SQLException viaExpression =
                    assertThrows(SQLException.class, () -> st.execute("ATTACH 'mem:' || 'aux' AS aux"));
            assertFalse(Files.exists(Paths.get("mem:aux")), "no file mem:aux");
            assertTrue(viaExpression.getMessage().contains("mem:aux") || viaExpression.getSQLState() != null);
            for (String name : new String[] {"mme:aux"}) {
                SQLException e = assertThrows(SQLException.class, () -> st.execute("ATTACH '" + name + "' AS aux"));
                assertEquals("42000", e.getSQLState(), name);
                assertTrue(e.getMessage().contains(name), e.getMessage());
                assertFalse(Files.exists(Paths.get(name)), "no file " + name);
            }
            // A plain file name (no scheme) and :memory: still attach.
            st.execute("ATTACH ':memory:' AS scratch");
            st.execute("DETACH scratch");
        }
    }
}
