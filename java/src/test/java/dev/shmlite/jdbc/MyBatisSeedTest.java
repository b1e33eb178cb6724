package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.io.Resources;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.junit.jupiter.api.Test;

/** The seed application: MyBatis POOLED, one writer, four readers that flip autoCommit. */
class MyBatisSeedTest {

    /** The mapper of {@code mybatis/EventMapper.xml}. */
    public interface EventMapper {
        void createTable();

        void insert(@Param("txn") long txn, @Param("payload") String payload);

        List<Map<String, Object>> recent();

        long count();
    }

    private static final int WRITER_TXNS = 200;
    private static final int ROWS_PER_TXN = 3;
    private static final int READERS = 4;
    private static final int READS_PER_READER = 300;

    @Test
    void seedWorkloadRunsWithoutASingleException() throws Exception {
        String url = "jdbc:shmlite:mem:mybatis-seed-" + UUID.randomUUID();
        Properties vars = new Properties();
        vars.setProperty("url", url);
        SqlSessionFactory factory;
        try (InputStream config = Resources.getResourceAsStream("mybatis/seed-config.xml")) {
            factory = new SqlSessionFactoryBuilder().build(config, vars);
        }
        try (SqlSession s = factory.openSession(true)) {
            s.getMapper(EventMapper.class).createTable();
        }
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong readerSessions = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> {
            for (int txn = 0; txn < WRITER_TXNS; txn++) {
                try (SqlSession s = factory.openSession()) {
                    EventMapper m = s.getMapper(EventMapper.class);
                    for (int i = 0; i < ROWS_PER_TXN; i++) {
                        m.insert(txn, "payload " + i);
                    }
                    s.commit();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        }));
        for (int r = 0; r < READERS; r++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < READS_PER_READER; i++) {
                    // openSession() flips autoCommit off, close() flips it back: the seed's pattern.
                    try (SqlSession s = factory.openSession()) {
                        List<Map<String, Object>> rows =
                                s.getMapper(EventMapper.class).recent();
                        assertTrue(rows.size() <= 10);
                        readerSessions.incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
        assertEquals((long) READERS * READS_PER_READER, readerSessions.get());
        try (SqlSession s = factory.openSession()) {
            assertEquals(
                    (long) WRITER_TXNS * ROWS_PER_TXN,
                    s.getMapper(EventMapper.class).count());
        }
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        assertEquals(0, stats.getLockTimeouts());
        assertEquals(0, stats.getDeadlocks());
        // transaction_mode=IMMEDIATE still begins the writer's write-first transactions
        // IMMEDIATE. The readers run at defaultTransactionIsolationLevel=1 (READ_UNCOMMITTED):
        // their SELECTs run outside any transaction and without table locks, so none of them
        // takes the write lock or queues behind the writer (before issue 13: 1,200 IMMEDIATE
        // BEGINs for the readers).
        assertEquals(WRITER_TXNS, stats.getWriteTransactions(), stats::toString);
        assertEquals(WRITER_TXNS, stats.getBeginsImmediate(), stats::toString);
        assertEquals(0, stats.getReadTransactions(), stats::toString);
        assertEquals(0, stats.getUpgrades(), stats::toString);
        Shmlite.drop(url);
    }
}
