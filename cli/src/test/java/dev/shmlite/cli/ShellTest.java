package dev.shmlite.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Where the shell decides that a statement is complete. */
class ShellTest {
    private static int end(String sql) {
        return Shell.endOfStatement(sql);
    }

    @Test
    void aStatementEndsAtItsSemicolon() {
        assertEquals("SELECT 1;".length(), end("SELECT 1; SELECT 2;"));
        assertEquals(-1, end("SELECT 1"));
        assertEquals(-1, end("SELECT 'a;b'"));
        assertEquals("SELECT 'it''s;';".length(), end("SELECT 'it''s;';"));
        assertEquals(-1, end("SELECT \"a;b"));
        assertEquals(-1, end("SELECT [a;b"));
        assertEquals(-1, end("SELECT `a;b"));
        assertEquals(-1, end("SELECT 1 -- ;\n"));
        assertEquals(-1, end("SELECT 1 /* ; */"));
        assertEquals(-1, end("SELECT 1 /* ; "));
        assertEquals(-1, end(";;  ;"));
    }

    @Test
    void aTriggerEndsAfterEnd() {
        String body = "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES (1); DELETE FROM v;";
        assertEquals(-1, end(body));
        assertEquals(body.length() + " END;".length(), end(body + " END; SELECT 1;"));
        assertEquals("CREATE TABLE trigger_log(x);".length(), end("CREATE TABLE trigger_log(x); SELECT 1;"));
    }

    @Test
    void onlyCommentsAndSemicolonsAreNoStatement() {
        assertFalse(Shell.hasTokens("  ;\n -- note\n /* x */ ;"));
        assertTrue(Shell.hasTokens(" -- note\n x"));
        assertTrue(Shell.hasTokens("'"));
    }
}
