package dev.shmlite.jdbc;

/**
 * What SQLite tells about one result column: an immutable record of the {@link #FIELDS}
 * strings per column that {@code Native.columns} returns (in this order; rust/core/src/describe.rs
 * {@code FIELDS}). Read once per described statement (the connection caches descriptions),
 * never per row.
 */
final class ColumnInfo {
    /** Strings per column in {@code Native.columns}: label, origin column, declared type, table, database, facts. */
    static final int FIELDS = 6;

    /** The column label (honours AS); null when SQLite has none. */
    final String label;
    /** The origin table column's name; null for an expression. */
    final String origin;
    /** The declared type as written; null for an expression or an undeclared column. */
    final String declType;
    /** The origin table; null for an expression. */
    final String table;
    /** The origin database ({@code main}, {@code temp} or an attached name); null for an expression. */
    final String database;
    /**
     * The origin column's schema facts, letters of rust/core/src/describe.rs: {@code N} not null,
     * {@code P} primary key, {@code A} numbered automatically; null for an expression.
     */
    final String facts;

    ColumnInfo(String label, String origin, String declType, String table, String database, String facts) {
        this.label = label;
        this.origin = origin;
        this.declType = declType;
        this.table = table;
        this.database = database;
        this.facts = facts;
    }

    /** A column computed by the driver (metadata result sets, generated keys): a name and a declared type. */
    static ColumnInfo computed(String name, String declType) {
        return new ColumnInfo(name, name, declType, null, null, null);
    }

    /** The columns of a {@code Native.columns} answer, {@link #FIELDS} strings each. */
    static ColumnInfo[] fromNative(String[] flat) {
        ColumnInfo[] columns = new ColumnInfo[flat.length / FIELDS];
        for (int i = 0, at = 0; i < columns.length; i++, at += FIELDS) {
            columns[i] = new ColumnInfo(flat[at], flat[at + 1], flat[at + 2], flat[at + 3], flat[at + 4], flat[at + 5]);
        }
        return columns;
    }

    /** This column with another declared type. */
    ColumnInfo withDeclType(String type) {
        return new ColumnInfo(label, origin, type, table, database, facts);
    }

    /** Whether the facts contain {@code letter}. */
    boolean hasFact(char letter) {
        return facts != null && facts.indexOf(letter) >= 0;
    }
}
