package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DataTruncation;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input (issue 7): each a clear SQLException, and the connection still usable afterwards. */
class BadInputTest {
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        c = DriverManager.getConnection("jdbc:shmlite:mem:");
        c.createStatement().execute("CREATE TABLE t(v)");
    }

    @AfterEach
    void stillUsable() throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 40 + 2")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1), "the connection still works after the bad input");
        }
        c.close();
    }

    @Test
    void sqlWithANulCharacterIsRefusedNotTruncated() {
        SQLException e = assertThrows(SQLException.class, () -> c.createStatement().execute("SELECT 1\u0000; DELETE FROM t"));
        assertTrue(e instanceof SQLSyntaxErrorException, e.toString());
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
        assertThrows(SQLSyntaxErrorException.class, () -> c.prepareStatement("SELECT 1\u0000"));
    }

    @Test
    void emptyStatementsAreClearErrors() {
        SQLException e = assertThrows(SQLException.class, () -> c.prepareStatement("   -- nothing\n"));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void oneMegabyteOfSqlWorks() throws SQLException {
        String literal = "x".repeat(1 << 20);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT length('" + literal + "')")) {
            rs.next();
            assertEquals(1 << 20, rs.getInt(1));
        }
    }

    @Test
    void loneSurrogatesBecomeQuestionMarksWithoutHarmingNeighbours() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
            ps.setString(1, "a\uD800b\uDC00c\uD83D\uDE00");
            ps.executeUpdate();
        }
        try (ResultSet rs = c.createStatement().executeQuery("SELECT v FROM t")) {
            rs.next();
            assertEquals("a?b?c\uD83D\uDE00", rs.getString(1), "documented: Java's UTF-8 encoder replaces lone surrogates with '?'");
        }
    }

    @Test
    void aBlobLargerThanSqlitesLimitIsADataException() {
        SQLException e = assertThrows(SQLException.class,
                () -> c.createStatement().executeQuery("SELECT zeroblob(2000000000)").next());
        assertTrue(e instanceof SQLDataException || e instanceof DataTruncation, e.toString());
        assertEquals("22001", e.getSQLState());
    }

    @Test
    void extensionLoadingIsOff() {
        SQLException e = assertThrows(SQLException.class,
                () -> c.createStatement().executeQuery("SELECT load_extension('/tmp/nothing.so')").next());
        assertTrue(e.getMessage().contains("not authorized"), e.getMessage());
    }

    @Test
    void parameterIndexesOutOfRangeAndUnsetParametersAreNamed() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?, ?")) {
            assertEquals("07009", assertThrows(SQLException.class, () -> ps.setInt(0, 1)).getSQLState());
            assertEquals("07009", assertThrows(SQLException.class, () -> ps.setInt(3, 1)).getSQLState());
            ps.setInt(1, 1);
            SQLException unset = assertThrows(SQLException.class, ps::executeQuery);
            assertEquals("07001", unset.getSQLState());
            assertTrue(unset.getMessage().contains("2"), unset.getMessage());
        }
    }

    @Test
    void gettersOnTheWrongColumnBeforeNextOrOutOfRangeAreNamed() throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT 1000000000000, 'x'")) {
            assertEquals("24000", assertThrows(SQLException.class, () -> rs.getLong(1)).getSQLState());
            rs.next();
            assertEquals("07009", assertThrows(SQLException.class, () -> rs.getLong(3)).getSQLState());
            assertEquals("22003", assertThrows(SQLException.class, () -> rs.getInt(1)).getSQLState());
            assertEquals("22018", assertThrows(SQLException.class, () -> rs.getInt(2)).getSQLState());
        }
    }
}
