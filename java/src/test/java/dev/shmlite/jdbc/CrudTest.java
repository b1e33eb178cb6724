package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Create, insert, read, update, delete on every URL form. */
class CrudTest {
    @TempDir
    Path dir;

    private static void crud(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement st = c.createStatement()) {
                assertFalse(st.execute("CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)"));
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO person(name, age) VALUES (?, ?)")) {
                for (int i = 0; i < 3; i++) {
                    ps.setString(1, "p" + i);
                    ps.setInt(2, 20 + i);
                    assertEquals(1, ps.executeUpdate());
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, age FROM person ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    assertEquals(n + 1, rs.getLong("id"));
                    assertEquals("p" + n, rs.getString("name"));
                    assertEquals(20 + n, rs.getInt(3));
                    n++;
                }
                assertEquals(3, n);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE person SET age = age + ? WHERE age >= ?")) {
                ps.setInt(1, 10);
                ps.setInt(2, 21);
                assertEquals(2, ps.executeUpdate());
            }
            assertEquals(20 + 31 + 32, TestSupport.queryLong(c, "SELECT sum(age) FROM person"));
            try (Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("DELETE FROM person WHERE name = 'p0'"));
                assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM person"));
                assertEquals(0, st.executeUpdate("DROP TABLE person"));
            }
        }
    }

    @Test
    void namedMemory() throws SQLException {
        String url = TestSupport.memUrl();
        crud(url);
        Shmlite.drop(url);
    }

    @Test
    void privateMemory() throws SQLException {
        crud("jdbc:shmlite:mem:");
    }

    @Test
    void sharedMemory() throws SQLException, IOException {
        String name = TestSupport.uniqueName("crud");
        try {
            crud("jdbc:shmlite:shm:" + name);
        } finally {
            Shmlite.drop("shm:" + name);
            deleteShmFiles(name);
        }
    }

    @Test
    void filePrefixedPath() throws SQLException {
        Path db = dir.resolve("a.db");
        crud("jdbc:shmlite:file:" + db);
        assertTrue(Files.exists(db));
    }

    @Test
    void barePath() throws SQLException {
        Path db = dir.resolve("b.db");
        crud("jdbc:shmlite:" + db);
        assertTrue(Files.exists(db));
    }

    /** Best effort: the shm: files live in /dev/shm/shmlite-UID/NAME.db*. */
    static void deleteShmFiles(String name) throws IOException {
        Path shm = Paths.get("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(shm, "shmlite-*")) {
            for (Path d : dirs) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(d, name + ".db*")) {
                    for (Path f : files) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException e) {
                    // not ours
                }
            }
        }
    }
}
