package dev.shmlite.bench;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.apache.ibatis.datasource.pooled.PooledDataSource;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
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
 * W6: MyBatis end to end through a POOLED dataSource (MyBatis's own pool over the peer's driver):
 * each operation opens an SqlSession (non-autocommit, as MyBatis does by default), runs the mapper
 * method, commits when it wrote, and closes the session (returning the connection to the pool).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class W6MyBatis {
    @Param({"shmlite-mem", "shmlite-shm", "sqlite-jdbc", "sqlite-jdbc-shared", "h2"})
    public String peer;

    @Param({"100000"})
    public long rows;

    private Target target;
    private PooledDataSource pool;
    private SqlSessionFactory factory;
    private final Rows.Keys keys = new Rows.Keys(7);
    private long nextId;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        target = Target.create(peer, "w6", false);
        try (var c = target.connect(); var s = c.createStatement()) {
            s.execute(target.createBench());
            Rows.insert(c, 0, rows);
        }
        nextId = rows;
        pool = new PooledDataSource(target.driverClass, target.url, target.props);
        Environment env = new Environment("bench", new JdbcTransactionFactory(), pool);
        Configuration cfg = new Configuration(env);
        cfg.addMapper(BenchMapper.class);
        factory = new SqlSessionFactoryBuilder().build(cfg);
    }

    @Benchmark
    public Object selectById() {
        try (SqlSession session = factory.openSession()) {
            BenchRow row = session.getMapper(BenchMapper.class).selectById(keys.next(rows));
            if (row == null) {
                throw new IllegalStateException("row missing");
            }
            return row;
        }
    }

    @Benchmark
    public int insert() {
        try (SqlSession session = factory.openSession()) {
            int n = session.getMapper(BenchMapper.class).insert(BenchRow.of(nextId++));
            session.commit();
            return n;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        pool.forceCloseAll();
        target.close();
    }
}
