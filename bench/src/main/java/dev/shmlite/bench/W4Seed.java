package dev.shmlite.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W4, the seed workload (plain timed harness, one peer per JVM): 1 writer inserting 5 rows per
 * transaction ({@code setAutoCommit(false)}, 5 INSERTs, {@code commit()}, {@code setAutoCommit(true)}) and
 * 4 readers (or another number: the 8-reader variant) each running
 * {@code SELECT ... ORDER BY id DESC LIMIT 10} between {@code setAutoCommit(false)} and
 * {@code commit(); setAutoCommit(true)}, for a fixed duration on a database shared by those
 * connections (plus the keeper). Errors are counted, never fatal.
 *
 * <p>Usage: {@code W4Seed PEER SECONDS [READERS]} — prints one JSON object on the last line of stdout.
 */
public final class W4Seed {
    private W4Seed() {}

    static final int READERS = 4;
    /** Readers of the W4 variant that shows whether readers scale (issue 13). */
    static final int MORE_READERS = 8;
    static final int ROWS_PER_TXN = 5;

    /** What one run produced. */
    public static final class Result {
        public String workload = "W4";
        public String peer;
        public int readers = READERS;
        public String url;
        public double seconds;
        public long writerCommits;
        public long writerErrors;
        public long readerQueries;
        public long readerErrors;
        public long rowsRead;
        public long rowsInTable;
        public long rowsExpected;
        public List<Long> commitsPerSecond = new ArrayList<>();
        public List<Long> queriesPerSecond = new ArrayList<>();
        public Map<String, Long> errorKinds = new TreeMap<>();
        /** shmlite only: {@code Shmlite.stats(url)} at the end (lock waits, BEGINs, commits...). */
        public String driverStats;
    }

    public static void main(String[] args) throws Exception {
        String peer = args[0];
        double seconds = Double.parseDouble(args[1]);
        int readerCount = args.length > 2 ? Integer.parseInt(args[2]) : READERS;
        Result r = run(peer, seconds, readerCount);
        Gson gson = new GsonBuilder().create();
        System.out.println(gson.toJson(r));
        System.exit(0);
    }

    static Result run(String peer, double seconds, int readerCount) throws Exception {
        Result res = new Result();
        res.peer = peer;
        res.readers = readerCount;
        Map<String, AtomicLong> kinds = new ConcurrentHashMap<>();
        AtomicLong commits = new AtomicLong();
        AtomicLong writerErrors = new AtomicLong();
        AtomicLong queries = new AtomicLong();
        AtomicLong readerErrors = new AtomicLong();
        AtomicLong rowsRead = new AtomicLong();
        try (Target target = Target.create(peer, "w4", false)) {
            res.url = target.url;
            target.execute(target.createEvents());
            // Open every connection before the clock starts (sqlite-jdbc may already fail here).
            Connection writer = target.connect();
            List<Connection> readers = new ArrayList<>();
            for (int i = 0; i < readerCount; i++) {
                readers.add(target.connect());
            }
            final long start = System.nanoTime();
            final long end = start + (long) (seconds * 1e9);
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> {
                try (PreparedStatement ins =
                        writer.prepareStatement("INSERT INTO events(payload, created) VALUES (?, ?)")) {
                    while (System.nanoTime() < end) {
                        try {
                            writer.setAutoCommit(false);
                            for (int i = 0; i < ROWS_PER_TXN; i++) {
                                ins.setString(1, "event");
                                ins.setLong(2, System.currentTimeMillis());
                                ins.executeUpdate();
                            }
                            writer.commit();
                            writer.setAutoCommit(true);
                            commits.incrementAndGet();
                        } catch (SQLException e) {
                            writerErrors.incrementAndGet();
                            count(kinds, "writer", e);
                            try {
                                writer.rollback();
                            } catch (SQLException again) {
                                count(kinds, "writer rollback", again);
                            }
                        }
                    }
                } catch (SQLException e) {
                    writerErrors.incrementAndGet();
                    count(kinds, "writer prepare", e);
                }
            }, "w4-writer"));
            for (int r = 0; r < readerCount; r++) {
                Connection c = readers.get(r);
                threads.add(new Thread(() -> {
                    try (PreparedStatement q = c.prepareStatement(
                            "SELECT id, payload, created FROM events ORDER BY id DESC LIMIT 10")) {
                        while (System.nanoTime() < end) {
                            try {
                                c.setAutoCommit(false);
                                long n = 0;
                                try (ResultSet rs = q.executeQuery()) {
                                    while (rs.next()) {
                                        rs.getLong(1);
                                        rs.getString(2);
                                        rs.getLong(3);
                                        n++;
                                    }
                                }
                                c.commit();
                                c.setAutoCommit(true);
                                queries.incrementAndGet();
                                rowsRead.addAndGet(n);
                            } catch (SQLException e) {
                                readerErrors.incrementAndGet();
                                count(kinds, "reader", e);
                                try {
                                    c.rollback();
                                } catch (SQLException again) {
                                    count(kinds, "reader rollback", again);
                                }
                            }
                        }
                    } catch (SQLException e) {
                        readerErrors.incrementAndGet();
                        count(kinds, "reader prepare", e);
                    }
                }, "w4-reader-" + r));
            }
            threads.forEach(Thread::start);
            long lastCommits = 0;
            long lastQueries = 0;
            for (int second = 1; ; second++) {
                long tick = start + second * 1_000_000_000L;
                if (tick > end) {
                    break;
                }
                long wait = tick - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                long c = commits.get();
                long q = queries.get();
                res.commitsPerSecond.add(c - lastCommits);
                res.queriesPerSecond.add(q - lastQueries);
                lastCommits = c;
                lastQueries = q;
                System.err.printf("  W4 %-18s %3d s  commits %,9d  queries %,10d  errors %,d%n", peer, second, c, q,
                        writerErrors.get() + readerErrors.get());
            }
            for (Thread t : threads) {
                t.join();
            }
            res.seconds = (System.nanoTime() - start) / 1e9;
            for (Connection c : readers) {
                closeQuietly(c, kinds);
            }
            closeQuietly(writer, kinds);
            try (Connection c = target.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM events")) {
                rs.next();
                res.rowsInTable = rs.getLong(1);
            }
            if (peer.startsWith("shmlite")) {
                res.driverStats = dev.shmlite.jdbc.Shmlite.stats(target.url).map(Object::toString).orElse(null);
            }
        }
        res.writerCommits = commits.get();
        res.writerErrors = writerErrors.get();
        res.readerQueries = queries.get();
        res.readerErrors = readerErrors.get();
        res.rowsRead = rowsRead.get();
        res.rowsExpected = res.writerCommits * ROWS_PER_TXN;
        Map<String, Long> sorted = new LinkedHashMap<>();
        kinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(8)
                .forEach(e -> sorted.put(e.getKey(), e.getValue().get()));
        res.errorKinds = new TreeMap<>(sorted);
        return res;
    }

    private static void closeQuietly(Connection c, Map<String, AtomicLong> kinds) {
        try {
            c.close();
        } catch (SQLException e) {
            count(kinds, "close", e);
        }
    }

    private static void count(Map<String, AtomicLong> kinds, String where, SQLException e) {
        String msg = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
        if (msg.length() > 90) {
            msg = msg.substring(0, 90) + "…";
        }
        kinds.computeIfAbsent(where + ": " + e.getClass().getSimpleName() + " [" + e.getSQLState() + "/"
                + e.getErrorCode() + "] " + msg, k -> new AtomicLong()).incrementAndGet();
    }
}
