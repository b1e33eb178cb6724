package dev.shmlite.bench;

import com.google.gson.Gson;
import dev.shmlite.jdbc.Shmlite;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.SQLiteConfig;

/**
 * W5, cross-process commit-to-visible latency (plain harness). A writer process inserts one row per
 * autocommit INSERT every {@code period} µs (plus up to 50% random jitter), each row carrying
 * {@code System.nanoTime()} read just before the INSERT; a reader process waits for changes and reads
 * the new rows, and the latency of a row is the reader's {@code System.nanoTime()} once it holds the
 * row minus the writer's stamp (CLOCK_MONOTONIC: one clock for every process on a Linux machine).
 *
 * <ul>
 *   <li>{@code shmlite-shm}: {@code jdbc:shmlite:shm:NAME}; the reader blocks in
 *       {@link Shmlite#awaitChange(Connection, long)}.</li>
 *   <li>{@code sqlite-jdbc}: the same recipe by hand, a WAL database file in a temporary directory on
 *       /dev/shm with {@code synchronous=NORMAL}; the reader polls {@code PRAGMA data_version} every
 *       100 µs (parkNanos) with a reused statement.</li>
 * </ul>
 * The reader's CPU is measured over the measured rows (after {@code warmup} rows): its thread's CPU
 * time (ThreadMXBean) and the whole process's utime+stime from /proc/self/stat.
 *
 * <p>Roles: {@code W5CrossProcess writer PEER URL COUNT PERIOD_US} and
 * {@code W5CrossProcess reader PEER URL COUNT WARMUP}; the orchestration lives in {@link #run}.
 */
public final class W5CrossProcess {
    private W5CrossProcess() {}

    /** The result of one peer's run. */
    public static final class Result {
        public String workload = "W5";
        public String peer;
        public String url;
        public String readerStrategy;
        public int commits;
        public int measured;
        public double p50Micros;
        public double p90Micros;
        public double p99Micros;
        public double p999Micros;
        public double maxMicros;
        public double meanMicros;
        public double readerThreadCpuPercent;
        /** The reader thread's CPU inside the wait (awaitChange, or the poll loop), not reading rows. */
        public double readerWaitCpuPercent;
        public double readerProcessCpuPercent;
        public double readerWallSeconds;
        public double writerInsertP50Micros;
        public double writerInsertP99Micros;
        public int wakeups;
        public int emptyWakeups;
    }

