package dev.shmlite.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

/** W1: point select by primary key with a reused PreparedStatement on a 100k-row table. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class W1PointSelect {
    @Param({"shmlite-mem", "shmlite-shm", "sqlite-jdbc", "sqlite-jdbc-shared", "h2"})
    public String peer;

    @Param({"100000"})
    public long rows;

    private Target target;
    private Connection conn;
    private PreparedStatement ps;
    private final Rows.Keys keys = new Rows.Keys(42);

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        target = Target.create(peer, "w1", true);
        conn = target.connect();
        try (var s = conn.createStatement()) {
            s.execute(target.createBench());
        }
        Rows.insert(conn, 0, rows);
        ps = conn.prepareStatement(Rows.SELECT_BY_ID);
    }

    @Benchmark
    public long pointSelect() throws SQLException {
        ps.setLong(1, keys.next(rows));
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("row missing");
            }
            return Rows.readRow(rs);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        ps.close();
        conn.close();
        target.close();
    }
}
