package dev.shmlite.cli;

import dev.shmlite.jdbc.Shmlite;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The cross-process demo: a writer process and a reader process on {@code shm:demo}. The writer
 * commits one row per transaction stamped with {@link System#nanoTime()} (CLOCK_MONOTONIC on
 * Linux, the same clock in every process); the reader waits with
 * {@link Shmlite#awaitChange(Connection, long)} and measures commit-to-visible latency.
 */
public final class ShmDemo {
    private static final String URL = "jdbc:shmlite:shm:demo";
    /** Seconds of the reader's start excluded from the summary. */
    private static final long WARM_UP_NANOS = 2_000_000_000L;

    private ShmDemo() {}

    /**
     * Starts both child processes, relays their progress lines and prints the summary.
     *
     * @return 0 when both children succeeded
     */
    static int run(int seconds, int rate, PrintStream out) throws Exception {
        try (Connection c = DriverManager.getConnection(URL);
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS feed");
            s.execute("CREATE TABLE feed(id INTEGER PRIMARY KEY, stamp INTEGER NOT NULL)");
        }
        out.printf(
                "shmlite demo --shm: a writer process (%d commits/s) and a reader process on %s for %d s%n",
                rate, URL, seconds);
        Process reader = child("reader", seconds, rate);
        Process writer = child("writer", seconds, rate);
        Thread relayReader = relay(reader, "reader", out);
        Thread relayWriter = relay(writer, "writer", out);
        boolean ok = reader.waitFor(seconds + 60L, TimeUnit.SECONDS) && writer.waitFor(60, TimeUnit.SECONDS);
        relayReader.join();
        relayWriter.join();
        Shmlite.drop(URL); // nobody uses it any more: delete its files
        return ok && reader.exitValue() == 0 && writer.exitValue() == 0 ? 0 : 1;
    }

    private static Process child(String role, int seconds, int rate) throws IOException {
        List<String> cmd = new ArrayList<>(Arrays.asList(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ShmDemo.class.getName(),
                role,
                String.valueOf(seconds),
                String.valueOf(rate)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static Thread relay(Process p, String name, PrintStream out) {
        Thread t = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.println("  [" + name + "] " + line);
                }
            } catch (IOException e) {
                out.println("  [" + name + "] output lost: " + e.getMessage());
            }
        });
        t.start();
        return t;
    }

    /**
     * Entry point: {@code demo|writer|reader SECONDS RATE} ({@code demo} starts the other two).
     *
     * @param args role, duration and commit rate
     * @throws Exception on failure (the parent reports the exit code)
     */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        if (args[0].equals("demo")) {
            System.exit(run(seconds, rate, System.out));
        } else if (args[0].equals("writer")) {
            writer(seconds, rate);
        } else {
            reader(seconds);
        }
    }

    private static void writer(int seconds, int rate) throws SQLException {
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long commits = 0;
        try (Connection c = DriverManager.getConnection(URL);
                PreparedStatement ins = c.prepareStatement("INSERT INTO feed(stamp) VALUES (?)")) {
            for (long next = start; next < end; next += period) {
                LockSupport.parkNanos(next - System.nanoTime());
                ins.setLong(1, System.nanoTime());
                ins.executeUpdate(); // autocommit: one transaction per row
                commits++;
            }
        }
        System.out.printf("committed %,d rows (%,.0f/s)%n", commits, commits / ((System.nanoTime() - start) / 1e9));
    }

    private static void reader(int seconds) throws SQLException {
        long start = System.nanoTime();
        long end = start + (seconds + 1) * 1_000_000_000L;
        long cpuStart = cpuNanos();
        long lastId = 0;
        long[] latencies = new long[1 << 16];
        int n = 0;
        long seen = 0;
        long nextReport = start + 1_000_000_000L;
        long reportSeen = 0;
        List<Long> all = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(URL);
                PreparedStatement q = c.prepareStatement("SELECT id, stamp FROM feed WHERE id > ? ORDER BY id")) {
            while (System.nanoTime() < end) {
                Shmlite.awaitChange(c, 200);
                q.setLong(1, lastId);
                try (ResultSet rs = q.executeQuery()) {
                    long now = System.nanoTime();
                    while (rs.next()) {
                        lastId = rs.getLong(1);
                        if (n == latencies.length) {
                            for (long l : latencies) {
                                all.add(l);
                            }
                            n = 0;
                        }
                        latencies[n++] = now - rs.getLong(2);
                        seen++;
                    }
                }
                long now = System.nanoTime();
                if (now >= nextReport) {
                    long[] window = Arrays.copyOf(latencies, n);
                    // The summary skips the warm-up (JVM start, JIT): rows queue up meanwhile.
                    if (now - start > WARM_UP_NANOS) {
                        for (int i = 0; i < n; i++) {
                            all.add(latencies[i]);
                        }
                    }
                    n = 0; // each line reports its own second
                    Arrays.sort(window);
                    System.out.printf(
                            "%,8d rows/s   latency p50 %s   p99 %s%n",
                            seen - reportSeen, micros(percentile(window, 0.50)), micros(percentile(window, 0.99)));
                    reportSeen = seen;
                    nextReport += 1_000_000_000L;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            all.add(latencies[i]);
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (cpuNanos() - cpuStart) / 1e9 / elapsed * 100;
        System.out.printf(
                "summary: %,d rows seen; after a 2 s warm-up: commit-to-visible p50 %s, p99 %s, p99.9 %s, max %s; reader CPU %.1f%% of a core%n",
                seen,
                micros(percentile(sorted, 0.50)),
                micros(percentile(sorted, 0.99)),
                micros(percentile(sorted, 0.999)),
                micros(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
                cpu);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    private static String micros(long nanos) {
        return String.format("%,d µs", nanos / 1000);
    }

    /** CPU time of this whole process (all threads), from /proc/self/stat; 0 where unavailable. */
    private static long cpuNanos() {
        try {
            String[] f = new String(
                            java.nio.file.Files.readAllBytes(Path.of("/proc/self/stat")), StandardCharsets.US_ASCII)
                    .split("\\) ")[1].split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
