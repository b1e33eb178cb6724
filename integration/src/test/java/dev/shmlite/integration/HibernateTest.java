package dev.shmlite.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shmlite.jdbc.DatabaseStats;
import dev.shmlite.jdbc.Shmlite;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.TableGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Hibernate ORM 7 with the community SQLiteDialect on shmlite: ids that Hibernate allocates in
 * "isolated work" on a second connection (GenerationType.AUTO and TABLE) while the entity's own
 * transaction has already read, and IDENTITY ids. A fresh session factory per test, so AUTO's
 * first id block is allocated after the find.
 */
class HibernateTest {

    /** Read by {@code find} before the new entities are persisted. */
    @Entity(name = "Owner")
    public static class Owner {
        @Id
        Long id;

        String name;

        public Owner() {}

        Owner(long id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    /** AUTO: with SQLite (no sequences) Hibernate keeps the next id in a table, on its own connection. */
    @Entity(name = "AutoItem")
    public static class AutoItem {
        @Id
        @GeneratedValue(strategy = GenerationType.AUTO)
        Long id;

        String name;

        public AutoItem() {}

        AutoItem(String name) {
            this.name = name;
        }
    }

    /** TABLE, one id per allocation: every persist runs the isolated work. */
    @Entity(name = "TableItem")
    public static class TableItem {
        @Id
        @GeneratedValue(strategy = GenerationType.TABLE, generator = "table_ids")
        @TableGenerator(
                name = "table_ids",
                table = "table_ids",
                pkColumnName = "name",
                valueColumnName = "next_val",
                allocationSize = 1)
        Long id;

        String name;

        public TableItem() {}

        TableItem(String name) {
            this.name = name;
        }
    }

    /** IDENTITY: the INSERT itself gives the id (rowid), on the entity's own connection. */
    @Entity(name = "IdentityItem")
    public static class IdentityItem {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;

        String name;

        public IdentityItem() {}

        IdentityItem(String name) {
            this.name = name;
        }
    }

    private static SessionFactory factory(String url, String isolation) {
        Configuration cfg = new Configuration()
                .addAnnotatedClass(Owner.class)
                .addAnnotatedClass(AutoItem.class)
                .addAnnotatedClass(TableItem.class)
                .addAnnotatedClass(IdentityItem.class)
                .setProperty("jakarta.persistence.jdbc.url", url)
                .setProperty("jakarta.persistence.jdbc.driver", "dev.shmlite.jdbc.ShmliteDriver")
                .setProperty("hibernate.dialect", "org.hibernate.community.dialect.SQLiteDialect")
                .setProperty("hibernate.hbm2ddl.auto", "create")
                .setProperty("hibernate.connection.pool_size", "4");
        if (isolation != null) {
            cfg.setProperty("hibernate.connection.isolation", isolation);
        }
        return cfg.buildSessionFactory();
    }

    private static long count(String url, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static String url(String kind) {
        return "jdbc:shmlite:" + kind + ":hibernate-" + UUID.randomUUID();
    }

    private static void findThenPersist(SessionFactory sf, int rounds, boolean generatedInIsolatedWork) {
        for (int i = 0; i < rounds; i++) {
            int round = i;
            sf.inTransaction(s -> {
                assertNotNull(s.find(Owner.class, 1L), "the read comes first");
                if (generatedInIsolatedWork) {
                    s.persist(new AutoItem("auto " + round));
                    s.persist(new TableItem("table " + round));
                }
                s.persist(new IdentityItem("identity " + round));
            });
        }
    }

    private static void check(String url, long rows, boolean generatedInIsolatedWork) throws SQLException {
        assertEquals(generatedInIsolatedWork ? rows : 0, count(url, "AutoItem"), url);
        assertEquals(generatedInIsolatedWork ? rows : 0, count(url, "TableItem"), url);
        assertEquals(rows, count(url, "IdentityItem"), url);
        DatabaseStats st = Shmlite.stats(url).orElseThrow();
        System.out.println("HibernateTest " + url + ": " + st);
        assertEquals(0, st.getLockTimeouts(), st.toString());
    }

    /** mem: with defaults: the id allocation's commit never waits for the open read transaction. */
    @Test
    void memAllIdKindsAfterAFindWithDefaults() throws Exception {
        String url = url("mem");
        try (SessionFactory sf = factory(url, null)) {
            sf.inTransaction(s -> s.persist(new Owner(1, "owner")));
            findThenPersist(sf, 5, true);
            check(url, 5, true);
        } finally {
            Shmlite.drop(url);
        }
    }

    /**
     * shm: (WAL) with defaults. Hibernate's isolated work commits the AUTO/TABLE id after the find,
     * which makes the entity's transaction's snapshot stale at its INSERT; the driver runs the
     * find again under the write lock, gets the same row and goes on (a re-validation, no 40001).
     */
    @Test
    void shmAllIdKindsAfterAFindWithDefaults() throws Exception {
        String url = url("shm");
        try (SessionFactory sf = factory(url, null)) {
            sf.inTransaction(s -> s.persist(new Owner(1, "owner")));
            findThenPersist(sf, 5, true);
            check(url, 5, true);
            DatabaseStats st = Shmlite.stats(url).orElseThrow();
            assertTrue(st.getRevalidations() >= 5, st.toString());
            assertEquals(0, st.getUpgradeConflicts(), st.toString());
        } finally {
            Shmlite.drop(url);
        }
    }

    /**
     * shm: when the isolated work's commit does change what the transaction read (here the find
     * reads the id table itself), SERIALIZABLE makes the INSERT a 40001
     * (PessimisticLockException): rolled back, nothing written, never a write on stale reads.
     */
    @Test
    void shmChangedReadIsARetryable40001() throws Exception {
        String url = url("shm");
        try (SessionFactory sf = factory(url, null)) {
            sf.inTransaction(s -> s.persist(new Owner(1, "owner")));
            PessimisticLockException e = assertThrows(
                    PessimisticLockException.class,
                    () -> sf.inTransaction(s -> {
                        s.createNativeQuery("SELECT count(*) + coalesce(sum(next_val), 0) FROM table_ids", Long.class)
                                .getSingleResult();
                        s.persist(new TableItem("table"));
                    }));
            assertTrue(e.getMessage().contains("SQLITE_BUSY_SNAPSHOT"), e.getMessage());
            assertEquals(0, count(url, "TableItem"));
            assertEquals(1, Shmlite.stats(url).orElseThrow().getUpgradeConflicts());
        } finally {
            Shmlite.drop(url);
        }
    }

    /** shm: at READ_COMMITTED (hibernate.connection.isolation=2) the find holds no snapshot: all id kinds work. */
    @Test
    void shmAllIdKindsAfterAFindAtReadCommitted() throws Exception {
        String url = url("shm");
        try (SessionFactory sf = factory(url, "2")) {
            sf.inTransaction(s -> s.persist(new Owner(1, "owner")));
            findThenPersist(sf, 5, true);
            check(url, 5, true);
        } finally {
            Shmlite.drop(url);
        }
    }
}
