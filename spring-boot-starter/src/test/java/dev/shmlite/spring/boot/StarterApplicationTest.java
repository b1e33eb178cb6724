package dev.shmlite.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.shmlite.spring.boot.app.Customer;
import dev.shmlite.spring.boot.app.CustomerRepository;
import dev.shmlite.spring.boot.app.CustomerService;
import dev.shmlite.spring.boot.app.TestApplication;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.hibernate.community.dialect.SQLiteDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.metrics.MetricsEndpoint;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A real Spring Boot 3.5 application whose only datasource setting is
 * {@code spring.datasource.url=jdbc:shmlite:mem:boot-app}: before the starter it failed at start-up
 * with "Failed to determine a suitable driver class".
 */
@SpringBootTest(classes = TestApplication.class)
@AutoConfigureObservability(tracing = false)
class StarterApplicationTest {
    private static final String DB = "mem:boot-app";

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    Flyway flyway;

    @Autowired
    CustomerRepository customers;

    @Autowired
    CustomerService customerService;

    @Autowired
    EntityManagerFactory entityManagerFactory;

    @Autowired
    DSLContext dsl;

    @Autowired
    MeterRegistry meters;

    @Autowired
    HealthEndpoint health;

    @Autowired
    MetricsEndpoint metrics;

    /** Driver inferred, Hikari on isValid, shmlite.* passed to the driver, pool bounded by pool_size. */
    @Test
    void hikariPoolConfiguredFromUrl() {
        HikariDataSource pool = assertInstanceOf(HikariDataSource.class, dataSource);
        assertEquals("dev.shmlite.jdbc.ShmliteDriver", pool.getDriverClassName());
        assertEquals("jdbc:shmlite:mem:boot-app", pool.getJdbcUrl());
        assertNull(pool.getConnectionTestQuery(), "the connection test must stay Connection.isValid");
        assertEquals("3000", pool.getDataSourceProperties().get("busy_timeout"));
        assertEquals("6", pool.getDataSourceProperties().get("pool_size"));
        assertEquals(6, pool.getMaximumPoolSize(), "Hikari's default 10 lowered to pool_size");
    }

    /** schema.sql ran (mem: counts as embedded) and Flyway's auto-configuration migrated. */
    @Test
    void schemaSqlAndFlywayRan() {
        assertEquals(0, jdbc.queryForObject("SELECT count(*) FROM event WHERE id < 0", Long.class));
        assertEquals("1", flyway.info().current().getVersion().getVersion());
        assertEquals(1, flyway.info().applied().length);
        assertEquals(
                1,
                jdbc.queryForObject(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name = 'customer_names'",
                        Long.class));
    }

    /** Spring Data JPA on Hibernate's community SQLiteDialect; @Transactional commits and rolls back. */
    @Test
    void jpaWithSqliteDialectAndTransactions() {
        assertInstanceOf(
                SQLiteDialect.class,
                entityManagerFactory
                        .unwrap(SessionFactoryImplementor.class)
                        .getJdbcServices()
                        .getDialect());
        customerService.saveAll(false, "jpa-ann", "jpa-bob");
        Customer ann = customers.findByName("jpa-ann").orElseThrow();
        assertNotNull(ann.getId());
        assertThrows(IllegalStateException.class, () -> customerService.saveAll(true, "jpa-carl", "jpa-dora"));
        assertTrue(customers.findByName("jpa-carl").isEmpty(), "the failed transaction must leave nothing");
        assertEquals(2, jdbc.queryForObject("SELECT count(*) FROM customer_names WHERE name LIKE 'jpa-%'", Long.class));
    }

    /** jOOQ's DSLContext runs with SQLDialect.SQLITE, so identity DDL and RETURNING work. */
    @Test
    void jooqUsesSqliteDialect() {
        assertEquals(SQLDialect.SQLITE, dsl.dialect());
        Table<Record> item = DSL.table(DSL.name("jooq_item"));
        dsl.createTableIfNotExists(item)
                .column("id", SQLDataType.BIGINT.identity(true))
                .column("name", SQLDataType.VARCHAR(50).nullable(false))
                .constraints(DSL.primaryKey("id"))
                .execute();
        Record first = dsl.insertInto(item)
                .columns(DSL.field(DSL.name("name")))
                .values("a")
                .returning(DSL.field(DSL.name("id")))
                .fetchOne();
        Record second = dsl.insertInto(item)
                .columns(DSL.field(DSL.name("name")))
                .values("b")
                .returning(DSL.field(DSL.name("id")))
                .fetchOne();
        assertNotNull(first);
        assertNotNull(second);
        assertTrue(((Number) second.get(0)).longValue() > ((Number) first.get(0)).longValue());
        assertEquals(2, dsl.fetchCount(item));
    }

