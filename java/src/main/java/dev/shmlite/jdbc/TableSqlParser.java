package dev.shmlite.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads constraint names out of a {@code CREATE TABLE} statement as SQLite stores it in
 * {@code sqlite_schema.sql}. SQLite keeps no catalog of constraint names: the SQL text is the only
 * place they live, so {@code getPrimaryKeys} (PK_NAME) and the foreign-key methods (FK_NAME) ask
 * this class.
 *
 * <p>A real tokenizer, not a regex over the text: string literals, quoted identifiers
 * ({@code "x"}, {@code [x]}, {@code `x`}, with doubled quotes), {@code --} and {@code /* *&#47;}
 * comments and nested parentheses are skipped correctly, so a comment or a CHECK expression
 * mentioning "primary key" is not mistaken for the key. Both column-level
 * ({@code id INTEGER CONSTRAINT pk_t PRIMARY KEY}, {@code pid CONSTRAINT fk REFERENCES p})
 * and table-level ({@code CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES p (x, y)}) constraints are
 * read. Unnamed constraints have a null name (SQLite gives them none; a made-up name would not
 * survive a round trip through the DDL).
 */
final class TableSqlParser {
    /** A foreign key as written: its name (null when unnamed), child columns and parent table. */
    static final class ForeignKey {
        final String name;
        final List<String> columns;
        final String parent;

        ForeignKey(String name, List<String> columns, String parent) {
            this.name = name;
            this.columns = columns;
            this.parent = parent;
        }
    }

    /** The constraint names of one table. */
    static final class Constraints {
        /** Name of the primary key constraint, null when unnamed or absent. */
        String primaryKeyName;
        /** Foreign keys in declaration order. */
        final List<ForeignKey> foreignKeys = new ArrayList<>();

        /**
         * The name of the foreign key with these child columns to this parent (case-insensitive),
         * null if none was named; each declared key is matched at most once ({@code used}).
         */
        String foreignKeyName(List<String> childColumns, String parent, boolean[] used) {
            for (int i = 0; i < foreignKeys.size(); i++) {
                ForeignKey fk = foreignKeys.get(i);
                if (!used[i] && fk.parent.equalsIgnoreCase(parent) && sameNames(fk.columns, childColumns)) {
                    used[i] = true;
                    return fk.name;
                }
            }
            return null;
        }
    }

    private static boolean sameNames(List<String> a, List<String> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equalsIgnoreCase(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Token kinds. */
    private enum Kind {
        WORD,
        QUOTED,
        STRING,
        NUMBER,
        PUNCT
    }

    private static final class Token {
        final Kind kind;
        final String text; // identifiers unquoted; punctuation as the character

        Token(Kind kind, String text) {
            this.kind = kind;
            this.text = text;
        }

        boolean is(String keyword) {
            return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
        }

        boolean isPunct(char c) {
            return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
        }

        boolean isName() {
            return kind == Kind.WORD || kind == Kind.QUOTED || kind == Kind.STRING;
        }
    }

    private TableSqlParser() {}

    /** Splits SQL into tokens; comments and whitespace are dropped. Malformed tails end the list. */
    static List<Token> tokenize(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
                char close = c == '[' ? ']' : c;
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (d == close) {
                        if (close != ']' && j + 1 < n && sql.charAt(j + 1) == close) {
                            sb.append(d); // doubled quote inside the quotes
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    sb.append(d);
                    j++;
                }
                out.add(new Token(c == '\'' ? Kind.STRING : Kind.QUOTED, sb.toString()));
                i = j + 1;
            } else if (Character.isLetter(c) || c == '_' || c > 127) {
                int j = i;
                while (j < n
                        && (Character.isLetterOrDigit(sql.charAt(j))
                                || sql.charAt(j) == '_'
                                || sql.charAt(j) == '$'
                                || sql.charAt(j) > 127)) {
                    j++;
                }
                out.add(new Token(Kind.WORD, sql.substring(i, j)));
                i = j;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '.')) {
                    j++;
                }
                out.add(new Token(Kind.NUMBER, sql.substring(i, j)));
                i = j;
            } else {
                out.add(new Token(Kind.PUNCT, String.valueOf(c)));
                i++;
            }
        }
        return out;
    }

    /** The constraint names of a {@code CREATE TABLE} statement; empty for anything else. */
    static Constraints parse(String sql) {
        Constraints result = new Constraints();
        if (sql == null) {
            return result;
        }
        List<Token> t = tokenize(sql);
        // CREATE [TEMP|TEMPORARY] TABLE [IF NOT EXISTS] [schema.]name ( ... ) — skip to the "(".
        if (t.size() < 3 || !t.get(0).is("CREATE")) {
            return result;
        }
        int i = 1;
        while (i < t.size() && !t.get(i).isPunct('(')) {
            if (t.get(i).is("AS") || t.get(i).is("VIRTUAL")) {
                return result; // CREATE TABLE ... AS SELECT, virtual tables: no constraints
            }
            i++;
        }
        i++;
        // Each top-level element up to its comma or the closing ")".
        while (i < t.size()) {
            int end = elementEnd(t, i);
            element(t, i, end, result);
            if (end >= t.size() || t.get(end).isPunct(')')) {
                break;
            }
            i = end + 1;
        }
        return result;
    }

    /** Index of the "," or ")" ending the element starting at {@code i}, at nesting depth 0. */
    private static int elementEnd(List<Token> t, int i) {
        int depth = 0;
        for (; i < t.size(); i++) {
            Token k = t.get(i);
            if (k.isPunct('(')) {
                depth++;
            } else if (k.isPunct(')')) {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (k.isPunct(',') && depth == 0) {
                return i;
            }
        }
        return i;
    }

    private static boolean startsTableConstraint(Token k) {
        return k.is("CONSTRAINT") || k.is("PRIMARY") || k.is("UNIQUE") || k.is("CHECK") || k.is("FOREIGN");
    }

    /** One column definition or table constraint, tokens {@code [from, to)}. */
    private static void element(List<Token> t, int from, int to, Constraints result) {
        if (from >= to) {
            return;
        }
        boolean table = startsTableConstraint(t.get(from));
        String column = table ? null : t.get(from).text;
        int i = table ? from : from + 1;
        String name = null;
        int depth = 0;
        while (i < to) {
            Token k = t.get(i);
            if (k.isPunct('(')) {
                depth++;
                i++;
                continue;
            }
            if (k.isPunct(')')) {
                depth--;
                i++;
                continue;
            }
            if (depth > 0) {
                i++; // inside a type argument, CHECK or DEFAULT expression
                continue;
            }
            if (k.is("CONSTRAINT") && i + 1 < to) {
                name = t.get(i + 1).text;
                i += 2;
                continue;
            }
            if (k.is("PRIMARY")) {
                result.primaryKeyName = name;
                name = null;
            } else if (k.is("FOREIGN") && table) {
                i = foreignKey(t, i + 1, to, name, result);
                name = null;
                continue;
            } else if (k.is("REFERENCES") && column != null) {
                List<String> cols = new ArrayList<>();
                cols.add(column);
                i = references(t, i + 1, to, name, cols, result);
                name = null;
                continue;
            } else if (k.is("NOT")
                    || k.is("NULL")
                    || k.is("UNIQUE")
                    || k.is("CHECK")
                    || k.is("DEFAULT")
                    || k.is("COLLATE")
                    || k.is("GENERATED")
                    || k.is("AS")) {
                name = null; // a named constraint of another kind: its name is not a key's
            }
            i++;
        }
    }

    /** {@code KEY (cols) REFERENCES ...} after FOREIGN; returns the index after the parent. */
    private static int foreignKey(List<Token> t, int i, int to, String name, Constraints result) {
        if (i < to && t.get(i).is("KEY")) {
            i++;
        }
        List<String> cols = new ArrayList<>();
        if (i < to && t.get(i).isPunct('(')) {
            i++;
            while (i < to && !t.get(i).isPunct(')')) {
                if (t.get(i).isName()) {
                    cols.add(t.get(i).text);
                }
                i++;
            }
            i++;
        }
        if (i < to && t.get(i).is("REFERENCES")) {
            return references(t, i + 1, to, name, cols, result);
        }
        return i;
    }

    /** The parent table after REFERENCES; records the key; returns the index after the parent name. */
    private static int references(List<Token> t, int i, int to, String name, List<String> cols, Constraints result) {
        if (i < to && t.get(i).isName()) {
            String parent = t.get(i).text;
            i++;
            // [schema.]parent is not valid SQLite for REFERENCES, but tolerate it.
            if (i + 1 < to && t.get(i).isPunct('.') && t.get(i + 1).isName()) {
                parent = t.get(i + 1).text;
                i += 2;
            }
            result.foreignKeys.add(new ForeignKey(name, cols, parent));
        }
        return i;
    }
}
