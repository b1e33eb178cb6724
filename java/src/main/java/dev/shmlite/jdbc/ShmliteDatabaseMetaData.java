package dev.shmlite.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Database metadata. Catalog queries ({@code getTables}, {@code getColumns}, keys, indexes) run
 * SQL against {@code sqlite_schema} and the {@code pragma_*} table-valued functions through
 * internal prepared statements, then shape the rows in Java into result sets with the columns
 * the JDBC javadoc names. Schemas are SQLite's database names of temp and attached databases;
 * the main database's objects have no schema (null, as in sqlite-jdbc); catalogs are null.
 */
public final class ShmliteDatabaseMetaData implements DatabaseMetaData {
    private static final String ESCAPE = "\\";

    private final ShmliteConnection conn;

    ShmliteDatabaseMetaData(ShmliteConnection conn) {
        this.conn = conn;
    }

    // --- helpers -------------------------------------------------------------------------------

    /** Runs an internal query and returns its rows as objects. */
    private List<Object[]> query(String sql, Object... params) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = ps.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[n];
                    for (int c = 0; c < n; c++) {
                        row[c] = rs.getObject(c + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /**
     * A result set built in Java. {@code columns} are "NAME TYPE" pairs; the declared type drives
     * getColumnType like for any query.
     */
    private ResultSet result(String[] columns, List<Object[]> rows) throws SQLException {
        ColumnInfo[] info = new ColumnInfo[columns.length];
        for (int i = 0; i < columns.length; i++) {
            int sp = columns[i].indexOf(' ');
            info[i] = ColumnInfo.computed(columns[i].substring(0, sp), columns[i].substring(sp + 1));
        }
        if (conn.isClosed()) {
            throw ShmliteConnection.closedException();
        }
        return new ShmliteResultSet(null, conn, Wire.resultBuffer(rows), new ShmliteResultSetMetaData(info));
    }

    private ResultSet empty(String... columns) throws SQLException {
        return result(columns, new ArrayList<>());
    }

    private static String pattern(String p) {
        return p == null ? "%" : p;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static long num(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    /**
     * TYPE_NAME of a declared type: without its arguments ("VARCHAR(100)" gives "VARCHAR"), which
     * COLUMN_SIZE and DECIMAL_DIGITS carry, as other drivers do; tools that rebuild the type from
     * both (Liquibase snapshots and diffs) would otherwise write "VARCHAR(100)(100)".
     */
    private static String typeName(String declared) {
        if (declared == null) {
            return "";
        }
        int open = declared.indexOf('(');
        return (open < 0 ? declared : declared.substring(0, open)).trim();
    }

    /** The n-th number inside the parentheses of a declared type, e.g. VARCHAR(255) or DECIMAL(10,2). */
    private static Integer typeArg(String declared, int n) {
        if (declared == null) {
            return null;
        }
        int open = declared.indexOf('(');
        int close = declared.indexOf(')', open + 1);
        if (open < 0 || close < 0) {
            return null;
        }
        String[] parts = declared.substring(open + 1, close).split(",");
        if (n >= parts.length) {
            return null;
        }
        try {
            return Integer.valueOf(parts[n].trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static short rule(String action) {
        if (action == null) {
            return importedKeyNoAction;
        }
        switch (action.toUpperCase(Locale.ROOT)) {
            case "CASCADE":
                return importedKeyCascade;
            case "RESTRICT":
                return importedKeyRestrict;
            case "SET NULL":
                return importedKeySetNull;
            case "SET DEFAULT":
                return importedKeySetDefault;
            default:
                return importedKeyNoAction;
        }
    }

    // --- schemas: main, temp and every attached database --------------------------------------

    private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());

    /** The TEMP database's schema name; its tables have table type {@value #LOCAL_TEMPORARY}. */
    private static final String TEMP = "temp";

    /** Table type of TEMP tables: visible to this connection only, dropped when it closes. */
    static final String LOCAL_TEMPORARY = "LOCAL TEMPORARY";

    /** An identifier quoted for SQL text. */
    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * Whether {@code value} matches a JDBC LIKE pattern ({@code %}, {@code _}, escape {@code \}),
     * case-insensitively as SQLite's LIKE; a null pattern matches everything.
     */
    static boolean like(String pattern, String value) {
        if (pattern == null) {
            return true;
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                re.append(java.util.regex.Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return java.util.regex.Pattern.compile(
                        re.toString(),
                        java.util.regex.Pattern.CASE_INSENSITIVE
                                | java.util.regex.Pattern.UNICODE_CASE
                                | java.util.regex.Pattern.DOTALL)
                .matcher(value)
                .matches();
    }

    /** The main database's name; its objects are reported "without a schema" (TABLE_SCHEM null). */
    private static final String MAIN = "main";

    /**
     * TABLE_SCHEM of a database: null for main, as sqlite-jdbc reports every table (tools tuned to
     * SQLite, e.g. Liquibase's snapshots, match tables on a null schema), else the database name.
     */
    static String schemaLabel(String database) {
        return MAIN.equalsIgnoreCase(database) ? null : database;
    }

    /**
     * The databases whose objects a schema pattern selects, in SQLite's order: main, temp, then
     * attached databases. null selects all; "" (JDBC: "without a schema") and "main" select main;
     * otherwise a LIKE pattern on the database names. TEMP is included only once this connection
     * has used it when {@code withUnusedTemp} is false (an unused TEMP database holds nothing).
     */
    private List<String> schemas(String schemaPattern, boolean withUnusedTemp) throws SQLException {
        List<String> names = new ArrayList<>();
        for (Object[] r : query("SELECT name FROM pragma_database_list ORDER BY seq")) {
            names.add(str(r[0]));
        }
        if (withUnusedTemp && !names.contains(TEMP)) {
            names.add(Math.min(1, names.size()), TEMP);
        }
        if (schemaPattern != null && schemaPattern.isEmpty()) {
            names.removeIf(n -> !MAIN.equals(n));
        } else {
            names.removeIf(n -> !like(schemaPattern, n));
        }
        return names;
    }

    /** Constraint names of a table, read from its SQL (null SQL: none). */
    private TableSqlParser.Constraints constraints(String schema, String table) throws SQLException {
        List<Object[]> r = query(
                "SELECT sql FROM " + quote(schema) + ".sqlite_schema WHERE type = 'table'"
                        + " AND name = ? COLLATE NOCASE",
                table);
        return TableSqlParser.parse(r.isEmpty() ? null : str(r.get(0)[0]));
    }

    // --- catalog queries -----------------------------------------------------------------------

    /**
     * Tables and views matching the patterns (LIKE syntax, escape {@code \}) in every schema
     * matching {@code schemaPattern}: main, temp and attached databases (TABLE_SCHEM is the
     * database name, TABLE_CAT null). {@code sqlite_*} tables are "SYSTEM TABLE", tables of the
     * TEMP database "LOCAL TEMPORARY".
     */
    @Override
    public ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String schema : schemas(schemaPattern, false)) {
            for (Object[] r : query(
                    "SELECT name, type FROM " + quote(schema) + ".sqlite_schema WHERE type IN"
                            + " ('table', 'view') AND name LIKE ? ESCAPE '\\' ORDER BY name",
                    pattern(tableNamePattern))) {
                String name = str(r[0]);
                String type = "view".equals(r[1])
                        ? "VIEW"
                        : name.toLowerCase(Locale.ROOT).startsWith("sqlite_")
                                ? "SYSTEM TABLE"
                                : TEMP.equals(schema) ? LOCAL_TEMPORARY : "TABLE";
                if (types != null) {
                    boolean wanted = false;
                    for (String t : types) {
                        wanted |= type.equalsIgnoreCase(t);
                    }
                    if (!wanted) {
                        continue;
                    }
                }
                rows.add(new Object[] {null, schemaLabel(schema), name, type, null, null, null, null, null, null});
            }
        }
        // JDBC order: TABLE_TYPE, TABLE_CAT, TABLE_SCHEM, TABLE_NAME.
        rows.sort(Comparator.comparing((Object[] r) -> (String) r[3])
                .thenComparing(r -> (String) r[1], NULLS_FIRST)
                .thenComparing(r -> (String) r[2]));
        return result(
                new String[] {
                    "TABLE_CAT TEXT",
                    "TABLE_SCHEM TEXT",
                    "TABLE_NAME TEXT",
                    "TABLE_TYPE TEXT",
                    "REMARKS TEXT",
                    "TYPE_CAT TEXT",
                    "TYPE_SCHEM TEXT",
                    "TYPE_NAME TEXT",
                    "SELF_REFERENCING_COL_NAME TEXT",
                    "REF_GENERATION TEXT"
                },
                rows);
    }

    /** Columns of matching tables and views of every matching schema, from {@code pragma_table_xinfo}. */
    @Override
    public ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String schema : schemas(schemaPattern, false)) {
            List<Object[]> raw = query(
                    "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk,"
                            + " p.hidden FROM " + quote(schema) + ".sqlite_schema m, pragma_table_xinfo(m.name, ?) p"
                            + " WHERE m.type IN ('table', 'view') AND m.name LIKE ? ESCAPE '\\' AND p.name LIKE ? ESCAPE '\\'"
                            + " AND p.hidden <> 1 ORDER BY m.name, p.cid",
                    schema,
                    pattern(tableNamePattern),
                    pattern(columnNamePattern));
            Map<String, Integer> pkCount = new HashMap<>();
            for (Object[] r : raw) {
                if (num(r[6]) > 0) {
                    pkCount.merge(str(r[0]), 1, Integer::sum);
                }
            }
            for (Object[] r : raw) {
                String table = str(r[0]);
                String declared = str(r[3]);
                int type = ShmliteResultSetMetaData.sqlType(declared);
                // An INTEGER PRIMARY KEY alone is the rowid: it cannot be NULL and is assigned automatically.
                boolean rowid = num(r[6]) > 0
                        && pkCount.getOrDefault(table, 0) == 1
                        && "INTEGER".equalsIgnoreCase(declared == null ? "" : declared.trim());
                boolean notNull = num(r[4]) != 0 || rowid;
                Integer size = typeArg(declared, 0);
                long hidden = num(r[7]);
                rows.add(new Object[] {
                    null,
                    schemaLabel(schema),
                    table,
                    str(r[2]),
                    type,
                    typeName(declared),
                    size,
                    null,
                    typeArg(declared, 1),
                    10,
                    notNull ? columnNoNulls : columnNullable,
                    null,
                    str(r[5]),
                    null,
                    null,
                    size,
                    num(r[1]) + 1,
                    notNull ? "NO" : "YES",
                    null,
                    null,
                    null,
                    null,
                    rowid ? "YES" : "NO",
                    hidden == 2 || hidden == 3 ? "YES" : "NO"
                });
            }
        }
        return result(
                new String[] {
                    "TABLE_CAT TEXT",
                    "TABLE_SCHEM TEXT",
                    "TABLE_NAME TEXT",
                    "COLUMN_NAME TEXT",
                    "DATA_TYPE INTEGER",
                    "TYPE_NAME TEXT",
                    "COLUMN_SIZE INTEGER",
                    "BUFFER_LENGTH INTEGER",
                    "DECIMAL_DIGITS INTEGER",
                    "NUM_PREC_RADIX INTEGER",
                    "NULLABLE INTEGER",
                    "REMARKS TEXT",
                    "COLUMN_DEF TEXT",
                    "SQL_DATA_TYPE INTEGER",
                    "SQL_DATETIME_SUB INTEGER",
                    "CHAR_OCTET_LENGTH INTEGER",
                    "ORDINAL_POSITION INTEGER",
                    "IS_NULLABLE TEXT",
                    "SCOPE_CATALOG TEXT",
                    "SCOPE_SCHEMA TEXT",
                    "SCOPE_TABLE TEXT",
                    "SOURCE_DATA_TYPE INTEGER",
                    "IS_AUTOINCREMENT TEXT",
                    "IS_GENERATEDCOLUMN TEXT"
                },
                rows);
    }

    /**
     * Primary key columns of a table (exact name, case-insensitive) in the matching schemas,
     * ordered by column name. PK_NAME is the name given with {@code CONSTRAINT name} in the
     * table's SQL, null for an unnamed key.
     */
    @Override
    public ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String s : schemas(schema, false)) {
            List<Object[]> raw = query(
                    "SELECT m.name, p.name, p.pk FROM " + quote(s) + ".sqlite_schema m,"
                            + " pragma_table_info(m.name, ?) p WHERE m.type = 'table' AND m.name = ? COLLATE NOCASE"
                            + " AND p.pk > 0 ORDER BY p.name",
                    s,
                    table);
            String pkName = raw.isEmpty() ? null : constraints(s, table).primaryKeyName;
            for (Object[] r : raw) {
                rows.add(new Object[] {null, schemaLabel(s), str(r[0]), str(r[1]), num(r[2]), pkName});
            }
        }
        return result(
                new String[] {
                    "TABLE_CAT TEXT",
                    "TABLE_SCHEM TEXT",
                    "TABLE_NAME TEXT",
                    "COLUMN_NAME TEXT",
                    "KEY_SEQ INTEGER",
                    "PK_NAME TEXT"
                },
                rows);
    }

    /** Index columns of a table, from {@code pragma_index_list} and {@code pragma_index_xinfo}. */
    @Override
    public ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String s : schemas(schema, false)) {
            for (Object[] r : query(
                    "SELECT m.name, il.name, il.\"unique\", ix.seqno, ix.name, ix.\"desc\", il.partial"
                            + " FROM " + quote(s) + ".sqlite_schema m, pragma_index_list(m.name, ?) il,"
                            + " pragma_index_xinfo(il.name, ?) ix"
                            + " WHERE m.type = 'table' AND m.name = ? COLLATE NOCASE AND ix.key = 1"
                            + (unique ? " AND il.\"unique\" = 1" : "")
                            + " ORDER BY il.\"unique\" DESC, il.name, ix.seqno",
                    s,
                    s,
                    table)) {
                rows.add(new Object[] {
                    null,
                    schemaLabel(s),
                    str(r[0]),
                    num(r[2]) == 0,
                    null,
                    str(r[1]),
                    tableIndexOther,
                    num(r[3]) + 1,
                    str(r[4]),
                    num(r[5]) != 0 ? "D" : "A",
                    0L,
                    0L,
                    null
                });
            }
        }
        return result(
                new String[] {
                    "TABLE_CAT TEXT",
                    "TABLE_SCHEM TEXT",
                    "TABLE_NAME TEXT",
                    "NON_UNIQUE BOOLEAN",
                    "INDEX_QUALIFIER TEXT",
                    "INDEX_NAME TEXT",
                    "TYPE INTEGER",
                    "ORDINAL_POSITION INTEGER",
                    "COLUMN_NAME TEXT",
                    "ASC_OR_DESC TEXT",
                    "CARDINALITY INTEGER",
                    "PAGES INTEGER",
                    "FILTER_CONDITION TEXT"
                },
                rows);
    }

