package dev.shmlite.spring.boot;

import dev.shmlite.jdbc.DatabaseStats;
import dev.shmlite.jdbc.Shmlite;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for one shmlite database, read from {@link Shmlite#stats(String)} whenever a
 * registry samples them (one native call per meter read; nothing runs in between). Named like
 * HikariCP's {@code hikaricp.*} meters: dotted, base units (seconds, bytes), tagged
 * {@code database=<key>} ({@code mem:app}, {@code shm:feed}, {@code file:/abs/path}).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>From {@link DatabaseStats}</th></tr>
 *   <tr><td>shmlite.connections.active</td><td>gauge</td><td>connectionsInUse</td></tr>
 *   <tr><td>shmlite.connections.idle</td><td>gauge</td><td>connectionsIdle</td></tr>
 *   <tr><td>shmlite.connections.opened</td><td>counter</td><td>nativeConnectionsOpened</td></tr>
 *   <tr><td>shmlite.connections.evicted</td><td>counter</td><td>connectionsEvicted</td></tr>
 *   <tr><td>shmlite.sessions.opened</td><td>counter</td><td>sessionsOpened</td></tr>
 *   <tr><td>shmlite.sessions.reclaimed</td><td>counter</td><td>sessionsReclaimed</td></tr>
 *   <tr><td>shmlite.transactions.begun (tag mode=deferred|immediate|exclusive)</td><td>counter</td>
 *       <td>beginsDeferred/Immediate/Exclusive</td></tr>
 *   <tr><td>shmlite.transactions.started (tag kind=read|write)</td><td>counter</td>
 *       <td>readTransactions, writeTransactions</td></tr>
 *   <tr><td>shmlite.transactions.upgrades</td><td>counter</td><td>upgrades</td></tr>
 *   <tr><td>shmlite.transactions.upgrade.conflicts</td><td>counter</td><td>upgradeConflicts</td></tr>
 *   <tr><td>shmlite.transactions.revalidations</td><td>counter</td><td>revalidations</td></tr>
 *   <tr><td>shmlite.transactions.commits</td><td>counter</td><td>commits</td></tr>
 *   <tr><td>shmlite.transactions.rollbacks</td><td>counter</td><td>rollbacks</td></tr>
 *   <tr><td>shmlite.lock.waits</td><td>function timer (count, total seconds)</td>
 *       <td>lockWaits, lockWaitNanosTotal</td></tr>
 *   <tr><td>shmlite.lock.waits.max</td><td>time gauge (seconds)</td><td>lockWaitNanosMax</td></tr>
 *   <tr><td>shmlite.lock.deadlocks</td><td>counter</td><td>deadlocks</td></tr>
 *   <tr><td>shmlite.lock.timeouts</td><td>counter</td><td>lockTimeouts</td></tr>
 *   <tr><td>shmlite.pool.waits</td><td>counter</td><td>poolWaits</td></tr>
 *   <tr><td>shmlite.pool.timeouts</td><td>counter</td><td>poolTimeouts</td></tr>
 *   <tr><td>shmlite.wal.size</td><td>gauge (bytes)</td><td>walBytes</td></tr>
 * </table>
 * While the database is not live (not opened yet, or dropped) every meter reads NaN (the timer's
 * count 0), which registries skip. A database dropped and opened again starts its counters at 0.
 *
 * <p>As with every Micrometer function meter, the registry holds this object weakly: keep a
 * reference to it for as long as its meters should report (the starter's binder bean does).
 */
public class ShmliteMetrics implements MeterBinder {
    private final String url;
    private final Tags tags;

    /** @param url the database's JDBC URL (or key); tagged with its key */
    public ShmliteMetrics(String url) {
        this(url, Tags.empty());
    }

    /**
     * @param url the database's JDBC URL (or key)
     * @param extraTags tags added to {@code database=<key>}
     */
    public ShmliteMetrics(String url, Iterable<io.micrometer.core.instrument.Tag> extraTags) {
        this.url = url;
        this.tags = Tags.of("database", ShmliteUrls.key(url)).and(extraTags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(
                registry,
                "shmlite.connections.active",
                "Native connections lent to JDBC connections",
                DatabaseStats::getConnectionsInUse);
        gauge(
                registry,
                "shmlite.connections.idle",
                "Native connections idle in the pool",
                DatabaseStats::getConnectionsIdle);
        counter(
                registry,
                "shmlite.connections.opened",
                "Native SQLite connections opened",
                Tags.empty(),
                DatabaseStats::getNativeConnectionsOpened);
        counter(
                registry,
                "shmlite.connections.evicted",
                "Native connections closed instead of pooled (session state closing could not undo)",
                Tags.empty(),
                DatabaseStats::getConnectionsEvicted);
        counter(
                registry,
                "shmlite.sessions.opened",
                "JDBC connections opened",
                Tags.empty(),
                DatabaseStats::getSessionsOpened);
        counter(
                registry,
                "shmlite.sessions.reclaimed",
                "JDBC connections closed by the garbage collector",
                Tags.empty(),
                DatabaseStats::getSessionsReclaimed);
        counter(
                registry,
                "shmlite.transactions.begun",
                "Transactions begun",
                Tags.of("mode", "deferred"),
                DatabaseStats::getBeginsDeferred);
        counter(
                registry,
                "shmlite.transactions.begun",
                "Transactions begun",
                Tags.of("mode", "immediate"),
                DatabaseStats::getBeginsImmediate);
        counter(
                registry,
                "shmlite.transactions.begun",
                "Transactions begun",
                Tags.of("mode", "exclusive"),
                DatabaseStats::getBeginsExclusive);
        counter(
                registry,
                "shmlite.transactions.started",
                "Transactions begun for a first statement that reads",
                Tags.of("kind", "read"),
                DatabaseStats::getReadTransactions);
        counter(
                registry,
                "shmlite.transactions.started",
                "Transactions begun for a first statement that writes",
                Tags.of("kind", "write"),
                DatabaseStats::getWriteTransactions);
        counter(
                registry,
                "shmlite.transactions.upgrades",
                "Read transactions that went on to write",
                Tags.empty(),
                DatabaseStats::getUpgrades);
        counter(
                registry,
                "shmlite.transactions.upgrade.conflicts",
                "Upgrades that failed with 40001 and were rolled back",
                Tags.empty(),
                DatabaseStats::getUpgradeConflicts);
        counter(
                registry,
                "shmlite.transactions.revalidations",
                "WAL upgrades whose stale snapshot was re-validated instead of failing",
                Tags.empty(),
                DatabaseStats::getRevalidations);
        counter(registry, "shmlite.transactions.commits", "Commits", Tags.empty(), DatabaseStats::getCommits);
        counter(registry, "shmlite.transactions.rollbacks", "Rollbacks", Tags.empty(), DatabaseStats::getRollbacks);
        FunctionTimer.builder(
                        "shmlite.lock.waits",
                        this,
                        m -> (long) m.read(DatabaseStats::getLockWaits), // NaN (not live) reads as 0
                        m -> m.read(DatabaseStats::getLockWaitNanosTotal),
                        TimeUnit.NANOSECONDS)
                .description("Waits for a lock held by another connection, and the time waited")
                .tags(tags)
                .register(registry);
        TimeGauge.builder(
                        "shmlite.lock.waits.max",
                        this,
                        TimeUnit.NANOSECONDS,
                        m -> m.read(DatabaseStats::getLockWaitNanosMax))
                .description("Longest single lock wait")
                .tags(tags)
                .register(registry);
        counter(
                registry,
                "shmlite.lock.deadlocks",
                "Lock waits ended because they would deadlock",
                Tags.empty(),
                DatabaseStats::getDeadlocks);
        counter(
                registry,
                "shmlite.lock.timeouts",
                "Lock waits ended by busy_timeout",
                Tags.empty(),
                DatabaseStats::getLockTimeouts);
        counter(
                registry,
                "shmlite.pool.waits",
                "Opens that waited for a pooled native connection",
                Tags.empty(),
                DatabaseStats::getPoolWaits);
        counter(
                registry,
                "shmlite.pool.timeouts",
                "Opens whose wait ended by pool_timeout",
                Tags.empty(),
                DatabaseStats::getPoolTimeouts);
        Gauge.builder("shmlite.wal.size", this, m -> m.read(DatabaseStats::getWalBytes))
                .description("Size of the write-ahead log")
                .baseUnit(BaseUnits.BYTES)
                .tags(tags)
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<DatabaseStats> f) {
        Gauge.builder(name, this, m -> m.read(f))
                .description(description)
                .baseUnit(BaseUnits.CONNECTIONS)
                .tags(tags)
                .register(registry);
    }

    private void counter(
            MeterRegistry registry, String name, String description, Tags extra, ToDoubleFunction<DatabaseStats> f) {
        FunctionCounter.builder(name, this, m -> m.read(f))
                .description(description)
                .tags(tags.and(extra))
                .register(registry);
    }

    /** One value of the current statistics; NaN while the database is not live. */
    private double read(ToDoubleFunction<DatabaseStats> f) {
        try {
            return Shmlite.stats(url).map(f::applyAsDouble).orElse(Double.NaN);
        } catch (SQLException e) {
            return Double.NaN;
        }
    }
}
