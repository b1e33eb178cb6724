package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exception classes and SQLStates, native and Java-side. */
class ErrorsTest {
    private String url;
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        url = TestSupport.memUrl() + "?foreign_keys=true";
        c = TestSupport.open(url);
        TestSupport.exec(c, "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
        TestSupport.exec(c, "CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))");
        TestSupport.exec(c, "INSERT INTO parent VALUES (1, 'one')");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
        Shmlite.drop(url);
    }

    @Test
    void duplicatePrimaryKey() {
        SQLIntegrityConstraintViolationException e = assertThrows(
                SQLIntegrityConstraintViolationException.class,
                () -> TestSupport.exec(c, "INSERT INTO parent VALUES (1, 'again')"));
        assertEquals("23505", e.getSQLState());
        assertEquals(1555, e.getErrorCode()); // SQLITE_CONSTRAINT_PRIMARYKEY
    }

    @Test
    void duplicateUniqueThroughPreparedStatement() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO parent(name) VALUES (?)")) {
            ps.setString(1, "one");
            SQLIntegrityConstraintViolationException e =
                    assertThrows(SQLIntegrityConstraintViolationException.class, ps::executeUpdate);
            assertEquals("23505", e.getSQLState());
            assertEquals(2067, e.getErrorCode()); // SQLITE_CONSTRAINT_UNIQUE
            // the statement stays usable
            ps.setString(1, "two");
            assertEquals(1, ps.executeUpdate());
        }
    }

    @Test
    void syntaxErrorNamesTheSql() {
        String sql = "SELEKT * FROM parent";
        SQLSyntaxErrorException e = assertThrows(
                SQLSyntaxErrorException.class, () -> c.createStatement().executeQuery(sql));
        assertEquals("42000", e.getSQLState());
        assertTrue(e.getMessage().contains(sql), e.getMessage());
        e = assertThrows(SQLSyntaxErrorException.class, () -> c.prepareStatement(sql));
        assertEquals("42000", e.getSQLState());
    }

    @Test
    void noSuchTable() {
        SQLSyntaxErrorException e =
                assertThrows(SQLSyntaxErrorException.class, () -> c.prepareStatement("SELECT * FROM missing_table"));
        assertEquals("42S02", e.getSQLState());
        assertTrue(e.getMessage().contains("missing_table"), e.getMessage());
    }

    @Test
    void notNull() {
        SQLIntegrityConstraintViolationException e = assertThrows(
                SQLIntegrityConstraintViolationException.class,
                () -> TestSupport.exec(c, "INSERT INTO parent(id, name) VALUES (5, NULL)"));
        assertEquals("23502", e.getSQLState());
    }

    @Test
    void foreignKey() {
        SQLIntegrityConstraintViolationException e = assertThrows(
                SQLIntegrityConstraintViolationException.class,
                () -> TestSupport.exec(c, "INSERT INTO child VALUES (1, 99)"));
        assertEquals("23503", e.getSQLState());
    }

    @Test
    void preparedStatementTakesOneStatement() {
        SQLSyntaxErrorException e =
                assertThrows(SQLSyntaxErrorException.class, () -> c.prepareStatement("SELECT 1; DELETE FROM parent"));
        assertEquals("42000", e.getSQLState());
        assertTrue(e.getMessage().contains("DELETE FROM parent"), e.getMessage());
    }

    @Test
    void trailingSemicolonAndCommentAreNotASecondStatement() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1; -- done\n /* really */ ;")) {
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void emptyPreparedStatement() {
        SQLException e = assertThrows(SQLException.class, () -> c.prepareStatement("  -- nothing\n"));
        assertEquals("42000", e.getSQLState());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void parameterIndexAndUnsetParameter() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?, ?")) {
            SQLException e = assertThrows(SQLException.class, () -> ps.setInt(3, 1));
            assertEquals("07009", e.getSQLState());
            assertTrue(e.getMessage().contains("3") && e.getMessage().contains("1..2"), e.getMessage());
            e = assertThrows(SQLException.class, () -> ps.setInt(0, 1));
            assertEquals("07009", e.getSQLState());
            ps.setInt(1, 1);
            e = assertThrows(SQLException.class, ps::executeQuery);
            assertEquals("07001", e.getSQLState());
            assertTrue(e.getMessage().contains("parameter 2"), e.getMessage());
            e = assertThrows(SQLException.class, ps::addBatch);
            assertEquals("07001", e.getSQLState());
            ps.setInt(2, 2);
            ps.clearParameters();
            e = assertThrows(SQLException.class, ps::executeQuery);
            assertEquals("07001", e.getSQLState());
        }
    }

    @Test
    void columnIndexLabelAndCursorPosition() throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT id AS Ident, name FROM parent")) {
            SQLException e = assertThrows(SQLException.class, () -> rs.getInt(1));
            assertEquals("24000", e.getSQLState());
            assertTrue(rs.next());
            e = assertThrows(SQLException.class, () -> rs.getInt(3));
            assertEquals("07009", e.getSQLState());
            assertTrue(e.getMessage().contains("3"), e.getMessage());
            e = assertThrows(SQLException.class, () -> rs.getInt(0));
            assertEquals("07009", e.getSQLState());
            e = assertThrows(SQLException.class, () -> rs.getInt("nope"));
            assertEquals("42S22", e.getSQLState());
            assertTrue(e.getMessage().contains("nope"), e.getMessage());
            assertEquals(1, rs.getInt("ident"));
            assertEquals(1, rs.getInt("IDENT"));
            assertEquals(2, rs.findColumn("Name"));
            assertTrue(!rs.next());
            e = assertThrows(SQLException.class, () -> rs.getInt(1));
            assertEquals("24000", e.getSQLState());
        }
    }

    @Test
    void unsupportedFeaturesUseHyc00() throws SQLException {
        SQLFeatureNotSupportedException e = assertThrows(
                SQLFeatureNotSupportedException.class,
                () -> c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY));
        assertEquals("HYC00", e.getSQLState());
        e = assertThrows(
                SQLFeatureNotSupportedException.class,
                () -> c.prepareStatement("SELECT 1", ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE));
        assertEquals("HYC00", e.getSQLState());
        e = assertThrows(SQLFeatureNotSupportedException.class, () -> c.prepareCall("CALL x()"));
        assertEquals("HYC00", e.getSQLState());
        e = assertThrows(SQLFeatureNotSupportedException.class, () -> c.createArrayOf("INT", new Object[0]));
        assertEquals("HYC00", e.getSQLState());
        e = assertThrows(SQLFeatureNotSupportedException.class, c::createSQLXML);
        assertEquals("HYC00", e.getSQLState());
        e = assertThrows(SQLFeatureNotSupportedException.class, c::createNClob);
        assertEquals("HYC00", e.getSQLState());
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1")) {
            e = assertThrows(SQLFeatureNotSupportedException.class, rs::previous);
            assertEquals("HYC00", e.getSQLState());
            e = assertThrows(SQLFeatureNotSupportedException.class, () -> rs.absolute(1));
            assertEquals("HYC00", e.getSQLState());
            assertTrue(rs.next());
            e = assertThrows(SQLFeatureNotSupportedException.class, () -> rs.updateInt(1, 2));
            assertEquals("HYC00", e.getSQLState());
            e = assertThrows(SQLFeatureNotSupportedException.class, () -> rs.getArray(1));
            assertEquals("HYC00", e.getSQLState());
        }
    }

    @Test
    void statementMethodsTakingSqlAreRejectedOnPreparedStatements() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1")) {
            assertThrows(SQLException.class, () -> ps.executeQuery("SELECT 2"));
            assertThrows(SQLException.class, () -> ps.execute("SELECT 2"));
            assertThrows(SQLException.class, () -> ps.addBatch("SELECT 2"));
        }
    }

    @Test
    void connectionStaysUsableAfterErrors() throws SQLException {
        assertThrows(SQLException.class, () -> TestSupport.exec(c, "INSERT INTO parent VALUES (1, 'x')"));
        assertThrows(SQLException.class, () -> TestSupport.exec(c, "bogus"));
        assertTrue(c.isValid(1));
        assertEquals(1, TestSupport.queryLong(c, "SELECT count(*) FROM parent"));
    }
}
