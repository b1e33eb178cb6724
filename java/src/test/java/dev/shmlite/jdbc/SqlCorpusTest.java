package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared corpus of tricky SQL ({@code rust/core/tests/data/sql_corpus.txt}), run against
 * {@link SqlLexer}; the core runs the same file against its scanner ({@code rust/core/src/sql_corpus.rs}),
 * so both skip the same trivia and see the same first keyword. No native library needed.
 */
class SqlCorpusTest {
    /** The corpus, found from the module directory (Maven runs tests in {@code java/}) or the repository root. */
    static Path corpus() {
        Path rel = Paths.get("rust", "core", "tests", "data", "sql_corpus.txt");
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(rel))) {
                return dir.resolve(rel);
            }
        }
        throw new AssertionError("no " + rel + " above " + Paths.get("").toAbsolutePath());
    }

    @Test
    void theDriverScannerClassifiesTheSharedCorpus() throws IOException {
        List<String> wrong = new ArrayList<>();
        int cases = 0;
        int lineNo = 0;
        for (String line : Files.readAllLines(corpus(), StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.startsWith("#") || line.trim().isEmpty()) {
                continue;
            }
            String[] f = line.split("\\|", 5);
            assertTrue(f.length == 5, "line " + lineNo + ": five fields");
            String word = f[0].trim();
            String insert = f[2].trim();
            String oneRow = f[3].trim();
            String text = unescape(f[4].startsWith(" ") ? f[4].substring(1) : f[4]);
            byte[] sql = text.getBytes(StandardCharsets.UTF_8);
            cases++;
            String gotWord = firstWord(sql);
            if (!gotWord.equals(word)) {
                wrong.add("line " + lineNo + ": word " + gotWord + " != " + word + ": " + text);
            }
            boolean gotInsert = SqlLexer.isInsert(sql);
            if (gotInsert != "yes".equals(insert)) {
                wrong.add("line " + lineNo + ": insert " + gotInsert + " != " + insert + ": " + text);
            }
            if (!"-".equals(oneRow)) {
                boolean gotOne = SqlLexer.singleRowValues(sql, SqlLexer.statementEnd(sql));
                if (gotOne != "yes".equals(oneRow)) {
                    wrong.add("line " + lineNo + ": onerow " + gotOne + " != " + oneRow + ": " + text);
                }
            }
        }
        assertTrue(cases >= 40, "the corpus lost its cases: " + cases);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** The first word after {@link SqlLexer#skipTrivia}: its ASCII letters in upper case, "-" when none. */
    private static String firstWord(byte[] sql) {
        StringBuilder w = new StringBuilder();
        for (int i = SqlLexer.skipTrivia(sql, 0); i < sql.length; i++) {
            byte b = sql[i];
            if (!(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z')) {
                break;
            }
            w.append(Character.toUpperCase((char) b));
        }
        return w.length() == 0 ? "-" : w.toString();
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n':
                    out.append('\n');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case 't':
                    out.append('\t');
                    break;
                case 'f':
                    out.append('\f');
                    break;
                case '\\':
                    out.append('\\');
                    break;
                default:
                    throw new AssertionError("bad escape \\" + e + " in " + s);
            }
        }
        return out.toString();
    }
}
