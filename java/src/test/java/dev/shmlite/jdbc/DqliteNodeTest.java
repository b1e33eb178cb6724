package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DqliteNode}: its natives are registered with the signatures its Java types give; bad
 * arguments are SQLState 22023 before libdqlite is even loaded; with libdqlite installed, a node
 * bootstraps, stops and restarts from its data directory.
 */
class DqliteNodeTest {
    @TempDir
    Path dir;

    @Test
    void everyNativeMethodIsRegisteredWithTheSignatureItsJavaTypesGive() throws Exception {
        NativeLibrary.ensureLoaded();
        Map<String, String> registered = new TreeMap<>();
        for (String line : DqliteNode.nativeSignatures()) {
            int eq = line.indexOf('=');
            registered.put(line.substring(0, eq), line.substring(eq + 1));
        }
        assertEquals(NativeLayoutTest.declaredNatives(DqliteNode.class), registered);
    }

    private void assertBadArgument(String expected, long id, String address, Path data, List<String> join) {
        SQLException e = assertThrows(SQLException.class, () -> DqliteNode.start(id, address, null, data, join));
        assertEquals("22023", e.getSQLState(), e.toString());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badArgumentsAreRefusedWithWhatIsWrong() throws IOException {
        Path data = dir.resolve("data");
        assertBadArgument("bad node id 0", 0, "127.0.0.1:9001", data, List.of());
        assertBadArgument("IPv4 address", 1, "localhost:9001", data, List.of());
        assertBadArgument("bad port", 1, "127.0.0.1:99999", data, List.of());
        assertBadArgument("join address \"h1\"", 2, "127.0.0.1:9002", data, List.of("h1"));
        SQLException e =
                assertThrows(SQLException.class, () -> DqliteNode.start(1, "127.0.0.1:9001", "::1", data, List.of()));
        assertTrue(e.getMessage().contains("bind address"), e.getMessage());
        assertBadArgument("would belong to no cluster", 2, "127.0.0.1:9002", data, List.of());
        assertBadArgument("cannot --join", 1, "127.0.0.1:9001", dir.resolve("one"), List.of("127.0.0.1:9002"));
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertBadArgument("writable by group or others", 1, "127.0.0.1:9001", open, List.of());
        assertBadArgument("not a directory", 1, "127.0.0.1:9001", Files.createFile(dir.resolve("file")), List.of());
        assertBadArgument("needs an address", 1, null, data, List.of());
        assertBadArgument("needs an address", 1, "127.0.0.1:9001", null, List.of());
        assertBadArgument("needs an address", 2, "127.0.0.1:9002", data, null);
        assertBadArgument(
                "needs an address", 2, "127.0.0.1:9002", data, java.util.Arrays.asList("127.0.0.1:9001", null));
    }

    @Test
    void aNodeBootstrapsStopsAndRestartsFromItsDataDirectory() throws Exception {
        String library;
        try {
            library = DqliteNode.library();
        } catch (SQLException e) {
            assertEquals("58P01", e.getSQLState(), e.toString());
            assertTrue(e.getMessage().contains("apt-get install libdqlite0"), e.getMessage());
            Assumptions.abort("SKIPPED aNodeBootstrapsStopsAndRestartsFromItsDataDirectory: " + e.getMessage());
            return;
        }
        assertTrue(library.startsWith("libdqlite.so"), library);
        String address = "127.0.0.1:" + TestPorts.freePort();
        Path data = dir.resolve("node1");
        DqliteNode node = DqliteNode.start(1, address, null, data, List.of());
        assertTrue(node.isRunning());
        assertEquals("", node.joined());
        // its port is taken while it runs: a second node there fails, naming libdqlite's call
        SQLException e = assertThrows(
                SQLException.class, () -> DqliteNode.start(2, address, null, dir.resolve("node2"), List.of(address)));
        assertEquals("08001", e.getSQLState(), e.toString());
        assertTrue(e.getMessage().contains("dqlite_node_set_bind_address"), e.getMessage());
        node.close();
        assertFalse(node.isRunning());
        node.close(); // idempotent
        assertTrue(Files.list(data).findAny().isPresent(), "the Raft log is on disk");
        // restart from the same directory, then once more joining itself: a voter already
        try (DqliteNode again = DqliteNode.start(1, address, null, data, List.of(address))) {
            assertTrue(again.joined().startsWith("a voter already"), again.joined());
            assertTrue(again.joined().contains("1 " + address + " voter"), again.joined());
        }
    }
}
