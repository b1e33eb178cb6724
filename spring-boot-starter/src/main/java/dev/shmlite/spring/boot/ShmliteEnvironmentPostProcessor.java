package dev.shmlite.spring.boot;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults for an application whose {@code spring.datasource.url} (or Flyway's or Liquibase's own
 * URL) is a shmlite URL, added as the property source of lowest precedence, so anything the
 * application sets wins:
 * <ul>
 *   <li>{@code spring.datasource.driver-class-name}: the shmlite driver (Boot infers drivers only
 *       from a fixed list of URL prefixes and otherwise fails with "Failed to determine a suitable
 *       driver class"); likewise {@code spring.flyway.driver-class-name} and
 *       {@code spring.liquibase.driver-class-name} when {@code spring.flyway.url} or
 *       {@code spring.liquibase.url} is a shmlite URL;</li>
 *   <li>{@code spring.jooq.sql-dialect=SQLITE} (jOOQ detects DEFAULT for shmlite connections,
 *       whose identity DDL then fails);</li>
 *   <li>{@code spring.sql.init.mode=always} for a {@code mem:} URL only: Boot runs schema.sql and
 *       data.sql by default only for databases it knows to be embedded (H2, HSQLDB, Derby), and a
 *       {@code mem:} database is one.</li>
 * </ul>
 * Registered in {@code META-INF/spring.factories}, because property defaults must exist before
 * auto-configuration conditions and property binding read them.
 */
public class ShmliteEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {
    /** Properties whose {@code .url} gets a {@code .driver-class-name} default. */
    private static final String[] URL_PREFIXES = {"spring.datasource", "spring.flyway", "spring.liquibase"};

    /** Name of the property source holding the defaults. */
    public static final String SOURCE_NAME = "shmliteDefaults";

    /** Creates the post-processor; Spring Boot instantiates it from spring.factories. */
    public ShmliteEnvironmentPostProcessor() {}

    /** Last, after application.properties and the other configuration data have been loaded. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = new HashMap<>();
        // Flyway's and Liquibase's own URLs are handed to Boot's DataSourceBuilder the same way
        for (String prefix : URL_PREFIXES) {
            if (ShmliteUrls.isShmlite(environment.getProperty(prefix + ".url"))) {
                defaults.put(prefix + ".driver-class-name", ShmliteUrls.DRIVER_CLASS);
            }
        }
        String url = environment.getProperty("spring.datasource.url");
        if (ShmliteUrls.isShmlite(url)) {
            defaults.put("spring.jooq.sql-dialect", "SQLITE");
            if (ShmliteUrls.key(url).startsWith("mem:")) {
                defaults.put("spring.sql.init.mode", "always");
            }
        }
        if (!defaults.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
        }
    }
}
