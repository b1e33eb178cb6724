package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DatabaseMetaData, ResultSetMetaData and ParameterMetaData. */
class MetaDataTest {
    private String url;
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        url = TestSupport.memUrl();
        c = TestSupport.open(url);
        TestSupport.exec(c, "CREATE TABLE author(id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, born DATE)");
        TestSupport.exec(
                c,
                "CREATE TABLE book(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES author(id)"
                        + " ON DELETE CASCADE, title TEXT, price DECIMAL(10,2), weight REAL, cover BLOB, flag BOOLEAN,"
                        + " published TIMESTAMP, anything)");
        TestSupport.exec(c, "CREATE UNIQUE INDEX book_title ON book(title DESC)");
        TestSupport.exec(c, "CREATE INDEX book_author ON book(author_id, id)");
        TestSupport.exec(c, "CREATE VIEW book_view AS SELECT title FROM book");
        TestSupport.exec(c, "CREATE TABLE pair(a INTEGER, b TEXT, PRIMARY KEY (b, a))");
        TestSupport.exec(c, "CREATE TABLE ref_pair(x INTEGER, y TEXT, FOREIGN KEY (y, x) REFERENCES pair)");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
        Shmlite.drop(url);
    }

    private static List<String> column(ResultSet rs, String label) throws SQLException {
        List<String> values = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                values.add(rs.getString(label));
            }
        }
        return values;
    }

    @Test
    void productAndCapabilities() throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        assertSame(md, c.getMetaData());
        assertEquals("SQLite", md.getDatabaseProductName());
        assertEquals(Shmlite.sqliteVersion(), md.getDatabaseProductVersion());
        assertEquals(3, md.getDatabaseMajorVersion());
        assertEquals("shmlite", md.getDriverName());
        assertEquals("0.1.0", md.getDriverVersion());
        assertEquals(url, md.getURL());
        assertEquals("", md.getUserName());
        assertFalse(md.supportsMultipleResultSets());
        assertTrue(md.supportsBatchUpdates());
        assertTrue(md.supportsSavepoints());
        assertTrue(md.supportsGetGeneratedKeys());
        assertTrue(md.supportsTransactions());
        assertEquals(Connection.TRANSACTION_SERIALIZABLE, md.getDefaultTransactionIsolation());
        for (int level : new int[] {
            Connection.TRANSACTION_READ_UNCOMMITTED,
            Connection.TRANSACTION_READ_COMMITTED,
            Connection.TRANSACTION_REPEATABLE_READ,
            Connection.TRANSACTION_SERIALIZABLE
        }) {
            assertTrue(md.supportsTransactionIsolationLevel(level));
        }
        assertEquals("\"", md.getIdentifierQuoteString());
        assertTrue(md.supportsResultSetType(ResultSet.TYPE_FORWARD_ONLY));
        assertFalse(md.supportsResultSetType(ResultSet.TYPE_SCROLL_INSENSITIVE));
        assertSame(c, md.getConnection());
        assertFalse(md.usesLocalFiles());
    }

    @Test
    void tables() throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        assertEquals(
                List.of("author", "book", "pair", "ref_pair"),
                column(md.getTables(null, null, "%", new String[] {"TABLE"}), "TABLE_NAME"));
        assertEquals(List.of("book_view"), column(md.getTables(null, null, "%", new String[] {"VIEW"}), "TABLE_NAME"));
        assertEquals(List.of("book", "book_view"), column(md.getTables(null, null, "book%", null), "TABLE_NAME"));
        try (ResultSet rs = md.getTables(null, null, "author", null)) {
            assertTrue(rs.next());
            assertEquals("TABLE", rs.getString("TABLE_TYPE"));
            assertNull(rs.getString("TABLE_CAT"));
            assertNull(rs.getString("TABLE_SCHEM"));
            assertFalse(rs.next());
        }
        assertEquals(
                List.of("LOCAL TEMPORARY", "SYSTEM TABLE", "TABLE", "VIEW"), column(md.getTableTypes(), "TABLE_TYPE"));
        assertEquals(List.of("temp"), column(md.getSchemas(), "TABLE_SCHEM"));
        assertEquals(List.of(), column(md.getCatalogs(), "TABLE_CAT"));
    }

    @Test
    void columns() throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        assertEquals(
                List.of("id", "author_id", "title", "price", "weight", "cover", "flag", "published", "anything"),
                column(md.getColumns(null, null, "book", "%"), "COLUMN_NAME"));
        try (ResultSet rs = md.getColumns(null, null, "author", null)) {
            assertTrue(rs.next());
            assertEquals("id", rs.getString("COLUMN_NAME"));
            assertEquals(Types.BIGINT, rs.getInt("DATA_TYPE"));
            assertEquals("YES", rs.getString("IS_AUTOINCREMENT"));
            assertEquals(DatabaseMetaData.columnNoNulls, rs.getInt("NULLABLE"));
            assertEquals(1, rs.getInt("ORDINAL_POSITION"));
            assertTrue(rs.next());
            assertEquals("name", rs.getString("COLUMN_NAME"));
            assertEquals(Types.VARCHAR, rs.getInt("DATA_TYPE"));
            // the name without its size, which COLUMN_SIZE carries (Liquibase adds it back: LiquibaseUrlOnlyTest)
            assertEquals("VARCHAR", rs.getString("TYPE_NAME"));
            assertEquals(100, rs.getInt("COLUMN_SIZE"));
            assertEquals("NO", rs.getString("IS_NULLABLE"));
            assertEquals("NO", rs.getString("IS_AUTOINCREMENT"));
            assertTrue(rs.next());
            assertEquals("born", rs.getString("COLUMN_NAME"));
            assertEquals(Types.DATE, rs.getInt("DATA_TYPE"));
            assertEquals("YES", rs.getString("IS_NULLABLE"));
            assertEquals(3, rs.getInt("ORDINAL_POSITION"));
            assertFalse(rs.next());
        }
        try (ResultSet rs = md.getColumns(null, null, "book", "price")) {
            assertTrue(rs.next());
            assertEquals(Types.NUMERIC, rs.getInt("DATA_TYPE"));
            assertEquals(10, rs.getInt("COLUMN_SIZE"));
            assertEquals(2, rs.getInt("DECIMAL_DIGITS"));
            assertEquals(24, rs.getMetaData().getColumnCount());
        }
    }

    @Test
    void keysAndIndexes() throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        assertEquals(List.of("id"), column(md.getPrimaryKeys(null, null, "book"), "COLUMN_NAME"));
        assertEquals(List.of("a", "b"), column(md.getPrimaryKeys(null, null, "pair"), "COLUMN_NAME"));
        try (ResultSet rs = md.getPrimaryKeys(null, null, "pair")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt("KEY_SEQ"), "a is the 2nd column of PRIMARY KEY (b, a)");
        }
        try (ResultSet rs = md.getImportedKeys(null, null, "book")) {
            assertTrue(rs.next());
            assertEquals("author", rs.getString("PKTABLE_NAME"));
            assertEquals("id", rs.getString("PKCOLUMN_NAME"));
            assertEquals("book", rs.getString("FKTABLE_NAME"));
            assertEquals("author_id", rs.getString("FKCOLUMN_NAME"));
            assertEquals(1, rs.getInt("KEY_SEQ"));
            assertEquals(DatabaseMetaData.importedKeyCascade, rs.getInt("DELETE_RULE"));
            assertEquals(DatabaseMetaData.importedKeyNoAction, rs.getInt("UPDATE_RULE"));
            assertFalse(rs.next());
        }
        assertEquals(List.of("book"), column(md.getExportedKeys(null, null, "author"), "FKTABLE_NAME"));
        assertEquals(
                List.of("author_id"),
                column(md.getCrossReference(null, null, "author", null, null, "book"), "FKCOLUMN_NAME"));
        // REFERENCES pair without columns: the parent's primary key, in key order (b, a)
        assertEquals(List.of("b", "a"), column(md.getImportedKeys(null, null, "ref_pair"), "PKCOLUMN_NAME"));
        try (ResultSet rs = md.getIndexInfo(null, null, "book", false, true)) {
            List<String> seen = new ArrayList<>();
            while (rs.next()) {
                seen.add(rs.getString("INDEX_NAME") + ":" + rs.getString("COLUMN_NAME") + ":"
                        + rs.getBoolean("NON_UNIQUE") + ":" + rs.getString("ASC_OR_DESC") + ":"
                        + rs.getInt("ORDINAL_POSITION"));
            }
            assertEquals(
                    List.of("book_title:title:false:D:1", "book_author:author_id:true:A:1", "book_author:id:true:A:2"),
                    seen);
        }
        assertEquals(List.of("book_title"), column(md.getIndexInfo(null, null, "book", true, true), "INDEX_NAME"));
        assertFalse(column(md.getTypeInfo(), "TYPE_NAME").isEmpty());
        assertEquals(List.of(), column(md.getProcedures(null, null, "%"), "PROCEDURE_NAME"));
    }

    @Test
    void resultSetMetaDataFromDeclaredTypes() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT b.id AS book_id, title, price, weight, cover, flag, published, anything, 1 + 1 AS two,"
                        + " a.name, a.born FROM book b JOIN author a ON a.id = b.author_id")) {
            ResultSetMetaData md = ps.getMetaData(); // before execution
            assertEquals(11, md.getColumnCount());
            assertEquals("book_id", md.getColumnLabel(1));
            assertEquals("id", md.getColumnName(1));
            assertEquals("book", md.getTableName(1));
            int[] types = {
                Types.BIGINT,
                Types.VARCHAR,
                Types.NUMERIC,
                Types.DOUBLE,
                Types.BLOB,
                Types.BOOLEAN,
                Types.TIMESTAMP,
                Types.OTHER,
                Types.OTHER,
                Types.VARCHAR,
                Types.DATE
            };
            String[] classes = {
                "java.lang.Long",
                "java.lang.String",
                "java.math.BigDecimal",
                "java.lang.Double",
                "[B",
                "java.lang.Boolean",
                "java.sql.Timestamp",
                "java.lang.Object",
                "java.lang.Object",
                "java.lang.String",
                "java.sql.Date"
            };
            for (int i = 0; i < types.length; i++) {
                assertEquals(types[i], md.getColumnType(i + 1), md.getColumnLabel(i + 1));
                assertEquals(classes[i], md.getColumnClassName(i + 1), md.getColumnLabel(i + 1));
            }
            assertEquals("INTEGER", md.getColumnTypeName(1));
            assertEquals("", md.getColumnTypeName(9));
            assertEquals("two", md.getColumnName(9));
            assertEquals("", md.getTableName(9));
            assertEquals(ResultSetMetaData.columnNoNulls, md.isNullable(1)); // the rowid alias
            assertTrue(md.isAutoIncrement(1));
            assertEquals(ResultSetMetaData.columnNullableUnknown, md.isNullable(9)); // an expression
            assertFalse(md.isAutoIncrement(9));
            assertTrue(md.isSigned(1));
            assertTrue(md.isCaseSensitive(2));
            SQLException e = assertThrows(SQLException.class, () -> md.getColumnType(12));
            assertEquals("07009", e.getSQLState());
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData after = rs.getMetaData();
                for (int i = 0; i < types.length; i++) {
                    assertEquals(types[i], after.getColumnType(i + 1));
                }
            }
        }
        try (ResultSet rs = c.createStatement().executeQuery("SELECT 1 AS one, 'x' AS x")) {
            ResultSetMetaData md = rs.getMetaData();
            assertEquals(2, md.getColumnCount());
            assertEquals("one", md.getColumnLabel(1));
            assertEquals(Types.OTHER, md.getColumnType(1));
        }
    }

    @Test
    void parameterMetaData() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM book WHERE id = ? AND title = ?")) {
            ParameterMetaData pmd = ps.getParameterMetaData();
            assertEquals(2, pmd.getParameterCount());
            assertEquals(Types.OTHER, pmd.getParameterType(1));
            assertEquals(ParameterMetaData.parameterNullableUnknown, pmd.isNullable(2));
            assertEquals(ParameterMetaData.parameterModeIn, pmd.getParameterMode(1));
            SQLException e = assertThrows(SQLException.class, () -> pmd.getParameterType(3));
            assertEquals("07009", e.getSQLState());
        }
    }

    @Test
    void sameSqlSharesItsColumnDescriptionUntilTheSchemaChanges() throws SQLException {
        String sql = "SELECT * FROM pair";
        ResultSetMetaData first;
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            first = rs.getMetaData();
            assertEquals(2, first.getColumnCount());
        }
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            assertSame(first, rs.getMetaData(), "the native statement came from the cache: same description");
        }
        try (java.sql.Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            assertSame(first, rs.getMetaData(), "plain statements share it too");
        }
        TestSupport.exec(c, "INSERT INTO pair VALUES (1, 'x')");
        PreparedStatement held = c.prepareStatement(sql);
        assertEquals(2, held.getMetaData().getColumnCount());
        // Another connection changes the schema: the cached native statement is recompiled.
        try (Connection other = TestSupport.open(url)) {
            TestSupport.exec(other, "ALTER TABLE pair ADD COLUMN note TEXT DEFAULT 'n'");
        }
        try (held;
                ResultSet rs = held.executeQuery()) {
            assertEquals(3, rs.getMetaData().getColumnCount(), "a statement prepared before the change");
            assertEquals(3, held.getMetaData().getColumnCount());
            assertTrue(rs.next());
            assertEquals("n", rs.getString("note"));
        }
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData now = rs.getMetaData();
            assertEquals(3, now.getColumnCount(), "the new column is described");
            assertEquals("note", now.getColumnLabel(3));
            assertTrue(rs.next());
            assertEquals("n", rs.getString(3), "and read");
            assertEquals("n", rs.getString("note"));
        }
        try (java.sql.Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            assertEquals(3, rs.getMetaData().getColumnCount());
            assertTrue(rs.next());
            assertEquals("n", rs.getString(3));
        }
    }
}
