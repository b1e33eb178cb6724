package dev.shmlite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shmlite.jdbc.Shmlite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The command line driven through {@link Main#run} with stdin, stdout and stderr in memory. */
class MainTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** A database name no other test (or run) uses, so tests stay independent. */
    private final String name = "cli-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();

    private final String mem = "mem:" + name;

    /** Exit code and both output streams of one run. */
    static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                args,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @AfterEach
    void dropDatabase() throws Exception {
        Shmlite.drop("jdbc:shmlite:" + mem);
    }

    @Test
    void shmDemoReaderProcessSeesEveryRowTheWriterProcessCommitted() {
        Result r = run("", "demo", "--shm", "--seconds", "3", "--rate", "300");
        assertEquals(0, r.code, r.out + r.err);
        java.util.regex.Matcher committed =
                java.util.regex.Pattern.compile("committed ([0-9,]+) rows").matcher(r.out);
        java.util.regex.Matcher seen =
                java.util.regex.Pattern.compile("summary: ([0-9,]+) rows seen").matcher(r.out);
        assertTrue(committed.find() && seen.find(), r.out);
        assertEquals(committed.group(1), seen.group(1), r.out);
    }

    @Test
    void shellCreatesInsertsAndQueriesFromStdin() {
        Result r = run(
                "CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT, score REAL);\n"
                        + "INSERT INTO person(name, score) VALUES ('alice', 9.5), ('bob', NULL);\n"
                        + "SELECT id, name, score FROM person ORDER BY id;\n",
                "shell",
                mem);
        assertEquals("", r.err);
        assertEquals(0, r.code);
        assertEquals(
                String.join(
                        "\n",
                        "+----+-------+-------+",
                        "| id | name  | score |",
                        "+----+-------+-------+",
                        "|  1 | alice |   9.5 |",
                        "|  2 | bob   |  NULL |",
                        "+----+-------+-------+",
                        "(2 rows)",
                        ""),
                r.out);
    }

    @Test
    void acceptsTheFullJdbcUrlAndKeepsTheDataInTheJvm() {
        assertEquals(0, run("CREATE TABLE t(x); INSERT INTO t VALUES (42);", "shell", "jdbc:shmlite:" + mem).code);
        Result r = run("SELECT x FROM t;", "shell", mem);
        assertEquals(0, r.code);
        assertTrue(r.out.contains("| 42 |"), r.out);
    }

    @Test
    void statementsSpanLinesAndSemicolonsInsideQuotesAndCommentsDoNotSplit() {
        Result r = run(
                "CREATE TABLE t(\n  a TEXT, -- a comment; with a semicolon\n  b TEXT /* and; another */\n);\n"
                        + "INSERT INTO t VALUES ('x;y', 'it''s;');;\n"
                        + "SELECT a, length(b) AS n FROM t; SELECT count(*) AS c\n FROM t\n",
                "shell",
                mem);
        assertEquals("", r.err);
        assertEquals(0, r.code);
        assertTrue(r.out.contains("| x;y | 5 |"), r.out);
        assertTrue(r.out.contains("| c |"), r.out); // the last statement ran without its ';'
    }

    @Test
    void aCommentOverSeveralLinesIsNotCutShort() {
        Result r =
                run("-- a script\n\n/* a comment;\n.tables\n*/ SELECT 7 AS seven; -- done\n\n.tables\n", "shell", mem);
        assertEquals("", r.err);
        assertEquals(0, r.code);
        assertEquals(
                String.join("\n", "+-------+", "| seven |", "+-------+", "|     7 |", "+-------+", "(1 row)", ""),
                r.out); // the .tables inside the comment did not run, the last one listed nothing
    }

    @Test
    void triggerBodiesKeepTheirSemicolons() {
        Result r = run(
                "CREATE TABLE t(x); CREATE TABLE log(x);\n"
                        + "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n  INSERT INTO log VALUES (new.x);\n  INSERT INTO log VALUES (new.x * 10);\nEND;\n"
                        + "INSERT INTO t VALUES (1);\nSELECT sum(x) AS s FROM log;\n",
                "shell",
                mem);
        assertEquals("", r.err);
        assertTrue(r.out.contains("| 11 |"), r.out);
    }

    @Test
    void firstErrorStopsTheScriptWithExitCodeOneAndOneLine() throws Exception {
        Result r = run("CREATE TABLE t(x);\nSELECT * FROM missing;\nINSERT INTO t VALUES (1);\n", "shell", mem);
        assertEquals(Main.FAILED, r.code);
        assertEquals(1, r.errLines().size(), r.err);
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("shmlite: line 2: no such table: missing"), line);
        assertTrue(line.endsWith("(SQLState 42S02)"), line);
        // nothing after the error ran
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:" + mem);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void verboseAddsTheStackTrace() {
        Result quiet = run("", "shell", "shm:bad/name");
        assertFalse(quiet.err.contains("\tat "), quiet.err);
        Result verbose = run("", "shell", "shm:bad/name", "--verbose");
        assertEquals(Main.FAILED, verbose.code);
        assertTrue(verbose.err.contains("\tat "), verbose.err);
    }

    @Test
    void dotCommandsListTablesSchemaAndTime() {
        Result r = run(
                "CREATE TABLE b(x);\nCREATE TABLE a(y INTEGER);\nCREATE INDEX a_y ON a(y);\nCREATE VIEW v AS SELECT 1;\n"
                        + ".tables\n.schema a\n.timer on\nSELECT 1 AS one;\n.timer off\nSELECT 2 AS two;\n.quit\nSELECT * FROM missing;\n",
                "shell",
                mem);
        assertEquals("", r.err);
        assertEquals(0, r.code); // .quit stopped before the failing statement
        assertTrue(r.out.startsWith("a\nb\nv\nCREATE TABLE a(y INTEGER);\nCREATE INDEX a_y ON a(y);\n"), r.out);
        assertEquals(1, r.out.split("Run Time: ", -1).length - 1, r.out); // only while on
        assertTrue(r.out.matches("(?s).*\\| one \\|.*\\(1 row\\)\nRun Time: \\d+\\.\\d{3} ms\n.*\\| two \\|.*"), r.out);
    }

    @Test
    void unknownDotCommandIsAnError() {
        Result r = run(".nope\n", "shell", mem);
        assertEquals(Main.FAILED, r.code);
        assertEquals(List.of("shmlite: line 1: unknown command .nope (try .help)"), r.errLines());
    }

    @Test
    void statsOpensTheDatabaseAndPrintsItsCounters() {
        assertEquals(0, run("CREATE TABLE t(x); CREATE TABLE u(y);", "shell", mem).code);
        Result r = run("", "stats", mem);
        assertEquals("", r.err);
        assertEquals(0, r.code);
        assertTrue(r.out.startsWith("database                 " + mem + "\n"), r.out);
        assertTrue(r.out.contains("\ntables                   2\n"), r.out);
        assertTrue(r.out.contains("\nconnectionsInUse         1\n"), r.out); // the one stats holds
        for (String counter : List.of(
                "sqliteVersion",
                "journal_mode",
                "sessionsOpened",
                "commits",
                "lockWaits",
                "deadlocks",
                "poolWaits",
                "walBytes")) {
            assertTrue(r.out.contains("\n" + counter + " "), counter + " in " + r.out);
        }
    }

    @Test
    void helpOnEveryCommand() {
        for (String[] args : List.of(
                new String[] {"--help"},
                new String[] {},
                new String[] {"shell", "--help"},
                new String[] {"stats", "--help"},
                new String[] {"demo", "--help"})) {
            Result r = run("", args);
            assertEquals(0, r.code, String.join(" ", args));
            assertEquals("", r.err);
            assertTrue(r.out.startsWith("usage: shmlite "), r.out);
        }
        assertTrue(run("", "shell", "--help").out.contains(".schema [TABLE]"));
        assertTrue(run("", "--help").out.contains("stats URL"));
    }

    @Test
    void badUrlsAreOneLineErrors() {
        Result foreign = run("", "shell", "jdbc:postgresql://localhost/db");
        assertEquals(Main.USAGE, foreign.code);
        assertEquals(
                List.of("shmlite: not a shmlite URL: jdbc:postgresql://localhost/db"
                        + " (expected jdbc:shmlite:... or shm:NAME, mem:NAME, file:PATH)"),
                foreign.errLines());

        Result invalid = run("", "stats", "shm:bad/name");
        assertEquals(Main.FAILED, invalid.code);
        assertEquals(1, invalid.errLines().size(), invalid.err);
        String line = invalid.errLines().get(0);
        assertTrue(line.startsWith("shmlite: cannot open jdbc:shmlite:shm:bad/name: "), line);
        assertTrue(line.contains("contains '/'"), line);
        assertTrue(line.endsWith("(SQLState 08001)"), line);

        Result property = run("", "shell", mem + "?busy_timeout=soon");
        assertEquals(Main.FAILED, property.code);
        assertEquals(1, property.errLines().size(), property.err);
        assertTrue(property.err.contains("busy_timeout"), property.err);
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(
                List.of("shmlite: shell needs a URL, e.g. shmlite shell shm:feed (try shmlite shell --help)"),
                run("", "shell").errLines());
        assertEquals(Main.USAGE, run("", "shell").code);
        Result unknown = run("", "frobnicate");
        assertEquals(Main.USAGE, unknown.code);
        assertEquals(List.of("shmlite: unknown command 'frobnicate' (try shmlite --help)"), unknown.errLines());
        assertEquals(Main.USAGE, run("", "stats", mem, "--json").code);
        assertEquals(Main.USAGE, run("", "stats", mem, mem).code);
        assertEquals(Main.USAGE, run("", "demo", "--seconds", "ten").code);
    }

    @Test
    void backupAndRestoreCopyADatabaseWithAProgressBar() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shmlite-cli-backup-");
        java.nio.file.Path file = dir.resolve("copy.db");
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:" + mem);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (v INTEGER)");
            s.execute("INSERT INTO t VALUES (1), (2)");
            Result backup = run("", "backup", mem, file.toString());
            assertEquals(0, backup.code, backup.err);
            assertTrue(backup.err.contains("] "), backup.err);
            assertTrue(backup.err.contains(" pages"), backup.err);
            s.execute("DELETE FROM t");
            Result restore = run("", "restore", mem, file.toString());
            assertEquals(0, restore.code, restore.err);
            try (ResultSet rs = s.executeQuery("SELECT sum(v) FROM t")) {
                rs.next();
                assertEquals(3, rs.getInt(1));
            }
            Result missing = run("", "restore", mem, dir.resolve("missing.db").toString());
            assertEquals(Main.FAILED, missing.code);
            assertTrue(missing.err.contains("58030"), missing.err);
            assertEquals(Main.USAGE, run("", "backup", mem).code);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
