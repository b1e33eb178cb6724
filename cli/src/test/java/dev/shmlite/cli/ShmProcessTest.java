package dev.shmlite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shmlite.jdbc.Shmlite;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real entry point ({@link Main#main}, with {@code System.exit} and stdin from a pipe) in a
 * child JVM, reading a {@code shm:} database that this JVM keeps writing to.
 */
class ShmProcessTest {
    private final String url =
            "jdbc:shmlite:shm:cli-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @AfterEach
    void drop() throws SQLException {
        Shmlite.drop(url);
    }

    /** Exit code, stdout and stderr of {@code java dev.shmlite.cli.Main args} fed {@code stdin}. */
    private static MainTest.Result runChild(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xcheck:jni",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        File out = File.createTempFile("shmlite-cli", ".out");
        File err = File.createTempFile("shmlite-cli", ".err");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectOutput(out)
                    .redirectError(err)
                    .start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            int code = p.waitFor();
            return new MainTest.Result(
                    code, java.nio.file.Files.readString(out.toPath()), java.nio.file.Files.readString(err.toPath()));
        } finally {
            out.delete();
            err.delete();
        }
    }

    @Test
    void shellReadsAShmDatabaseWhileAnotherProcessWrites() throws Exception {
        final int before = 100;
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE feed(id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        }
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong written = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread writer = new Thread(
                () -> {
                    try (Connection c = DriverManager.getConnection(url);
                            PreparedStatement ins = c.prepareStatement("INSERT INTO feed(v) VALUES (?)")) {
                        // keeps committing until the child is done, so the child's reads overlap writes
                        while (!stop.get()) {
                            ins.setString(1, "row " + written.get());
                            ins.executeUpdate();
                            if (written.incrementAndGet() == before) {
                                ready.countDown();
                            }
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    } finally {
                        ready.countDown();
                    }
                },
                "shm-writer");
        writer.start();
        try {
            ready.await(); // the first rows are committed before the child starts
            assertNull(failure.get());
            MainTest.Result r = runChild(
                    ".tables\nSELECT count(*) >= " + before + " AS enough FROM feed;\n"
                            + "INSERT INTO feed(v) VALUES ('from the shell');\n"
                            + "SELECT v FROM feed WHERE v = 'from the shell';\n",
                    "shell",
                    url);
            assertEquals("", r.err);
            assertEquals(0, r.code);
            assertTrue(r.out.startsWith("feed\n"), r.out);
            assertTrue(r.out.contains("| enough |\n+--------+\n|      1 |"), r.out);
            assertTrue(r.out.contains("| from the shell |"), r.out);
        } finally {
            stop.set(true);
            writer.join();
        }
        assertNull(failure.get());
        MainTest.Result stats = runChild("", "stats", url);
        assertEquals(0, stats.code, stats.err);
        assertTrue(stats.out.contains("journal_mode             wal\n"), stats.out);
    }

    @Test
    void exitCodesSurviveSystemExit() throws Exception {
        MainTest.Result bad = runChild("", "shell", "jdbc:nope:x");
        assertEquals(Main.USAGE, bad.code);
        assertEquals(
                "shmlite: not a shmlite URL: jdbc:nope:x (expected jdbc:shmlite:... or shm:NAME, mem:NAME, file:PATH)\n",
                bad.err);
        MainTest.Result failing = runChild("SELECT 1;\nSELECT nope;\n", "shell", url);
        assertEquals(Main.FAILED, failing.code);
        assertTrue(failing.err.startsWith("shmlite: line 2: no such column: nope"), failing.err);
    }
}
