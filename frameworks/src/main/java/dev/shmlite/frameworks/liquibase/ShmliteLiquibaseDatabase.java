package dev.shmlite.frameworks.liquibase;

import liquibase.database.DatabaseConnection;
import liquibase.database.core.SQLiteDatabase;
import liquibase.exception.DatabaseException;

/**
 * Liquibase database for {@code jdbc:shmlite:} URLs: Liquibase's SQLite support (SQL generation,
 * the table-rebuild workaround for ALTER, snapshots, {@code dbms="sqlite"} change sets), with the
 * driver class found from the URL so that {@code --url=jdbc:shmlite:...} alone is enough.
 *
 * <p>Registered through {@code META-INF/services/liquibase.database.Database}. Its short name stays
 * {@code sqlite}, so existing change logs keep matching.
 */
public class ShmliteLiquibaseDatabase extends SQLiteDatabase {
    /** The URL prefix this database handles. */
    public static final String URL_PREFIX = "jdbc:shmlite:";

    /** The driver class Liquibase loads for a shmlite URL. */
    public static final String DRIVER_CLASS = "dev.shmlite.jdbc.ShmliteDriver";

    /** Creates the database; Liquibase instantiates it through the service loader. */
    public ShmliteLiquibaseDatabase() {}

    /** {@value #DRIVER_CLASS} for shmlite URLs; null for others (Liquibase's SQLite database answers for {@code jdbc:sqlite:}). */
    @Override
    public String getDefaultDriver(String url) {
        if (url != null && url.startsWith(URL_PREFIX)) {
            return DRIVER_CLASS;
        }
        return null;
    }

    /** Above Liquibase's SQLite database (priority 1), so a shmlite connection is matched here. */
    @Override
    public int getPriority() {
        return PRIORITY_DATABASE;
    }

    /** A connection reporting product "SQLite" whose URL is a shmlite one. */
    @Override
    public boolean isCorrectDatabaseImplementation(DatabaseConnection conn) throws DatabaseException {
        if (!super.isCorrectDatabaseImplementation(conn)) {
            return false;
        }
        String url = conn.getURL();
        return url != null && url.startsWith(URL_PREFIX);
    }
}