    private static final String[] KEY_COLUMNS = {
        "PKTABLE_CAT TEXT",
        "PKTABLE_SCHEM TEXT",
        "PKTABLE_NAME TEXT",
        "PKCOLUMN_NAME TEXT",
        "FKTABLE_CAT TEXT",
        "FKTABLE_SCHEM TEXT",
        "FKTABLE_NAME TEXT",
        "FKCOLUMN_NAME TEXT",
        "KEY_SEQ INTEGER",
        "UPDATE_RULE INTEGER",
        "DELETE_RULE INTEGER",
        "FK_NAME TEXT",
        "PK_NAME TEXT",
        "DEFERRABILITY INTEGER"
    };

    /**
     * Foreign keys from {@code pragma_foreign_key_list} of every table of the matching schemas,
     * filtered by SQL on the child table ({@code m.name}) and/or the parent table
     * ({@code f."table"}). A foreign key's parent is in the child's schema (SQLite resolves
     * REFERENCES there). FK_NAME and PK_NAME come from the tables' SQL ({@link TableSqlParser}),
     * null when unnamed.
     */
    private List<Object[]> foreignKeys(String schemaPattern, String where, Object... params) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String schema : schemas(schemaPattern, false)) {
            Object[] args = new Object[params.length + 1];
            args[0] = schema;
            System.arraycopy(params, 0, args, 1, params.length);
            List<Object[]> raw = query(
                    "SELECT m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\", f.on_update,"
                            + " f.on_delete FROM " + quote(schema)
                            + ".sqlite_schema m, pragma_foreign_key_list(m.name, ?) f"
                            + " WHERE m.type = 'table' AND " + where + " ORDER BY m.name, f.id, f.seq",
                    args);
            Map<String, List<String>> parentKeys = new HashMap<>();
            Map<String, TableSqlParser.Constraints> parsed = new HashMap<>();
            Map<String, boolean[]> used = new HashMap<>();
            int i = 0;
            while (i < raw.size()) {
                // One foreign key: the rows with the same child table and id.
                String child = str(raw.get(i)[0]);
                long id = num(raw.get(i)[1]);
                int j = i;
                List<String> from = new ArrayList<>();
                while (j < raw.size() && child.equals(str(raw.get(j)[0])) && num(raw.get(j)[1]) == id) {
                    from.add(str(raw.get(j)[4]));
                    j++;
                }
                String parent = str(raw.get(i)[3]);
                TableSqlParser.Constraints childSql = parsed.get(child);
                if (childSql == null) {
                    childSql = constraints(schema, child);
                    parsed.put(child, childSql);
                    used.put(child, new boolean[childSql.foreignKeys.size()]);
                }
                String fkName = childSql.foreignKeyName(from, parent, used.get(child));
                String pkName = constraints(schema, parent).primaryKeyName;
                for (int k = i; k < j; k++) {
                    Object[] r = raw.get(k);
                    String parentColumn = str(r[5]);
                    int seq = (int) num(r[2]);
                    if (parentColumn == null) {
                        // REFERENCES parent without columns: the parent's primary key, in key order.
                        List<String> pk = parentKeys.get(parent);
                        if (pk == null) {
                            pk = new ArrayList<>();
                            for (Object[] key : query(
                                    "SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0" + " ORDER BY pk",
                                    parent,
                                    schema)) {
                                pk.add(str(key[0]));
                            }
                            parentKeys.put(parent, pk);
                        }
                        parentColumn = seq < pk.size() ? pk.get(seq) : null;
                    }
                    rows.add(new Object[] {
                        null,
                        schemaLabel(schema),
                        parent,
                        parentColumn,
                        null,
                        schemaLabel(schema),
                        child,
                        str(r[4]),
                        seq + 1,
                        rule(str(r[6])),
                        rule(str(r[7])),
                        fkName,
                        pkName,
                        importedKeyNotDeferrable
                    });
                }
                i = j;
            }
        }
        return rows;
    }

    /** Foreign keys of {@code table}, ordered by parent schema, parent table and key sequence. */
    @Override
    public ResultSet getImportedKeys(String catalog, String schema, String table) throws SQLException {
        List<Object[]> rows = foreignKeys(schema, "m.name = ? COLLATE NOCASE", table);
        rows.sort(Comparator.comparing((Object[] r) -> (String) r[1], NULLS_FIRST)
                .thenComparing(r -> (String) r[2])
                .thenComparing(r -> (Integer) r[8]));
        return result(KEY_COLUMNS, rows);
    }

    /** Foreign keys referencing {@code table}, ordered by child schema, child table and key sequence. */
    @Override
    public ResultSet getExportedKeys(String catalog, String schema, String table) throws SQLException {
        List<Object[]> rows = foreignKeys(schema, "f.\"table\" = ? COLLATE NOCASE", table);
        rows.sort(Comparator.comparing((Object[] r) -> (String) r[5], NULLS_FIRST)
                .thenComparing(r -> (String) r[6])
                .thenComparing(r -> (Integer) r[8]));
        return result(KEY_COLUMNS, rows);
    }

    /** Foreign keys of {@code foreignTable} referencing {@code parentTable} (in the foreign table's schema). */
    @Override
    public ResultSet getCrossReference(
            String parentCatalog,
            String parentSchema,
            String parentTable,
            String foreignCatalog,
            String foreignSchema,
            String foreignTable)
            throws SQLException {
        List<Object[]> rows = foreignKeys(
                foreignSchema,
                "m.name = ? COLLATE NOCASE AND f.\"table\" = ? COLLATE NOCASE",
                foreignTable,
                parentTable);
        rows.removeIf(r -> parentSchema != null
                && !(parentSchema.isEmpty() ? r[1] == null : like(parentSchema, r[1] == null ? MAIN : (String) r[1])));
        rows.sort(Comparator.comparing((Object[] r) -> (String) r[5], NULLS_FIRST)
                .thenComparing(r -> (String) r[6])
                .thenComparing(r -> (Integer) r[8]));
        return result(KEY_COLUMNS, rows);
    }

    /** The primary key columns (the best unique row identifier), else nothing. */
    @Override
    public ResultSet getBestRowIdentifier(String catalog, String schema, String table, int scope, boolean nullable)
            throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String s : schemas(schema, false)) {
            for (Object[] r : query(
                    "SELECT p.name, p.type FROM " + quote(s) + ".sqlite_schema m,"
                            + " pragma_table_info(m.name, ?) p WHERE m.type = 'table' AND m.name = ? COLLATE NOCASE"
                            + " AND p.pk > 0 ORDER BY p.pk",
                    s,
                    table)) {
                String declared = str(r[1]);
                rows.add(new Object[] {
                    bestRowSession,
                    str(r[0]),
                    ShmliteResultSetMetaData.sqlType(declared),
                    declared == null ? "" : declared,
                    typeArg(declared, 0),
                    null,
                    typeArg(declared, 1),
                    bestRowNotPseudo
                });
            }
        }
        return result(
                new String[] {
                    "SCOPE INTEGER",
                    "COLUMN_NAME TEXT",
                    "DATA_TYPE INTEGER",
                    "TYPE_NAME TEXT",
                    "COLUMN_SIZE INTEGER",
                    "BUFFER_LENGTH INTEGER",
                    "DECIMAL_DIGITS INTEGER",
                    "PSEUDO_COLUMN INTEGER"
                },
                rows);
    }

    /** The type names getColumns maps declared types to, ordered by DATA_TYPE. */
    @Override
    public ResultSet getTypeInfo() throws SQLException {
        Object[][] types = {
            {"INTEGER", Types.BIGINT, 19, false, true},
            {"NUMERIC", Types.NUMERIC, 0, false, false},
            {"REAL", Types.DOUBLE, 15, false, false},
            {"TEXT", Types.VARCHAR, 1_000_000_000, true, false},
            {"BOOLEAN", Types.BOOLEAN, 1, false, false},
            {"DATE", Types.DATE, 0, false, false},
            {"TIME", Types.TIME, 0, false, false},
            {"TIMESTAMP", Types.TIMESTAMP, 0, false, false},
            {"BLOB", Types.BLOB, 1_000_000_000, false, false},
        };
        List<Object[]> rows = new ArrayList<>();
        for (Object[] t : types) {
            boolean text = (Boolean) t[3];
            rows.add(new Object[] {
                t[0],
                t[1],
                t[2],
                text ? "'" : null,
                text ? "'" : null,
                null,
                typeNullable,
                text,
                typeSearchable,
                false,
                false,
                t[4],
                t[0],
                0,
                0,
                null,
                null,
                10
            });
        }
        return result(
                new String[] {
                    "TYPE_NAME TEXT",
                    "DATA_TYPE INTEGER",
                    "PRECISION INTEGER",
                    "LITERAL_PREFIX TEXT",
                    "LITERAL_SUFFIX TEXT",
                    "CREATE_PARAMS TEXT",
                    "NULLABLE INTEGER",
                    "CASE_SENSITIVE BOOLEAN",
                    "SEARCHABLE INTEGER",
                    "UNSIGNED_ATTRIBUTE BOOLEAN",
                    "FIXED_PREC_SCALE BOOLEAN",
                    "AUTO_INCREMENT BOOLEAN",
                    "LOCAL_TYPE_NAME TEXT",
                    "MINIMUM_SCALE INTEGER",
                    "MAXIMUM_SCALE INTEGER",
                    "SQL_DATA_TYPE INTEGER",
                    "SQL_DATETIME_SUB INTEGER",
                    "NUM_PREC_RADIX INTEGER"
                },
                rows);
    }

    /**
     * The schemas: temp and every attached database (ATTACH ... AS name), in SQLite's order;
     * main's objects have no schema (TABLE_SCHEM null, as in sqlite-jdbc). TABLE_CATALOG is null
     * (SQLite has no catalogs).
     */
    @Override
    public ResultSet getSchemas() throws SQLException {
        return getSchemas(null, null);
    }

    /** The schemas matching {@code schemaPattern} (see {@link #getSchemas()}); the catalog is ignored. */
    @Override
    public ResultSet getSchemas(String catalog, String schemaPattern) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (String s : schemas(schemaPattern, true)) {
            if (schemaLabel(s) != null) {
                rows.add(new Object[] {s, null});
            }
        }
        return result(new String[] {"TABLE_SCHEM TEXT", "TABLE_CATALOG TEXT"}, rows);
    }

    /** Empty: SQLite has no catalogs. */
    @Override
    public ResultSet getCatalogs() throws SQLException {
        return empty("TABLE_CAT TEXT");
    }

    /** LOCAL TEMPORARY (TEMP tables), SYSTEM TABLE, TABLE, VIEW. */
    @Override
    public ResultSet getTableTypes() throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {LOCAL_TEMPORARY});
        rows.add(new Object[] {"SYSTEM TABLE"});
        rows.add(new Object[] {"TABLE"});
        rows.add(new Object[] {"VIEW"});
        return result(new String[] {"TABLE_TYPE TEXT"}, rows);
    }

    /** Empty: SQLite has no stored procedures. */
    @Override
    public ResultSet getProcedures(String catalog, String schemaPattern, String procedureNamePattern)
            throws SQLException {
        return empty(
                "PROCEDURE_CAT TEXT",
                "PROCEDURE_SCHEM TEXT",
                "PROCEDURE_NAME TEXT",
                "RESERVED1 TEXT",
                "RESERVED2 TEXT",
                "RESERVED3 TEXT",
                "REMARKS TEXT",
                "PROCEDURE_TYPE INTEGER",
                "SPECIFIC_NAME TEXT");
    }

    /** Empty: SQLite has no stored procedures. */
    @Override
    public ResultSet getProcedureColumns(
            String catalog, String schemaPattern, String procedureNamePattern, String columnNamePattern)
            throws SQLException {
        return empty(
                "PROCEDURE_CAT TEXT",
                "PROCEDURE_SCHEM TEXT",
                "PROCEDURE_NAME TEXT",
                "COLUMN_NAME TEXT",
                "COLUMN_TYPE INTEGER",
                "DATA_TYPE INTEGER",
                "TYPE_NAME TEXT",
                "PRECISION INTEGER",
                "LENGTH INTEGER",
                "SCALE INTEGER",
                "RADIX INTEGER",
                "NULLABLE INTEGER",
                "REMARKS TEXT",
                "COLUMN_DEF TEXT",
                "SQL_DATA_TYPE INTEGER",
                "SQL_DATETIME_SUB INTEGER",
                "CHAR_OCTET_LENGTH INTEGER",
                "ORDINAL_POSITION INTEGER",
                "IS_NULLABLE TEXT",
                "SPECIFIC_NAME TEXT");
    }

    /** Empty: SQLite has no privileges. */
    @Override
    public ResultSet getColumnPrivileges(String catalog, String schema, String table, String columnNamePattern)
            throws SQLException {
        return empty(
                "TABLE_CAT TEXT",
                "TABLE_SCHEM TEXT",
                "TABLE_NAME TEXT",
                "COLUMN_NAME TEXT",
                "GRANTOR TEXT",
                "GRANTEE TEXT",
                "PRIVILEGE TEXT",
                "IS_GRANTABLE TEXT");
    }

    /** Empty: SQLite has no privileges. */
    @Override
    public ResultSet getTablePrivileges(String catalog, String schemaPattern, String tableNamePattern)
            throws SQLException {
        return empty(
                "TABLE_CAT TEXT",
                "TABLE_SCHEM TEXT",
                "TABLE_NAME TEXT",
                "GRANTOR TEXT",
                "GRANTEE TEXT",
                "PRIVILEGE TEXT",
                "IS_GRANTABLE TEXT");
    }

    /** Empty: no columns are updated automatically. */
    @Override
    public ResultSet getVersionColumns(String catalog, String schema, String table) throws SQLException {
        return empty(
                "SCOPE INTEGER",
                "COLUMN_NAME TEXT",
                "DATA_TYPE INTEGER",
                "TYPE_NAME TEXT",
                "COLUMN_SIZE INTEGER",
                "BUFFER_LENGTH INTEGER",
                "DECIMAL_DIGITS INTEGER",
                "PSEUDO_COLUMN INTEGER");
    }

    /** Empty: no user-defined types. */
    @Override
    public ResultSet getUDTs(String catalog, String schemaPattern, String typeNamePattern, int[] types)
            throws SQLException {
        return empty(
                "TYPE_CAT TEXT",
                "TYPE_SCHEM TEXT",
                "TYPE_NAME TEXT",
                "CLASS_NAME TEXT",
                "DATA_TYPE INTEGER",
                "REMARKS TEXT",
                "BASE_TYPE INTEGER");
    }

    /** Empty: no type hierarchies. */
    @Override
    public ResultSet getSuperTypes(String catalog, String schemaPattern, String typeNamePattern) throws SQLException {
        return empty(
                "TYPE_CAT TEXT",
                "TYPE_SCHEM TEXT",
                "TYPE_NAME TEXT",
                "SUPERTYPE_CAT TEXT",
                "SUPERTYPE_SCHEM TEXT",
                "SUPERTYPE_NAME TEXT");
    }

    /** Empty: no table hierarchies. */
    @Override
    public ResultSet getSuperTables(String catalog, String schemaPattern, String tableNamePattern) throws SQLException {
        return empty("TABLE_CAT TEXT", "TABLE_SCHEM TEXT", "TABLE_NAME TEXT", "SUPERTABLE_NAME TEXT");
    }

    /** Empty: no user-defined types. */
    @Override
    public ResultSet getAttributes(
            String catalog, String schemaPattern, String typeNamePattern, String attributeNamePattern)
            throws SQLException {
        return empty(
                "TYPE_CAT TEXT",
                "TYPE_SCHEM TEXT",
                "TYPE_NAME TEXT",
                "ATTR_NAME TEXT",
                "DATA_TYPE INTEGER",
                "ATTR_TYPE_NAME TEXT",
                "ATTR_SIZE INTEGER",
                "DECIMAL_DIGITS INTEGER",
                "NUM_PREC_RADIX INTEGER",
                "NULLABLE INTEGER",
                "REMARKS TEXT",
                "ATTR_DEF TEXT",
                "SQL_DATA_TYPE INTEGER",
                "SQL_DATETIME_SUB INTEGER",
                "CHAR_OCTET_LENGTH INTEGER",
                "ORDINAL_POSITION INTEGER",
                "IS_NULLABLE TEXT",
                "SCOPE_CATALOG TEXT",
                "SCOPE_SCHEMA TEXT",
                "SCOPE_TABLE TEXT",
                "SOURCE_DATA_TYPE INTEGER");
    }

    /** Empty: client info is kept in memory only. */
    @Override
    public ResultSet getClientInfoProperties() throws SQLException {
        return empty("NAME TEXT", "MAX_LEN INTEGER", "DEFAULT_VALUE TEXT", "DESCRIPTION TEXT");
    }

    /** Empty: functions are not listed. */
    @Override
    public ResultSet getFunctions(String catalog, String schemaPattern, String functionNamePattern)
            throws SQLException {
        return empty(
                "FUNCTION_CAT TEXT",
                "FUNCTION_SCHEM TEXT",
                "FUNCTION_NAME TEXT",
                "REMARKS TEXT",
                "FUNCTION_TYPE INTEGER",
                "SPECIFIC_NAME TEXT");
    }

    /** Empty: functions are not listed. */
    @Override
    public ResultSet getFunctionColumns(
            String catalog, String schemaPattern, String functionNamePattern, String columnNamePattern)
            throws SQLException {
        return empty(
                "FUNCTION_CAT TEXT",
                "FUNCTION_SCHEM TEXT",
                "FUNCTION_NAME TEXT",
                "COLUMN_NAME TEXT",
                "COLUMN_TYPE INTEGER",
                "DATA_TYPE INTEGER",
                "TYPE_NAME TEXT",
                "PRECISION INTEGER",
                "LENGTH INTEGER",
                "SCALE INTEGER",
                "RADIX INTEGER",
                "NULLABLE INTEGER",
                "REMARKS TEXT",
                "CHAR_OCTET_LENGTH INTEGER",
                "ORDINAL_POSITION INTEGER",
                "IS_NULLABLE TEXT",
                "SPECIFIC_NAME TEXT");
    }

    /** Empty: the rowid pseudo-column is not reported. */
    @Override
    public ResultSet getPseudoColumns(
            String catalog, String schemaPattern, String tableNamePattern, String columnNamePattern)
            throws SQLException {
        return empty(
                "TABLE_CAT TEXT",
                "TABLE_SCHEM TEXT",
                "TABLE_NAME TEXT",
                "COLUMN_NAME TEXT",
                "DATA_TYPE INTEGER",
                "COLUMN_SIZE INTEGER",
                "DECIMAL_DIGITS INTEGER",
                "NUM_PREC_RADIX INTEGER",
                "COLUMN_USAGE TEXT",
                "REMARKS TEXT",
                "CHAR_OCTET_LENGTH INTEGER",
                "IS_NULLABLE TEXT");
    }

    // --- product and driver --------------------------------------------------------------------

    /** "SQLite" (what MyBatis' databaseId and Spring match on). */
    @Override
    public String getDatabaseProductName() {
        return "SQLite";
    }

    /**
     * The version of the SQLite that runs the connection's SQL, e.g. "3.54.1": the bundled
     * library's, or the servers' for a {@code dqlite://} cluster.
     */
    @Override
    public String getDatabaseProductVersion() {
        return conn.sqliteVersion();
    }

    private int versionPart(int i) {
        String[] parts = getDatabaseProductVersion().split("\\.");
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Major SQLite version (3). */
    @Override
    public int getDatabaseMajorVersion() {
        return versionPart(0);
    }

    /** Minor SQLite version. */
    @Override
    public int getDatabaseMinorVersion() {
        return versionPart(1);
    }

    /** "shmlite". */
    @Override
    public String getDriverName() {
        return "shmlite";
    }

    /** "0.1.0". */
    @Override
    public String getDriverVersion() {
        return "0.1.0";
    }

    /** 0. */
    @Override
    public int getDriverMajorVersion() {
        return ShmliteDriver.MAJOR_VERSION;
    }

    /** 1. */
    @Override
    public int getDriverMinorVersion() {
        return ShmliteDriver.MINOR_VERSION;
    }

    /** 4. */
    @Override
    public int getJDBCMajorVersion() {
        return 4;
    }

    /** 2. */
    @Override
    public int getJDBCMinorVersion() {
        return 2;
    }

    /** The connection's URL. */
    @Override
    public String getURL() {
        return conn.url();
    }

    /** "": SQLite has no users. */
    @Override
    public String getUserName() {
        return "";
    }

    /** The connection's read-only flag. */
    @Override
    public boolean isReadOnly() throws SQLException {
        return conn.isReadOnly();
    }

    /** The connection. */
    @Override
    public Connection getConnection() {
        return conn;
    }

    // --- capabilities --------------------------------------------------------------------------

    /** False: there are no procedures. */
    @Override
    public boolean allProceduresAreCallable() {
        return false;
    }

    /** True. */
    @Override
    public boolean allTablesAreSelectable() {
        return true;
    }

    /** False: NULL sorts first ascending (it is the smallest value). */
    @Override
    public boolean nullsAreSortedHigh() {
        return false;
    }

    /** True: NULL is the smallest value. */
    @Override
    public boolean nullsAreSortedLow() {
        return true;
    }

    /** False. */
    @Override
    public boolean nullsAreSortedAtStart() {
        return false;
    }

    /** False. */
    @Override
    public boolean nullsAreSortedAtEnd() {
        return false;
    }

    /** True for file databases. */
    @Override
    public boolean usesLocalFiles() {
        String rest = conn.url().substring(ShmliteDriver.PREFIX.length());
        return !(rest.startsWith("mem:") || rest.startsWith("shm:"));
    }

    /** False. */
    @Override
    public boolean usesLocalFilePerTable() {
        return false;
    }

    /** False: unquoted identifiers are case-insensitive. */
    @Override
    public boolean supportsMixedCaseIdentifiers() {
        return false;
    }

    /** False. */
    @Override
    public boolean storesUpperCaseIdentifiers() {
        return false;
    }

    /** False. */
    @Override
    public boolean storesLowerCaseIdentifiers() {
        return false;
    }

    /** True: names are stored as written. */
    @Override
    public boolean storesMixedCaseIdentifiers() {
        return true;
    }

    /** False: quoted identifiers are case-insensitive too. */
    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() {
        return false;
    }

    /** False. */
    @Override
    public boolean storesUpperCaseQuotedIdentifiers() {
        return false;
    }

    /** False. */
    @Override
    public boolean storesLowerCaseQuotedIdentifiers() {
        return false;
    }

    /** True. */
    @Override
    public boolean storesMixedCaseQuotedIdentifiers() {
        return true;
    }

    /** The double quote. */
    @Override
    public String getIdentifierQuoteString() {
        return "\"";
    }

    /** SQLite keywords that are not SQL:2003 keywords. */
    @Override
    public String getSQLKeywords() {
        return "ABORT,ANALYZE,ATTACH,AUTOINCREMENT,CONFLICT,DATABASE,DEFERRED,DETACH,EXCLUSIVE,EXPLAIN,FAIL,GLOB,"
                + "IF,IGNORE,IMMEDIATE,INDEX,INDEXED,INSTEAD,ISNULL,KEY,LIMIT,NOTNULL,OFFSET,PLAN,PRAGMA,QUERY,"
                + "RAISE,REGEXP,REINDEX,RENAME,REPLACE,RESTRICT,RETURNING,TEMP,TEMPORARY,VACUUM,VIEW,VIRTUAL";
    }

    /** Core numeric functions and the math functions (built with SQLITE_ENABLE_MATH_FUNCTIONS). */
    @Override
    public String getNumericFunctions() {
        return "abs,acos,acosh,asin,asinh,atan,atan2,atanh,ceil,ceiling,cos,cosh,degrees,exp,floor,ln,log,log10,"
                + "log2,max,min,mod,pi,pow,power,radians,random,round,sign,sin,sinh,sqrt,tan,tanh,trunc";
    }

    /** Core string functions and soundex (built with SQLITE_SOUNDEX). */
    @Override
    public String getStringFunctions() {
        return "char,concat,concat_ws,format,glob,hex,instr,length,like,lower,ltrim,octet_length,printf,quote,"
                + "replace,rtrim,soundex,substr,substring,trim,unhex,unicode,upper";
    }

    /** Core system functions. */
    @Override
    public String getSystemFunctions() {
        return "changes,coalesce,ifnull,iif,last_insert_rowid,nullif,sqlite_version,total_changes,typeof";
    }

    /** Date and time functions. */
    @Override
    public String getTimeDateFunctions() {
        return "date,datetime,julianday,strftime,time,timediff,unixepoch";
    }

    /** Backslash, as used with LIKE … ESCAPE '\' in the metadata queries. */
    @Override
    public String getSearchStringEscape() {
        return ESCAPE;
    }

    /** "". */
    @Override
    public String getExtraNameCharacters() {
        return "";
    }

    /** True. */
    @Override
    public boolean supportsAlterTableWithAddColumn() {
        return true;
    }

    /** True (SQLite 3.35+). */
    @Override
    public boolean supportsAlterTableWithDropColumn() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsColumnAliasing() {
        return true;
    }

    /** True. */
    @Override
    public boolean nullPlusNonNullIsNull() {
        return true;
    }

    /** False: no JDBC CONVERT escape. */
    @Override
    public boolean supportsConvert() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsConvert(int fromType, int toType) {
        return false;
    }

    /** True. */
    @Override
    public boolean supportsTableCorrelationNames() {
        return true;
    }

    /** False. */
    @Override
    public boolean supportsDifferentTableCorrelationNames() {
        return false;
    }

    /** True. */
    @Override
    public boolean supportsExpressionsInOrderBy() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsOrderByUnrelated() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsGroupBy() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsGroupByUnrelated() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsGroupByBeyondSelect() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsLikeEscapeClause() {
        return true;
    }

    /** False: one result per execution. */
    @Override
    public boolean supportsMultipleResultSets() {
        return false;
    }

    /** True: many connections may have transactions open. */
    @Override
    public boolean supportsMultipleTransactions() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsNonNullableColumns() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsMinimumSQLGrammar() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsCoreSQLGrammar() {
        return true;
    }

    /** False. */
    @Override
    public boolean supportsExtendedSQLGrammar() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsANSI92EntryLevelSQL() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsANSI92IntermediateSQL() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsANSI92FullSQL() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsIntegrityEnhancementFacility() {
        return false;
    }

    /** True. */
    @Override
    public boolean supportsOuterJoins() {
        return true;
    }

    /** True (SQLite 3.39+). */
    @Override
    public boolean supportsFullOuterJoins() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsLimitedOuterJoins() {
        return true;
    }

    /** "schema". */
    @Override
    public String getSchemaTerm() {
        return "schema";
    }

    /** "procedure". */
    @Override
    public String getProcedureTerm() {
        return "procedure";
    }

    /** "catalog". */
    @Override
    public String getCatalogTerm() {
        return "catalog";
    }

    /** True. */
    @Override
    public boolean isCatalogAtStart() {
        return true;
    }

    /** ".". */
    @Override
    public String getCatalogSeparator() {
        return ".";
    }

    /** False. */
    @Override
    public boolean supportsSchemasInDataManipulation() {
        return false; // as before: tools would qualify names with a schema main does not have
    }

    /** False. */
    @Override
    public boolean supportsSchemasInProcedureCalls() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsSchemasInTableDefinitions() {
        return false; // as before: tools would qualify names with a schema main does not have
    }

    /** False. */
    @Override
    public boolean supportsSchemasInIndexDefinitions() {
        return false; // as before: tools would qualify names with a schema main does not have
    }

    /** False. */
    @Override
    public boolean supportsSchemasInPrivilegeDefinitions() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsCatalogsInDataManipulation() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsCatalogsInProcedureCalls() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsCatalogsInTableDefinitions() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsCatalogsInIndexDefinitions() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsCatalogsInPrivilegeDefinitions() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsPositionedDelete() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsPositionedUpdate() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsSelectForUpdate() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsStoredProcedures() {
        return false;
    }

    /** True. */
    @Override
    public boolean supportsSubqueriesInComparisons() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsSubqueriesInExists() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsSubqueriesInIns() {
        return true;
    }

    /** False: no ANY/ALL. */
    @Override
    public boolean supportsSubqueriesInQuantifieds() {
        return false;
    }

    /** True. */
    @Override
    public boolean supportsCorrelatedSubqueries() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsUnion() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsUnionAll() {
        return true;
    }

    /** False. */
    @Override
    public boolean supportsOpenCursorsAcrossCommit() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsOpenCursorsAcrossRollback() {
        return false;
    }

    /** True: prepared statements survive transactions. */
    @Override
    public boolean supportsOpenStatementsAcrossCommit() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsOpenStatementsAcrossRollback() {
        return true;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxBinaryLiteralLength() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxCharLiteralLength() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxColumnNameLength() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxColumnsInGroupBy() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxColumnsInIndex() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxColumnsInOrderBy() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxColumnsInSelect() {
        return 0;
    }

    /** 2000 (SQLITE_MAX_COLUMN default). */
    @Override
    public int getMaxColumnsInTable() {
        return 2000;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxConnections() {
        return 0;
    }

    /** 0. */
    @Override
    public int getMaxCursorNameLength() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxIndexLength() {
        return 0;
    }

    /** 0. */
    @Override
    public int getMaxSchemaNameLength() {
        return 0;
    }

    /** 0. */
    @Override
    public int getMaxProcedureNameLength() {
        return 0;
    }

    /** 0. */
    @Override
    public int getMaxCatalogNameLength() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxRowSize() {
        return 0;
    }

    /** False. */
    @Override
    public boolean doesMaxRowSizeIncludeBlobs() {
        return false;
    }

    /** 1,000,000,000 (SQLITE_MAX_SQL_LENGTH default). */
    @Override
    public int getMaxStatementLength() {
        return 1_000_000_000;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxStatements() {
        return 0;
    }

    /** 0: no fixed limit. */
    @Override
    public int getMaxTableNameLength() {
        return 0;
    }

    /** 64 (SQLite's join limit). */
    @Override
    public int getMaxTablesInSelect() {
        return 64;
    }

    /** 0. */
    @Override
    public int getMaxUserNameLength() {
        return 0;
    }

    /** 1,000,000,000 (SQLITE_MAX_LENGTH default). */
    @Override
    public long getMaxLogicalLobSize() {
        return 1_000_000_000L;
    }

    /** SERIALIZABLE: SQLite transactions are serializable. */
    @Override
    public int getDefaultTransactionIsolation() {
        return Connection.TRANSACTION_SERIALIZABLE;
    }

    /** True. */
    @Override
    public boolean supportsTransactions() {
        return true;
    }

    /**
     * True for the four standard levels: all are accepted by setTransactionIsolation
     * (REPEATABLE_READ runs as SERIALIZABLE).
     */
    @Override
    public boolean supportsTransactionIsolationLevel(int level) {
        return level == Connection.TRANSACTION_READ_UNCOMMITTED
                || level == Connection.TRANSACTION_READ_COMMITTED
                || level == Connection.TRANSACTION_REPEATABLE_READ
                || level == Connection.TRANSACTION_SERIALIZABLE;
    }

    /** True: DDL is transactional. */
    @Override
    public boolean supportsDataDefinitionAndDataManipulationTransactions() {
        return true;
    }

    /** False. */
    @Override
    public boolean supportsDataManipulationTransactionsOnly() {
        return false;
    }

    /** False: DDL does not commit. */
    @Override
    public boolean dataDefinitionCausesTransactionCommit() {
        return false;
    }

    /** False. */
    @Override
    public boolean dataDefinitionIgnoredInTransactions() {
        return false;
    }

    /** Only TYPE_FORWARD_ONLY. */
    @Override
    public boolean supportsResultSetType(int type) {
        return type == ResultSet.TYPE_FORWARD_ONLY;
    }

    /** Only TYPE_FORWARD_ONLY with CONCUR_READ_ONLY. */
    @Override
    public boolean supportsResultSetConcurrency(int type, int concurrency) {
        return type == ResultSet.TYPE_FORWARD_ONLY && concurrency == ResultSet.CONCUR_READ_ONLY;
    }

    /** False. */
    @Override
    public boolean ownUpdatesAreVisible(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean ownDeletesAreVisible(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean ownInsertsAreVisible(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean othersUpdatesAreVisible(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean othersDeletesAreVisible(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean othersInsertsAreVisible(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean updatesAreDetected(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean deletesAreDetected(int type) {
        return false;
    }

    /** False. */
    @Override
    public boolean insertsAreDetected(int type) {
        return false;
    }

    /** True. */
    @Override
    public boolean supportsBatchUpdates() {
        return true;
    }

    /** True. */
    @Override
    public boolean supportsSavepoints() {
        return true;
    }

    /** False. */
    @Override
    public boolean supportsNamedParameters() {
        return false;
    }

    /** False. */
    @Override
    public boolean supportsMultipleOpenResults() {
        return false;
    }

    /** True: the rowid or the requested columns of each inserted row (through RETURNING). */
    @Override
    public boolean supportsGetGeneratedKeys() {
        return true;
    }

    /** True: valid requested key columns are always returned for the rows an INSERT inserted. */
    @Override
    public boolean generatedKeyAlwaysReturned() {
        return true;
    }

    /** True for CLOSE_CURSORS_AT_COMMIT, the reported holdability. */
    @Override
    public boolean supportsResultSetHoldability(int holdability) {
        return holdability == ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    /** CLOSE_CURSORS_AT_COMMIT. */
    @Override
    public int getResultSetHoldability() {
        return ResultSet.CLOSE_CURSORS_AT_COMMIT;
    }

    /** sqlStateSQL. */
    @Override
    public int getSQLStateType() {
        return sqlStateSQL;
    }

    /** True: LOBs are copies. */
    @Override
    public boolean locatorsUpdateCopy() {
        return true;
    }

    /** True: each native connection keeps a cache of prepared statements, reused across JDBC statements. */
    @Override
    public boolean supportsStatementPooling() {
        return true;
    }

    /** ROWID_UNSUPPORTED: getRowId is not supported. */
    @Override
    public RowIdLifetime getRowIdLifetime() {
        return RowIdLifetime.ROWID_UNSUPPORTED;
    }

    /** False. */
    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() {
        return false;
    }

    /** False. */
    @Override
    public boolean autoCommitFailureClosesAllResultSets() {
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
