package dev.shmlite.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.shmlite.jdbc.Shmlite;
import dev.shmlite.jdbc.ShmliteDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The starter's pieces one by one: property defaults, Hikari adjustments, meters, health. */
class StarterUnitTest {

    private static StandardEnvironment env(Map<String, Object> props) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", props));
        new ShmliteEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
        return env;
    }

    @Test
    void defaultsOnlyForShmliteUrlsAndNeverOverApplicationSettings() {
        StandardEnvironment mem = env(Map.of("spring.datasource.url", "jdbc:shmlite:mem:x"));
        assertEquals("dev.shmlite.jdbc.ShmliteDriver", mem.getProperty("spring.datasource.driver-class-name"));
        assertEquals("SQLITE", mem.getProperty("spring.jooq.sql-dialect"));
        assertEquals("always", mem.getProperty("spring.sql.init.mode"));

        StandardEnvironment file = env(Map.of("spring.datasource.url", "jdbc:shmlite:file:/tmp/x.db"));
        assertEquals("dev.shmlite.jdbc.ShmliteDriver", file.getProperty("spring.datasource.driver-class-name"));
        assertNull(file.getProperty("spring.sql.init.mode"), "a file database is not embedded: Boot's default stays");

        StandardEnvironment own = env(Map.of(
                "spring.datasource.url",
                "jdbc:shmlite:mem:x",
                "spring.jooq.sql-dialect",
                "DEFAULT",
                "spring.sql.init.mode",
                "never"));
        assertEquals("DEFAULT", own.getProperty("spring.jooq.sql-dialect"));
        assertEquals("never", own.getProperty("spring.sql.init.mode"));

        StandardEnvironment flyway = env(Map.of(
                "spring.datasource.url",
                "jdbc:h2:mem:x",
                "spring.flyway.url",
                "jdbc:shmlite:mem:f",
                "spring.liquibase.url",
                "jdbc:shmlite:mem:l"));
        assertEquals("dev.shmlite.jdbc.ShmliteDriver", flyway.getProperty("spring.flyway.driver-class-name"));
        assertEquals("dev.shmlite.jdbc.ShmliteDriver", flyway.getProperty("spring.liquibase.driver-class-name"));
        assertNull(flyway.getProperty("spring.datasource.driver-class-name"));
        assertNull(flyway.getProperty("spring.jooq.sql-dialect"));

        StandardEnvironment h2 = env(Map.of("spring.datasource.url", "jdbc:h2:mem:x"));
        assertNull(h2.getProperty("spring.datasource.driver-class-name"));
        assertFalse(h2.getPropertySources().contains(ShmliteEnvironmentPostProcessor.SOURCE_NAME));
    }

    @Test
    void hikariGetsShmlitePropertiesAndPoolSizeBound() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:shmlite:mem:unit-hikari?pool_size=3");
        pool.addDataSourceProperty("busy_timeout", "100");
        new ShmliteHikariPostProcessor(env(Map.of("shmlite.busy-timeout", "999", "shmlite.foreign-keys", "true")))
                .postProcessAfterInitialization(pool, "pool");
        assertEquals("100", pool.getDataSourceProperties().get("busy_timeout"), "data-source-properties win");
        assertEquals("true", pool.getDataSourceProperties().get("foreign_keys"));
        assertEquals(3, pool.getMaximumPoolSize());

        HikariDataSource explicit = new HikariDataSource();
        explicit.setJdbcUrl("jdbc:shmlite:mem:unit-hikari2");
        explicit.setMaximumPoolSize(20);
        explicit.addDataSourceProperty("pool_size", "4");
        new ShmliteHikariPostProcessor(env(Map.of("spring.datasource.hikari.maximum-pool-size", "20")))
                .postProcessAfterInitialization(explicit, "explicit");
        assertEquals(20, explicit.getMaximumPoolSize(), "an explicit setting is kept (and logged)");

        HikariDataSource other = new HikariDataSource();
        other.setJdbcUrl("jdbc:h2:mem:x");
        new ShmliteHikariPostProcessor(env(Map.of("shmlite.busy-timeout", "999")))
                .postProcessAfterInitialization(other, "other");
        assertTrue(other.getDataSourceProperties().isEmpty());
        assertEquals(10, other.getMaximumPoolSize());
    }

    @Test
    void poolSizeFromPropertiesOrQuery() {
        Properties p = new Properties();
        assertNull(ShmliteHikariPostProcessor.poolSize("jdbc:shmlite:mem:x", p));
        assertEquals(5, ShmliteHikariPostProcessor.poolSize("jdbc:shmlite:mem:x?busy_timeout=1&pool_size=5", p));
        p.put("pool_size", 7);
        assertEquals(7, ShmliteHikariPostProcessor.poolSize("jdbc:shmlite:mem:x?pool_size=5", p));
        p.put("pool_size", "bad");
        assertNull(ShmliteHikariPostProcessor.poolSize("jdbc:shmlite:mem:x", p));
    }

    @Test
    void metersWithoutSpringMoveWithTheWorkloadAndReadNaNWhenDropped() throws Exception {
        String url = "jdbc:shmlite:mem:unit-meters";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ShmliteMetrics metrics = new ShmliteMetrics(url);
        metrics.bindTo(registry);
        try (Connection c = java.sql.DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            c.createStatement().execute("CREATE TABLE t(x)");
            c.commit();
            assertEquals(
                    1,
                    registry.get("shmlite.connections.active")
                            .tag("database", "mem:unit-meters")
                            .gauge()
                            .value());
            double commits = registry.get("shmlite.transactions.commits")
                    .functionCounter()
                    .count();
            double writes = registry.get("shmlite.transactions.started")
                    .tag("kind", "write")
                    .functionCounter()
                    .count();
            double reads = registry.get("shmlite.transactions.started")
                    .tag("kind", "read")
                    .functionCounter()
                    .count();
            double upgrades = registry.get("shmlite.transactions.upgrades")
                    .functionCounter()
                    .count();
            c.createStatement().execute("INSERT INTO t VALUES (1)");
            c.commit();
            assertEquals(
                    commits + 1,
                    registry.get("shmlite.transactions.commits")
                            .functionCounter()
                            .count());
            assertEquals(
                    writes + 1,
                    registry.get("shmlite.transactions.started")
                            .tag("kind", "write")
                            .functionCounter()
                            .count());
            // A read first, then a write: a read transaction that upgrades.
            c.createStatement().executeQuery("SELECT count(*) FROM t").close();
            c.createStatement().execute("INSERT INTO t VALUES (2)");
            c.commit();
            assertEquals(
                    reads + 1,
                    registry.get("shmlite.transactions.started")
                            .tag("kind", "read")
                            .functionCounter()
                            .count());
            assertEquals(
                    upgrades + 1,
                    registry.get("shmlite.transactions.upgrades")
                            .functionCounter()
                            .count());
        }
        Shmlite.drop(url);
        assertTrue(
                Double.isNaN(registry.get("shmlite.connections.active").gauge().value()));
    }

    @Test
    void healthUpWithDetailsAndDownWhenTheDatabaseCannotOpen(@TempDir Path dir) {
        ShmliteDataSource ok = new ShmliteDataSource();
        ok.setUrl("jdbc:shmlite:mem:unit-health");
        Health up = new ShmliteHealthIndicator(ok, ok.getUrl()).health();
        assertEquals(Status.UP, up.getStatus());
        assertEquals("mem:unit-health", up.getDetails().get("database"));

        ShmliteDataSource missing = new ShmliteDataSource();
        // READWRITE opens an existing database only: this one does not exist
        missing.setUrl("jdbc:shmlite:file:" + dir.resolve("absent.db") + "?open_mode=READWRITE");
        Health down = new ShmliteHealthIndicator(missing, missing.getUrl()).health();
        assertEquals(Status.DOWN, down.getStatus());
        assertTrue(down.getDetails().containsKey("error"), down.toString());
    }

    @Test
    void keysOfUrls() {
        assertEquals("mem:a", ShmliteUrls.key("jdbc:shmlite:mem:a?pool_size=2"));
        assertEquals("shm:b", ShmliteUrls.key("jdbc:shmlite:shm:b"));
        assertEquals("file:/tmp/c.db", ShmliteUrls.key("jdbc:shmlite:file:/tmp/c.db"));
        assertEquals("file:/tmp/d.db", ShmliteUrls.key("jdbc:shmlite:/tmp/d.db"));
    }
}
