package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.SimpleJdbcInsert;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring JDBC 6.2 against shmlite (through HikariCP, as Spring Boot sets it up): JdbcTemplate
 * queries, updates, batches and generated keys, SimpleJdbcInsert, DataSourceTransactionManager
 * with read-only, nested (savepoint) and rolled back transactions, exception translation without
 * an SQLite error-code file, and the script runners.
 */
class SpringJdbcTest {
    private String url;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;
    private TransactionTemplate tx;

    private static HikariDataSource pool(String url, String transactionMode) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.addDataSourceProperty("foreign_keys", "true");
        cfg.addDataSourceProperty("transaction_mode", transactionMode);
        cfg.setMaximumPoolSize(4);
        return new HikariDataSource(cfg);
    }

    @BeforeEach
    void setUp() {
        url = "jdbc:shmlite:mem:spring-" + UUID.randomUUID();
        ds = pool(url, "IMMEDIATE");
        new ResourceDatabasePopulator(
                        new ClassPathResource("spring/schema.sql"), new ClassPathResource("spring/data.sql"))
                .execute(ds);
        jdbc = new JdbcTemplate(ds);
        tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
    }

    @AfterEach
    void tearDown() throws SQLException {
        ds.close();
        Shmlite.drop(url);
    }

    private long accounts() {
        return jdbc.queryForObject("SELECT count(*) FROM account", Long.class);
    }

    @Test
    void queriesUpdatesAndTypes() {
        assertEquals(2, accounts(), "the populator ran both scripts");
        Map<String, Object> alice =
                jdbc.queryForMap("SELECT id, owner, balance AS money, opened FROM account WHERE owner = ?", "alice");
        // getObject gives the class the metadata names: DECIMAL is BigDecimal, DATE java.sql.Date.
        assertEquals(
                Map.of(
                        "id",
                        1L,
                        "owner",
                        "alice",
                        "money",
                        new BigDecimal("100"),
                        "opened",
                        java.sql.Date.valueOf("2024-01-02")),
                alice);
        assertEquals(
                LocalDate.of(2024, 1, 2),
                jdbc.queryForObject("SELECT opened FROM account WHERE id = 1", LocalDate.class));
        assertEquals(
                0,
                new BigDecimal("50.50")
                        .compareTo(jdbc.queryForObject(
                                "SELECT balance FROM account WHERE owner = 'bob'", BigDecimal.class)));

        UUID token = UUID.randomUUID();
        // Untyped arguments: java.time, BigDecimal and UUID through setObject; the null through
        // ParameterMetaData and setNull.
        assertEquals(
                1,
                jdbc.update(
                        "INSERT INTO account(owner, balance, opened, token) VALUES (?, ?, ?, ?)",
                        "carol",
                        new BigDecimal("7.25"),
                        LocalDate.of(2024, 5, 6),
                        token));
        assertEquals(
                1,
                jdbc.update(
                        "INSERT INTO entry(account_id, amount, memo, at) VALUES (?, ?, ?, ?)",
                        3,
                        new BigDecimal("-1.5"),
                        null,
                        LocalDateTime.of(2024, 5, 6, 7, 8, 9)));
        assertEquals(token, jdbc.queryForObject("SELECT token FROM account WHERE owner = 'carol'", UUID.class));
        assertNull(jdbc.queryForObject("SELECT memo FROM entry", String.class));
        assertEquals(
                LocalDateTime.of(2024, 5, 6, 7, 8, 9),
                jdbc.queryForObject("SELECT at FROM entry", LocalDateTime.class));
        List<String> owners = jdbc.queryForList("SELECT owner FROM account ORDER BY id", String.class);
        assertEquals(List.of("alice", "bob", "carol"), owners);
        assertEquals(2, jdbc.update("UPDATE account SET balance = balance + 1 WHERE id < 3"));

        NamedParameterJdbcTemplate named = new NamedParameterJdbcTemplate(jdbc);
        assertEquals(
                List.of("bob"),
                named.queryForList(
                        "SELECT owner FROM account WHERE balance BETWEEN :lo AND :hi",
                        new MapSqlParameterSource("lo", 50).addValue("hi", 60),
                        String.class));
        assertThrows(BadSqlGrammarException.class, () -> jdbc.queryForList("SELECT nope FROM account"));
    }

    @Test
    void generatedKeysThroughKeyHolder() {
        KeyHolder kh = new GeneratedKeyHolder();
        jdbc.update(
                con -> {
                    PreparedStatement ps = con.prepareStatement(
                            "INSERT INTO account(owner) VALUES (?)", Statement.RETURN_GENERATED_KEYS);
                    ps.setString(1, "dave");
                    return ps;
                },
                kh);
        assertEquals(3L, kh.getKey().longValue());

        KeyHolder named = new GeneratedKeyHolder();
        jdbc.update(
                con -> {
                    PreparedStatement ps = con.prepareStatement(
                            "INSERT INTO account(owner, token) VALUES (?, ?)", new String[] {"id", "token"});
                    ps.setString(1, "erin");
                    ps.setString(2, "t-erin");
                    return ps;
                },
                named);
        assertEquals(Map.of("id", 4L, "token", "t-erin"), named.getKeys());

        KeyHolder many = new GeneratedKeyHolder();
        jdbc.update(
                con -> con.prepareStatement(
                        "INSERT INTO account(owner) VALUES ('f1'), ('f2'), ('f3')", Statement.RETURN_GENERATED_KEYS),
                many);
        assertEquals(
                List.of(5L, 6L, 7L),
                many.getKeyList().stream().map(m -> m.get("id")).toList(),
                "one key per row of a multi-row insert");

        SimpleJdbcInsert insert =
                new SimpleJdbcInsert(jdbc).withTableName("account").usingGeneratedKeyColumns("id");
        Number id = insert.executeAndReturnKey(Map.of("owner", "gina", "balance", new BigDecimal("3.00")));
        assertEquals(8L, id.longValue());
        assertEquals("gina", jdbc.queryForObject("SELECT owner FROM account WHERE id = ?", String.class, id));
    }

    @Test
    void batchUpdatesWithCountsAndKeys() {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(new Object[] {1, new BigDecimal(i + ".10"), "m" + i});
        }
        int[] counts = jdbc.batchUpdate("INSERT INTO entry(account_id, amount, memo) VALUES (?, ?, ?)", rows);
        assertEquals(20, counts.length);
        for (int c : counts) {
            assertEquals(1, c);
        }
        assertArrayEquals(
                new int[] {1, 20, 0},
                jdbc.batchUpdate(
                        "UPDATE account SET balance = 0 WHERE id = 1",
                        "UPDATE entry SET memo = upper(memo)",
                        "DELETE FROM entry WHERE id < 0"));

        KeyHolder kh = new GeneratedKeyHolder();
        List<String> owners = List.of("k1", "k2", "k3", "k4", "k5");
        int[] keyed = jdbc.batchUpdate(
                con -> con.prepareStatement("INSERT INTO account(owner) VALUES (?)", Statement.RETURN_GENERATED_KEYS),
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        ps.setString(1, owners.get(i));
                    }

                    @Override
                    public int getBatchSize() {
                        return owners.size();
                    }
                },
                kh);
        assertEquals(5, keyed.length);
        assertEquals(5, kh.getKeyList().size(), "one key per batched row");
        for (int i = 0; i < owners.size(); i++) {
            Number key = (Number) kh.getKeyList().get(i).get("id");
            assertEquals(
                    owners.get(i), jdbc.queryForObject("SELECT owner FROM account WHERE id = ?", String.class, key));
        }

        // A failing batch: Spring translates the BatchUpdateException by its SQLState.
        List<Object[]> dup = List.of(new Object[] {"x1"}, new Object[] {"alice"}, new Object[] {"x2"});
        DuplicateKeyException e = assertThrows(
                DuplicateKeyException.class, () -> jdbc.batchUpdate("INSERT INTO account(owner) VALUES (?)", dup));
        assertInstanceOf(java.sql.BatchUpdateException.class, e.getCause());
        assertArrayEquals(new int[] {1}, ((java.sql.BatchUpdateException) e.getCause()).getUpdateCounts());
    }

    @Test
    void exceptionTranslationWithoutAnErrorCodeFile() {
        DuplicateKeyException dup = assertThrows(
                DuplicateKeyException.class, () -> jdbc.update("INSERT INTO account(owner) VALUES ('alice')"));
        assertEquals("23505", ((SQLException) dup.getCause()).getSQLState());
        DataIntegrityViolationException fk = assertThrows(
                DataIntegrityViolationException.class,
                () -> jdbc.update("INSERT INTO entry(account_id, amount) VALUES (999, 1)"));
        assertFalse(fk instanceof DuplicateKeyException);
        assertThrows(
                DataIntegrityViolationException.class, () -> jdbc.update("INSERT INTO account(owner) VALUES (NULL)"));
        assertEquals(2, accounts(), "nothing was inserted");
    }

    @Test
    void transactionsCommitRollBackAndStayReadOnly() {
        tx.executeWithoutResult(s -> jdbc.update("INSERT INTO account(owner) VALUES ('t1')"));
        assertThrows(
                IllegalStateException.class,
                () -> tx.executeWithoutResult(s -> {
                    jdbc.update("INSERT INTO account(owner) VALUES ('t2')");
                    throw new IllegalStateException("roll back");
                }));
        tx.executeWithoutResult(s -> {
            jdbc.update("INSERT INTO account(owner) VALUES ('t3')");
            s.setRollbackOnly();
        });
        assertEquals(
                List.of("alice", "bob", "t1"),
                jdbc.queryForList("SELECT owner FROM account ORDER BY id", String.class));

        TransactionTemplate readOnly = new TransactionTemplate(tx.getTransactionManager());
        readOnly.setReadOnly(true);
        assertEquals(Long.valueOf(3), readOnly.execute(s -> accounts()));
        DataAccessException refused = assertThrows(
                DataAccessException.class,
                () -> readOnly.executeWithoutResult(s -> jdbc.update("INSERT INTO account(owner) VALUES ('ro')")));
        assertEquals("25006", ((SQLException) refused.getCause()).getSQLState());

        TransactionTemplate serializable = new TransactionTemplate(tx.getTransactionManager());
        serializable.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
        serializable.executeWithoutResult(s -> jdbc.update("INSERT INTO account(owner) VALUES ('rc')"));
        // Every pooled connection is writable again and the rows are all there.
        for (int i = 0; i < 8; i++) {
            jdbc.update("UPDATE account SET balance = balance + 1 WHERE owner = 'rc'");
        }
        assertEquals(4, accounts());
    }

    @Test
    void nestedTransactionsUseSavepoints() {
        TransactionTemplate nested = new TransactionTemplate(tx.getTransactionManager());
        nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        tx.executeWithoutResult(outer -> {
            jdbc.update("INSERT INTO account(owner) VALUES ('outer')");
            nested.executeWithoutResult(inner -> jdbc.update("INSERT INTO account(owner) VALUES ('kept')"));
            assertThrows(
                    IllegalStateException.class,
                    () -> nested.executeWithoutResult(inner -> {
                        jdbc.update("INSERT INTO account(owner) VALUES ('dropped')");
                        nested.executeWithoutResult(
                                innermost -> jdbc.update("INSERT INTO account(owner) VALUES ('deep')"));
                        throw new IllegalStateException("back to the savepoint");
                    }));
            nested.executeWithoutResult(inner -> {
                jdbc.update("INSERT INTO account(owner) VALUES ('deep-kept')");
                nested.executeWithoutResult(innermost -> {
                    jdbc.update("INSERT INTO account(owner) VALUES ('deep-dropped')");
                    innermost.setRollbackOnly();
                });
            });
        });
        assertEquals(
                List.of("alice", "bob", "outer", "kept", "deep-kept"),
                jdbc.queryForList("SELECT owner FROM account ORDER BY id", String.class));
        // A nested transaction without an outer one is a plain transaction.
        assertThrows(
                IllegalStateException.class,
                () -> nested.executeWithoutResult(s -> {
                    jdbc.update("INSERT INTO account(owner) VALUES ('alone')");
                    throw new IllegalStateException();
                }));
        assertEquals(5, accounts());
    }

    @Test
    void deadlockBecomesCannotAcquireLock() throws Exception {
        // mem: is WAL: a read-first transaction whose reads another commit changed before its first
        // write fails that write with 40001 (a stale snapshot), which Spring calls a lock failure.
        String dlUrl = "jdbc:shmlite:mem:spring-deadlock-" + UUID.randomUUID();
        try (HikariDataSource deferred = pool(dlUrl, "DEFERRED")) {
            JdbcTemplate j = new JdbcTemplate(deferred);
            j.execute("CREATE TABLE a(x); CREATE TABLE b(x); INSERT INTO a VALUES (0); INSERT INTO b VALUES (0)");
            TransactionTemplate t = new TransactionTemplate(new DataSourceTransactionManager(deferred));
            CountDownLatch oneWrote = new CountDownLatch(1);
            CountDownLatch twoRead = new CountDownLatch(1);
            ExecutorService ex = Executors.newFixedThreadPool(2);
            try {
                Future<Throwable> one = ex.submit(() -> outcome(() -> t.executeWithoutResult(s -> {
                    j.update("INSERT INTO a VALUES (1)"); // the write lock
                    oneWrote.countDown();
                    await(twoRead);
                    j.update("INSERT INTO b VALUES (1)"); // changes what two read; then commits
                })));
                Future<Throwable> two = ex.submit(() -> outcome(() -> t.executeWithoutResult(s -> {
                    await(oneWrote);
                    j.queryForObject("SELECT count(*) FROM b", Long.class); // its snapshot, no wait
                    j.queryForObject("SELECT count(*) FROM a", Long.class);
                    twoRead.countDown();
                    j.update("INSERT INTO a VALUES (2)"); // waits for one's commit, then is stale
                })));
                Throwable oneError = one.get();
                Throwable twoError = two.get();
                assertTrue(oneError == null && twoError != null, "two fails: " + oneError + " / " + twoError);
                Throwable e = twoError;
                assertInstanceOf(CannotAcquireLockException.class, e);
                assertInstanceOf(SQLTransactionRollbackException.class, e.getCause());
                assertEquals("40001", ((SQLException) e.getCause()).getSQLState());
            } finally {
                ex.shutdownNow();
            }
            // One's two inserts are there, two's was rolled back.
            long rows = j.queryForObject("SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)", Long.class);
            assertEquals(4, rows, "the winner committed, the loser rolled back");
        } finally {
            Shmlite.drop(dlUrl);
        }
    }

    private static Throwable outcome(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void queryTimeoutStopsALongQuery() {
        JdbcTemplate impatient = new JdbcTemplate(ds);
        impatient.setQueryTimeout(1);
        assertThrows(QueryTimeoutException.class, () -> impatient.queryForObject(LifecycleTest.LONG_QUERY, Long.class));
        assertEquals(2, accounts(), "the pool's connections stay usable");
    }

    @Test
    void scriptUtilsOnOneConnection() throws SQLException {
        // ScriptUtils splits the script itself and runs each statement through one Statement,
        // looping getMoreResults/getUpdateCount until the count is -1.
        try (Connection c = ds.getConnection()) {
            ScriptUtils.executeSqlScript(
                    c,
                    new ByteArrayResource(("-- two more accounts\n"
                                    + "INSERT INTO account(owner) VALUES ('s1');\n"
                                    + "/* and one multi-row insert */ INSERT INTO account(owner) VALUES ('s2'), ('s3');\n")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(5, accounts());
        // JdbcTemplate.execute runs a whole script in one Statement.execute.
        jdbc.execute("DELETE FROM account WHERE owner LIKE 's%'; INSERT INTO account(owner) VALUES ('s9')");
        assertEquals(3, accounts());
    }
}
