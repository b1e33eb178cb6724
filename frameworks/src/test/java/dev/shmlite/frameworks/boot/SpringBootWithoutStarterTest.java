package dev.shmlite.frameworks.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.shmlite.jdbc.Shmlite;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The README's Spring Boot configuration without the starter: Boot 3.5 with Hikari, schema.sql,
 * jOOQ and Boot's own Liquibase auto-configuration (by DataSource, the shmlite-frameworks
 * extension picking the shmlite connection). Boot's Flyway auto-configuration runs in the
 * starter's test, with the Flyway 11 that Boot 3.5 manages: Boot 3.5 cannot drive this module's
 * Flyway 13 (NoSuchMethodError on FluentConfiguration.cleanOnValidationError), whatever the database.
 */
class SpringBootWithoutStarterTest {

    private static SpringApplicationBuilder app(String url, String... more) {
        return new SpringApplicationBuilder(BootApp.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "spring.datasource.url=" + url)
                .properties(more);
    }

    @Test
    void readmePropertiesRunJdbcSqlInitJooqAndLiquibase() throws Exception {
        String url =
                "jdbc:shmlite:mem:boot-plain-" + UUID.randomUUID().toString().substring(0, 8);
        try (ConfigurableApplicationContext ctx = app(
                        url,
                        // the README's lines
                        "spring.datasource.driver-class-name=dev.shmlite.jdbc.ShmliteDriver",
                        "spring.sql.init.mode=always",
                        "spring.jooq.sql-dialect=sqlite",
                        // this test's scripts
                        "spring.sql.init.schema-locations=classpath:boot/schema.sql",
                        "spring.flyway.enabled=false",
                        "spring.liquibase.change-log=classpath:db/liquibase/changelog.xml")
                .run()) {
            HikariDataSource pool = (HikariDataSource) ctx.getBean(DataSource.class);
            assertEquals("dev.shmlite.jdbc.ShmliteDriver", pool.getDriverClassName());
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
            assertEquals(0, jdbc.queryForObject("SELECT count(*) FROM note", Long.class), "schema.sql ran");
            assertEquals(1, jdbc.queryForObject("SELECT count(*) FROM person", Long.class), "Liquibase updated");
            DSLContext dsl = ctx.getBean(DSLContext.class);
            assertEquals(SQLDialect.SQLITE, dsl.dialect());
            assertEquals(1, dsl.fetchCount(dsl.selectFrom("person")));
        } finally {
            Shmlite.drop(url);
        }
    }

    /** Why the starter (or the driver-class-name line) is needed: Boot cannot infer the driver. */
    @Test
    void withoutDriverClassNameBootCannotStart() {
        String url = "jdbc:shmlite:mem:boot-nodriver";
        Exception e = assertThrows(
                Exception.class,
                () -> app(url, "spring.flyway.enabled=false", "spring.liquibase.enabled=false")
                        .run()
                        .close());
        Throwable t = e;
        boolean found = false;
        for (; t != null; t = t.getCause()) {
            found |= String.valueOf(t.getMessage()).contains("Failed to determine a suitable driver class");
        }
        assertTrue(found, e::toString);
    }
}
