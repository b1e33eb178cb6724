package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
        String message = out.lines().filter(l -> l.startsWith("MESSAGE ")).findFirst().orElseThrow();
        assertTrue(message.contains(NativeLibrary.platform()), message);
        assertTrue(message.contains("shmlite.library.path"), message);
        assertTrue(message.contains("/nonexistent/libshmlite_jni.so"), message);
        assertTrue(message.contains(NativeLibrary.resourcePath()), message);
    }

    @Test
    void unsupportedPlatformNamesItself() throws Exception {
        String out = runChild("-Dos.arch=sparcv9");
        assertTrue(!out.contains("THROWABLE") && !out.contains("CONNECTED"), out);
        String message = out.lines().filter(l -> l.startsWith("MESSAGE ")).findFirst().orElseThrow();
        assertTrue(message.contains(NativeLibrary.os() + "-sparcv9"), message);
        assertTrue(message.contains("/dev/shmlite/jdbc/native/" + NativeLibrary.os() + "-sparcv9/"), message);
        assertTrue(message.contains("shmlite.library.path"), message);
    }

    @Test
    void overrideWithTheRealLibraryWorks() throws Exception {
        String lib = Paths.get(ShmliteDriver.class.getResource(NativeLibrary.resourcePath()).toURI()).toString();
        String out = runChild("-Dshmlite.library.path=" + lib);
        assertEquals(2, out.split("CONNECTED", -1).length - 1, out);
        assertTrue(out.contains("LISTED"), out);
    }
}
