package dev.shmlite.jdbc;

/**
 * One live database's statistics as a platform MXBean, named
 * {@code dev.shmlite:type=Database,name="<key>"} (e.g. {@code name="mem:demo"}). Registered while
 * JMX is enabled ({@code -Dshmlite.jmx=true} or {@link Shmlite#setJmxEnabled(boolean)}) and the
 * database is live, unregistered when it is dropped or no longer live. Every attribute is read
 * from the database when asked (see {@link DatabaseStats} for their meaning); a database that
 * went away in between reads as 0. {@link DatabaseStats} implements this interface, so the
 * compiler keeps the two in step.
 */
public interface DatabaseStatsMXBean {
    /** The database key, e.g. {@code mem:demo}. */
    String getKey();

    /** @see DatabaseStats#getConnectionsInUse() */
    long getConnectionsInUse();

    /** @see DatabaseStats#getConnectionsIdle() */
    long getConnectionsIdle();

    /** @see DatabaseStats#getNativeConnectionsOpened() */
    long getNativeConnectionsOpened();

    /** @see DatabaseStats#getSessionsOpened() */
    long getSessionsOpened();

    /** @see DatabaseStats#getBeginsDeferred() */
    long getBeginsDeferred();

    /** @see DatabaseStats#getBeginsImmediate() */
    long getBeginsImmediate();

    /** @see DatabaseStats#getBeginsExclusive() */
    long getBeginsExclusive();

    /** @see DatabaseStats#getCommits() */
    long getCommits();

    /** @see DatabaseStats#getRollbacks() */
    long getRollbacks();

    /** @see DatabaseStats#getLockWaits() */
    long getLockWaits();

    /** @see DatabaseStats#getLockWaitNanosTotal() */
    long getLockWaitNanosTotal();

    /** @see DatabaseStats#getLockWaitNanosMax() */
    long getLockWaitNanosMax();

    /** @see DatabaseStats#getDeadlocks() */
    long getDeadlocks();

    /** @see DatabaseStats#getLockTimeouts() */
    long getLockTimeouts();

    /** @see DatabaseStats#getPoolWaits() */
    long getPoolWaits();

    /** @see DatabaseStats#getPoolTimeouts() */
    long getPoolTimeouts();

    /** @see DatabaseStats#getSessionsReclaimed() */
    long getSessionsReclaimed();

    /** @see DatabaseStats#getWalBytes() */
    long getWalBytes();

    /** @see DatabaseStats#getConnectionsEvicted() */
    long getConnectionsEvicted();

    /** @see DatabaseStats#getReadTransactions() */
    long getReadTransactions();

    /** @see DatabaseStats#getWriteTransactions() */
    long getWriteTransactions();

    /** @see DatabaseStats#getUpgrades() */
    long getUpgrades();

    /** @see DatabaseStats#getUpgradeConflicts() */
    long getUpgradeConflicts();

    /** @see DatabaseStats#getRevalidations() */
    long getRevalidations();

    /** @see DatabaseStats#getRemoteRequests() */
    long getRemoteRequests();

    /** @see DatabaseStats#getRemoteRequestNanosTotal() */
    long getRemoteRequestNanosTotal();

    /** @see DatabaseStats#getRemoteBusyRetries() */
    long getRemoteBusyRetries();

    /** @see DatabaseStats#getLeaderChanges() */
    long getLeaderChanges();
}
