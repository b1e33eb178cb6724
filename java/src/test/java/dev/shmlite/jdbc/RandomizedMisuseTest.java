package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings of everything an application can do, from many threads at once, with
 * objects shared between threads. Reproduce a failure with {@code -Dshmlite.seed=N}; soak with
 * {@code -Dshmlite.soak.seconds=N} (see README). Invariants: only SQLExceptions escape; every
 * committed row is present at the end; no connection ever sees a row of a transaction that has
 * not committed; the statistics count every session once and none stays in use.
 */
class RandomizedMisuseTest {
    private static final int THREADS = 6;
    private static final int OPS_PER_THREAD = Integer.getInteger("shmlite.ops", 1500);
    private static final long SOAK_SECONDS = Long.getLong("shmlite.soak.seconds", 0L);
    private static final int MAX_OPEN = 8;

    /** Ledger row states, by id. */
    enum State {
        PENDING,
        COMMITTING,
        COMMITTED,
        DEAD,
        UNKNOWN
    }

    /** A connection plus the test's own bookkeeping of its transaction. */
    static final class Conn {
        final Connection c;
        /** Ids inserted in the open transaction, oldest first; guarded by {@code this}. */
        final List<Long> pending = new ArrayList<>();

        final List<Object[]> savepoints = new ArrayList<>(); // {Savepoint, pending size at the time}
        /** Every id this connection ever inserted: it may see its own uncommitted rows. */
        final java.util.Set<Long> mine = ConcurrentHashMap.newKeySet();

        Conn(Connection c) {
            this.c = c;
        }
    }

    private final Map<Long, State> ledger = new ConcurrentHashMap<>() {
        @Override
        public State put(Long id, State st) {
            note(id, "put " + st);
            return super.put(id, st);
        }

        @Override
        public boolean replace(Long id, State from, State to) {
            boolean done = super.replace(id, from, to);
            if (done) {
                note(id, from + "->" + to);
            }
            return done;
        }
    };
    /** What happened to each row, for the failure message. */
    private final Map<Long, StringBuffer> history = new ConcurrentHashMap<>();

    private void note(long id, String what) {
        StackTraceElement caller = new Throwable().getStackTrace()[3];
        history.computeIfAbsent(id, k -> new StringBuffer())
                .append(Thread.currentThread().getName())
                .append(':')
                .append(what)
                .append('@')
                .append(caller.getMethodName())
                .append(':')
                .append(caller.getLineNumber())
                .append("; ");
    }

    private final AtomicLong nextId = new AtomicLong(1);
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    private final List<Statement> statements = new CopyOnWriteArrayList<>();
    private final List<ResultSet> results = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicLong opened = new AtomicLong();
    private final ExecutorService aborter = Executors.newSingleThreadExecutor();
    private String url;
    private String chaosUrl;

