package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DataSourceTest {
    @Test
    void setUrlAndSettersThenGetConnection() throws SQLException {
        ShmliteDataSource ds = new ShmliteDataSource();
        String url = TestSupport.memUrl();
        ds.setUrl(url);
        ds.setBusyTimeout(1234);
        ds.setForeignKeys(true);
        ds.setTransactionMode("DEFERRED");
        ds.setCacheSize(-4000);
        ds.setDateClass("TEXT");
        ds.setUser("sa");
        ds.setPassword("secret");
        assertEquals(url, ds.getUrl());
        try (Connection c = ds.getConnection()) {
            assertEquals(1, TestSupport.queryLong(c, "PRAGMA foreign_keys"));
            assertEquals(-4000, TestSupport.queryLong(c, "PRAGMA cache_size"));
        }
        try (Connection c = ds.getConnection("other", "pw")) {
            assertTrue(c.isValid(1));
        } finally {
            Shmlite.drop(url);
        }
    }

    @Test
    void invalidSetterValueFailsAtGetConnection() {
        ShmliteDataSource ds = new ShmliteDataSource();
        ds.setUrl(TestSupport.memUrl());
        ds.setJournalMode("bogus");
        SQLException e = assertThrows(SQLException.class, ds::getConnection);
        assertTrue(e.getMessage().contains("journal_mode"), e.getMessage());
    }

    @Test
    void missingOrForeignUrl() {
        ShmliteDataSource ds = new ShmliteDataSource();
        assertThrows(SQLException.class, ds::getConnection);
        ds.setUrl("jdbc:h2:mem:x");
        assertThrows(SQLException.class, ds::getConnection);
    }

    @Test
    void loginTimeoutAndLogWriterAreStored() throws SQLException {
        ShmliteDataSource ds = new ShmliteDataSource();
        ds.setLoginTimeout(7);
        assertEquals(7, ds.getLoginTimeout());
        ds.setLogWriter(null);
        assertEquals(null, ds.getLogWriter());
        assertTrue(ds.isWrapperFor(ShmliteDataSource.class));
    }

    /** HikariCP's dataSourceClassName and MyBatis set properties by name: one setter per name, simple types only. */
    @Test
    void settersAreNotOverloadedAndTakeSimpleTypes() {
        Map<String, Integer> count = new HashMap<>();
        for (Method m : ShmliteDataSource.class.getMethods()) {
            if (m.getName().startsWith("set") && m.getParameterCount() == 1) {
                count.merge(m.getName(), 1, Integer::sum);
                Class<?> t = m.getParameterTypes()[0];
                if (!m.getName().equals("setLogWriter")) {
                    assertTrue(
                            t == String.class || t == int.class || t == long.class || t == boolean.class, m.toString());
                }
            }
        }
        count.forEach((name, n) -> assertEquals(1, n, name + " is overloaded"));
    }

    /** Setters that are not one property each: the URL, DataSource's own, and an alias. */
    private static final Set<String> NOT_PROPERTIES = Set.of(
            "setUrl",
            "setLogWriter",
            "setLoginTimeout",
            "setUsername" /* user, the name Spring Boot's DataSourceBuilder sets */);

    /**
     * Exactly one setter per property of the core's table (setBusyTimeout for busy_timeout), taking
     * the Java type of its kind: a property without a setter, or a setter for a name the core does
     * not know, fails here.
     */
    @Test
    void exactlyOneSetterPerPropertyOfTheCoresTable() throws SQLException {
        Map<String, String[]> table = DriverTest.propertyTable(null);
        Map<String, Method> setters = new TreeMap<>();
        for (Method m : ShmliteDataSource.class.getMethods()) {
            if (m.getName().startsWith("set") && m.getParameterCount() == 1 && !NOT_PROPERTIES.contains(m.getName())) {
                assertNull(setters.put(snakeCase(m.getName().substring(3)), m), m.getName());
            }
        }
        Set<String> missing = new TreeSet<>(table.keySet());
        missing.removeAll(setters.keySet());
        Set<String> unknown = new TreeSet<>(setters.keySet());
        unknown.removeAll(table.keySet());
        assertEquals(
                new TreeSet<>(table.keySet()),
                setters.keySet(),
                "properties without a setter: " + missing + "; setters of no property: " + unknown);
        setters.forEach((name, m) -> {
            Class<?> t = m.getParameterTypes()[0];
            String type = table.get(name)[Native.PROP_TYPE];
            switch (type) {
                case "boolean" -> assertEquals(boolean.class, t, m.toString());
                case "integer" -> assertTrue(t == int.class || t == long.class, m.toString());
                default -> assertEquals(String.class, t, m.toString());
            }
        });
    }

    /** BusyTimeout → busy_timeout, WalLimitMb → wal_limit_mb. */
    private static String snakeCase(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c) && b.length() > 0) {
                b.append('_');
            }
            b.append(Character.toLowerCase(c));
        }
        return b.toString();
    }
}
