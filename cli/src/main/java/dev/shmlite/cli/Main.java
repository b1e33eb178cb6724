package dev.shmlite.cli;

import dev.shmlite.jdbc.DatabaseStats;
import dev.shmlite.jdbc.Shmlite;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code shmlite} command line: {@code shell URL}, {@code stats URL}, {@code backup}/{@code
 * restore}, {@code demo} and {@code node} (one dqlite cluster node, see {@link NodeCommand}).
 * Errors are one line on stderr and a non-zero exit code ({@value #FAILED} for a database or SQL
 * error, {@value #USAGE} for a usage error); {@code --verbose} adds the stack trace.
 */
public final class Main {
    /** Exit code of a database or SQL error. */
    static final int FAILED = 1;
    /** Exit code of a usage error: unknown command or option, missing or foreign URL. */
    static final int USAGE = 2;

    private static final String USAGE_TEXT = String.join(
            System.lineSeparator(),
            "usage: shmlite <command> [--help] [--verbose]",
            "",
            "commands:",
            "  shell URL   SQL shell on a database; reads SQL from stdin when it is not a terminal",
            "  stats URL   open a database and print its statistics",
            "  backup URL FILE   copy a live database into an SQLite file, online, with a progress bar",
            "  restore URL FILE  replace a database's content by an SQLite file (readers see old or new)",
            "  node --id N --address IP:PORT --data-dir DIR [--join HOST:PORT,...]",
            "              run one dqlite cluster node until SIGTERM/Ctrl-C (needs libdqlite)",
            "  demo        one writer thread and several readers flipping autoCommit on jdbc:shmlite:mem:demo;",
            "              demo --shm: a writer process and a reader process on jdbc:shmlite:shm:demo",
            "",
            "URL: jdbc:shmlite:shm:NAME, or without the prefix: shm:NAME, mem:NAME, file:PATH, PATH;",
            "     properties may follow: shm:feed?busy_timeout=2000",
            "--help after a command describes it; --verbose prints stack traces with errors.",
            "exit codes: 0 success, 1 database or SQL error, 2 usage error");

    private static final String SHELL_USAGE = String.join(
            System.lineSeparator(),
            "usage: shmlite shell URL",
            "",
            "An SQL shell on URL (jdbc:shmlite:shm:feed or shm:feed, mem:x, file:/path/x.db).",
            "Statements end with ';' and may span lines; results print as tables.",
            "Commands: .tables [PATTERN], .schema [TABLE], .timer on|off, .help, .quit",
            "On a terminal: line editing and history (~/.shmlite_history); Ctrl-C cancels, Ctrl-D leaves.",
            "Otherwise SQL is read from stdin and the shell exits with 1 at the first error:",
            "  echo 'SELECT count(*) FROM events;' | shmlite shell shm:feed",
            "A shm: database may be read and written while other processes write to it.");

    private static final String STATS_USAGE = String.join(
            System.lineSeparator(),
            "usage: shmlite stats URL",
            "",
            "Opens URL, prints SQLite facts (journal mode, pages, tables) and the driver's statistics.",
            "The driver counts per process: the counters cover the connection this command opened;",
            "the WAL size of a shm: or file database is that of the shared file. Like the shell,",
            "it creates a database that does not exist yet.");

    private static final String BACKUP_USAGE = String.join(
            System.lineSeparator(),
            "usage: shmlite backup URL FILE | shmlite restore URL FILE",
            "",
            "backup copies the database URL into FILE (created or overwritten) through SQLite's online",
            "backup API in steps of 256 pages, while other processes keep writing; the file is a committed",
            "snapshot. restore replaces URL's content by FILE's; its readers see the old or the new content.",
            "A mem: database lives in one JVM, so from this command only shm: and file: databases make sense.",
            "Progress is drawn on stderr.");

    /** Width of the progress bar in characters. */
    private static final int BAR_WIDTH = 40;

    private Main() {}

    /**
     * Entry point: runs the command and exits with its code.
     *
     * @param args the subcommand and its options
     */
    public static void main(String[] args) {
        handleSignals = true;
        System.exit(run(args, System.in, System.out, System.err, stdinIsTerminal()));
    }

    /**
     * Whether {@code node} takes over SIGTERM/SIGINT: only in {@link #main}, never when tests
     * drive {@link #run} inside their own JVM.
     */
    private static volatile boolean handleSignals;

    /** {@link #run(String[], InputStream, PrintStream, PrintStream, boolean)}, never interactive. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, false);
    }

    /**
     * Runs a command with the given streams and returns its exit code; never calls
     * {@link System#exit}, so tests can drive it.
     *
     * @param interactive whether {@code shell} edits lines on the terminal (else it reads {@code in})
     */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean interactive) {
        final List<String> words = new ArrayList<>(List.of(args));
        final boolean verbose = words.removeIf("--verbose"::equals);
        try {
            return dispatch(words, in, out, err, interactive);
        } catch (UsageException e) {
            err.println("shmlite: " + e.getMessage());
            return USAGE;
        } catch (Exception | LinkageError e) { // LinkageError: a native library or class that cannot load
            err.println("shmlite: " + describe(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    private static int dispatch(
            List<String> words, InputStream in, PrintStream out, PrintStream err, boolean interactive)
            throws Exception {
        if (words.isEmpty()
                || words.get(0).equals("--help")
                || words.get(0).equals("-h")
                || words.get(0).equals("help")) {
            out.println(USAGE_TEXT);
            return 0;
        }
        final String command = words.get(0);
        final List<String> rest = words.subList(1, words.size());
        final boolean help = rest.contains("--help") || rest.contains("-h");
        switch (command) {
            case "demo":
                return demo(rest.toArray(new String[0]), out);
            case "shell":
                if (help) {
                    out.println(SHELL_USAGE);
                    return 0;
                }
                return shell(url(rest, "shell"), in, out, err, interactive);
            case "stats":
                if (help) {
                    out.println(STATS_USAGE);
                    return 0;
                }
                return stats(url(rest, "stats"), out);
            case "backup":
            case "restore":
                if (help) {
                    out.println(BACKUP_USAGE);
                    return 0;
                }
                return transfer(command, rest, err);
            case "node":
                if (help) {
                    out.println(NodeCommand.USAGE);
                    return 0;
                }
                final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
                if (handleSignals && !NodeCommand.handleSignals(stop)) {
                    err.println("shmlite: cannot take over SIGTERM/SIGINT in this JVM (-Xrs?); they still stop the"
                            + " node, through the shutdown hook, but the exit code is then 143/130");
                }
                return NodeCommand.run(rest, out, err, stop);
            default:
                throw new UsageException("unknown command '" + command + "' (try shmlite --help)");
        }
    }

    /** The one URL argument of a command, as a JDBC URL. */
    private static String url(List<String> rest, String command) throws UsageException {
        if (rest.isEmpty()) {
            throw new UsageException(command + " needs a URL, e.g. shmlite " + command + " shm:feed (try shmlite "
                    + command + " --help)");
        }
        for (String word : rest) {
            if (word.startsWith("-")) {
                throw new UsageException(
                        "unknown option " + word + " for " + command + " (try shmlite " + command + " --help)");
            }
        }
        if (rest.size() > 1) {
            throw new UsageException(command + " takes one URL, got " + rest.size() + " arguments");
        }
        final String arg = rest.get(0);
        if (arg.startsWith("jdbc:shmlite:")) {
            return arg;
        }
        if (arg.startsWith("jdbc:")) {
            throw new UsageException(
                    "not a shmlite URL: " + arg + " (expected jdbc:shmlite:... or shm:NAME, mem:NAME, file:PATH)");
        }
        return "jdbc:shmlite:" + arg;
    }

    private static Connection open(String url, Properties properties) throws SQLException {
        try {
            return DriverManager.getConnection(url, properties);
        } catch (SQLException e) {
            // the driver's reason, prefixed with what was being opened
            throw new SQLException("cannot open " + url + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    private static int shell(String url, InputStream in, PrintStream out, PrintStream err, boolean interactive)
            throws Exception {
        try (Connection connection = open(url, new Properties())) {
            final Shell shell = new Shell(connection, out, err, interactive);
            if (interactive) {
                return shell.runInteractive(url);
            }
            return shell.runScript(new BufferedReader(new InputStreamReader(in, Charset.defaultCharset())));
        }
    }

    private static int transfer(String command, List<String> rest, PrintStream err) throws Exception {
        if (rest.size() != 2) {
            throw new UsageException(command + " takes a URL and a FILE, e.g. shmlite " + command
                    + " shm:feed feed.db (try shmlite " + command + " --help)");
        }
        final String url = url(rest.subList(0, 1), command);
        final java.nio.file.Path file = java.nio.file.Path.of(rest.get(1));
        final Shmlite.ProgressListener bar = (remaining, total) -> {
            final int done = total == 0 ? BAR_WIDTH : (int) ((long) (total - remaining) * BAR_WIDTH / total);
            err.print("\r[" + "#".repeat(done) + "-".repeat(BAR_WIDTH - done) + "] " + (total - remaining) + "/" + total
                    + " pages");
            err.flush();
        };
        if (command.equals("backup")) {
            Shmlite.backup(url, file, bar);
        } else {
            Shmlite.restore(url, file, bar);
        }
        err.println();
        return 0;
    }

    private static int stats(String url, PrintStream out) throws SQLException {
        try (Connection connection = open(url, new Properties());
                Statement s = connection.createStatement()) {
            final Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("sqliteVersion", Shmlite.sqliteVersion());
            for (String pragma : new String[] {"journal_mode", "page_size", "page_count", "freelist_count"}) {
                try (ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
                    facts.put(pragma, rs.next() ? rs.getString(1) : "");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                    + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")) {
                facts.put("tables", rs.next() ? rs.getLong(1) : 0);
            }
            final DatabaseStats st = Shmlite.stats(url)
                    .orElseThrow(() -> new SQLException("no statistics for " + url + " although it is open", "HY000"));
            facts.put("connectionsInUse", st.getConnectionsInUse());
            facts.put("connectionsIdle", st.getConnectionsIdle());
            facts.put("nativeConnectionsOpened", st.getNativeConnectionsOpened());
            facts.put("sessionsOpened", st.getSessionsOpened());
            facts.put("sessionsReclaimed", st.getSessionsReclaimed());
            facts.put("beginsDeferred", st.getBeginsDeferred());
            facts.put("beginsImmediate", st.getBeginsImmediate());
            facts.put("beginsExclusive", st.getBeginsExclusive());
            facts.put("readTransactions", st.getReadTransactions());
            facts.put("writeTransactions", st.getWriteTransactions());
            facts.put("upgrades", st.getUpgrades());
            facts.put("upgradeConflicts", st.getUpgradeConflicts());
            facts.put("revalidations", st.getRevalidations());
            facts.put("commits", st.getCommits());
            facts.put("rollbacks", st.getRollbacks());
            facts.put("lockWaits", st.getLockWaits());
            facts.put("lockWaitNanosTotal", st.getLockWaitNanosTotal());
            facts.put("lockWaitNanosMax", st.getLockWaitNanosMax());
            facts.put("deadlocks", st.getDeadlocks());
            facts.put("lockTimeouts", st.getLockTimeouts());
            facts.put("poolWaits", st.getPoolWaits());
            facts.put("poolTimeouts", st.getPoolTimeouts());
            facts.put("walBytes", st.getWalBytes());
            out.printf("%-24s %s%n", "database", st.getKey());
            facts.forEach((name, value) -> out.printf("%-24s %s%n", name, value));
            return 0;
        }
    }

    /**
     * One line describing a failure: the message with line breaks folded, then the SQLState of an
     * {@link SQLException}; the class name when there is no message.
     */
    static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        message = message.replaceAll("\\s*\\R\\s*", " ").trim();
        if (e instanceof SQLException && ((SQLException) e).getSQLState() != null) {
            message += " (SQLState " + ((SQLException) e).getSQLState() + ")";
        }
        return message;
    }

    /** Whether stdin and stdout are a terminal: then the shell edits lines, else it reads a script. */
    private static boolean stdinIsTerminal() {
        final Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+ returns a console even when redirected; isTerminal() tells the truth there.
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before Java 22 a console exists only on a terminal
        }
    }

    /** A command line that cannot be run as given: reported without a stack trace, exit code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private static int intOption(String[] args, String name, int fallback) throws UsageException {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                try {
                    return Integer.parseInt(args[i + 1]);
                } catch (NumberFormatException e) {
                    throw new UsageException(name + " needs a whole number, got '" + args[i + 1] + "'");
                }
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
            out.println(
                    "       shmlite demo --shm [--seconds N] [--rate N]   a writer process and a reader process on");
            out.println(
                    "       jdbc:shmlite:shm:demo: rows/s and commit-to-visible latency (defaults: 10 s, 1000 commits/s)");
            return 0;
        }
        if (List.of(args).contains("--shm")) {
            return ShmDemo.run(intOption(args, "--seconds", 10), intOption(args, "--rate", 1000), out);
        }
        final int seconds = intOption(args, "--seconds", 10);
        final int readers = intOption(args, "--readers", 4);
        final String url = "jdbc:shmlite:mem:demo";
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, payload TEXT NOT NULL, created INTEGER NOT NULL)");
        }
        final AtomicLong written = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong queries = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(
                () -> {
                    try (Connection c = DriverManager.getConnection(url);
                            PreparedStatement ins =
                                    c.prepareStatement("INSERT INTO events(payload, created) VALUES (?, ?)")) {
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
                },
                "writer"));
        for (int r = 0; r < readers; r++) {
            threads.add(new Thread(
                    () -> {
                        try (Connection c = DriverManager.getConnection(url);
                                PreparedStatement q = c.prepareStatement(
                                        "SELECT id, payload, created FROM events ORDER BY id DESC LIMIT 10")) {
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
                    },
                    "reader-" + r));
        }
        out.printf(
                "shmlite demo: 1 writer + %d readers on %s for %d s (SQLite %s)%n",
                readers, url, seconds, Shmlite.sqliteVersion());
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (int second = 1; threads.get(0).isAlive() || anyAlive(threads); second++) {
            for (Thread t : threads) {
                t.join(Math.max(1, (start + second * 1_000_000_000L - System.nanoTime()) / 1_000_000));
            }
            out.printf(
                    "  %2d s  rows written %,10d   reader queries %,10d   rows read %,12d   errors %d%n",
                    Math.min(second, seconds), written.get(), queries.get(), read.get(), errors.get());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        out.printf(
                "summary: %,d rows written (%,.0f/s), %,d reader queries (%,.0f/s), %,d rows read, %d errors%n",
                written.get(),
                written.get() / elapsed,
                queries.get(),
                queries.get() / elapsed,
                read.get(),
                errors.get());
        out.println("statistics: " + stats);
        Shmlite.drop(url);
        return errors.get() == 0 ? 0 : 1;
    }

    private static boolean anyAlive(List<Thread> threads) {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    private static void report(AtomicLong errors, SQLException e) {
        if (errors.incrementAndGet() <= 5) {
            System.err.println(
                    "error: " + e.getClass().getSimpleName() + " [" + e.getSQLState() + "] " + e.getMessage());
        }
    }
}
