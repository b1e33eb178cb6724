package dev.shmlite.cli;

import dev.shmlite.jdbc.Shmlite;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The SQL shell of {@code shmlite shell}: statements end with {@code ;} (several per line or one
 * over several lines), lines starting with {@code .} are shell commands, results print as tables.
 * Interactive on a terminal (JLine line editing and history); otherwise it reads stdin as a script
 * and stops at the first error.
 */
final class Shell {
    /** Rows buffered to size the columns; later rows reuse those widths, so memory stays bounded. */
    private static final int SIZING_ROWS = 1000;
    /** Bytes of a BLOB shown in hex before the rest is summarised. */
    private static final int BLOB_BYTES_SHOWN = 32;

    private final Connection connection;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
    private boolean timer;
    /** The statement running now, so that Ctrl-C can cancel it instead of killing the shell. */
    private volatile Statement running;

    /** The outcome of one shell command. */
    private enum Outcome {
        OK,
        ERROR,
        QUIT
    }

    /** Where input lines come from; returns null at the end and {@link #CANCEL} on Ctrl-C. */
    private interface LineSource {
        String next(boolean continuation) throws IOException;
    }

    /** Marks a Ctrl-C at the prompt: the statement being typed is dropped (compared by identity). */
    private static final String CANCEL = new String("cancel");

    Shell(Connection connection, PrintStream out, PrintStream err, boolean interactive) {
        this.connection = connection;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
    }

    /** Runs stdin as a script: 0 when every statement and command succeeded, 1 at the first error. */
    int runScript(BufferedReader in) throws IOException {
        return loop((continuation) -> in.readLine());
    }

