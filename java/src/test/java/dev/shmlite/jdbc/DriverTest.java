package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DriverTest {
    private final ShmliteDriver driver = new ShmliteDriver();

    @Test
    void acceptsOnlyItsPrefix() {
        assertTrue(driver.acceptsURL("jdbc:shmlite:mem:x"));
        assertTrue(driver.acceptsURL("jdbc:shmlite:/tmp/x.db"));
        assertFalse(driver.acceptsURL("jdbc:h2:mem:x"));
        assertFalse(driver.acceptsURL("jdbc:sqlite::memory:"));
        assertFalse(driver.acceptsURL("shmlite:mem:x"));
        assertFalse(driver.acceptsURL(null));
    }

    @Test
    void foreignUrlGivesNullWithoutException() throws SQLException {
        assertNull(driver.connect("jdbc:h2:mem:x", new Properties()));
        assertNull(driver.connect("jdbc:h2:mem:x", null));
    }

    @Test
    void registeredThroughServiceLoaderAndDriverManager() throws SQLException {
        boolean found = false;
        for (Driver d : ServiceLoader.load(Driver.class)) {
            found |= d instanceof ShmliteDriver;
        }
        assertTrue(found, "META-INF/services/java.sql.Driver lists ShmliteDriver");
        assertInstanceOf(ShmliteDriver.class, DriverManager.getDriver("jdbc:shmlite:mem:x"));
        try (Connection c = DriverManager.getConnection(TestSupport.memUrl())) {
            assertInstanceOf(ShmliteConnection.class, c);
            assertFalse(c.isClosed());
        }
    }

    @Test
    void dataOfDriverItself() throws SQLException {
        assertFalse(driver.jdbcCompliant());
        assertEquals(0, driver.getMajorVersion());
        assertEquals(1, driver.getMinorVersion());
        SQLFeatureNotSupportedException e = assertThrows(SQLFeatureNotSupportedException.class,
                driver::getParentLogger);
        assertEquals("HYC00", e.getSQLState());
    }

    @Test
    void propertyInfoListsEveryProperty() {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "1234");
        DriverPropertyInfo[] info = driver.getPropertyInfo("jdbc:shmlite:mem:x", p);
        Set<String> names = new HashSet<>();
        for (DriverPropertyInfo i : info) {
            names.add(i.name);
            assertNotNull(i.description, i.name);
            if (i.name.equals("busy_timeout")) {
                assertEquals("1234", i.value);
            }
        }
        List<String> expected = Arrays.asList("journal_mode", "synchronous", "foreign_keys", "busy_timeout",
                "transaction_mode", "read_uncommitted", "cache_size", "open_mode", "read_only", "pool_size",
                "pool_timeout", "keep_alive", "date_class", "date_precision", "date_string_format", "shm_dir",
                "wal_limit_mb", "defensive", "init_from", "user", "password", "automatic_index", "case_sensitive_like", "defer_foreign_keys", "legacy_alter_table", "limit_attached", "limit_column", "limit_compound_select", "limit_expr_depth", "limit_function_arg", "limit_length", "limit_like_pattern_length", "limit_sql_length", "limit_trigger_depth", "limit_variable_number", "limit_vdbe_op", "limit_worker_threads", "mmap_size", "page_size", "recursive_triggers", "reverse_unordered_selects", "secure_delete", "temp_store");
        assertTrue(names.containsAll(expected), "missing: " + expected + " vs " + names);
    }

    @Test
    void unknownPropertyNamesItAndTheValidOnes() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(TestSupport.memUrl() + "?nosuch=1"));
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        assertTrue(e.getMessage().contains("busy_timeout"), "lists valid names: " + e.getMessage());
    }

    @Test
    void unknownPropertyInPropertiesIsRejectedToo() {
        Properties p = new Properties();
        p.setProperty("nosuch", "1");
        SQLException e = assertThrows(SQLException.class, () -> driver.connect(TestSupport.memUrl(), p));
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
    }

    @Test
    void invalidIntegerValueNamesTheProperty() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(TestSupport.memUrl() + "?busy_timeout=abc"));
        assertTrue(e.getMessage().contains("busy_timeout"), e.getMessage());
        assertTrue(e.getMessage().contains("abc"), e.getMessage());
    }

    @Test
    void invalidEnumValueListsValidValues() {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(TestSupport.memUrl() + "?journal_mode=bogus"));
        assertTrue(e.getMessage().contains("journal_mode"), e.getMessage());
        assertTrue(e.getMessage().contains("WAL"), "lists valid values: " + e.getMessage());
    }

    @Test
    void propertiesWinOverUrlAndNonStringValuesAreAccepted() throws SQLException {
        Properties p = new Properties();
        p.put("cache_size", -2345); // HikariCP 6.3.1+ passes values as they are
        try (Connection c = driver.connect(TestSupport.memUrl() + "?cache_size=-100", p)) {
            assertEquals(-2345, TestSupport.queryLong(c, "PRAGMA cache_size"));
        }
        try (Connection c = driver.connect(TestSupport.memUrl() + "?cache_size=-100", new Properties())) {
            assertEquals(-100, TestSupport.queryLong(c, "PRAGMA cache_size"));
        }
    }

    @Test
    void everyPropertyReachesTheCoreSettings() throws SQLException {
        Properties p = new Properties();
        p.put("busy_timeout", 2345);
        p.put("foreign_keys", Boolean.TRUE);
        p.setProperty("transaction_mode", "deferred");
        try (Connection c = driver.connect(TestSupport.memUrl() + "?busy_timeout=100&date_class=TEXT", p)) {
            ShmliteConnection sc = c.unwrap(ShmliteConnection.class);
            String[] settings;
            synchronized (sc.lock()) {
                settings = Native.settings(sc.session());
            }
            java.util.Map<String, String> map = new java.util.HashMap<>();
            for (int i = 0; i + 1 < settings.length; i += 2) {
                map.put(settings[i], settings[i + 1]);
            }
            assertEquals("2345", map.get("busy_timeout"));
            assertEquals("true", map.get("foreign_keys"));
            assertEquals("DEFERRED", map.get("transaction_mode").toUpperCase(java.util.Locale.ROOT));
            assertEquals("TEXT", map.get("date_class").toUpperCase(java.util.Locale.ROOT));
            assertEquals(DateCodec.Storage.TEXT, sc.dates.storage);
        }
    }

    @Test
    void defaultsOfPropertiesAreRead() throws SQLException {
        Properties defaults = new Properties();
        defaults.setProperty("cache_size", "-777");
        try (Connection c = driver.connect(TestSupport.memUrl(), new Properties(defaults))) {
            assertEquals(-777, TestSupport.queryLong(c, "PRAGMA cache_size"));
        }
    }

    @Test
    void userAndPasswordAreAccepted() throws SQLException {
        try (Connection c = DriverManager.getConnection(TestSupport.memUrl(), "sa", "secret")) {
            assertTrue(c.isValid(1));
        }
    }
}
