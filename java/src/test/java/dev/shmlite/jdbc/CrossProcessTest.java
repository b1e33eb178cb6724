package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `shm:` databases shared by real processes (children started with ProcessBuilder). */
class CrossProcessTest {
    private Path shmDir;
    private String url;

    @BeforeEach
    void setUp() throws IOException {
        Path base = Files.isDirectory(Path.of("/dev/shm"))
                ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir"));
        shmDir = Files.createTempDirectory(base, "shmlite-xproc-");
        url = "jdbc:shmlite:shm:xp" + UUID.randomUUID().toString().substring(0, 8) + "?shm_dir=" + shmDir;
    }

    @AfterEach
    void tearDown() throws Exception {
        Shmlite.drop(url);
        try (var files = Files.walk(shmDir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    /** A running child JVM whose stdout lines are collected. */
    static final class Child {
        final Process process;
        final List<String> lines = new ArrayList<>();
        private final Thread pump;

        Child(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ShmWorker.class.getName()));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            pump = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the child was killed
                }
            });
            pump.start();
        }

        /** Waits until a line satisfying the predicate appears, or the child ends. */
        String awaitLine(java.util.function.Predicate<String> p) throws InterruptedException {
            synchronized (lines) {
                int checked = 0;
                while (true) {
                    for (; checked < lines.size(); checked++) {
                        if (p.test(lines.get(checked))) {
                            return lines.get(checked);
                        }
                    }
                    if (!process.isAlive() && !pump.isAlive()) {
                        return null;
                    }
                    lines.wait(100);
                }
            }
        }

        int finish() throws InterruptedException {
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "child did not finish");
            pump.join();
            return process.exitValue();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    @Test
    void twoReaderProcessesSeeEveryCommitWholeAndInOrder() throws Exception {
        final int groups = 300;
        try (Connection c = DriverManager.getConnection(url)) {
            ShmWorker.createSchema(c); // so readers and writer start on the same schema
        }
        Child r1 = new Child("reader", url, String.valueOf(groups - 1));
        Child r2 = new Child("reader", url, String.valueOf(groups - 1));
        Child w = new Child("writer", url, "0", String.valueOf(groups), "64");
        assertEquals(0, w.finish(), w.output());
        assertEquals(0, r1.finish(), r1.output());
        assertEquals(0, r2.finish(), r2.output());
        assertTrue(r1.output().contains("ok " + (groups - 1)), r1.output());
        assertTrue(r2.output().contains("ok " + (groups - 1)), r2.output());
        assertFalse((r1.output() + r2.output()).contains("VIOLATION"));
    }

    @Test
    void writerKilledMidTransactionLosesNoCommitAndLeavesNoPartialGroup() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            ShmWorker.createSchema(c);
        }
        long next = 0;
        for (int round = 0; round < 20; round++) {
            // 64 KiB rows: a transaction spills frames into the WAL before it commits.
            Child w = new Child("writer", url, String.valueOf(next), "0", "65536");
            String line = w.awaitLine(l -> l.startsWith("committed "));
            assertTrue(line != null, "writer made no commit: " + w.output());
            w.process.destroyForcibly(); // SIGKILL, most likely in the middle of a transaction
            w.finish();
            long lastReported;
            synchronized (w.lines) {
                lastReported = w.lines.stream()
                        .filter(l -> l.startsWith("committed "))
                        .mapToLong(l -> Long.parseLong(l.substring(10)))
                        .max()
                        .orElseThrow();
            }
            try (Connection c = DriverManager.getConnection(url);
                    Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                    rs.next();
                    assertEquals("ok", rs.getString(1));
                }
                long last = ShmWorker.verify(c, -1); // whole groups, consecutive from 0
                assertTrue(last >= lastReported, "committed group " + lastReported + " lost; last is " + last);
                next = last + 1;
            }
        }
        assertTrue(next >= 20);
    }

    @Test
    void awaitChangeWakesOnAnotherProcessCommitAndTimesOutOtherwise() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            ShmWorker.createSchema(c);
            Child quiet = new Child("wait", url, "200");
            assertEquals(0, quiet.finish(), quiet.output());
            assertTrue(quiet.output().endsWith("timeout"), quiet.output());

            Child waiter = new Child("wait", url, "60000");
            assertTrue(waiter.awaitLine("ready"::equals) != null, waiter.output());
            // The waiter may not be inside awaitChange yet; its baseline is its connection's
            // open, which happened before "ready", so a commit now is seen either way.
            c.createStatement().executeUpdate("INSERT INTO grp(g, seq, v) VALUES (0, 0, 0)");
            assertEquals(0, waiter.finish(), waiter.output());
            assertTrue(waiter.output().endsWith("changed"), waiter.output());
        }
    }

    @Test
    void walStaysUnderItsBoundWithAContinuousWriterAndReadersHoldingSnapshots() throws Exception {
        String bounded = url + "&wal_limit_mb=2&busy_timeout=1000";
        try (Connection c = DriverManager.getConnection(bounded)) {
            ShmWorker.createSchema(c);
        }
        Child w = new Child("writer", bounded, "0", "0", "2048");
        List<Connection> holders = new ArrayList<>();
        Path wal = shmDir.resolve("shmlite-" + Files.getAttribute(shmDir, "unix:uid"))
                .resolve(url.substring(url.indexOf("shm:") + 4, url.indexOf('?')) + ".db-wal");
        long maxWal = 0;
        try {
            // Readers in this process keep overlapping read transactions open (checkpoint starvation).
            for (int i = 0; i < 2; i++) {
                Connection r = DriverManager.getConnection(bounded);
                r.setReadOnly(true);
                r.setAutoCommit(false);
                holders.add(r);
            }
            for (int i = 0; i < 200; i++) {
                Connection r = holders.get(i % 2);
                r.commit(); // end the older snapshot; the other one stays open
                try (ResultSet rs = r.createStatement().executeQuery("SELECT count(*) FROM grp")) {
                    rs.next();
                }
                if (Files.exists(wal)) {
                    maxWal = Math.max(maxWal, Files.size(wal));
                }
                Thread.sleep(10);
            }
        } finally {
            for (Connection r : holders) {
                r.close();
            }
            w.process.destroyForcibly();
            w.finish();
        }
        long bound = 2L * 1024 * 1024 + 256 * 1024; // wal_limit_mb + one transaction with margin
        assertTrue(maxWal > 0, "the writer wrote nothing: " + w.output());
        assertTrue(maxWal <= bound, "WAL reached " + maxWal + " bytes, bound " + bound);
    }
}