    /**
     * One writer and three readers through the auto-configured pool: zero errors, every row read,
     * reader counts never go backwards; the meters and the health indicator show the database.
     */
    @Test
    void writerAndReadersThroughThePoolThenMetersAndHealth() throws Exception {
        final int rows = 300;
        final int readers = 3;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        double commitsBefore = counter("shmlite.transactions.commits");

        Thread writer = new Thread(
                () -> {
                    try {
                        for (int i = 1; i <= rows; i++) {
                            int id = i;
                            transactions.executeWithoutResult(
                                    s -> jdbc.update("INSERT INTO event (id, payload) VALUES (?, ?)", id, "row " + id));
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                    } finally {
                        writing.set(false);
                    }
                },
                "writer");
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            threads.add(new Thread(
                    () -> {
                        long last = 0;
                        try {
                            boolean more = true;
                            while (more) {
                                more = writing.get();
                                Long n = jdbc.queryForObject("SELECT count(*) FROM event", Long.class);
                                if (n < last) {
                                    throw new AssertionError("count went back from " + last + " to " + n);
                                }
                                last = n;
                                reads.incrementAndGet();
                            }
                            if (last != rows) {
                                throw new AssertionError("last read saw " + last + " of " + rows + " rows");
                            }
                        } catch (Throwable t) {
                            errors.add(t);
                        }
                    },
                    "reader-" + r));
        }
        writer.start();
        threads.forEach(Thread::start);
        writer.join(120_000);
        for (Thread t : threads) {
            t.join(120_000);
        }
        assertTrue(!writer.isAlive() && threads.stream().noneMatch(Thread::isAlive), "threads did not finish");
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        assertEquals(rows, jdbc.queryForObject("SELECT count(*) FROM event", Long.class));
        assertTrue(reads.get() >= readers);

        // meters: named shmlite.*, tagged database=mem:boot-app, and they moved with the workload
        assertTrue(
                counter("shmlite.transactions.commits") - commitsBefore >= rows,
                "commits counted: " + counter("shmlite.transactions.commits"));
        assertTrue(counter("shmlite.sessions.opened") >= 1);
        assertTrue(meters.get("shmlite.transactions.begun")
                        .tag("database", DB)
                        .tag("mode", "immediate")
                        .functionCounter()
                        .count()
                >= rows);
        Gauge idle = meters.get("shmlite.connections.idle").tag("database", DB).gauge();
        Gauge active =
                meters.get("shmlite.connections.active").tag("database", DB).gauge();
        assertTrue(idle.value() + active.value() >= 1, "the pool holds native connections");
        assertEquals("connections", active.getId().getBaseUnit());
        FunctionTimer lockWaits =
                meters.get("shmlite.lock.waits").tag("database", DB).functionTimer();
        // The timer reads the driver's own counter (the workload has ended, so it is stable).
        assertEquals(dev.shmlite.jdbc.Shmlite.stats(DB).orElseThrow().getLockWaits(), (long) lockWaits.count());
        assertEquals(
                "bytes",
                meters.get("shmlite.wal.size")
                        .tag("database", DB)
                        .gauge()
                        .getId()
                        .getBaseUnit());
        assertEquals(0, counter("shmlite.lock.timeouts"));
        assertEquals(0, counter("shmlite.pool.timeouts"));
        MetricsEndpoint.MetricDescriptor commits = metrics.metric("shmlite.transactions.commits", List.of());
        assertNotNull(commits, "/actuator/metrics/shmlite.transactions.commits");
        assertTrue(commits.getAvailableTags().stream()
                .anyMatch(t -> t.getTag().equals("database") && t.getValues().contains(DB)));

        // health: /actuator/health/shmlite/dataSource is UP with the database's key and statistics
        HealthComponent component = health.healthForPath("shmlite", "dataSource");
        Health h = assertInstanceOf(Health.class, component);
        assertEquals(Status.UP, h.getStatus());
        Map<String, Object> details = h.getDetails();
        assertEquals(DB, details.get("database"));
        assertTrue(((Number) details.get("commits")).longValue() >= rows);
        assertEquals(Status.UP, health.health().getStatus());
    }

    private double counter(String name) {
        FunctionCounter c = meters.get(name).tag("database", DB).functionCounter();
        return c.count();
    }
}
