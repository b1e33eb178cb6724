package dev.shmlite.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

/** W3: full scan of the W2 rows (1M in quick/full) reading every column. The report gives rows/s. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class W3Scan {
    @Param({"shmlite-mem", "shmlite-shm", "sqlite-jdbc", "sqlite-jdbc-shared", "h2"})
    public String peer;

    @Param({"1000000"})
    public long rows;

    private Target target;
    private Connection conn;
    private PreparedStatement ps;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        target = Target.create(peer, "w3", true);
        conn = target.connect();
        try (Statement s = conn.createStatement()) {
            s.execute(target.createBench());
        }
        Rows.insert(conn, 0, rows);
        ps = conn.prepareStatement(Rows.SCAN);
    }

    @Benchmark
    public long scan() throws SQLException {
        long sum = 0;
        long n = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                sum += Rows.readRow(rs);
                n++;
            }
        }
        if (n != rows) {
            throw new IllegalStateException("scanned " + n + " rows, expected " + rows);
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        ps.close();
        conn.close();
        target.close();
    }
}
