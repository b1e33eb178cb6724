package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 14: JDBC conformance a migrating sqlite-jdbc user or a metadata-driven tool relies on. */
class ConformanceTest {
    private String url;
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        url = TestSupport.memUrl();
        c = TestSupport.open(url);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
        Shmlite.drop(url);
    }

    /** Rows of a result set as "A|B|..." strings of the given columns. */
    private static List<String> rows(ResultSet rs, String... labels) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (String l : labels) {
                    if (sb.length() > 0) {
                        sb.append('|');
                    }
                    sb.append(rs.getString(l));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    // --- item 1: constraint names --------------------------------------------------------------

    @Test
    void namedTableLevelPrimaryAndForeignKeysAreReported() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE p (id INTEGER, CONSTRAINT pk_p PRIMARY KEY (id))");
        TestSupport.exec(
                c,
                "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER,"
                        + " CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p(id))");
        DatabaseMetaData md = c.getMetaData();
        assertEquals(List.of("id|pk_p"), rows(md.getPrimaryKeys(null, null, "p"), "COLUMN_NAME", "PK_NAME"));
        assertEquals(List.of("id|null"), rows(md.getPrimaryKeys(null, null, "c"), "COLUMN_NAME", "PK_NAME"));
        assertEquals(
                List.of("p|id|pid|fk_c_p|pk_p"),
                rows(
                        md.getImportedKeys(null, null, "c"),
                        "PKTABLE_NAME",
                        "PKCOLUMN_NAME",
                        "FKCOLUMN_NAME",
                        "FK_NAME",
                        "PK_NAME"));
        assertEquals(List.of("c|fk_c_p"), rows(md.getExportedKeys(null, null, "p"), "FKTABLE_NAME", "FK_NAME"));
        assertEquals(List.of("fk_c_p"), rows(md.getCrossReference(null, null, "p", null, null, "c"), "FK_NAME"));
    }

    @Test
    void columnLevelConstraintNamesQuotedIdentifiersAndCommentsAreParsed() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE \"Par ent\" (\"k\"\"ey\" TEXT CONSTRAINT \"pk, tricky\" PRIMARY KEY)");
        // Comments and a CHECK mentioning the words must not be taken for constraints.
        TestSupport.exec(
                c,
                "CREATE TABLE kid ( -- CONSTRAINT fake PRIMARY KEY (x)\n"
                        + " id INTEGER /* CONSTRAINT nope PRIMARY KEY */ CONSTRAINT [kid pk] PRIMARY KEY,"
                        + " note TEXT CONSTRAINT nn NOT NULL CHECK (note <> 'CONSTRAINT x FOREIGN KEY (a) REFERENCES b'),"
                        + " pkey TEXT CONSTRAINT `fk col` REFERENCES \"Par ent\" (\"k\"\"ey\") ON DELETE CASCADE,"
                        + " other TEXT REFERENCES \"Par ent\","
                        + " a INTEGER, b INTEGER,"
                        + " CONSTRAINT fk_ab FOREIGN KEY (a, b) REFERENCES pair (x, y))");
        TestSupport.exec(c, "CREATE TABLE pair (x INTEGER, y INTEGER, PRIMARY KEY (x, y))");
        DatabaseMetaData md = c.getMetaData();
        assertEquals(
                List.of("k\"ey|pk, tricky"), rows(md.getPrimaryKeys(null, null, "Par ent"), "COLUMN_NAME", "PK_NAME"));
        assertEquals(List.of("id|kid pk"), rows(md.getPrimaryKeys(null, null, "kid"), "COLUMN_NAME", "PK_NAME"));
        // Unnamed constraints: null, as SQLite keeps no name for them.
        assertEquals(
                List.of("x|null", "y|null"), rows(md.getPrimaryKeys(null, null, "pair"), "COLUMN_NAME", "PK_NAME"));
        List<String> keys = rows(md.getImportedKeys(null, null, "kid"), "PKTABLE_NAME", "FKCOLUMN_NAME", "FK_NAME");
        keys.sort(null); // two keys to the same parent, both KEY_SEQ 1: JDBC leaves their order open
        assertEquals(List.of("Par ent|other|null", "Par ent|pkey|fk col", "pair|a|fk_ab", "pair|b|fk_ab"), keys);
    }

    @Test
    void tableSqlParserIgnoresNonTables() {
        assertNull(TableSqlParser.parse("CREATE TABLE t AS SELECT 1 AS x").primaryKeyName);
        assertEquals(
                0,
                TableSqlParser.parse("CREATE VIRTUAL TABLE v USING fts5(a)")
                        .foreignKeys
                        .size());
        assertNull(TableSqlParser.parse(null).primaryKeyName);
        assertNull(TableSqlParser.parse("CREATE TABLE broken (id INTEGER CONSTRAINT").primaryKeyName);
        assertEquals(
                "unterminated",
                TableSqlParser.parse("CREATE TABLE t (id CONSTRAINT unterminated PRIMARY KEY" + " /* open comment")
                        .primaryKeyName);
    }

    // --- item 2: TEMP and attached schemas -------------------------------------------------------

    @Test
    void tempAndAttachedTablesAreVisibleToMetadataBySchema() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shmlite-conf");
        java.nio.file.Path aux = dir.resolve("aux.db");
        try {
            TestSupport.exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            TestSupport.exec(c, "CREATE TEMP TABLE tmp1 (id INTEGER, name TEXT, CONSTRAINT pk_tmp PRIMARY KEY (id))");
            TestSupport.exec(c, "CREATE INDEX temp.tmp1_name ON tmp1(name)");
            TestSupport.exec(c, "ATTACH '" + aux + "' AS aux");
            TestSupport.exec(
                    c,
                    "CREATE TABLE aux.a (id INTEGER PRIMARY KEY, t_id INTEGER"
                            + " CONSTRAINT fk_a_t REFERENCES t2(id))");
            TestSupport.exec(c, "CREATE TABLE aux.t2 (id INTEGER PRIMARY KEY)");
            DatabaseMetaData md = c.getMetaData();
            assertEquals(List.of("temp", "aux"), rows(md.getSchemas(), "TABLE_SCHEM"));
            assertEquals(List.of("aux"), rows(md.getSchemas(null, "a%"), "TABLE_SCHEM"));
            assertEquals(
                    List.of("temp|tmp1|LOCAL TEMPORARY"),
                    rows(md.getTables(null, null, "tmp1", null), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"));
            assertEquals(
                    List.of("temp|tmp1"),
                    rows(md.getTables(null, null, "%", new String[] {"LOCAL TEMPORARY"}), "TABLE_SCHEM", "TABLE_NAME"));
            // main's tables have no schema (null, as in sqlite-jdbc): they sort first.
            assertEquals(
                    List.of("null|t", "aux|a", "aux|t2"),
                    rows(md.getTables(null, null, "%", new String[] {"TABLE"}), "TABLE_SCHEM", "TABLE_NAME"));
            assertEquals(
                    List.of("null|t"),
                    rows(md.getTables(null, "", "%", new String[] {"TABLE"}), "TABLE_SCHEM", "TABLE_NAME"));
            assertEquals(
                    List.of("null|t"),
                    rows(md.getTables(null, "main", "%", new String[] {"TABLE"}), "TABLE_SCHEM", "TABLE_NAME"));
            assertEquals(
                    List.of("aux|a", "aux|t2"),
                    rows(md.getTables(null, "aux", "%", null), "TABLE_SCHEM", "TABLE_NAME"));
            assertEquals(List.of(), rows(md.getTables(null, "main", "tmp1", null), "TABLE_NAME"));
            assertEquals(
                    List.of("temp|id", "temp|name"),
                    rows(md.getColumns(null, null, "tmp1", "%"), "TABLE_SCHEM", "COLUMN_NAME"));
            assertEquals(
                    List.of("aux|id", "aux|t_id"),
                    rows(md.getColumns(null, "aux", "a", "%"), "TABLE_SCHEM", "COLUMN_NAME"));
            assertEquals(
                    List.of("temp|id|pk_tmp"),
                    rows(md.getPrimaryKeys(null, null, "tmp1"), "TABLE_SCHEM", "COLUMN_NAME", "PK_NAME"));
            assertEquals(
                    List.of("temp|tmp1_name|name"),
                    rows(
                            md.getIndexInfo(null, "temp", "tmp1", false, true),
                            "TABLE_SCHEM",
                            "INDEX_NAME",
                            "COLUMN_NAME"));
            assertEquals(
                    List.of("aux|t2|id|aux|t_id|fk_a_t"),
                    rows(
                            md.getImportedKeys(null, null, "a"),
                            "PKTABLE_SCHEM",
                            "PKTABLE_NAME",
                            "PKCOLUMN_NAME",
                            "FKTABLE_SCHEM",
                            "FKCOLUMN_NAME",
                            "FK_NAME"));
            assertEquals(
                    List.of("aux|a"), rows(md.getExportedKeys(null, "aux", "t2"), "FKTABLE_SCHEM", "FKTABLE_NAME"));
            assertNull(c.getSchema());
            TestSupport.exec(c, "DETACH aux");
            assertEquals(List.of("temp"), rows(md.getSchemas(), "TABLE_SCHEM"));
        } finally {
            java.nio.file.Files.deleteIfExists(aux);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    // --- item 3: ResultSetMetaData from origin columns -------------------------------------------

    @Test
    void resultSetMetaDataUsesTheOriginColumnsSchemaFacts() throws SQLException {
        TestSupport.exec(
                c,
                "CREATE TABLE p (id integer primary key, name varchar(40) not null, price decimal(10,2),"
                        + " note text)");
        TestSupport.exec(c, "CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)");
        TestSupport.exec(c, "CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b))");
        TestSupport.exec(c, "CREATE TABLE wr (k INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID");
        TestSupport.exec(c, "CREATE TEMP TABLE tt (x INTEGER NOT NULL)");
        try (java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT id, name, price, note, price * 2 AS twice," + " (SELECT max(id) FROM seq) AS m FROM p")) {
            java.sql.ResultSetMetaData md = ps.getMetaData();
            assertEquals(java.sql.ResultSetMetaData.columnNoNulls, md.isNullable(1));
            assertEquals(java.sql.ResultSetMetaData.columnNoNulls, md.isNullable(2));
            assertEquals(java.sql.ResultSetMetaData.columnNullable, md.isNullable(3));
            assertEquals(java.sql.ResultSetMetaData.columnNullable, md.isNullable(4));
            assertEquals(java.sql.ResultSetMetaData.columnNullableUnknown, md.isNullable(5));
            assertEquals(java.sql.ResultSetMetaData.columnNullableUnknown, md.isNullable(6));
            assertEquals(10, md.getPrecision(3));
            assertEquals(2, md.getScale(3));
            assertEquals(12, md.getColumnDisplaySize(3));
            assertEquals(40, md.getPrecision(2));
            assertEquals(40, md.getColumnDisplaySize(2));
            assertEquals(Integer.MAX_VALUE, md.getColumnDisplaySize(4));
            assertEquals(0, md.getPrecision(5));
            assertEquals(true, md.isAutoIncrement(1));
            assertEquals(false, md.isAutoIncrement(2));
            assertEquals("", md.getSchemaName(1)); // main: no schema
            assertEquals("", md.getSchemaName(5));
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT s.id, a, b, k, x FROM seq s, pair, wr, tt")) {
            java.sql.ResultSetMetaData md = ps.getMetaData();
            assertEquals(true, md.isAutoIncrement(1));
            assertEquals(java.sql.ResultSetMetaData.columnNoNulls, md.isNullable(1));
            // A composite primary key of a rowid table accepts NULL (SQLite's legacy rule); no rowid alias.
            assertEquals(java.sql.ResultSetMetaData.columnNullable, md.isNullable(2));
            assertEquals(false, md.isAutoIncrement(2));
            // WITHOUT ROWID: the key is NOT NULL but not numbered automatically.
            assertEquals(java.sql.ResultSetMetaData.columnNoNulls, md.isNullable(4));
            assertEquals(false, md.isAutoIncrement(4));
            assertEquals(java.sql.ResultSetMetaData.columnNoNulls, md.isNullable(5));
            assertEquals("temp", md.getSchemaName(5));
        }
    }

    // --- item 6: SQLite compile options ----------------------------------------------------------

    @Test
    void mathFts5RtreeJsonAndTheOtherBuildOptionsWork() throws SQLException {
        assertEquals(4, TestSupport.queryLong(c, "SELECT sqrt(16)"));
        assertEquals(8, TestSupport.queryLong(c, "SELECT pow(2, 3)"));
        assertEquals("3.14159", TestSupport.queryString(c, "SELECT printf('%.5f', pi())"));
        TestSupport.exec(c, "CREATE VIRTUAL TABLE doc USING fts5(body)");
        TestSupport.exec(c, "INSERT INTO doc VALUES ('the quick brown fox'), ('lazy dogs sleep')");
        assertEquals("lazy dogs sleep", TestSupport.queryString(c, "SELECT body FROM doc WHERE doc MATCH 'dog*'"));
        TestSupport.exec(c, "CREATE VIRTUAL TABLE old USING fts4(body)");
        TestSupport.exec(c, "CREATE VIRTUAL TABLE box USING rtree(id, minX, maxX, minY, maxY)");
        TestSupport.exec(c, "INSERT INTO box VALUES (1, 0, 10, 0, 10), (2, 20, 30, 20, 30)");
        assertEquals(1, TestSupport.queryLong(c, "SELECT id FROM box WHERE minX <= 5 AND maxX >= 5"));
        assertEquals(2, TestSupport.queryLong(c, "SELECT json_extract('{\"a\":[1,2]}', '$.a[1]')"));
        assertEquals(1, TestSupport.queryLong(c, "SELECT count(*) > 0 FROM dbstat"));
        assertEquals("R163", TestSupport.queryString(c, "SELECT soundex('Robert')"));
        java.util.Set<String> options = new java.util.HashSet<>();
        try (ResultSet rs = c.createStatement().executeQuery("PRAGMA compile_options")) {
            while (rs.next()) {
                options.add(rs.getString(1));
            }
        }
        for (String o : new String[] {
            "ENABLE_MATH_FUNCTIONS",
            "ENABLE_FTS5",
            "ENABLE_FTS3",
            "ENABLE_RTREE",
            "ENABLE_COLUMN_METADATA",
            "ENABLE_STAT4",
            "ENABLE_DBSTAT_VTAB",
            "DEFAULT_MEMSTATUS=0",
            "MAX_MMAP_SIZE=1099511627776",
            "MAX_VARIABLE_NUMBER=250000",
            "ENABLE_SETLK_TIMEOUT",
            "SOUNDEX"
        }) {
            assertEquals(true, options.contains(o), o + " in " + options);
        }
    }

    @Test
    void everyFunctionTheMetadataListsExists() throws SQLException {
        java.util.Set<String> functions = new java.util.HashSet<>();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT name FROM pragma_function_list")) {
            while (rs.next()) {
                functions.add(rs.getString(1));
            }
        }
        DatabaseMetaData md = c.getMetaData();
        for (String list : new String[] {
            md.getNumericFunctions(), md.getStringFunctions(), md.getSystemFunctions(), md.getTimeDateFunctions()
        }) {
            for (String f : list.split(",")) {
                assertEquals(true, functions.contains(f), f);
            }
        }
    }

    // --- item 7: statement conformance -----------------------------------------------------------

    @Test
    void aQueryInABatchIsABatchUpdateException() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE t (x INTEGER)");
        try (java.sql.Statement st = c.createStatement()) {
            st.addBatch("INSERT INTO t VALUES (1)");
            st.addBatch("SELECT x FROM t");
            st.addBatch("INSERT INTO t VALUES (2)");
            java.sql.BatchUpdateException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.sql.BatchUpdateException.class, st::executeBatch);
            assertEquals("07003", e.getSQLState());
            assertEquals(1, e.getUpdateCounts().length);
            assertEquals(true, e.getMessage().contains("batch command 2 is a query"), e.getMessage());
            // The batch is emptied; the statement works on.
            assertEquals(0, st.executeBatch().length);
        }
        assertEquals(1, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT x FROM t WHERE x = ?")) {
            ps.setInt(1, 1);
            ps.addBatch();
            java.sql.BatchUpdateException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.sql.BatchUpdateException.class, ps::executeBatch);
            assertEquals("07003", e.getSQLState());
            assertEquals(0, e.getUpdateCounts().length);
            assertEquals(0, ps.executeBatch().length);
        }
        // An INSERT with its own RETURNING still runs in a batch.
        try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?) RETURNING x")) {
            ps.setInt(1, 5);
            ps.addBatch();
            assertEquals(1, ps.executeBatch().length);
        }
        assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM t"));
    }

    @Test
    void getMoreResultsRefusesAnInvalidModeAndFetchDirectionIsForwardOnly() throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            SQLException e =
                    org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> st.getMoreResults(15));
            assertEquals("HY024", e.getSQLState());
            for (int mode : new int[] {
                java.sql.Statement.CLOSE_CURRENT_RESULT,
                java.sql.Statement.KEEP_CURRENT_RESULT,
                java.sql.Statement.CLOSE_ALL_RESULTS
            }) {
                assertEquals(false, st.getMoreResults(mode));
            }
            st.setFetchDirection(ResultSet.FETCH_FORWARD);
            assertEquals(
                    "HYC00",
                    org.junit.jupiter.api.Assertions.assertThrows(
                                    SQLException.class, () -> st.setFetchDirection(ResultSet.FETCH_REVERSE))
                            .getSQLState());
            assertEquals(
                    "HY024",
                    org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> st.setFetchDirection(42))
                            .getSQLState());
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                assertEquals(
                        "HYC00",
                        org.junit.jupiter.api.Assertions.assertThrows(
                                        java.sql.SQLFeatureNotSupportedException.class,
                                        () -> rs.setFetchDirection(ResultSet.FETCH_REVERSE))
                                .getSQLState());
                assertEquals(
                        "HY024",
                        org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> rs.setFetchDirection(7))
                                .getSQLState());
                assertEquals(ResultSet.FETCH_FORWARD, rs.getFetchDirection());
            }
        }
    }

    // --- item 8: blocked by this connection's own statement -------------------------------------

    @Test
    void dropTableUnderAnOpenSelectOfTheSameConnectionIsObjectInUseNotATimeout() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT)");
        // More rows than one fetch buffer holds, so the SELECT stays open inside SQLite.
        TestSupport.exec(
                c,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
                        + " INSERT INTO big SELECT i, printf('%.100c', 'x') FROM n");
        try (java.sql.Statement reader = c.createStatement();
                ResultSet rs = reader.executeQuery("SELECT id, pad FROM big ORDER BY id")) {
            org.junit.jupiter.api.Assertions.assertTrue(rs.next());
            java.sql.Statement dropper = c.createStatement();
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                    SQLException.class, () -> dropper.execute("DROP TABLE big"));
            assertEquals("55006", e.getSQLState(), e.getMessage());
            assertEquals(false, e instanceof java.sql.SQLTimeoutException);
            assertEquals(false, e instanceof java.sql.SQLTransientException);
            assertEquals(6, e.getErrorCode());
            assertEquals(true, e.getMessage().contains("SELECT id, pad FROM big ORDER BY id"), e.getMessage());
            assertEquals(true, e.getMessage().contains("this same connection"), e.getMessage());
            // The reader goes on.
            org.junit.jupiter.api.Assertions.assertTrue(rs.next());
            assertEquals(2, rs.getLong(1));
        }
        TestSupport.exec(c, "DROP TABLE big"); // once the SELECT is closed
    }

    // --- item 4: generated keys for every INSERT form --------------------------------------------

    private List<String> keysOf(String sql) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.executeUpdate(sql, java.sql.Statement.RETURN_GENERATED_KEYS);
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = st.getGeneratedKeys()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                    }
                    keys.add(sb.toString());
                }
            }
            return keys;
        }
    }

    private void keysTable() throws SQLException {
        TestSupport.exec(c, "CREATE TABLE k (id INTEGER PRIMARY KEY, c1 TEXT UNIQUE, n INTEGER DEFAULT 0)");
    }

    @Test
    void keysOfWithInsert() throws SQLException {
        keysTable();
        assertEquals(List.of("1"), keysOf("WITH v(x) AS (SELECT 'a') INSERT INTO k(c1) SELECT x FROM v"));
        assertEquals(
                List.of("2"),
                keysOf("/* c */ WITH RECURSIVE v(x) AS (VALUES ('b')) INSERT INTO k(c1) VALUES"
                        + " ((SELECT x FROM v))"));
        try (java.sql.PreparedStatement ps =
                c.prepareStatement("WITH v(x) AS (SELECT ?) INSERT INTO k(c1) SELECT x FROM v", new String[] {"c1"})) {
            ps.setString(1, "c");
            assertEquals(1, ps.executeUpdate());
            try (ResultSet rs = ps.getGeneratedKeys()) {
                org.junit.jupiter.api.Assertions.assertTrue(rs.next());
                assertEquals("c", rs.getString(1));
                assertEquals(false, rs.next());
            }
        }
        // A WITH ... SELECT or UPDATE is no INSERT: no keys.
        assertEquals(List.of(), keysOf("WITH v(x) AS (SELECT 1) UPDATE k SET n = (SELECT x FROM v)"));
    }

    @Test
    void keysOfReplaceInto() throws SQLException {
        keysTable();
        assertEquals(List.of("10"), keysOf("REPLACE INTO k(id, c1) VALUES (10, 'r')"));
        assertEquals(List.of("10"), keysOf("REPLACE INTO k(id, c1) VALUES (10, 'r2')"));
    }

    @Test
    void keysOfInsertOrReplace() throws SQLException {
        keysTable();
        assertEquals(List.of("1"), keysOf("INSERT INTO k(c1) VALUES ('a')"));
        // The conflicting row is deleted and a new one inserted: a new rowid.
        assertEquals(List.of("2"), keysOf("INSERT OR REPLACE INTO k(c1) VALUES ('a')"));
        assertEquals(1, TestSupport.queryLong(c, "SELECT count(*) FROM k"));
    }

    @Test
    void keysOfInsertOrIgnore() throws SQLException {
        keysTable();
        assertEquals(List.of("1"), keysOf("INSERT OR IGNORE INTO k(c1) VALUES ('a')"));
        // Ignored: nothing inserted, no key (not the previous rowid).
        assertEquals(List.of(), keysOf("INSERT OR IGNORE INTO k(c1) VALUES ('a')"));
    }

    @Test
    void keysOfUpsert() throws SQLException {
        keysTable();
        assertEquals(List.of("1"), keysOf("INSERT INTO k(c1) VALUES ('a') ON CONFLICT (c1) DO UPDATE SET n = n + 1"));
        // DO UPDATE: the updated row is the one the statement wrote; its key comes back.
        assertEquals(List.of("1"), keysOf("INSERT INTO k(c1) VALUES ('a') ON CONFLICT (c1) DO UPDATE SET n = n + 1"));
        assertEquals(List.of(), keysOf("INSERT INTO k(c1) VALUES ('a') ON CONFLICT DO NOTHING"));
        assertEquals(1, TestSupport.queryLong(c, "SELECT n FROM k"));
    }

    @Test
    void keysOfInsertSelectOfManyRows() throws SQLException {
        keysTable();
        assertEquals(
                List.of("1", "2", "3"), keysOf("INSERT INTO k(c1) SELECT value FROM json_each('[\"x\",\"y\",\"z\"]')"));
        assertEquals(List.of("4", "5"), keysOf("INSERT INTO k(c1) VALUES ('p'), ('q')"));
    }

    @Test
    void keysOfDefaultValues() throws SQLException {
        keysTable();
        assertEquals(List.of("1"), keysOf("INSERT INTO k DEFAULT VALUES"));
        assertEquals(List.of("2"), keysOf("INSERT INTO k DEFAULT VALUES"));
    }

    @Test
    void keysOfAnInsertWithItsOwnReturning() throws SQLException {
        keysTable();
        assertEquals(List.of("1|z"), keysOf("INSERT INTO k(c1) VALUES ('z') RETURNING id, c1"));
        try (java.sql.PreparedStatement ps = c.prepareStatement(
                "INSERT INTO k(c1) VALUES (?) RETURNING c1, n", java.sql.Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, "w");
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                org.junit.jupiter.api.Assertions.assertTrue(rs.next());
                assertEquals("w", rs.getString(1));
                assertEquals(0, rs.getInt(2));
            }
        }
    }

    // --- item 5: read-only that holds ------------------------------------------------------------

    private static void assertReadOnlyHolds(Connection ro) throws SQLException {
        assertEquals(true, ro.isReadOnly());
        assertEquals(true, ro.getMetaData().isReadOnly());
        ro.setReadOnly(false); // a hint: ignored on a read-only database
        assertEquals(true, ro.isReadOnly());
        SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                SQLException.class, () -> TestSupport.exec(ro, "CREATE TABLE w (x)"));
        assertEquals("25006", e.getSQLState(), e.getMessage());
        TestSupport.queryLong(ro, "SELECT count(*) FROM sqlite_schema"); // reads work
    }

    @Test
    void openModeReadOnlyHoldsOnMem() throws SQLException {
        String ro = TestSupport.memUrl() + "?open_mode=READONLY";
        try (Connection c1 = java.sql.DriverManager.getConnection(ro)) {
            assertReadOnlyHolds(c1);
        } finally {
            Shmlite.drop(ro.substring(0, ro.indexOf('?')));
        }
    }

    @Test
    void openModeReadOnlyHoldsOnFiles() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shmlite-ro");
        java.nio.file.Path f = dir.resolve("ro.db");
        try {
            try (Connection w = java.sql.DriverManager.getConnection("jdbc:shmlite:file:" + f)) {
                TestSupport.exec(w, "CREATE TABLE t (x)");
            }
            Shmlite.drop("jdbc:shmlite:file:" + f);
            try (Connection ro =
                    java.sql.DriverManager.getConnection("jdbc:shmlite:file:" + f + "?open_mode=READONLY")) {
                assertReadOnlyHolds(ro);
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                        SQLException.class, () -> TestSupport.exec(ro, "INSERT INTO t VALUES (1)"));
                assertEquals("25006", e.getSQLState());
            }
            Shmlite.drop("jdbc:shmlite:file:" + f);
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                java.nio.file.Files.deleteIfExists(dir.resolve("ro.db" + suffix));
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    @Test
    void openModeReadOnlyHoldsOnAPrivateMemoryDatabase() throws SQLException {
        try (Connection ro = java.sql.DriverManager.getConnection("jdbc:shmlite::memory:?open_mode=READONLY")) {
            assertReadOnlyHolds(ro);
        }
    }

    // --- items 11/12: sqlite-jdbc's properties -------------------------------------------------------

    @Test
    void recursionLimitPropertiesHoldUnderTheStackGuard() throws Exception {
        // The stack guard fits SQLITE_LIMIT_EXPR_DEPTH and LIKE_PATTERN_LENGTH to the calling
        // thread's stack at every call; the configured values stay the ceiling, on any thread.
        String url = TestSupport.memUrl() + "?limit_expr_depth=20&limit_like_pattern_length=10";
        String deep = "SELECT " + "1+".repeat(40) + "1"; // an expression tree 41 levels deep
        String shallow = "SELECT " + "1+".repeat(4) + "1";
        try (Connection c = TestSupport.open(url)) {
            for (int round = 0; round < 2; round++) {
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                        SQLException.class, () -> TestSupport.queryLong(c, deep));
                assertTrue(e.getMessage().contains("depth"), e.getMessage());
                assertEquals(5, TestSupport.queryLong(c, shallow));
                SQLException like = org.junit.jupiter.api.Assertions.assertThrows(
                        SQLException.class, () -> TestSupport.queryLong(c, "SELECT 'a' LIKE '%%%%%%%%%%%%%%a'"));
                assertTrue(like.getMessage().contains("LIKE"), like.getMessage());
            }
        } finally {
            Shmlite.drop(url);
        }
        try (Connection c = TestSupport.open(TestSupport.memUrl())) {
            assertEquals(41, TestSupport.queryLong(c, deep)); // SQLite's default 1000 otherwise
        }
    }

    @Test
    void sqliteJdbcPragmaAndLimitPropertiesApplyPerConnectionAndSurviveThePool() throws Exception {
        String base = TestSupport.memUrl();
        java.util.Properties p = new java.util.Properties();
        p.setProperty("pool_size", "1"); // one native connection: every session reuses it
        p.setProperty("recursive_triggers", "true");
        p.setProperty("temp_store", "MEMORY");
        p.setProperty("case_sensitive_like", "true");
        p.setProperty("limit_attached", "1");
        p.setProperty("automatic_index", "false");
        try (Connection a = java.sql.DriverManager.getConnection(base, p)) {
            assertEquals(1, TestSupport.queryLong(a, "PRAGMA recursive_triggers"));
            assertEquals(2, TestSupport.queryLong(a, "PRAGMA temp_store"));
            assertEquals(0, TestSupport.queryLong(a, "PRAGMA automatic_index"));
            assertEquals(0, TestSupport.queryLong(a, "SELECT 'a' LIKE 'A'"));
            TestSupport.exec(a, "ATTACH ':memory:' AS one");
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                    SQLException.class, () -> TestSupport.exec(a, "ATTACH ':memory:' AS two"));
            assertEquals(true, e.getMessage().contains("too many attached"), e.getMessage());
            // The session changes one itself: the next session with the property gets it back.
            TestSupport.exec(a, "PRAGMA recursive_triggers=0");
        }
        try (Connection b = java.sql.DriverManager.getConnection(base, p)) {
            assertEquals(1, TestSupport.queryLong(b, "PRAGMA recursive_triggers"));
            assertEquals(0, TestSupport.queryLong(b, "SELECT count(*) - 1 FROM pragma_database_list"));
        }
        java.util.Properties plain = new java.util.Properties();
        plain.setProperty("pool_size", "1");
        try (Connection d = java.sql.DriverManager.getConnection(base, plain)) {
            // Unset: SQLite's defaults, on the same native connection.
            assertEquals(0, TestSupport.queryLong(d, "PRAGMA recursive_triggers"));
            assertEquals(0, TestSupport.queryLong(d, "PRAGMA temp_store"));
            assertEquals(1, TestSupport.queryLong(d, "PRAGMA automatic_index"));
            assertEquals(1, TestSupport.queryLong(d, "SELECT 'a' LIKE 'A'"));
            TestSupport.exec(d, "ATTACH ':memory:' AS one");
            TestSupport.exec(d, "ATTACH ':memory:' AS two");
        } finally {
            Shmlite.drop(base);
        }
    }

    @Test
    void pageSizeAndMmapSizeApplyToAFileDatabase() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shmlite-props");
        String url = "jdbc:shmlite:file:" + dir.resolve("p.db") + "?page_size=8192&mmap_size=1048576";
        try {
            try (Connection f = java.sql.DriverManager.getConnection(url)) {
                TestSupport.exec(f, "CREATE TABLE t (x)");
                assertEquals(8192, TestSupport.queryLong(f, "PRAGMA page_size"));
                assertEquals(1048576, TestSupport.queryLong(f, "PRAGMA mmap_size"));
            }
            Shmlite.drop(url);
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                java.nio.file.Files.deleteIfExists(dir.resolve("p.db" + suffix));
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    @Test
    void sqliteJdbcPropertiesWithNoMeaningHereAreRefusedNamingWhatToUse() {
        String[][] cases = {
            {"journal_size_limit=1000", "wal_limit_mb"},
            {"shared_cache=true", "mem:"},
            {"jdbc.get_generated_keys=false", "RETURN_GENERATED_KEYS"},
            {"locking_mode=EXCLUSIVE", "EXCLUSIVE"},
            {"temp_store_directory=/tmp", "SQLITE_TMPDIR"},
            {"temp_store=DISK", "MEMORY"},
            {"page_size=1000", "power of two"},
        };
        for (String[] c : cases) {
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                    SQLException.class,
                    () -> java.sql.DriverManager.getConnection(TestSupport.memUrl() + "?" + c[0]),
                    c[0]);
            assertEquals("08001", e.getSQLState(), c[0]);
            assertEquals(true, e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
        }
    }

    /** README "Migrating from sqlite-jdbc": each intentional difference, as a user meets it. */
    @Test
    void migratingFromSqliteJdbcTheIntentionalDifferences() throws SQLException {
        // Unknown properties are an error naming the valid ones (sqlite-jdbc ignores them).
        SQLException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                SQLException.class,
                () -> java.sql.DriverManager.getConnection(TestSupport.memUrl() + "?busy_timout=1"));
        assertEquals("08001", unknown.getSQLState());
        // Foreign keys off by default, as in sqlite-jdbc (rusqlite's bundled build has them on).
        assertEquals(0, TestSupport.queryLong(c, "PRAGMA foreign_keys"));
        TestSupport.exec(c, "CREATE TABLE m (id INTEGER PRIMARY KEY, d TEXT, b TEXT)");
        TestSupport.exec(c, "INSERT INTO m VALUES (1, '', 'abc')");
        // An unset parameter is 07001 (sqlite-jdbc binds NULL).
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT ? + ?")) {
            ps.setInt(1, 1);
            assertEquals(
                    "07001",
                    org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, ps::executeQuery)
                            .getSQLState());
        }
        try (java.sql.Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT d, b FROM m")) {
            org.junit.jupiter.api.Assertions.assertTrue(rs.next());
            // Text that is no date or no boolean is an error, not null/false.
            assertEquals(
                    true,
                    org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> rs.getDate(1))
                            .getSQLState()
                            .startsWith("22"));
            assertEquals(
                    true,
                    org.junit.jupiter.api.Assertions.assertThrows(
                                    SQLException.class, () -> rs.getObject(2, Boolean.class))
                            .getSQLState()
                            .startsWith("22"));
        }
        // A small result is fetched ahead: the statement is done inside SQLite, so the same
        // connection may drop the table while the ResultSet is still being read.
        try (java.sql.Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM m")) {
            TestSupport.exec(c, "CREATE TABLE gone (x)");
            try (ResultSet small = c.createStatement().executeQuery("SELECT x FROM gone")) {
                TestSupport.exec(c, "DROP TABLE gone");
                assertEquals(false, small.next());
            }
            org.junit.jupiter.api.Assertions.assertTrue(rs.next());
        }
        // Savepoints need autoCommit off (sqlite-jdbc switches it off silently).
        org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> c.setSavepoint());
        assertEquals(true, c.getAutoCommit());
        // Generated keys only when asked: a plain INSERT runs no extra query.
        try (java.sql.Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("INSERT INTO m(d) VALUES ('x')"));
        }
        // Every SQLException has an SQLState (sqlite-jdbc: null).
        SQLException syntax =
                org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> TestSupport.exec(c, "SELEC 1"));
        assertEquals("42000", syntax.getSQLState());
        assertEquals("shmlite", c.getMetaData().getDriverName());
    }

    // --- item 9: ATTACH of live shmlite databases by name ----------------------------------------

    @Test
    void attachMemByNameSeesTheLiveDatabaseAndDetaches() throws Exception {
        String auxUrl = TestSupport.memUrl();
        String auxName = auxUrl.substring("jdbc:shmlite:".length());
        try (Connection aux = TestSupport.open(auxUrl)) {
            TestSupport.exec(aux, "CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
            TestSupport.exec(aux, "INSERT INTO items VALUES (1, 'from aux')");
            TestSupport.exec(c, "CREATE TABLE local (id INTEGER PRIMARY KEY, item INTEGER)");
            TestSupport.exec(c, "ATTACH '" + auxName + "' AS a");
            assertEquals("from aux", TestSupport.queryString(c, "SELECT v FROM a.items WHERE id = 1"));
            // A transaction across main and the attached database; aux's own connections see it.
            c.setAutoCommit(false);
            TestSupport.exec(c, "INSERT INTO a.items VALUES (2, 'from main')");
            TestSupport.exec(c, "INSERT INTO local VALUES (1, 2)");
            c.commit();
            c.setAutoCommit(true);
            assertEquals("from main", TestSupport.queryString(aux, "SELECT v FROM items WHERE id = 2"));
            assertEquals(
                    "from main", TestSupport.queryString(c, "SELECT i.v FROM local l JOIN a.items i ON i.id = l.item"));
            TestSupport.exec(c, "DETACH a");
            org.junit.jupiter.api.Assertions.assertThrows(
                    SQLException.class, () -> TestSupport.queryLong(c, "SELECT count(*) FROM a.items"));
            // The jdbc:shmlite: form names the same database (SQLite attaches one database once).
            TestSupport.exec(c, "ATTACH 'jdbc:shmlite:" + auxName + "' AS b");
            assertEquals(2, TestSupport.queryLong(c, "SELECT count(*) FROM b.items"));
            TestSupport.exec(c, "DETACH b");
            // Bad names are this statement's error, named by the URL rules.
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                    SQLException.class, () -> TestSupport.exec(c, "ATTACH 'mem:no/slash' AS x"));
            assertEquals("42000", e.getSQLState());
            assertEquals(true, e.getMessage().contains("no/slash"), e.getMessage());
        } finally {
            Shmlite.drop(auxUrl);
        }
    }

    @Test
    void aWriteToAnAttachedMemDatabaseWaitsForItsWriterAndThePoolDetaches() throws Exception {
        String auxUrl = TestSupport.memUrl();
        String auxName = auxUrl.substring("jdbc:shmlite:".length());
        String mainUrl = TestSupport.memUrl();
        try (Connection writer = TestSupport.open(auxUrl)) {
            TestSupport.exec(writer, "CREATE TABLE t (x INTEGER)");
            writer.setAutoCommit(false);
            TestSupport.exec(writer, "INSERT INTO t VALUES (1)"); // holds aux's write lock
            // Through the attachment the lock is waited for, bounded by busy_timeout.
            try (Connection quick = TestSupport.open(TestSupport.memUrl() + "?busy_timeout=50&keep_alive=false")) {
                TestSupport.exec(quick, "ATTACH '" + auxName + "' AS a");
                SQLException timeout = org.junit.jupiter.api.Assertions.assertThrows(
                        SQLException.class, () -> TestSupport.exec(quick, "INSERT INTO a.t VALUES (3)"));
                assertEquals("HYT00", timeout.getSQLState(), timeout.getMessage());
            }
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = new Thread(() -> {
                try (Connection m = TestSupport.open(mainUrl + "?busy_timeout=20000&pool_size=1")) {
                    TestSupport.exec(m, "ATTACH '" + auxName + "' AS a");
                    started.countDown();
                    TestSupport.exec(m, "INSERT INTO a.t VALUES (2)"); // waits for the writer's commit
                } catch (Throwable x) {
                    failure.set(x);
                    started.countDown();
                }
            });
            t.start();
            org.junit.jupiter.api.Assertions.assertTrue(started.await(20, java.util.concurrent.TimeUnit.SECONDS));
            writer.commit();
            t.join(30_000);
            assertEquals(false, t.isAlive());
            assertEquals(null, failure.get());
            assertEquals(2, TestSupport.queryLong(writer, "SELECT count(*) FROM t"));
        }
        // The pooled native connection came back detached.
        try (Connection m = TestSupport.open(mainUrl + "?busy_timeout=20000&pool_size=1")) {
            assertEquals(List.of("temp"), rows(m.getMetaData().getSchemas(), "TABLE_SCHEM"));
        } finally {
            Shmlite.drop(mainUrl);
            Shmlite.drop(auxUrl);
        }
    }

    @Test
    void attachShmByNameFromAMemDatabase() throws Exception {
        String shmUrl = "jdbc:shmlite:shm:" + TestSupport.uniqueName("conf-attach");
        String shmName = shmUrl.substring("jdbc:shmlite:".length());
        try (Connection s = TestSupport.open(shmUrl)) {
            TestSupport.exec(s, "CREATE TABLE feed (v TEXT)");
            TestSupport.exec(s, "INSERT INTO feed VALUES ('shm row')");
            TestSupport.exec(c, "ATTACH '" + shmName + "' AS f");
            assertEquals("shm row", TestSupport.queryString(c, "SELECT v FROM f.feed"));
            TestSupport.exec(c, "INSERT INTO f.feed VALUES ('via mem')");
            assertEquals(2, TestSupport.queryLong(s, "SELECT count(*) FROM feed"));
            TestSupport.exec(c, "DETACH f");
        } finally {
            Shmlite.drop(shmUrl);
        }
    }

    // --- item 10 (partly): snapshot of an in-memory database through SQL ------------------------

    @Test
    void vacuumIntoSnapshotsAMemDatabaseAndAttachReadsItBack() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shmlite-snap");
        java.nio.file.Path f = dir.resolve("snap.db");
        try {
            TestSupport.exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            TestSupport.exec(c, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
            TestSupport.exec(c, "VACUUM INTO '" + f + "'");
            try (Connection copy = java.sql.DriverManager.getConnection("jdbc:shmlite:file:" + f)) {
                assertEquals("ok", TestSupport.queryString(copy, "PRAGMA integrity_check"));
                assertEquals(2, TestSupport.queryLong(copy, "SELECT count(*) FROM t"));
            } finally {
                Shmlite.drop("jdbc:shmlite:file:" + f);
            }
            // Loading it into a (new) mem: database: ATTACH the file and copy.
            String other = TestSupport.memUrl();
            try (Connection m = TestSupport.open(other)) {
                TestSupport.exec(m, "ATTACH '" + f + "' AS snap");
                TestSupport.exec(m, "CREATE TABLE t AS SELECT * FROM snap.t");
                TestSupport.exec(m, "DETACH snap");
                assertEquals(2, TestSupport.queryLong(m, "SELECT count(*) FROM t"));
            } finally {
                Shmlite.drop(other);
            }
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                java.nio.file.Files.deleteIfExists(dir.resolve("snap.db" + suffix));
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
