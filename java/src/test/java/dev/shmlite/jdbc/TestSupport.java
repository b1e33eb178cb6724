package dev.shmlite.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

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
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
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
            threads.add(new Thread(() -> {
                try {
                    body.run(i);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "concurrently-" + i));
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
}
