package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Helpers shared by the tests: unique database names, one-value queries, thread harnesses. */
final class TestSupport {
    private TestSupport() {}

    /** A database name no other test (or earlier run) uses. */
    static String uniqueName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A fresh named in-memory database URL. */
    static String memUrl() {
        return "jdbc:shmlite:mem:" + uniqueName("t");
    }

    static Connection open(String url) throws SQLException {
        return DriverManager.getConnection(url);
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rs.getString(1);
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Longest a {@link #concurrently} run may take before the test fails (a hang, not a result). */
    static final long CONCURRENTLY_BOUND_SECONDS = 300;

    /** The work of one thread of {@link #concurrently}; {@code i} is the thread's index. */
    @FunctionalInterface
    interface ThreadBody {
        void run(int i) throws Exception;
    }

    /**
     * Runs {@code body} on {@code n} new threads at once and waits for all of them (bounded by
     * {@link #CONCURRENTLY_BOUND_SECONDS}); rethrows the first failure, the others suppressed.
     */
    static void concurrently(int n, ThreadBody body) throws Exception {
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int i = t;
            threads.add(new Thread(
                    () -> {
                        try {
                            body.run(i);
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    },
                    "concurrently-" + i));
        }
        threads.forEach(Thread::start);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONCURRENTLY_BOUND_SECONDS);
        for (Thread th : threads) {
            th.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (th.isAlive()) {
                throw new AssertionError(th.getName() + " still runs after " + CONCURRENTLY_BOUND_SECONDS + " s");
            }
        }
        if (!failures.isEmpty()) {
            Throwable first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            if (first instanceof Exception e) {
                throw e;
            }
            throw (Error) first;
        }
    }

    /**
     * 8 threads × 200 read-modify-write increments of three counters, each retried on 40001 only
     * (a read-first transaction's upgrade may conflict; it is rolled back, never lost); asserts
     * the exact sum and returns the number of retries.
     */
    static long readModifyWrite(String url, Properties p) throws Exception {
        try (Connection c = DriverManager.getConnection(url, p);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE counter(id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
            s.execute("INSERT INTO counter VALUES (1, 0), (2, 0), (3, 0)");
        }
        AtomicLong retries = new AtomicLong();
        concurrently(8, t -> {
            try (Connection c = DriverManager.getConnection(url, p);
                    PreparedStatement read = c.prepareStatement("SELECT n FROM counter WHERE id = ?");
                    PreparedStatement write = c.prepareStatement("UPDATE counter SET n = ? WHERE id = ?")) {
                c.setAutoCommit(false);
                for (int i = 0; i < 200; i++) {
                    int id = 1 + i % 3;
                    while (true) {
                        try {
                            read.setInt(1, id);
                            long n;
                            try (ResultSet rs = read.executeQuery()) {
                                rs.next();
                                n = rs.getLong(1);
                            }
                            write.setLong(1, n + 1);
                            write.setInt(2, id);
                            write.executeUpdate();
                            c.commit();
                            break;
                        } catch (SQLTransactionRollbackException e) {
                            assertEquals("40001", e.getSQLState());
                            retries.incrementAndGet();
                            c.rollback();
                        }
                    }
                }
            }
        });
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(1600, queryLong(c, "SELECT sum(n) FROM counter"), url);
        }
        return retries.get();
    }
}
