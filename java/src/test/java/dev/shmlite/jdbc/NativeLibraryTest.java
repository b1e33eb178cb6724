package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Load failures, checked in a child JVM (the library loads once per JVM): a clear SQLException
 * (08001) naming the platform, the resource and the override property, every time, and never
 * an UnsatisfiedLinkError.
 */
class NativeLibraryTest {
    /** Child JVM entry point: connects twice and prints what happened. */
    public static void main(String[] args) {
        for (int i = 0; i < 2; i++) {
            try {
                DriverManager.getConnection("jdbc:shmlite:mem:x").close();
                System.out.println("CONNECTED");
            } catch (SQLException e) {
                System.out.println("SQLSTATE " + e.getSQLState());
                System.out.println("MESSAGE " + e.getMessage());
            } catch (Throwable t) {
                System.out.println("THROWABLE " + t);
            }
        }
        try {
            Shmlite.databases();
            System.out.println("LISTED");
        } catch (SQLException e) {
            System.out.println("SQLSTATE " + e.getSQLState());
        }
    }

    private static String runChild(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : jvmArgs) {
            cmd.add(a);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(NativeLibraryTest.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void badOverridePathGivesAClearSqlExceptionEveryTime() throws Exception {
        String out = runChild("-Dshmlite.library.path=/nonexistent/libshmlite_jni.so");
        assertTrue(!out.contains("THROWABLE") && !out.contains("CONNECTED"), out);
        assertEquals(3, out.split("SQLSTATE 08001", -1).length - 1, out);
        String message =
                out.lines().filter(l -> l.startsWith("MESSAGE ")).findFirst().orElseThrow();
        assertTrue(message.contains(NativeLibrary.platform()), message);
        assertTrue(message.contains("shmlite.library.path"), message);
        assertTrue(message.contains("/nonexistent/libshmlite_jni.so"), message);
        assertTrue(message.contains(NativeLibrary.resourcePath()), message);
    }

    @Test
    void unsupportedPlatformNamesItself() throws Exception {
        String out = runChild("-Dos.arch=sparcv9");
        assertTrue(!out.contains("THROWABLE") && !out.contains("CONNECTED"), out);
        String message =
                out.lines().filter(l -> l.startsWith("MESSAGE ")).findFirst().orElseThrow();
        assertTrue(message.contains(NativeLibrary.os() + "-sparcv9"), message);
        assertTrue(message.contains("/dev/shmlite/jdbc/native/" + NativeLibrary.os() + "-sparcv9/"), message);
        assertTrue(message.contains("shmlite.library.path"), message);
    }

    @Test
    void overrideWithTheRealLibraryWorks() throws Exception {
        String lib = Paths.get(ShmliteDriver.class
                        .getResource(NativeLibrary.resourcePath())
                        .toURI())
                .toString();
        String out = runChild("-Dshmlite.library.path=" + lib);
        assertEquals(2, out.split("CONNECTED", -1).length - 1, out);
        assertTrue(out.contains("LISTED"), out);
    }

    /**
     * The library is extracted into a fresh directory and deleted after loading: garbage at the
     * old predictable cache path ({@code shmlite-<user>}, here a dangling symlink) is irrelevant,
     * and nothing is left behind. (NativeLibraryAttackTest runs the real attacks as root.)
     */
    @Test
    void extractionIgnoresTheOldCacheDirectoryAndLeavesNothingBehind() throws Exception {
        Path tmp = Files.createTempDirectory("shmlite-nl-");
        try {
            Path stale = tmp.resolve("shmlite-" + System.getProperty("user.name"));
            Files.createSymbolicLink(stale, Paths.get("/nonexistent/shmlite"));
            String out = runChild("-Djava.io.tmpdir=" + tmp);
            assertEquals(2, out.split("CONNECTED", -1).length - 1, out);
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(List.of(stale), s.toList(), "only the stale link is left");
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /** A java.io.tmpdir where others could replace the extracted library is refused, saying why. */
    @Test
    void aTmpdirOthersCanWriteWithoutTheStickyBitIsRefused() throws Exception {
        Path tmp = Files.createTempDirectory("shmlite-nl-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            String out = runChild("-Djava.io.tmpdir=" + tmp);
            assertEquals(3, out.split("SQLSTATE 08001", -1).length - 1, out);
            String message = out.lines()
                    .filter(l -> l.startsWith("MESSAGE "))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    message.contains("java.io.tmpdir " + tmp + " is writable by other users without the sticky bit"),
                    message);
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(0, s.count(), "nothing left behind");
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
