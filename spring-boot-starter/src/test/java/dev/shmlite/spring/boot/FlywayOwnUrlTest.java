package dev.shmlite.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shmlite.jdbc.Shmlite;
import dev.shmlite.spring.boot.app.TestApplication;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Boot's Flyway auto-configuration given its own {@code spring.flyway.url}, a shmlite URL other
 * than the application's datasource: Boot builds a DataSource for it, with the driver class the
 * starter defaults to.
 */
@SpringBootTest(
        classes = TestApplication.class,
        properties = {
            "spring.datasource.url=jdbc:shmlite:mem:boot-app-flyway-main",
            "spring.flyway.url=jdbc:shmlite:mem:boot-app-flyway-own",
            // the JPA entity's table lives in the Flyway database only: no validation against the main one
            "spring.jpa.hibernate.ddl-auto=none"
        })
class FlywayOwnUrlTest {
    @Autowired
    Flyway flyway;

    @Autowired
    JdbcTemplate jdbc;

    @AfterAll
    static void drop() throws Exception {
        Shmlite.drop("jdbc:shmlite:mem:boot-app-flyway-own");
        Shmlite.drop("jdbc:shmlite:mem:boot-app-flyway-main");
    }

    @Test
    void migratesTheDatabaseOfItsOwnUrl() throws Exception {
        assertEquals(1, flyway.info().applied().length);
        try (Connection c = DriverManager.getConnection("jdbc:shmlite:mem:boot-app-flyway-own");
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'customer'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
        // through the pool: with shmlite.pool-size=6 the pool holds every native connection of its database
        assertEquals(
                0,
                jdbc.queryForObject("SELECT count(*) FROM sqlite_master WHERE name = 'customer'", Integer.class),
                "the application's database is not Flyway's");
    }
}
