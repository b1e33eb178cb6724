package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-database MXBean: opt-in, appears with the database, moves with the workload, goes on drop. */
class JmxTest {
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @AfterEach
    void off() throws Exception {
        Shmlite.setJmxEnabled(false);
    }

    private static ObjectName name(String key) throws Exception {
        return new ObjectName("dev.shmlite:type=Database,name=" + ObjectName.quote(key));
    }

    @Test
    void mxBeanAppearsMovesWithTheWorkloadAndDisappearsOnDrop() throws Exception {
        String before = "jmx-before-" + UUID.randomUUID().toString().substring(0, 8);
        String after = "jmx-after-" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection early = DriverManager.getConnection("jdbc:shmlite:mem:" + before)) {
            assertFalse(Shmlite.isJmxEnabled(), "off by default");
            assertFalse(server.isRegistered(name("mem:" + before)), "no MXBean while JMX is off");

            Shmlite.setJmxEnabled(true);
            assertTrue(server.isRegistered(name("mem:" + before)), "a database live when JMX is enabled");

            try (Connection c = DriverManager.getConnection("jdbc:shmlite:mem:" + after);
                    Statement s = c.createStatement()) {
                ObjectName n = name("mem:" + after);
                assertTrue(server.isRegistered(n), "a database opened while JMX is on");
                DatabaseStatsMXBean bean = JMX.newMXBeanProxy(server, n, DatabaseStatsMXBean.class);
                assertEquals("mem:" + after, bean.getKey());
                assertTrue(bean.getConnectionsInUse() >= 1);
                s.execute("CREATE TABLE t(x)");
                c.setAutoCommit(false);
                long commits = (Long) server.getAttribute(n, "Commits");
                long immediate = bean.getBeginsImmediate();
                for (int i = 0; i < 3; i++) {
                    s.executeUpdate("INSERT INTO t VALUES (" + i + ")");
                    c.commit();
                }
                assertEquals(commits + 3, (Long) server.getAttribute(n, "Commits"));
                assertEquals(immediate + 3, bean.getBeginsImmediate());
                // issue 13's counters: a read transaction, upgraded by a write
                long reads = (Long) server.getAttribute(n, "ReadTransactions");
                long upgrades = bean.getUpgrades();
                s.executeQuery("SELECT count(*) FROM t").close();
                s.executeUpdate("INSERT INTO t VALUES (9)");
                c.commit();
                assertEquals(reads + 1, (Long) server.getAttribute(n, "ReadTransactions"));
                assertEquals(upgrades + 1, bean.getUpgrades());
                assertEquals(0L, bean.getUpgradeConflicts());
                assertEquals(0L, (Long) server.getAttribute(n, "RemoteRequests"), "a local database");
                assertEquals(Shmlite.stats("mem:" + after).get().getSessionsOpened(), bean.getSessionsOpened());
            }
            assertTrue(Shmlite.drop("jdbc:shmlite:mem:" + after) >= 0);
            assertFalse(server.isRegistered(name("mem:" + after)), "unregistered on drop");
            assertTrue(server.isRegistered(name("mem:" + before)), "the other database keeps its MXBean");

            // a new incarnation under the same name gets its bean again
            try (Connection again = DriverManager.getConnection("jdbc:shmlite:mem:" + after)) {
                assertTrue(server.isRegistered(name("mem:" + after)));
            }
            Shmlite.drop("jdbc:shmlite:mem:" + after);

            Shmlite.setJmxEnabled(false);
            assertFalse(server.isRegistered(name("mem:" + before)), "all unregistered when JMX is turned off");
        } finally {
            Shmlite.drop("jdbc:shmlite:mem:" + before);
        }
    }

    /** Every statistic is an attribute: the getters of DatabaseStats and of the MXBean are the same. */
    @Test
    void everyStatisticIsAnAttribute() {
        java.util.function.Function<Class<?>, java.util.Set<String>> getters =
                type -> java.util.Arrays.stream(type.getDeclaredMethods())
                        .filter(m -> java.lang.reflect.Modifier.isPublic(m.getModifiers())
                                && m.getName().startsWith("get"))
                        .map(java.lang.reflect.Method::getName)
                        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        java.util.Set<String> stats = getters.apply(DatabaseStats.class);
        assertEquals(DatabaseStats.FIELDS + 1, stats.size(), "one getter per field, and getKey: " + stats);
        assertEquals(stats, getters.apply(DatabaseStatsMXBean.class));
    }

    /** A database that goes away with its last connection (keep_alive=false) loses its bean at the next look. */
    @Test
    void mxBeanGoesWhenTheDatabaseIsNoLongerLive() throws Exception {
        String key = "mem:jmx-gone-" + UUID.randomUUID().toString().substring(0, 8);
        Shmlite.setJmxEnabled(true);
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:" + key + "?keep_alive=false")) {
            assertTrue(server.isRegistered(name(key)));
        }
        assertFalse(Shmlite.databases().contains(key), "keep_alive=false: gone with its last connection");
        // the bean still exists until something looks: reading it finds the database gone
        if (server.isRegistered(name(key))) {
            assertEquals(0L, (Long) server.getAttribute(name(key), "Commits"));
        }
        assertFalse(server.isRegistered(name(key)), "unregistered once found gone");
    }
}
