package dev.shmlite.cli;

import dev.shmlite.jdbc.DatabaseStats;
import dev.shmlite.jdbc.Shmlite;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code shmlite} command line. Subcommands: {@code demo}. Errors are one line on stderr
 * and a non-zero exit code; {@code --verbose} adds the stack trace.
 */
public final class Main {
    private Main() {}

    /**
     * Entry point.
     *
     * @param args the subcommand and its options
     */
    public static void main(String[] args) {
        boolean verbose = List.of(args).contains("--verbose");
        try {
            System.exit(run(args, System.out));
        } catch (Exception e) {
            System.err.println("shmlite: " + e.getMessage());
            if (verbose) {
                e.printStackTrace();
            }
            System.exit(2);
        }
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.println("usage: shmlite demo [--seconds N] [--readers N] [--verbose]");
            out.println("  demo   one writer thread and several readers flipping autoCommit on jdbc:shmlite:mem:demo");
            return 0;
        }
        switch (args[0]) {
            case "demo":
                return demo(args, out);
            default:
                throw new IllegalArgumentException("unknown command '" + args[0] + "' (try --help)");
        }
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    /**
     * The problem from DEVELOPERS.md in one JVM: one writer inserting in small transactions,
     * readers flipping autoCommit around every read, on a shared in-memory database.
     */
    private static int demo(String[] args, PrintStream out) throws Exception {
        if (List.of(args).contains("--help")) {
            out.println("usage: shmlite demo [--seconds N] [--readers N]   (defaults: 10 s, 4 readers)");
            return 0;
        }
        final int seconds = intOption(args, "--seconds", 10);
        final int readers = intOption(args, "--readers", 4);
        final String url = "jdbc:shmlite:mem:demo";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, payload TEXT NOT NULL, created INTEGER NOT NULL)");
        }
        final AtomicLong written = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong queries = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> {
            try (Connection c = DriverManager.getConnection(url);
                    PreparedStatement ins = c.prepareStatement("INSERT INTO events(payload, created) VALUES (?, ?)")) {
                while (System.nanoTime() < end) {
                    try {
                        c.setAutoCommit(false);
                        for (int i = 0; i < 5; i++) {
                            ins.setString(1, "event");
                            ins.setLong(2, System.currentTimeMillis());
                            ins.executeUpdate();
                        }
                        c.commit();
                        c.setAutoCommit(true);
                        written.addAndGet(5);
                    } catch (SQLException e) {
                        report(errors, e);
                        c.rollback();
                    }
                }
            } catch (SQLException e) {
                report(errors, e);
            }
        }, "writer"));
        for (int r = 0; r < readers; r++) {
            threads.add(new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url);
                        PreparedStatement q = c.prepareStatement("SELECT id, payload, created FROM events ORDER BY id DESC LIMIT 10")) {
                    while (System.nanoTime() < end) {
                        try {
                            c.setAutoCommit(false);
                            try (ResultSet rs = q.executeQuery()) {
                                while (rs.next()) {
                                    read.incrementAndGet();
                                }
                            }
                            c.commit();
                            c.setAutoCommit(true);
                            queries.incrementAndGet();
                        } catch (SQLException e) {
                            report(errors, e);
                        }
                    }
                } catch (SQLException e) {
                    report(errors, e);
                }
            }, "reader-" + r));
        }
        out.printf("shmlite demo: 1 writer + %d readers on %s for %d s (SQLite %s)%n", readers, url, seconds,
                Shmlite.sqliteVersion());
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (int second = 1; threads.get(0).isAlive() || anyAlive(threads); second++) {
            for (Thread t : threads) {
                t.join(Math.max(1, (start + second * 1_000_000_000L - System.nanoTime()) / 1_000_000));
            }
            out.printf("  %2d s  rows written %,10d   reader queries %,10d   rows read %,12d   errors %d%n",
                    Math.min(second, seconds), written.get(), queries.get(), read.get(), errors.get());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        out.printf("summary: %,d rows written (%,.0f/s), %,d reader queries (%,.0f/s), %,d rows read, %d errors%n",
                written.get(), written.get() / elapsed, queries.get(), queries.get() / elapsed, read.get(), errors.get());
        out.println("statistics: " + stats);
        Shmlite.drop(url);
        return errors.get() == 0 ? 0 : 1;
    }

    private static boolean anyAlive(List<Thread> threads) {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    private static void report(AtomicLong errors, SQLException e) {
        if (errors.incrementAndGet() <= 5) {
            System.err.println("error: " + e.getClass().getSimpleName() + " [" + e.getSQLState() + "] " + e.getMessage());
        }
    }
}
