package dev.shmlite.frameworks.flyway;

import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.internal.database.sqlite.SQLiteDatabaseType;

/**
 * Flyway database plugin for {@code jdbc:shmlite:} URLs. Everything about SQL, schema history,
 * clean and locking is Flyway's own SQLite support, inherited unchanged; this class only tells
 * Flyway that it handles shmlite URLs and which driver class opens them, so a URL alone is enough
 * (API, configuration file, Maven/Gradle plugin, Spring Boot's {@code spring.flyway.url}).
 *
 * <p>Registered through {@code META-INF/services/org.flywaydb.core.extensibility.Plugin}, the
 * service file Flyway reads its database plugins from. Without Flyway on the class path nothing
 * loads this class.
 */
public class ShmliteFlywayDatabaseType extends SQLiteDatabaseType {
    /** The URL prefix this plugin handles. */
    public static final String URL_PREFIX = "jdbc:shmlite:";

    /** The driver class Flyway loads for a shmlite URL. */
    public static final String DRIVER_CLASS = "dev.shmlite.jdbc.ShmliteDriver";

    /** Creates the plugin; Flyway instantiates it through the service loader. */
    public ShmliteFlywayDatabaseType() {}

    /**
     * Ahead of Flyway's plain SQLite type (priority 0): Flyway asks types in descending priority,
     * so a shmlite connection is matched here first, while other SQLite drivers fall through.
     */
    @Override
    public int getPriority() {
        return 1;
    }

    /** True for {@code jdbc:shmlite:} URLs only. */
    @Override
    public boolean handlesJDBCUrl(String url) {
        return url != null && url.startsWith(URL_PREFIX);
    }

    /** {@value #DRIVER_CLASS}. */
    @Override
    public String getDriverClass(String url, ClassLoader classLoader) {
        return DRIVER_CLASS;
    }

    /**
     * A connection reporting product "SQLite" whose URL is a shmlite one (a DataSource given to
     * Flyway); other SQLite connections are left to Flyway's SQLite type.
     */
    @Override
    public boolean handlesDatabaseProductNameAndVersion(
            String productName, String productVersion, Connection connection) {
        if (!super.handlesDatabaseProductNameAndVersion(productName, productVersion, connection)) {
            return false;
        }
        try {
            String url = connection == null ? null : connection.getMetaData().getURL();
            return handlesJDBCUrl(url);
        } catch (SQLException e) {
            return false;
        }
    }

    /** shmlite needs no user or password: Flyway's CLI must not prompt for one. */
    @Override
    public boolean detectUserRequiredByUrl(String url) {
        return false;
    }

    /** shmlite needs no user or password: Flyway's CLI must not prompt for one. */
    @Override
    public boolean detectPasswordRequiredByUrl(String url) {
        return false;
    }
}
