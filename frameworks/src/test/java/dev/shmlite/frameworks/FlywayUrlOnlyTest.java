package dev.shmlite.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shmlite.frameworks.flyway.ShmliteFlywayDatabaseType;
import dev.shmlite.jdbc.ShmliteDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flyway configured by a {@code jdbc:shmlite:} URL alone, no driver class, no DataSource: before
 * the plugin this failed with "No Flyway database plugin found to handle jdbc:shmlite:...".
 */
class FlywayUrlOnlyTest {

    /** migrate, info, validate, a repeated migrate, clean and migrate again, by URL alone. */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void migrateInfoValidateCleanByUrlAlone(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind, "flyway")) {
            Flyway flyway = Flyway.configure()
                    .dataSource(db.url, null, null)
                    .locations("classpath:db/flyway")
                    .cleanDisabled(false)
                    .load();

            MigrateResult migrated = flyway.migrate();
            assertTrue(migrated.success);
            assertEquals(2, migrated.migrationsExecuted);

            MigrationInfo[] applied = flyway.info().applied();
            assertEquals(2, applied.length);
            for (MigrationInfo m : applied) {
                assertEquals(MigrationState.SUCCESS, m.getState(), m.getScript());
            }
            assertEquals("2", flyway.info().current().getVersion().getVersion());
            assertTrue(flyway.validateWithResult().validationSuccessful);
            flyway.validate();
            assertEquals(0, flyway.migrate().migrationsExecuted);

            assertViewAndTriggerWork(db.url);

            flyway.clean();
            assertEquals(0, userObjects(db.url), "clean left tables, views or triggers behind");
            assertEquals(0, flyway.info().applied().length);
            assertEquals(2, flyway.migrate().migrationsExecuted);
            assertViewAndTriggerWork(db.url);
        }
    }

    /** The properties a flyway.conf file or Flyway's Maven/Gradle plugin passes: the URL only. */
    @Test
    void configurationPropertiesWithUrlOnly() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MEM, "flyway-conf")) {
            Flyway flyway = Flyway.configure()
                    .configuration(Map.of("flyway.url", db.url, "flyway.locations", "classpath:db/flyway"))
                    .load();
            assertEquals(2, flyway.migrate().migrationsExecuted);
            assertEquals(2, flyway.info().applied().length);
        }
    }

    /** Given a shmlite DataSource (which worked before), the shmlite type is picked by its URL. */
    @Test
    void dataSourceStillWorks() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MEM, "flyway-ds")) {
            ShmliteDataSource ds = new ShmliteDataSource();
            ds.setUrl(db.url);
            Flyway flyway = Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/flyway")
                    .load();
            assertEquals(2, flyway.migrate().migrationsExecuted);
            try (Connection c = ds.getConnection()) {
                assertTrue(new ShmliteFlywayDatabaseType()
                        .handlesDatabaseProductNameAndVersion(
                                c.getMetaData().getDatabaseProductName(),
                                c.getMetaData().getDatabaseProductVersion(),
                                c));
            }
        }
    }

    /** Other SQLite drivers' URLs stay with Flyway's own SQLite type. */
    @Test
    void foreignUrlsAreLeftAlone() {
        ShmliteFlywayDatabaseType type = new ShmliteFlywayDatabaseType();
        assertFalse(type.handlesJDBCUrl("jdbc:sqlite:x.db"));
        assertFalse(type.handlesJDBCUrl("jdbc:h2:mem:x"));
        assertTrue(type.handlesJDBCUrl("jdbc:shmlite:mem:x"));
        assertEquals("dev.shmlite.jdbc.ShmliteDriver", type.getDriverClass("jdbc:shmlite:mem:x", null));
        assertFalse(type.handlesDatabaseProductNameAndVersion("SQLite", "3", null));
    }

    /** The trigger (two statements in its body) fires once per balance change; the view filters. */
    private static void assertViewAndTriggerWork(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE account SET balance = 30 WHERE name = 'alice'"));
            assertEquals(1, count(s, "SELECT count(*) FROM audit WHERE what = 'balance 10 -> 30'"));
            assertEquals(1, count(s, "SELECT changes FROM account WHERE name = 'alice'"));
            assertEquals(2, count(s, "SELECT count(*) FROM rich"));
            // leave the data as the migration wrote it, so the next check after clean starts alike
            s.executeUpdate("DELETE FROM audit");
            s.executeUpdate("UPDATE account SET balance = 10, changes = 0 WHERE name = 'alice'");
            s.executeUpdate("DELETE FROM audit");
        }
    }

    private static long userObjects(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            return count(s, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }
}
