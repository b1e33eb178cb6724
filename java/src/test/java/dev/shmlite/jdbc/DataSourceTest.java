package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
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
                    assertTrue(t == String.class || t == int.class || t == long.class || t == boolean.class,
                            m.toString());
                }
            }
        }
        count.forEach((name, n) -> assertEquals(1, n, name + " is overloaded"));
        for (String setter : new String[] {"setUrl", "setUser", "setPassword", "setJournalMode", "setSynchronous",
            "setForeignKeys", "setBusyTimeout", "setTransactionMode", "setReadUncommitted", "setCacheSize",
            "setOpenMode", "setPoolSize", "setPoolTimeout", "setKeepAlive", "setDateClass", "setDatePrecision",
            "setDateStringFormat", "setShmDir", "setWalLimitMb", "setDefensive", "setInitFrom", "setAutomaticIndex", "setCaseSensitiveLike", "setDeferForeignKeys", "setLegacyAlterTable", "setLimitAttached", "setLimitColumn", "setLimitCompoundSelect", "setLimitExprDepth", "setLimitFunctionArg", "setLimitLength", "setLimitLikePatternLength", "setLimitSqlLength", "setLimitTriggerDepth", "setLimitVariableNumber", "setLimitVdbeOp", "setLimitWorkerThreads", "setMmapSize", "setPageSize", "setRecursiveTriggers", "setReverseUnorderedSelects", "setSecureDelete", "setTempStore"}) {
            assertTrue(count.containsKey(setter), setter);
        }
    }
}
