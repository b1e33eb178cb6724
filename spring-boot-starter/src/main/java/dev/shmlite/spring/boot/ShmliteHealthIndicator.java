package dev.shmlite.spring.boot;

import dev.shmlite.jdbc.DatabaseStats;
import dev.shmlite.jdbc.Shmlite;
import java.sql.Connection;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Health of one shmlite database: UP when a connection from its DataSource answers
 * {@link Connection#isValid(int)} within {@value #VALID_TIMEOUT_SECONDS} s, with the database's
 * key, SQLite version and statistics as details; DOWN with the exception otherwise.
 */
public class ShmliteHealthIndicator extends AbstractHealthIndicator {
    /** Seconds {@code isValid} may take before the database counts as down. */
    public static final int VALID_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;
    private final String url;

    /**
     * @param dataSource where the check borrows a connection from
     * @param url the DataSource's shmlite URL
     */
    public ShmliteHealthIndicator(DataSource dataSource, String url) {
        super("shmlite health check failed");
        this.dataSource = dataSource;
        this.url = url;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(VALID_TIMEOUT_SECONDS)) {
                builder.down().withDetail("database", ShmliteUrls.key(url)).withDetail("error", "isValid failed");
                return;
            }
        }
        builder.up().withDetail("database", ShmliteUrls.key(url)).withDetail("sqlite", Shmlite.sqliteVersion());
        Optional<DatabaseStats> stats = Shmlite.stats(url);
        stats.ifPresent(s -> builder.withDetail("connectionsInUse", s.getConnectionsInUse())
                .withDetail("connectionsIdle", s.getConnectionsIdle())
                .withDetail("commits", s.getCommits())
                .withDetail("rollbacks", s.getRollbacks())
                .withDetail("lockWaits", s.getLockWaits())
                .withDetail("deadlocks", s.getDeadlocks())
                .withDetail("lockTimeouts", s.getLockTimeouts())
                .withDetail("poolTimeouts", s.getPoolTimeouts())
                .withDetail("walBytes", s.getWalBytes()));
    }
}