    static Properties props(String peer) {
        Properties p = new Properties();
        if (peer.startsWith("sqlite-jdbc")) {
            SQLiteConfig cfg = new SQLiteConfig();
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            p.putAll(cfg.toProperties());
        }
        return p;
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "writer":
                writer(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            case "reader":
                reader(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }

    // --- writer -----------------------------------------------------------------------------------

    static void writer(String peer, String url, int count, int periodMicros) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Class.forName(peer.startsWith("shmlite") ? "dev.shmlite.jdbc.ShmliteDriver" : "org.sqlite.JDBC");
        long[] insertNanos = new long[count];
        try (Connection c = DriverManager.getConnection(url, props(peer))) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, t INTEGER NOT NULL)");
            }
            System.out.println("READY");
            System.out.flush();
            expect(in, "GO");
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO events(seq, t) VALUES (?, ?)")) {
                long next = System.nanoTime();
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int seq = 1; seq <= count; seq++) {
                    next += periodMicros * 1000L + rnd.nextLong(periodMicros * 500L + 1);
                    long wait;
                    while ((wait = next - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long t = System.nanoTime();
                    ins.setLong(1, seq);
                    ins.setLong(2, t);
                    ins.executeUpdate();
                    insertNanos[seq - 1] = System.nanoTime() - t;
                }
            }
            Arrays.sort(insertNanos);
            System.out.println("INSERT " + insertNanos[count / 2] + " " + insertNanos[(int) (count * 0.99)]);
            System.out.println("DONE");
            System.out.flush();
            expect(in, "EXIT");
        }
        if (peer.startsWith("shmlite")) {
            Shmlite.drop(url);
        }
    }

    private static void expect(BufferedReader in, String word) throws IOException {
        String line = in.readLine();
        if (!word.equals(line)) {
            throw new IllegalStateException("expected " + word + " from the orchestrator, got " + line);
        }
    }

    // --- reader -----------------------------------------------------------------------------------

    static void reader(String peer, String url, int count, int warmup) throws Exception {
        boolean shmlite = peer.startsWith("shmlite");
        Class.forName(shmlite ? "dev.shmlite.jdbc.ShmliteDriver" : "org.sqlite.JDBC");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] lat = new long[count];
        int measured = 0;
        int wakeups = 0;
        int empty = 0;
        long cpu0 = 0;
        long waitCpu = 0;
        long proc0 = 0;
        long wall0 = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60) + count * 10_000_000L;
        try (Connection c = DriverManager.getConnection(url, props(peer));
                PreparedStatement q = c.prepareStatement("SELECT seq, t FROM events WHERE seq > ? ORDER BY seq");
                PreparedStatement dv = c.prepareStatement("PRAGMA data_version")) {
            long version = shmlite ? 0 : dataVersion(dv);
            if (shmlite) {
                Shmlite.awaitChange(c, 0); // sets up the wait (inotify watch) before the first commit
            }
            System.out.println("READY");
            System.out.flush();
            long last = 0;
            boolean measuring = false;
            long waitFrom = -1; // thread CPU time when the current wait began (measured rows only)
            while (last < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reader timed out at row " + last + " of " + count);
                }
                if (measuring && waitFrom < 0) {
                    waitFrom = mx.getCurrentThreadCpuTime();
                }
                if (shmlite) {
                    if (!Shmlite.awaitChange(c, 1000)) {
                        continue;
                    }
                } else {
                    long v = dataVersion(dv);
                    if (v == version) {
                        LockSupport.parkNanos(100_000);
                        continue;
                    }
                    version = v;
                }
                if (waitFrom >= 0) {
                    waitCpu += mx.getCurrentThreadCpuTime() - waitFrom;
                    waitFrom = -1;
                }
                wakeups++;
                q.setLong(1, last);
                int got = 0;
                long[] seqs = new long[64];
                long[] stamps = new long[64];
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        if (got == seqs.length) {
                            seqs = Arrays.copyOf(seqs, got * 2);
                            stamps = Arrays.copyOf(stamps, got * 2);
                        }
                        seqs[got] = rs.getLong(1);
                        stamps[got] = rs.getLong(2);
                        got++;
                    }
                }
                long now = System.nanoTime();
                if (got == 0) {
                    empty++;
                    continue;
                }
                for (int i = 0; i < got; i++) {
                    if (seqs[i] > warmup) {
                        lat[measured++] = now - stamps[i];
                    }
                }
                last = seqs[got - 1];
                if (!measuring && last >= warmup) {
                    measuring = true;
                    cpu0 = mx.getCurrentThreadCpuTime();
                    proc0 = processCpuNanos();
                    wall0 = System.nanoTime();
                }
            }
        }
        long wall = System.nanoTime() - wall0;
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long proc = processCpuNanos() - proc0;
        long[] l = Arrays.copyOf(lat, measured);
        Arrays.sort(l);
        Result r = new Result();
        r.peer = peer;
        r.url = url;
        r.readerStrategy = shmlite ? "Shmlite.awaitChange" : "poll PRAGMA data_version every 100 µs";
        r.commits = count;
        r.measured = measured;
        r.p50Micros = pct(l, 0.50);
        r.p90Micros = pct(l, 0.90);
        r.p99Micros = pct(l, 0.99);
        r.p999Micros = pct(l, 0.999);
        r.maxMicros = l.length == 0 ? 0 : l[l.length - 1] / 1e3;
        r.meanMicros = Arrays.stream(l).average().orElse(0) / 1e3;
        r.readerThreadCpuPercent = 100.0 * cpu / wall;
        r.readerProcessCpuPercent = 100.0 * proc / wall;
        r.readerWaitCpuPercent = 100.0 * waitCpu / wall;
        r.readerWallSeconds = wall / 1e9;
        r.wakeups = wakeups;
        r.emptyWakeups = empty;
        System.out.println("RESULT " + new Gson().toJson(r));
        System.out.flush();
    }

    private static long dataVersion(PreparedStatement dv) throws SQLException {
        try (ResultSet rs = dv.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e3;
    }

    /** utime + stime of this process, from /proc/self/stat (clock ticks of 10 ms). */
    static long processCpuNanos() {
        try {
            String stat = Files.readString(Paths.get("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": field 3 is state -> index 0; utime is field 14 -> index 11
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    // --- orchestration ----------------------------------------------------------------------------

    /**
     * Runs one peer: starts the writer (which creates the table), then the reader, then lets the
     * writer go, collects both outputs and cleans up.
     */
    static Result run(String peer, int count, int warmup, int periodMicros) throws Exception {
        Path tempDir = null;
        String url;
        if (peer.equals("shmlite-shm")) {
            url = "jdbc:shmlite:shm:" + Target.uniqueName("w5");
        } else if (peer.equals("sqlite-jdbc")) {
            tempDir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmlite-bench-");
            url = "jdbc:sqlite:" + tempDir.resolve("w5.db");
        } else {
            throw new IllegalArgumentException("W5 peers: shmlite-shm, sqlite-jdbc; not " + peer);
        }
        Process writer = null;
        Process reader = null;
        try {
            writer = Main.javaProcess(W5CrossProcess.class, "writer", peer, url, String.valueOf(count),
                    String.valueOf(periodMicros));
            BufferedReader wout = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter win = new PrintWriter(new OutputStreamWriter(writer.getOutputStream(), StandardCharsets.UTF_8), true);
            awaitLine(wout, "READY", writer, "writer");
            reader = Main.javaProcess(W5CrossProcess.class, "reader", peer, url, String.valueOf(count),
                    String.valueOf(warmup));
            BufferedReader rout = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
            awaitLine(rout, "READY", reader, "reader");
            win.println("GO");
            List<String> wlines = new ArrayList<>();
            String line;
            while ((line = wout.readLine()) != null && !line.equals("DONE")) {
                wlines.add(line);
            }
            if (line == null) {
                throw new IllegalStateException("W5 " + peer + " writer died (exit " + writer.waitFor() + ")");
            }
            Result r = null;
            while ((line = rout.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    r = new Gson().fromJson(line.substring(7), Result.class);
                }
            }
            int rc = reader.waitFor();
            win.println("EXIT");
            if (!writer.waitFor(30, TimeUnit.SECONDS) || writer.exitValue() != 0) {
                throw new IllegalStateException("W5 " + peer + " writer did not exit cleanly");
            }
            if (r == null || rc != 0) {
                throw new IllegalStateException("W5 " + peer + " reader failed (exit " + rc + ")");
            }
            for (String w : wlines) {
                if (w.startsWith("INSERT ")) {
                    String[] f = w.split(" ");
                    r.writerInsertP50Micros = Long.parseLong(f[1]) / 1e3;
                    r.writerInsertP99Micros = Long.parseLong(f[2]) / 1e3;
                }
            }
            return r;
        } finally {
            if (reader != null && reader.isAlive()) {
                reader.destroyForcibly();
            }
            if (writer != null && writer.isAlive()) {
                writer.destroyForcibly();
            }
            if (tempDir != null) {
                try (var files = Files.walk(tempDir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void awaitLine(BufferedReader r, String word, Process p, String who) throws Exception {
        String line;
        while ((line = r.readLine()) != null) {
            if (line.equals(word)) {
                return;
            }
        }
        throw new IllegalStateException("W5 " + who + " exited before " + word + " (exit " + p.waitFor() + ")");
    }
}
