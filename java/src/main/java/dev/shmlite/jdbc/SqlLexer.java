package dev.shmlite.jdbc;

/**
 * The little SQL scanning the driver needs before SQLite sees the SQL: skipping trivia
 * (whitespace, {@code ;}, comments), stepping over quoted strings, identifiers and comments,
 * finding the end of the first statement, and telling an INSERT (with its number of rows) from
 * the rest. SQLite itself parses everything else.
 *
 * <p>The rules are the core's ({@code rust/core/src/conn.rs} {@code skip_trivia},
 * {@code session.rs} {@code kind_of}): both are checked against one corpus of tricky SQL,
 * {@code rust/core/tests/data/sql_corpus.txt} ({@code SqlCorpusTest} here, {@code sql_corpus}
 * in the core). All methods work on UTF-8 bytes and allocate nothing.
 */
final class SqlLexer {
    private SqlLexer() {}

    /** Offset of the first byte at or after {@code i} that is not whitespace, ';' or a comment. */
    static int skipTrivia(byte[] sql, int i) {
        int n = sql.length;
        while (i < n) {
            byte b = sql[i];
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == ';') {
                i++;
            } else if (b == '-' && i + 1 < n && sql[i + 1] == '-') {
                while (i < n && sql[i] != '\n') {
                    i++;
                }
            } else if (b == '/' && i + 1 < n && sql[i + 1] == '*') {
                int end = i + 2;
                while (end + 1 < n && !(sql[end] == '*' && sql[end + 1] == '/')) {
                    end++;
                }
                i = end + 1 < n ? end + 2 : n;
            } else {
                return i;
            }
        }
        return n;
    }

    /** Offset just past a quoted string, identifier or comment starting at {@code i}; {@code i + 1} otherwise. */
    static int skipToken(byte[] sql, int i) {
        int n = sql.length;
        byte b = sql[i];
        byte close;
        switch (b) {
            case '\'':
            case '"':
            case '`':
                close = b;
                break;
            case '[':
                close = ']';
                break;
            case '-':
                if (i + 1 < n && sql[i + 1] == '-') {
                    while (i < n && sql[i] != '\n') {
                        i++;
                    }
                    return i;
                }
                return i + 1;
            case '/':
                if (i + 1 < n && sql[i + 1] == '*') {
                    for (int j = i + 2; j + 1 < n; j++) {
                        if (sql[j] == '*' && sql[j + 1] == '/') {
                            return j + 2;
                        }
                    }
                    return n;
                }
                return i + 1;
            default:
                return i + 1;
        }
        for (int j = i + 1; j < n; j++) {
            if (sql[j] == close) {
                if (close != ']' && j + 1 < n && sql[j + 1] == close) {
                    j++; // doubled quote inside the string
                } else {
                    return j + 1;
                }
            }
        }
        return n;
    }

    /** Offset of the {@code ;} ending the first statement, or {@code sql.length}. */
    static int statementEnd(byte[] sql) {
        int depth = 0;
        for (int i = 0; i < sql.length; ) {
            byte b = sql[i];
            if (b == ';' && depth == 0) {
                return i;
            }
            if (b == '(') {
                depth++;
            } else if (b == ')') {
                depth--;
            }
            i = skipToken(sql, i);
        }
        return sql.length;
    }

    /** True for a byte that can be part of an unquoted identifier or keyword. */
    static boolean identifierByte(byte b) {
        return b == '_' || b == '$' || (b & 0x80) != 0 || Character.isLetterOrDigit((char) b);
    }

    /**
     * True when the keyword {@code word} (upper case) starts at {@code i}, in any case, and is
     * not the start of a longer word.
     */
    static boolean keyword(byte[] sql, int i, String word) {
        int n = word.length();
        if (i + n > sql.length) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (Character.toUpperCase((char) sql[i + k]) != word.charAt(k)) {
                return false;
            }
        }
        return i + n == sql.length || !Character.isLetterOrDigit((char) (sql[i + n] & 0xFF)) && sql[i + n] != '_';
    }

    /**
     * True if the SQL's first statement is an INSERT or REPLACE (skipping whitespace and
     * comments), also after a {@code WITH} clause: then the first keyword at parenthesis depth 0
     * past the common table expressions (whose bodies are parenthesized) decides.
     */
    static boolean isInsert(byte[] sql) {
        int i = skipTrivia(sql, 0);
        if (keyword(sql, i, "INSERT") || keyword(sql, i, "REPLACE")) {
            return true;
        }
        if (!keyword(sql, i, "WITH")) {
            return false;
        }
        int depth = 0;
        for (i += 4; i < sql.length; ) {
            byte b = sql[i];
            if (b == '(') {
                depth++;
            } else if (b == ')') {
                depth--;
            } else if (b == ';' && depth == 0) {
                return false;
            } else if (depth == 0 && !identifierByte(sql[i - 1])) {
                if (keyword(sql, i, "INSERT") || keyword(sql, i, "REPLACE")) {
                    return true;
                }
                if (keyword(sql, i, "SELECT")
                        || keyword(sql, i, "VALUES")
                        || keyword(sql, i, "UPDATE")
                        || keyword(sql, i, "DELETE")) {
                    return false;
                }
            }
            i = skipToken(sql, i);
        }
        return false;
    }

    /**
     * True when the INSERT in {@code sql[0, end)} inserts at most one row per execution: its last
     * top-level VALUES is followed by nothing (DEFAULT VALUES) or by exactly one parenthesized
     * row, and nothing else (no second row, no SELECT, no upsert). Conservative: false when unsure.
     */
    static boolean singleRowValues(byte[] sql, int end) {
        int depth = 0;
        int values = -1;
        for (int i = 0; i < end; ) {
            byte b = sql[i];
            if (b == '(') {
                depth++;
            } else if (b == ')') {
                depth--;
            } else if (depth == 0 && (i == 0 || !identifierByte(sql[i - 1]))) {
                if (keyword(sql, i, "SELECT")) {
                    return false;
                }
                if (keyword(sql, i, "VALUES")) {
                    values = i + 6;
                }
            }
            i = skipToken(sql, i);
        }
        if (values < 0) {
            return false;
        }
        int i = skipTrivia(sql, values);
        if (i >= end) {
            return true;
        }
        if (sql[i] != '(') {
            return false;
        }
        depth = 0;
        while (i < end) {
            byte b = sql[i];
            if (b == '(') {
                depth++;
            } else if (b == ')' && --depth == 0) {
                return skipTrivia(sql, i + 1) >= end;
            }
            i = skipToken(sql, i);
        }
        return false;
    }
}
