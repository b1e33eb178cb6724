package dev.shmlite.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Column metadata from the prepared statement (a {@link ColumnInfo} per column: label, origin
 * column, declared type, origin table, origin database, origin facts). Types come from the declared type
 * by SQLite's affinity rules, never from the values, so they are the same before and after
 * {@code next()} and for every row (MyBatis picks its type handlers from them before reading).
 * For a column that comes straight from a table, nullability, primary-key and auto-numbering
 * facts come from SQLite's schema ({@code sqlite3_table_column_metadata}), and precision, scale
 * and display size from the declared type's arguments ({@code DECIMAL(10,2)}, {@code VARCHAR(40)});
 * expressions stay "unknown".
 */
public final class ShmliteResultSetMetaData implements ResultSetMetaData {
    private final ColumnInfo[] columns;
    private final int count;
    private final int[] types;
    /** First index of each exact label; case-insensitive lookups fall back to a scan. */
    private final Map<String, Integer> byLabel;

    /** @param columns the result columns, e.g. {@link ColumnInfo#fromNative} of {@code Native.columns} */
    ShmliteResultSetMetaData(ColumnInfo[] columns) {
        this.columns = columns;
        this.count = columns.length;
        this.types = new int[count];
        this.byLabel = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            types[i] = sqlType(columns[i].declType);
            byLabel.putIfAbsent(label(i), i);
        }
    }

    /** The description of the 0-based column {@code i} (no range check). */
    ColumnInfo column(int i) {
        return columns[i];
    }

    /** The JDBC type of a declared column type, by SQLite's affinity rules (OTHER when undeclared). */
    static int sqlType(String declared) {
        if (declared == null || declared.isEmpty()) {
            return Types.OTHER;
        }
        String d = declared.toUpperCase(Locale.ROOT);
        if (d.contains("BOOL")) {
            return Types.BOOLEAN;
        }
        if (d.contains("INT")) {
            return Types.BIGINT;
        }
        if (d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT")) {
            return Types.VARCHAR;
        }
        if (d.contains("BLOB")) {
            return Types.BLOB;
        }
        if (d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB")) {
            return Types.DOUBLE;
        }
        if (d.contains("DATETIME") || d.contains("TIMESTAMP")) {
            return Types.TIMESTAMP;
        }
        if (d.contains("DATE")) {
            return Types.DATE;
        }
        if (d.contains("TIME")) {
            return Types.TIME;
        }
        if (d.contains("NUMERIC") || d.contains("DECIMAL") || d.contains("NUMBER")) {
            return Types.NUMERIC;
        }
        return Types.OTHER;
    }

    /** The Java class matching {@link #sqlType}, as {@link #getColumnClassName} reports it. */
    static String className(int type) {
        switch (type) {
            case Types.BIGINT:
                return "java.lang.Long";
            case Types.VARCHAR:
                return "java.lang.String";
            case Types.BLOB:
                return "[B";
            case Types.DOUBLE:
                return "java.lang.Double";
            case Types.NUMERIC:
                return "java.math.BigDecimal";
            case Types.BOOLEAN:
                return "java.lang.Boolean";
            case Types.DATE:
                return "java.sql.Date";
            case Types.TIME:
                return "java.sql.Time";
            case Types.TIMESTAMP:
                return "java.sql.Timestamp";
            default:
                return "java.lang.Object";
        }
    }

    int count() {
        return count;
    }

    /** The JDBC type of the 0-based column {@code i} (no range check). */
    int type(int i) {
        return types[i];
    }

    private String label(int i) {
        String l = columns[i].label;
        return l != null ? l : "column" + (i + 1);
    }

    /** 0-based index of the first column labelled {@code label} (case-insensitive), or -1. */
    int indexOf(String label) {
        if (label == null) {
            return -1;
        }
        Integer exact = byLabel.get(label);
        if (exact != null) {
            return exact;
        }
        for (int i = 0; i < count; i++) {
            if (label(i).equalsIgnoreCase(label)) {
                return i;
            }
        }
        return -1;
    }

    private int check(int column) throws SQLException {
        if (column < 1 || column > count) {
            throw new SQLException("column index " + column + " out of range 1.." + count, "07009");
        }
        return column - 1;
    }

    /** Number of columns. */
    @Override
    public int getColumnCount() {
        return count;
    }

    /** The label (honours AS). */
    @Override
    public String getColumnLabel(int column) throws SQLException {
        return label(check(column));
    }

    /** The origin column name, or the label for expressions. */
    @Override
    public String getColumnName(int column) throws SQLException {
        int i = check(column);
        String name = columns[i].origin;
        return name != null ? name : label(i);
    }

    /** The JDBC type from the declared type (see class comment); OTHER when undeclared. */
    @Override
    public int getColumnType(int column) throws SQLException {
        return types[check(column)];
    }

    /** The declared type as written, or "" for expressions. */
    @Override
    public String getColumnTypeName(int column) throws SQLException {
        String t = columns[check(column)].declType;
        return t != null ? t : "";
    }

    /** The class matching {@link #getColumnType}: Long, Double, String, [B, BigDecimal, Boolean, java.sql dates or Object. */
    @Override
    public String getColumnClassName(int column) throws SQLException {
        return className(types[check(column)]);
    }

    /** The origin table, or "" for expressions. */
    @Override
    public String getTableName(int column) throws SQLException {
        String t = columns[check(column)].table;
        return t != null ? t : "";
    }

    /** The origin database (temp or an attached name); "" for main (no schema) and expressions. */
    @Override
    public String getSchemaName(int column) throws SQLException {
        String d = columns[check(column)].database;
        return d != null && !"main".equalsIgnoreCase(d) ? d : "";
    }

    /** Whether the origin facts of 0-based column {@code i} contain {@code letter}. */
    private boolean fact(int i, char letter) {
        return columns[i].hasFact(letter);
    }

    /** The n-th number in the parentheses of the declared type of 0-based column {@code i}, or -1. */
    private int typeArg(int i, int n) {
        String d = columns[i].declType;
        if (d == null) {
            return -1;
        }
        int open = d.indexOf('(');
        int close = d.indexOf(')', open + 1);
        if (open < 0 || close < 0) {
            return -1;
        }
        String[] parts = d.substring(open + 1, close).split(",");
        if (n >= parts.length) {
            return -1;
        }
        try {
            return Math.max(-1, Integer.parseInt(parts[n].trim()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Always "": SQLite has no catalogs. */
    @Override
    public String getCatalogName(int column) throws SQLException {
        check(column);
        return "";
    }

    /**
     * True for a column straight from a table's rowid alias ({@code INTEGER PRIMARY KEY}, with or
     * without AUTOINCREMENT), which SQLite numbers automatically, as getColumns IS_AUTOINCREMENT.
     */
    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        return fact(check(column), 'A');
    }

    /** True for text and undeclared columns (SQLite compares text case-sensitively by default). */
    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        int t = types[check(column)];
        return t == Types.VARCHAR || t == Types.OTHER;
    }

    /** Always true. */
    @Override
    public boolean isSearchable(int column) throws SQLException {
        check(column);
        return true;
    }

    /** Always false. */
    @Override
    public boolean isCurrency(int column) throws SQLException {
        check(column);
        return false;
    }

    /**
     * For a column straight from a table: columnNoNulls when declared NOT NULL or the rowid
     * alias, else columnNullable. columnNullableUnknown for expressions (an outer join or
     * aggregate can make any value NULL, and SQLite does not track it).
     */
    @Override
    public int isNullable(int column) throws SQLException {
        int i = check(column);
        if (columns[i].facts == null) {
            return columnNullableUnknown;
        }
        return fact(i, 'N') ? columnNoNulls : columnNullable;
    }

    /** True for numeric types. */
    @Override
    public boolean isSigned(int column) throws SQLException {
        int t = types[check(column)];
        return t == Types.BIGINT || t == Types.DOUBLE || t == Types.NUMERIC;
    }

    /**
     * The declared length of text ({@code VARCHAR(40)}: 40) and the declared precision of
     * numbers plus sign and point ({@code DECIMAL(10,2)}: 12); otherwise a typical width for the
     * type, Integer.MAX_VALUE for text, blobs and undeclared.
     */
    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        int i = check(column);
        int size = typeArg(i, 0);
        switch (types[i]) {
            case Types.BOOLEAN:
                return 5;
            case Types.BIGINT:
                return 20;
            case Types.DOUBLE:
                return 25;
            case Types.DATE:
                return 10;
            case Types.TIME:
                return 12;
            case Types.TIMESTAMP:
                return 23;
            case Types.NUMERIC:
                return size > 0 ? size + (typeArg(i, 1) > 0 ? 2 : 1) : 40;
            case Types.VARCHAR:
                return size > 0 ? size : Integer.MAX_VALUE;
            default:
                return Integer.MAX_VALUE;
        }
    }

    /**
     * The first argument of the declared type: precision of {@code DECIMAL(10,2)} (10), length of
     * {@code VARCHAR(40)} (40); 0 when the type has none (SQLite enforces neither).
     */
    @Override
    public int getPrecision(int column) throws SQLException {
        return Math.max(0, typeArg(check(column), 0));
    }

    /** The second argument of the declared type: scale of {@code DECIMAL(10,2)} (2); else 0. */
    @Override
    public int getScale(int column) throws SQLException {
        return Math.max(0, typeArg(check(column), 1));
    }

    /** True for expressions (no origin table). */
    @Override
    public boolean isReadOnly(int column) throws SQLException {
        return columns[check(column)].table == null;
    }

    /** True for table columns. */
    @Override
    public boolean isWritable(int column) throws SQLException {
        return !isReadOnly(column);
    }

    /** Always false. */
    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        check(column);
        return false;
    }

    /** Unwraps to this object. */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    /** True for interfaces this class implements. */
    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
