package dev.shmlite.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * W7: connection churn, {@code getConnection()} + {@code close()} through the peer's own DataSource
 * (ShmliteDataSource, SQLiteDataSource, JdbcDataSource) on a live database with one table, from 1
 * and from 8 threads. Scores are total operations per second over all threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class W7Churn {
    @Param({"shmlite-mem", "shmlite-shm", "sqlite-jdbc", "sqlite-jdbc-shared", "h2"})
    public String peer;

    private Target target;
    private DataSource ds;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        target = Target.create(peer, "w7", false);
        target.execute(target.createBench());
        ds = target.dataSource();
    }

    @Benchmark
    @Threads(1)
    public boolean churn1() throws SQLException {
        try (Connection c = ds.getConnection()) {
            return c.getAutoCommit();
        }
    }

    @Benchmark
    @Threads(8)
    public boolean churn8() throws SQLException {
        try (Connection c = ds.getConnection()) {
            return c.getAutoCommit();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        target.close();
    }
}
