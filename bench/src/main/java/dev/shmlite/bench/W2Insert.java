package dev.shmlite.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
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

/**
 * W2: insert {@code rows} rows (1M in quick/full) into an empty table with addBatch/executeBatch in
 * batches of 1000, one transaction per batch. One invocation = the whole load (single shot); the
 * table is dropped and re-created before each iteration. The report turns seconds into rows/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class W2Insert {
    @Param({"shmlite-mem", "shmlite-shm", "sqlite-jdbc", "sqlite-jdbc-shared", "h2"})
    public String peer;

    @Param({"1000000"})
    public long rows;

    private Target target;
    private Connection conn;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        target = Target.create(peer, "w2", true);
        conn = target.connect();
    }

    @Setup(Level.Iteration)
    public void freshTable() throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench");
            s.execute(target.createBench());
        }
    }

    @Benchmark
    public void insertRows() throws SQLException {
        Rows.insert(conn, 0, rows);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        conn.close();
        target.close();
    }
}
