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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
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
        SQLFeatureNotSupportedException e =
                assertThrows(SQLFeatureNotSupportedException.class, driver::getParentLogger);
        assertEquals("HYC00", e.getSQLState());
    }

    /** The core's property table, by name: its Native.PROP_* fields. */
    static Map<String, String[]> propertyTable(String url) throws SQLException {
        NativeLibrary.ensureLoaded();
        String[] rows = Native.properties(url);
        assertEquals(0, rows.length % Native.PROP_FIELDS, "whole rows");
        Map<String, String[]> table = new LinkedHashMap<>();
        for (int r = 0; r < rows.length; r += Native.PROP_FIELDS) {
            String[] row = Arrays.copyOfRange(rows, r, r + Native.PROP_FIELDS);
            assertNull(table.put(row[Native.PROP_NAME], row), "twice: " + row[Native.PROP_NAME]);
        }
        return table;
    }

    @Test
    void propertyInfoListsExactlyTheCoresPropertiesWithTheirDocsChoicesAndDefaults() throws SQLException {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "1234");
        String url = "jdbc:shmlite:mem:x";
        DriverPropertyInfo[] info = driver.getPropertyInfo(url, p);
        Map<String, String[]> table = propertyTable(url);
        List<String> names = new ArrayList<>();
        for (DriverPropertyInfo i : info) {
            names.add(i.name);
            String[] row = table.get(i.name);
            assertNotNull(row, "not in the core's table: " + i.name);
            assertEquals(row[Native.PROP_DOC], i.description, i.name);
            assertFalse(i.required, i.name);
            String expectedValue = i.name.equals("busy_timeout") ? "1234" : row[Native.PROP_DEFAULT];
            assertEquals(expectedValue, i.value, i.name);
            String type = row[Native.PROP_TYPE];
            if (type.equals("boolean") || type.equals("choice")) {
                assertEquals(Arrays.asList(row[Native.PROP_VALUES].split(", ")), Arrays.asList(i.choices), i.name);
            } else {
                assertNull(i.choices, i.name);
            }
        }
        assertEquals(new ArrayList<>(table.keySet()), names, "getPropertyInfo lists the table in its order");
        // Spot checks, so that the table itself cannot go empty or lose the basics unnoticed.
        for (String basic : List.of(
                "journal_mode",
                "busy_timeout",
                "pool_size",
                "wal_limit_mb",
                "shm_dir",
                "defensive",
                "init_from",
                "user",
                "temp_store")) {
            assertTrue(names.contains(basic), basic + " in " + names);
        }
        assertEquals("5000", table.get("busy_timeout")[Native.PROP_DEFAULT]);
        assertEquals("database", table.get("pool_size")[Native.PROP_LEVEL]);
        assertEquals("connection", table.get("busy_timeout")[Native.PROP_LEVEL]);
        assertEquals("WAL", table.get("journal_mode")[Native.PROP_DEFAULT], "mem:NAME is always WAL");
        assertEquals("WAL", propertyTable("jdbc:shmlite:shm:x").get("journal_mode")[Native.PROP_DEFAULT]);
        assertEquals(0, driver.getPropertyInfo("jdbc:h2:mem:x", p).length, "foreign URL");
        List<String> remote = new ArrayList<>();
        for (DriverPropertyInfo i : driver.getPropertyInfo("jdbc:shmlite:dqlite://127.0.0.1:9001/d", p)) {
            remote.add(i.name);
        }
        assertTrue(remote.contains("dqlite_read_timeout_ms") && remote.contains("busy_timeout"), remote.toString());
        assertFalse(remote.contains("journal_mode") || remote.contains("wal_limit_mb"), "local-only listed: " + remote);
        assertFalse(names.contains("dqlite_read_timeout_ms"), "dqlite-only listed for mem:");
    }

    /**
     * Each default the table reports is what a connection without the property has, and set
     * explicitly it reads back the same, through the bridge (Native.settings).
     */
    @Test
    void everyDefaultRoundTripsThroughTheBridge() throws SQLException {
        String url = "jdbc:shmlite:mem:"; // private: database-level properties never conflict
        Map<String, String> unset = settingsOf(url, Map.of());
        int checked = 0;
        for (String[] row : propertyTable(url).values()) {
            String name = row[Native.PROP_NAME];
            String d = row[Native.PROP_DEFAULT];
            if (name.equals("user") || name.equals("password")) {
                assertFalse(unset.containsKey(name), "credentials are not settings");
                continue;
            }
            assertEquals(d == null ? "" : d, unset.get(name), name + " unset");
            if (d != null) {
                assertEquals(d, settingsOf(url, Map.of(name, d)).get(name), name + "=" + d);
                checked++;
            }
        }
        assertTrue(checked >= 10, "defaults checked: " + checked); // 14 today; guards against an empty column
    }

    private static Map<String, String> settingsOf(String url, Map<String, String> props) throws SQLException {
        long session = Native.open(
                url, props.keySet().toArray(new String[0]), props.values().toArray(new String[0]));
        try {
            String[] kv = Native.settings(session);
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i + 1 < kv.length; i += 2) {
                m.put(kv[i], kv[i + 1]);
            }
            return m;
        } finally {
            Native.close(session, false);
        }
    }

    @Test
    void unknownPropertyNamesItAndTheValidOnes() {
        SQLException e =
                assertThrows(SQLException.class, () -> DriverManager.getConnection(TestSupport.memUrl() + "?nosuch=1"));
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

    /**
     * Strings cross the bridge exactly both ways (read on the native side, echoed back in the
     * exception's message): NUL and a supplementary character survive, a lone surrogate becomes
     * U+FFFD.
     */
    @Test
    void propertyTextCrossesTheBridgeExactly() {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "a\u0000b\uD83D\uDE00c\uD800d\u00E9");
        SQLException e = assertThrows(SQLException.class, () -> driver.connect(TestSupport.memUrl(), p));
        assertEquals("08001", e.getSQLState());
        assertTrue(e.getMessage().contains("'a\u0000b\uD83D\uDE00c\uFFFDd\u00E9'"), e.getMessage());
    }

    @Test
    void invalidIntegerValueNamesTheProperty() {
        SQLException e = assertThrows(
                SQLException.class, () -> DriverManager.getConnection(TestSupport.memUrl() + "?busy_timeout=abc"));
        assertTrue(e.getMessage().contains("busy_timeout"), e.getMessage());
        assertTrue(e.getMessage().contains("abc"), e.getMessage());
    }

    @Test
    void invalidEnumValueListsValidValues() {
        SQLException e = assertThrows(
                SQLException.class, () -> DriverManager.getConnection(TestSupport.memUrl() + "?journal_mode=bogus"));
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
