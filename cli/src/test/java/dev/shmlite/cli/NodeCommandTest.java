package dev.shmlite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shmlite.jdbc.DqliteNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shmlite node}: bad command lines are usage errors (exit 2) naming what is wrong, checked
 * before anything starts; with libdqlite installed, the real entry point in a child JVM runs a
 * node until SIGTERM or SIGINT and then exits 0 with the node stopped (its port closed).
 */
class NodeCommandTest {
    /** Bound on a child node printing that it runs (JVM start, libdqlite load, bootstrap). */
    private static final long READY_TIMEOUT_S = 60;
    /** Bound on a child node exiting after the signal (NodeCommand.STOP_TIMEOUT_MS plus the JVM's exit). */
    private static final long EXIT_TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private void assertUsage(String expected, String... args) {
        List<String> words = new ArrayList<>(List.of("node"));
        words.addAll(List.of(args));
        MainTest.Result r = MainTest.run("", words.toArray(new String[0]));
        assertEquals(Main.USAGE, r.code, r.err);
        assertEquals("", r.out);
        assertTrue(r.err.startsWith("shmlite: ") && r.err.contains(expected), r.err);
    }

    @Test
    void badCommandLinesAreUsageErrorsNamingTheProblem() {
        String data = dir.resolve("d").toString();
        assertUsage("node needs --id", "--address", "127.0.0.1:9001", "--data-dir", data);
        assertUsage("node needs --address", "--id", "1", "--data-dir", data);
        assertUsage("node needs --data-dir", "--id", "1", "--address", "127.0.0.1:9001");
        assertUsage("--id needs a whole number", "--id", "one", "--address", "127.0.0.1:9001", "--data-dir", data);
        assertUsage("--id needs a whole number", "--id", "-1", "--address", "127.0.0.1:9001", "--data-dir", data);
        assertUsage("--id needs a value", "--id", "--address", "127.0.0.1:9001", "--data-dir", data);
        assertUsage("unknown option --port", "--port", "9001");
        assertUsage("unexpected argument extra", "--id", "1", "extra");
        assertUsage("--id given twice", "--id", "1", "--id=2");
        assertUsage(
                "--join has an empty address",
                "--id",
                "2",
                "--address",
                "127.0.0.1:9002",
                "--data-dir",
                data,
                "--join",
                "127.0.0.1:9001,,127.0.0.1:9003");
        // checked by the native side, still before libdqlite is loaded
        assertUsage("bad node id 0", "--id", "0", "--address", "127.0.0.1:9001", "--data-dir", data);
        assertUsage("must be an IPv4 address", "--id", "1", "--address", "localhost:9001", "--data-dir", data);
        assertUsage(
                "bad join address", "--id", "2", "--address", "127.0.0.1:9002", "--data-dir", data, "--join", "nohost");
        assertUsage("would belong to no cluster", "--id", "2", "--address", "127.0.0.1:9002", "--data-dir", data);
    }

    @Test
    void helpDescribesTheCommand() {
        MainTest.Result r = MainTest.run("", "node", "--help");
        assertEquals(0, r.code);
        assertTrue(r.out.startsWith("usage: shmlite node --id N --address IP:PORT --data-dir DIR"), r.out);
        assertTrue(r.out.contains("apt-get install libdqlite0"), r.out);
        assertTrue(MainTest.run("", "--help").out.contains("  node --id N"), "listed in shmlite --help");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A child JVM running {@code shmlite node}, its stdout lines queued. */
    private static final class Child {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final File err;

        Child(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    "node"));
            command.addAll(List.of(args));
            err = File.createTempFile("shmlite-node", ".err");
            process = new ProcessBuilder(command).redirectError(err).start();
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line; (line = r.readLine()) != null; ) {
                                lines.add(line);
                            }
                        } catch (IOException e) {
                            lines.add("(stdout failed: " + e + ")");
                        }
                    },
                    "node-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits, bounded, for a line containing {@code text}; returns the lines seen. */
        List<String> await(String text) throws Exception {
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_S);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                    if (line.contains(text)) {
                        return seen;
                    }
                } else if (!process.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            process.destroyForcibly();
            throw new AssertionError(
                    "no '" + text + "' from the node; stdout " + seen + ", stderr " + Files.readString(err.toPath()));
        }

        /** The exit code, within the bound (killed and failed past it). */
        int exitCode() throws Exception {
            if (!process.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the node did not exit within " + EXIT_TIMEOUT_S + " s after the signal");
            }
            return process.exitValue();
        }
    }

    /** Sends SIG{@code name} with kill(1): Process.destroy() would also close the child's pipes. */
    private static void signal(Child child, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(child.process.pid()))
                .inheritIO()
                .start();
        assertEquals(0, kill.waitFor());
    }

    @Test
    void aNodeRunsUntilSigtermOrSigintAndThenExitsZero() throws Exception {
        try {
            DqliteNode.library();
        } catch (SQLException e) {
            Assumptions.abort("SKIPPED aNodeRunsUntilSigtermOrSigintAndThenExitsZero: " + e.getMessage());
        }
        int port = dev.shmlite.jdbc.TestPorts.freePort();
        String address = "127.0.0.1:" + port;
        String data = dir.resolve("node1").toString();

        Child first = new Child("--id", "1", "--address", address, "--data-dir", data);
        List<String> seen = first.await("running; SIGTERM or Ctrl-C stops it");
        assertTrue(seen.get(0).startsWith("shmlite node: node 1 listening on " + address), seen.toString());
        assertTrue(listening(port), "the node accepts connections");
        signal(first, "TERM");
        assertEquals(0, first.exitCode(), Files.readString(first.err.toPath()));
        first.await("shmlite node: stopped");
        assertEquals("", Files.readString(first.err.toPath()));
        assertFalse(listening(port), "nothing listens after the node stopped");

        // restarted from its data directory (and joining itself: it is a voter already), then SIGINT
        Child again = new Child("--id", "1", "--address", address, "--data-dir", data, "--join", address);
        seen = again.await("running; SIGTERM or Ctrl-C stops it");
        assertTrue(seen.toString().contains("a voter already, nothing to change"), seen.toString());
        signal(again, "INT");
        assertEquals(0, again.exitCode(), Files.readString(again.err.toPath()));
        again.await("shmlite node: stopped");
        assertFalse(listening(port), "nothing listens after the node stopped");
    }
}