    @Test
    void randomCallSequencesKeepEveryInvariant() throws Exception {
        long seed = Long.getLong("shmlite.seed", new Random().nextLong());
        String name = "random-" + UUID.randomUUID();
        url = "jdbc:shmlite:mem:" + name + "?pool_size=6&pool_timeout=20&busy_timeout=50";
        chaosUrl = "jdbc:shmlite:mem:chaos-" + UUID.randomUUID();
        try (Connection c = DriverManager.getConnection(url)) {
            opened.incrementAndGet();
            c.createStatement().execute("CREATE TABLE ledger(id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL)");
        }
        long deadline = System.nanoTime() + SOAK_SECONDS * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Random random = new Random(seed + t);
            threads.add(new Thread(() -> {
                for (long i = 0; i < OPS_PER_THREAD || System.nanoTime() < deadline; i++) {
                    try {
                        step(random);
                    } catch (SQLException expected) {
                        // any SQLException is a legitimate outcome of misuse
                    } catch (Throwable t2) {
                        violations.add("non-SQLException " + t2 + " at " + stackTop(t2));
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        for (Conn c : conns) {
            synchronized (c) {
                c.c.close(); // rolls back: pending rows die
                c.pending.forEach(id -> ledger.replace(id, State.PENDING, State.DEAD));
            }
        }
        aborter.shutdown();
        assertTrue(aborter.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES), "aborts finished");
        String context = " (seed " + seed + ", reproduce with -Dshmlite.seed=" + seed + ")";
        assertTrue(
                violations.isEmpty(),
                violations.size() + " violations, first: "
                        + String.join("\n  ", violations.stream().limit(6).toArray(String[]::new)) + context);
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            opened.incrementAndGet();
            java.util.Set<Long> present = new java.util.HashSet<>();
            try (ResultSet rs = s.executeQuery("SELECT id FROM ledger")) {
                while (rs.next()) {
                    present.add(rs.getLong(1));
                }
            }
            for (Map.Entry<Long, State> e : ledger.entrySet()) {
                if (e.getValue() == State.COMMITTED) {
                    assertTrue(
                            present.contains(e.getKey()),
                            "committed row " + e.getKey() + " lost: " + history.get(e.getKey()) + context);
                } else if (e.getValue() == State.DEAD || e.getValue() == State.PENDING) {
                    assertTrue(
                            !present.contains(e.getKey()),
                            "rolled-back row " + e.getKey() + " present: " + history.get(e.getKey()) + context);
                }
            }
            assertTrue(ledger.containsValue(State.COMMITTED), "the run committed nothing" + context);
        }
        DatabaseStats stats = Shmlite.stats(url).orElseThrow();
        assertEquals(
                0, stats.getConnectionsInUse(), "a session stayed in use: " + stats + " opened " + opened + context);
        assertEquals(opened.get(), stats.getSessionsOpened(), "sessions opened, counted once each" + context);
        Shmlite.drop(url);
        Shmlite.drop(chaosUrl);
    }

    private static String stackTop(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length == 0 ? "?" : st[0] + (st.length > 1 ? " < " + st[1] : "");
    }

    private <T> T pick(Random r, List<T> list) {
        int n = list.size();
        if (n == 0) {
            return null;
        }
        try {
            return list.get(r.nextInt(n));
        } catch (IndexOutOfBoundsException raced) {
            return null; // the list shrank under us
        }
    }

    private void step(Random r) throws SQLException {
        Conn conn = pick(r, conns);
        switch (r.nextInt(20)) {
            case 0:
            case 1:
                if (conns.size() < MAX_OPEN) {
                    Connection c = DriverManager.getConnection(url);
                    opened.incrementAndGet();
                    conns.add(new Conn(c));
                }
                break;
            case 2:
                if (conn != null && r.nextInt(4) == 0) {
                    conns.remove(conn);
                    if (r.nextBoolean()) {
                        conn.c.abort(aborter);
                    } else {
                        conn.c.close();
                    }
                    synchronized (conn) {
                        conn.pending.forEach(id -> ledger.replace(id, State.PENDING, State.DEAD));
                        conn.pending.clear();
                    }
                }
                break;
            case 3:
            case 4:
            case 5:
                if (conn != null) {
                    insert(conn, r);
                }
                break;
            case 6:
                if (conn != null) {
                    endTransaction(conn, r);
                }
                break;
            case 7:
                if (conn != null) {
                    synchronized (conn) {
                        boolean ac = r.nextBoolean();
                        boolean wasManual = !conn.c.getAutoCommit();
                        if (ac && wasManual) {
                            markCommitting(conn);
                        }
                        try {
                            conn.c.setAutoCommit(ac);
                            if (ac && wasManual) {
                                settle(conn, State.COMMITTED);
                            }
                        } catch (SQLException e) {
                            if (ac && wasManual) {
                                settle(conn, State.UNKNOWN);
                            }
                            throw e;
                        }
                    }
                }
                break;
            case 8:
                if (conn != null) {
                    savepoint(conn, r);
                }
                break;
            case 9:
            case 10:
                if (conn != null) {
                    read(conn, r);
                }
                break;
            case 11:
            case 12:
                poke(pick(r, results), r);
                break;
            case 13:
                Statement st = pick(r, statements);
                if (st != null) {
                    if (r.nextBoolean()) {
                        st.cancel();
                    } else {
                        statements.remove(st);
                        st.close();
                    }
                }
                break;
            case 14:
                ResultSet rs = pick(r, results);
                if (rs != null) {
                    results.remove(rs);
                    rs.close();
                }
                break;
            case 15:
                if (conn != null) {
                    bad(conn, r);
                }
                break;
            case 16:
                if (conn != null) {
                    batch(conn, r);
                }
                break;
            case 17:
                chaos(r);
                break;
            case 18:
                if (conn != null) {
                    conn.c.setReadOnly(r.nextBoolean());
                    conn.c.setTransactionIsolation(
                            r.nextBoolean()
                                    ? Connection.TRANSACTION_SERIALIZABLE
                                    : Connection.TRANSACTION_READ_COMMITTED);
                    conn.c.isValid(1);
                    conn.c.clearWarnings();
                }
                break;
            default:
                if (conn != null) {
                    PreparedStatement ps =
                            conn.c.prepareStatement("SELECT id, v, b, r FROM ledger WHERE id > ? LIMIT ?");
                    ps.setLong(1, r.nextInt(100));
                    ps.setInt(2, 1 + r.nextInt(50));
                    statements.add(ps);
                    results.add(ps.executeQuery());
                }
        }
        if (statements.size() > 40) {
            statements.remove(0).close();
        }
        if (results.size() > 40) {
            results.remove(0).close();
        }
    }

    private void insert(Conn conn, Random r) throws SQLException {
        synchronized (conn) {
            long id = nextId.getAndIncrement();
            boolean auto = conn.c.getAutoCommit();
            ledger.put(id, auto ? State.COMMITTING : State.PENDING);
            conn.mine.add(id);
            try (PreparedStatement ps =
                    conn.c.prepareStatement("INSERT INTO ledger(id, v, b, r) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, id);
                ps.setString(2, r.nextBoolean() ? "text " + id + " \uD83D\uDE00" : null);
                ps.setBytes(3, r.nextBoolean() ? new byte[r.nextInt(300)] : null);
                ps.setDouble(4, r.nextDouble());
                ps.executeUpdate();
                if (auto) {
                    ledger.put(id, State.COMMITTED);
                } else {
                    conn.pending.add(id);
                }
            } catch (SQLException e) {
                ledger.put(id, auto ? State.UNKNOWN : State.DEAD);
                note(id, "insert failed: " + e.getSQLState() + " " + e.getMessage());
                throw e;
            }
        }
    }

    private void markCommitting(Conn conn) {
        conn.pending.forEach(id -> ledger.replace(id, State.PENDING, State.COMMITTING));
    }

    private void settle(Conn conn, State to) {
        conn.pending.forEach(id -> ledger.replace(id, State.COMMITTING, to));
        conn.pending.clear();
        conn.savepoints.clear();
    }

    private void endTransaction(Conn conn, Random r) throws SQLException {
        synchronized (conn) {
            if (r.nextBoolean()) {
                markCommitting(conn);
                try {
                    conn.c.commit();
                    settle(conn, State.COMMITTED);
                } catch (SQLException e) {
                    settle(conn, State.UNKNOWN);
                    throw e;
                }
            } else {
                try {
                    conn.c.rollback();
                } catch (SQLException e) {
                    conn.pending.forEach(id -> note(id, "rollback failed: " + e.getSQLState() + " " + e.getMessage()));
                    throw e;
                } finally {
                    // Rolled back, or the connection is closed (which rolls back): dead either way.
                    conn.pending.forEach(id -> ledger.replace(id, State.PENDING, State.DEAD));
                    conn.pending.clear();
                    conn.savepoints.clear();
                }
            }
        }
    }

    private void savepoint(Conn conn, Random r) throws SQLException {
        synchronized (conn) {
            if (conn.savepoints.isEmpty() || r.nextBoolean()) {
                conn.savepoints.add(new Object[] {conn.c.setSavepoint(), conn.pending.size()});
                return;
            }
            Object[] sp = conn.savepoints.remove(conn.savepoints.size() - 1);
            if (r.nextBoolean()) {
                conn.c.releaseSavepoint((Savepoint) sp[0]);
            } else {
                conn.c.rollback((Savepoint) sp[0]);
                List<Long> undone = conn.pending.subList((Integer) sp[1], conn.pending.size());
                undone.forEach(id -> ledger.replace(id, State.PENDING, State.DEAD));
                undone.clear();
            }
        }
    }

    private void read(Conn conn, Random r) throws SQLException {
        try (Statement s = conn.c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id FROM ledger")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                State st = ledger.get(id);
                if ((st == State.PENDING || st == State.DEAD) && !conn.mine.contains(id)) {
                    // Re-read the state: it may have moved to COMMITTING since.
                    State now = ledger.get(id);
                    {
                        if (now == State.PENDING || now == State.DEAD) {
                            violations.add("row " + id + " of an uncommitted transaction is visible (" + now + "): "
                                    + history.get(id));
                        }
                    }
                }
            }
        }
    }

    private void poke(ResultSet rs, Random r) throws SQLException {
        if (rs == null) {
            return;
        }
        int col = r.nextInt(6); // 0 and 5 are out of range
        switch (r.nextInt(7)) {
            case 0:
                rs.next();
                break;
            case 1:
                rs.getString(col);
                break;
            case 2:
                rs.getLong(col);
                break;
            case 3:
                rs.getBytes(col);
                break;
            case 4:
                rs.getObject(col);
                rs.wasNull();
                break;
            case 5:
                rs.getInt("nosuch");
                break;
            default:
                rs.getMetaData().getColumnType(col);
        }
    }

    private void bad(Conn conn, Random r) throws SQLException {
        Statement s = conn.c.createStatement();
        statements.add(s);
        switch (r.nextInt(6)) {
            case 0:
                s.execute("SELEC nonsense");
                break;
            case 1:
                s.execute("");
                break;
            case 2:
                s.execute("SELECT 'a\u0000b'");
                break;
            case 3:
                conn.c.prepareStatement("SELECT ?").setString(0, "x");
                break;
            case 4:
                conn.c.prepareStatement("SELECT ?").executeQuery();
                break;
            default:
                s.executeQuery("SELECT 1").getInt(1); // before next()
        }
    }

    private void batch(Conn conn, Random r) throws SQLException {
        synchronized (conn) {
            boolean auto = conn.c.getAutoCommit();
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = conn.c.prepareStatement("INSERT INTO ledger(id, v) VALUES (?, ?)")) {
                for (int i = 0; i < 1 + r.nextInt(20); i++) {
                    long id = nextId.getAndIncrement();
                    ids.add(id);
                    conn.mine.add(id);
                    ledger.put(id, auto ? State.UNKNOWN : State.PENDING);
                    ps.setLong(1, id);
                    ps.setString(2, "batch");
                    ps.addBatch();
                }
                ps.executeBatch();
                if (auto) {
                    ids.forEach(id -> ledger.put(id, State.COMMITTED));
                } else {
                    conn.pending.addAll(ids);
                }
            } catch (java.sql.BatchUpdateException e) {
                // The rows before the failing one were inserted: in a transaction they stay
                // pending with it (in autocommit their fate stays unknown); the rest never were.
                int done = e.getUpdateCounts() == null ? 0 : e.getUpdateCounts().length;
                if (!auto) {
                    conn.pending.addAll(ids.subList(0, done));
                    ids.subList(done, ids.size()).forEach(id -> ledger.put(id, State.DEAD));
                }
                throw e;
            } catch (SQLException e) {
                ids.forEach(id -> ledger.put(id, State.UNKNOWN)); // failed before or around the batch
                throw e;
            }
        }
    }

    /** Use after close and operations on a dropped database: SQLExceptions only. */
    private void chaos(Random r) throws SQLException {
        Connection c = DriverManager.getConnection(chaosUrl);
        Statement s = c.createStatement();
        s.execute("CREATE TABLE IF NOT EXISTS x(v)");
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM x");
        if (r.nextBoolean()) {
            Shmlite.drop(chaosUrl);
        } else {
            c.close();
        }
        try {
            ps.executeQuery().next();
        } catch (SQLException expected) {
            // dropped or closed
        }
        try {
            s.executeUpdate("INSERT INTO x VALUES (1)");
        } catch (SQLException expected) {
            // dropped or closed
        }
        c.close();
        c.close();
    }
}