    /** Runs the interactive shell on the terminal until {@code .quit} or Ctrl-D; returns 0. */
    int runInteractive(String url) throws IOException, SQLException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("shmlite")
                    .variable(LineReader.HISTORY_FILE, Paths.get(System.getProperty("user.home"), ".shmlite_history"))
                    // '!' is SQL (a != b), not a history reference
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
            // Outside readLine, Ctrl-C cancels the running statement; JLine handles it at the prompt.
            terminal.handle(Terminal.Signal.INT, signal -> cancelRunning());
            out.println("shmlite shell on " + url + " (SQLite " + Shmlite.sqliteVersion() + ")");
            out.println("End statements with ';'. .help lists the commands, .quit or Ctrl-D leaves.");
            int code = loop((continuation) -> {
                try {
                    return reader.readLine(continuation ? "   ...> " : "shmlite> ");
                } catch (UserInterruptException e) {
                    return CANCEL;
                } catch (EndOfFileException e) {
                    return null;
                }
            });
            reader.getHistory().save();
            return code;
        }
    }

    /**
     * Reads lines, runs each complete statement and each command. A script stops with 1 at the
     * first error; the interactive shell reports errors and goes on.
     */
    private int loop(LineSource source) throws IOException {
        // The text of the statement being read; empty between statements. Holds only whole lines.
        final StringBuilder pending = new StringBuilder();
        int lineNo = 0;
        int statementLine = 1;
        String line;
        while ((line = source.next(pending.length() > 0)) != null) {
            if (line == CANCEL) {
                pending.setLength(0);
                continue;
            }
            lineNo++;
            if (pending.length() == 0 && line.trim().startsWith(".")) {
                Outcome outcome = command(line.trim(), lineNo);
                if (outcome == Outcome.QUIT) {
                    return 0;
                }
                if (outcome == Outcome.ERROR && !interactive) {
                    return 1;
                }
                continue;
            }
            if (pending.length() == 0) {
                statementLine = lineNo;
            }
            pending.append(line).append('\n');
            if (line.indexOf(';') >= 0) { // only a line with a ';' can complete a statement
                int end;
                while ((end = endOfStatement(pending)) >= 0) {
                    String sql = pending.substring(0, end).trim();
                    pending.delete(0, end);
                    if (hasTokens(sql) && !execute(sql, statementLine) && !interactive) {
                        return 1;
                    }
                    statementLine = lineNo;
                }
            }
            if (scan(pending, true) == NOTHING) {
                pending.setLength(0); // only blanks and finished comments: nothing pending
            }
        }
        // A last statement without its ';' still runs, so `echo "SELECT 1" | shmlite shell mem:` works.
        if (hasTokens(pending) && !execute(pending.toString().trim(), statementLine) && !interactive) {
            return 1;
        }
        return 0;
    }

    /** Runs one SQL statement and prints its rows; false (after printing the error) when it failed. */
    private boolean execute(String sql, int line) {
        try (Statement statement = connection.createStatement()) {
            running = statement;
            final long start = System.nanoTime();
            if (statement.execute(sql)) {
                try (ResultSet rs = statement.getResultSet()) {
                    printTable(rs);
                }
            }
            if (timer) {
                out.printf(Locale.ROOT, "Run Time: %.3f ms%n", (System.nanoTime() - start) / 1e6);
            }
            return true;
        } catch (SQLException e) {
            error(line, Main.describe(e));
            return false;
        } finally {
            running = null;
        }
    }

    private void cancelRunning() {
        Statement statement = running;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                // the statement already finished: nothing left to cancel
            }
        }
    }

    private Outcome command(String line, int lineNo) {
        List<String> words = Arrays.asList(line.split("\\s+"));
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        try {
            switch (name) {
                case ".quit":
                case ".exit":
                    return Outcome.QUIT;
                case ".help":
                    out.println(".tables [PATTERN]    names of tables and views (LIKE pattern)");
                    out.println(
                            ".schema [TABLE]      CREATE statements, of one table (LIKE pattern) with its indexes and triggers");
                    out.println(".timer on|off        print the time each statement takes");
                    out.println(".quit, .exit         leave the shell");
                    out.println("SQL statements end with ';' and may span lines.");
                    return Outcome.OK;
                case ".tables":
                    for (String table : strings(
                            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                                    + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                                    + (args.isEmpty() ? "" : " AND name LIKE ?") + " ORDER BY name",
                            args)) {
                        out.println(table);
                    }
                    return Outcome.OK;
                case ".schema":
                    // creation order, so the statements can be replayed as they are
                    for (String sql : strings(
                            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
                                    + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                                    + (args.isEmpty() ? "" : " AND tbl_name LIKE ?") + " ORDER BY rowid",
                            args)) {
                        out.println(sql + ";");
                    }
                    return Outcome.OK;
                case ".timer":
                    if (args.size() != 1
                            || !(args.get(0).equals("on") || args.get(0).equals("off"))) {
                        error(lineNo, "usage: .timer on|off");
                        return Outcome.ERROR;
                    }
                    timer = args.get(0).equals("on");
                    return Outcome.OK;
                default:
                    error(lineNo, "unknown command " + name + " (try .help)");
                    return Outcome.ERROR;
            }
        } catch (SQLException e) {
            error(lineNo, Main.describe(e));
            return Outcome.ERROR;
        }
    }

    /** The first column of a query's rows, with at most one parameter (a LIKE pattern). */
    private List<String> strings(String sql, List<String> args) throws SQLException {
        List<String> result = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            if (!args.isEmpty()) {
                ps.setString(1, args.get(0));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
            }
        }
        return result;
    }

    private void error(int line, String message) {
        // A script names the line, so the failing statement can be found in a long file.
        err.println(interactive ? "error: " + message : "shmlite: line " + line + ": " + message);
    }

    /**
     * Prints a result set as a table. Numbers are right-aligned; the first rows size the columns
     * and later rows are printed as they come.
     */
    private void printTable(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        final int n = md.getColumnCount();
        final String[] labels = new String[n];
        final int[] widths = new int[n];
        final boolean[] right = new boolean[n];
        Arrays.fill(right, true);
        for (int i = 0; i < n; i++) {
            labels[i] = cleanText(md.getColumnLabel(i + 1));
            widths[i] = labels[i].length();
        }
        List<String[]> block = new ArrayList<>();
        boolean more = rs.next();
        while (more && block.size() < SIZING_ROWS) {
            String[] row = new String[n];
            for (int i = 0; i < n; i++) {
                Object value = rs.getObject(i + 1);
                row[i] = cell(rs, i + 1, value);
                right[i] &= value == null || value instanceof Number;
                widths[i] = Math.max(widths[i], row[i].length());
            }
            block.add(row);
            more = rs.next();
        }
        final String border = border(widths);
        out.println(border);
        out.println(line(labels, widths, new boolean[n]));
        out.println(border);
        long count = 0;
        for (String[] row : block) {
            out.println(line(row, widths, right));
            count++;
        }
        while (more) {
            String[] row = new String[n];
            for (int i = 0; i < n; i++) {
                row[i] = cell(rs, i + 1, rs.getObject(i + 1));
            }
            out.println(line(row, widths, right));
            count++;
            more = rs.next();
        }
        out.println(border);
        out.println("(" + count + (count == 1 ? " row)" : " rows)"));
    }

    private static String cell(ResultSet rs, int column, Object value) throws SQLException {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof byte[]) {
            byte[] bytes = (byte[]) value;
            StringBuilder hex = new StringBuilder("X'");
            for (int i = 0; i < Math.min(bytes.length, BLOB_BYTES_SHOWN); i++) {
                hex.append(String.format("%02X", bytes[i] & 0xff));
            }
            hex.append('\'');
            if (bytes.length > BLOB_BYTES_SHOWN) {
                hex.append("... (").append(bytes.length).append(" bytes)");
            }
            return hex.toString();
        }
        // getString gives the stored text (getObject may have converted it, e.g. to a date).
        return cleanText(rs.getString(column));
    }

    /** Control characters would break the table's lines: show them escaped. */
    private static String cleanText(String s) {
        if (s == null) {
            return "NULL";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' || c == 0x7f) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : String.format("\\x%02x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    private static String border(int[] widths) {
        StringBuilder b = new StringBuilder("+");
        for (int w : widths) {
            b.append("-".repeat(w + 2)).append('+');
        }
        return b.toString();
    }

    private static String line(String[] cells, int[] widths, boolean[] right) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(Math.max(0, widths[i] - cells[i].length()));
            b.append(' ').append(right[i] ? pad + cells[i] : cells[i] + pad).append(" |");
        }
        return b.toString();
    }

    /** {@link #scan} found no token and nothing left open. */
    private static final int NOTHING = -1;
    /** {@link #scan} found no token but a comment still open at the end. */
    private static final int OPEN_COMMENT = -2;

    /** True when the text holds anything but whitespace, comments and semicolons. */
    static boolean hasTokens(CharSequence sql) {
        return scan(sql, true) >= 0;
    }

    /** The index just past the {@code ;} ending the first complete statement, or -1. */
    static int endOfStatement(CharSequence sql) {
        return scan(sql, false);
    }

    /**
     * Walks SQL text skipping quoted strings and identifiers and comments. With
     * {@code firstToken}, returns the index of the first token, or {@link #NOTHING}, or
     * {@link #OPEN_COMMENT}; otherwise returns the index after the {@code ;} that ends the first
     * statement, or a negative number. Inside {@code CREATE TRIGGER} only a {@code ;} right after
     * {@code END} ends it, as with sqlite3.
     */
    private static int scan(CharSequence sql, boolean firstToken) {
        final int n = sql.length();
        final List<String> firstWords = new ArrayList<>(3);
        String lastWord = "";
        boolean tokens = false;
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.toString().indexOf("*/", i + 2);
                if (close < 0) {
                    return tokens ? -1 : OPEN_COMMENT;
                }
                i = close + 2;
            } else if (c == ';') {
                if (!firstToken && tokens && (!isTrigger(firstWords) || lastWord.equalsIgnoreCase("END"))) {
                    return i + 1;
                }
                lastWord = ";";
                i++;
            } else {
                if (firstToken) {
                    return i;
                }
                tokens = true;
                if (c == '\'' || c == '"' || c == '`' || c == '[') {
                    char close = c == '[' ? ']' : c;
                    int j = i + 1;
                    while (true) {
                        if (j >= n) {
                            return -1;
                        }
                        if (sql.charAt(j) == close) {
                            // a doubled quote is an escaped quote (not for [...])
                            if (close != ']' && j + 1 < n && sql.charAt(j + 1) == close) {
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        j++;
                    }
                    lastWord = "";
                    i = j + 1;
                } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                    int j = i;
                    while (j < n
                            && (Character.isLetterOrDigit(sql.charAt(j))
                                    || sql.charAt(j) == '_'
                                    || sql.charAt(j) == '$')) {
                        j++;
                    }
                    lastWord = sql.subSequence(i, j).toString();
                    if (firstWords.size() < 3) {
                        firstWords.add(lastWord.toUpperCase(Locale.ROOT));
                    }
                    i = j;
                } else {
                    lastWord = "";
                    i++;
                }
            }
        }
        return NOTHING;
    }

    private static boolean isTrigger(List<String> firstWords) {
        if (firstWords.size() < 2 || !firstWords.get(0).equals("CREATE")) {
            return false;
        }
        String second = firstWords.get(1);
        return second.equals("TRIGGER")
                || ((second.equals("TEMP") || second.equals("TEMPORARY"))
                        && firstWords.size() > 2
                        && firstWords.get(2).equals("TRIGGER"));
    }
}
