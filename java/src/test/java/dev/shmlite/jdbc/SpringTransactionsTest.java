package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Issue 13 with Spring 6.2 as applications use it: {@code @Transactional} beans in an application
 * context over HikariCP and DataSourceTransactionManager, driver defaults. A REQUIRES_NEW write
 * after a read in the outer transaction commits at once; read-only transactions; rollback rules.
 */
class SpringTransactionsTest {
    /** The URL the next context's data source opens (set before the context is built). */
    static volatile String contextUrl;

    @Configuration
    @EnableTransactionManagement
    static class AppConfig {
        @Bean(destroyMethod = "close")
        HikariDataSource dataSource() {
            HikariConfig cfg = new HikariConfig();
            cfg.setJdbcUrl(contextUrl);
            cfg.setMaximumPoolSize(4);
            return new HikariDataSource(cfg);
        }

        @Bean
        PlatformTransactionManager transactionManager(DataSource ds) {
            return new DataSourceTransactionManager(ds);
        }

        @Bean
        JdbcTemplate jdbcTemplate(DataSource ds) {
            return new JdbcTemplate(ds);
        }

        @Bean
        AuditLog auditLog(JdbcTemplate jdbc) {
            return new AuditLog(jdbc);
        }

        @Bean
        Orders orders(JdbcTemplate jdbc, AuditLog audit) {
            return new Orders(jdbc, audit);
        }
    }

    /** An audit log written in its own transaction, as audit and outbox code does. */
    public static class AuditLog {
        private final JdbcTemplate jdbc;

        public AuditLog(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void log(String what) {
            jdbc.update("INSERT INTO audit(what) VALUES (?)", what);
        }

        /** Writes an order in its own transaction (what a caller's read may have counted). */
        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void logOrder(String item) {
            jdbc.update("INSERT INTO orders(item) VALUES (?)", item);
        }
    }

    /** The application service: reads, then audits, then maybe writes. */
    public static class Orders {
        private final JdbcTemplate jdbc;
        private final AuditLog audit;

        public Orders(JdbcTemplate jdbc, AuditLog audit) {
            this.jdbc = jdbc;
            this.audit = audit;
        }

        /** Reads, audits in a new transaction, runs {@code probe} while this one is still open. */
        @Transactional
        public long readThenAudit(Callable<Long> probe) throws Exception {
            jdbc.queryForObject("SELECT count(*) FROM orders", Long.class);
            audit.log("looked");
            return probe.call();
        }

        /** Reads, audits in a new transaction, then writes in this one. */
        @Transactional
        public void readAuditWrite() {
            long n = jdbc.queryForObject("SELECT count(*) FROM orders", Long.class);
            audit.log("order " + n);
            jdbc.update("INSERT INTO orders(item) VALUES (?)", "item " + n);
        }

        /** Reads, then a new transaction adds an order (what the read counted), then writes. */
        @Transactional
        public void readOrderAuditWrite() {
            long n = jdbc.queryForObject("SELECT count(*) FROM orders", Long.class);
            audit.logOrder("order by the inner transaction");
            jdbc.update("INSERT INTO orders(item) VALUES (?)", "item " + n);
        }

        /** The same at READ_COMMITTED: the read holds no snapshot, so the write cannot find it stale. */
        @Transactional(isolation = Isolation.READ_COMMITTED)
        public void readAuditWriteReadCommitted() {
            readAuditWrite();
        }

        @Transactional(readOnly = true)
        public long countOrders() {
            return jdbc.queryForObject("SELECT count(*) FROM orders", Long.class);
        }

        @Transactional(readOnly = true)
        public void writeInReadOnly() {
            jdbc.update("INSERT INTO orders(item) VALUES ('refused')");
        }

        @Transactional
        public void insertThenFail(RuntimeException e) {
            jdbc.update("INSERT INTO orders(item) VALUES ('runtime')");
            throw e;
        }

        @Transactional
        public void insertThenFailChecked() throws Exception {
            jdbc.update("INSERT INTO orders(item) VALUES ('checked')");
            throw new Exception("checked: commits by default");
        }

        @Transactional(rollbackFor = Exception.class)
        public void insertThenFailCheckedRollingBack() throws Exception {
            jdbc.update("INSERT INTO orders(item) VALUES ('checked-rolled-back')");
            throw new Exception("checked, rollbackFor");
        }

        @Transactional(noRollbackFor = IllegalArgumentException.class)
        public void insertThenFailNoRollback() {
            jdbc.update("INSERT INTO orders(item) VALUES ('no-rollback')");
            throw new IllegalArgumentException("noRollbackFor");
        }
    }

    private static Properties noWait() {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "0");
        return p;
    }

    private static long count(String url, String sql) throws SQLException {
        // busy_timeout=0: fails at once if anything held a lock this read needs.
        try (Connection c = DriverManager.getConnection(url, noWait())) {
            return TestSupport.queryLong(c, sql);
        }
    }

    private static List<String> urls() {
        String name = TestSupport.uniqueName("spring-tx");
        return List.of("jdbc:shmlite:mem:" + name, "jdbc:shmlite:shm:" + name);
    }

    private interface ContextBody {
        void run(AnnotationConfigApplicationContext ctx, String url) throws Exception;
    }

    private static void withContext(ContextBody body) throws Exception {
        for (String url : urls()) {
            contextUrl = url;
            try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext(AppConfig.class)) {
                JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
                jdbc.execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, item TEXT NOT NULL)");
                jdbc.execute("CREATE TABLE audit(id INTEGER PRIMARY KEY, what TEXT NOT NULL)");
                body.run(ctx, url);
            } finally {
                Shmlite.drop(url);
                CrudTest.deleteShmFiles(url.substring(url.lastIndexOf(':') + 1));
            }
        }
    }

    @Test
    void requiresNewWriteAfterAReadCommitsAtOnce() throws Exception {
        withContext((ctx, url) -> {
            Orders orders = ctx.getBean(Orders.class);
            long before = Shmlite.stats(url).orElseThrow().getLockWaits();
            // The probe runs while the outer transaction is open: the audit row is committed and
            // readable without waiting (before issue 13: 5 s, then SQLTimeoutException).
            long seen = orders.readThenAudit(() -> count(url, "SELECT count(*) FROM audit"));
            assertEquals(1, seen, url);
            DatabaseStats s = Shmlite.stats(url).orElseThrow();
            assertEquals(before, s.getLockWaits(), url + ": nothing waited");
            assertEquals(0, s.getLockTimeouts(), url);
        });
    }

    @Test
    void outerWriteAfterRequiresNewSucceedsAndAChangedReadIsARetryableConflict() throws Exception {
        withContext((ctx, url) -> {
            Orders orders = ctx.getBean(Orders.class);
            // mem: and shm: are WAL: the inner commit made the outer snapshot stale, but the outer
            // read (count of orders) gives the same answer under the write lock, so the write goes on
            // (re-validated).
            orders.readAuditWrite();
            assertEquals(1, count(url, "SELECT count(*) FROM orders"));
            DatabaseStats s = Shmlite.stats(url).orElseThrow();
            assertEquals(1, s.getRevalidations(), s.toString());
            assertEquals(0, s.getUpgradeConflicts(), s.toString());
            // When the inner transaction changes what the outer one read, the outer write is a 40001
            // (CannotAcquireLockException), with nothing of the outer transaction kept.
            assertThrows(CannotAcquireLockException.class, orders::readOrderAuditWrite);
            assertEquals(2, count(url, "SELECT count(*) FROM orders"), "the inner order only");
            assertEquals(1, Shmlite.stats(url).orElseThrow().getUpgradeConflicts());
            // READ_COMMITTED: no snapshot held by the read, so the outer write succeeds everywhere.
            orders.readAuditWriteReadCommitted();
            try (Connection c = DriverManager.getConnection(url)) {
                assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation(), "restored");
            }
            assertEquals(3, count(url, "SELECT count(*) FROM orders"), url);
        });
    }

    @Test
    void readOnlyTransactionsReadRefuseWritesAndBlockNoWriter() throws Exception {
        withContext((ctx, url) -> {
            Orders orders = ctx.getBean(Orders.class);
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
            jdbc.update("INSERT INTO orders(item) VALUES ('a')");
            assertEquals(1, orders.countOrders());
            assertThrows(DataAccessException.class, orders::writeInReadOnly);
            assertEquals(1, count(url, "SELECT count(*) FROM orders"));
            TransactionTemplate readOnly = new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
            readOnly.setReadOnly(true);
            long seen = readOnly.execute(st -> {
                long n = jdbc.queryForObject("SELECT count(*) FROM orders", Long.class);
                // Another connection writes while this read-only transaction is open, without waiting.
                try (Connection other = DriverManager.getConnection(url, noWait())) {
                    TestSupport.exec(other, "INSERT INTO audit(what) VALUES ('during read-only')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return n;
            });
            assertEquals(1, seen);
            assertEquals(1, count(url, "SELECT count(*) FROM audit"));
        });
    }

    @Test
    void rollbackRules() throws Exception {
        withContext((ctx, url) -> {
            Orders orders = ctx.getBean(Orders.class);
            assertThrows(IllegalStateException.class, () -> orders.insertThenFail(new IllegalStateException("x")));
            assertEquals(0, count(url, "SELECT count(*) FROM orders WHERE item = 'runtime'"), "runtime: rolled back");
            assertThrows(Exception.class, orders::insertThenFailChecked);
            assertEquals(1, count(url, "SELECT count(*) FROM orders WHERE item = 'checked'"), "checked: committed");
            assertThrows(Exception.class, orders::insertThenFailCheckedRollingBack);
            assertEquals(0, count(url, "SELECT count(*) FROM orders WHERE item = 'checked-rolled-back'"));
            assertThrows(IllegalArgumentException.class, orders::insertThenFailNoRollback);
            assertEquals(
                    1,
                    count(url, "SELECT count(*) FROM orders WHERE item = 'no-rollback'"),
                    "noRollbackFor: committed");
            DatabaseStats s = Shmlite.stats(url).orElseThrow();
            assertEquals(0, s.getLockTimeouts() + s.getDeadlocks(), s.toString());
        });
    }
}
