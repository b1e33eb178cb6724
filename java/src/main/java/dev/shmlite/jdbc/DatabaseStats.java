package dev.shmlite.jdbc;

/**
 * A snapshot of the statistics of one live database (see {@link Shmlite#stats(String)}).
 * Counters are cumulative since the database was created; nanosecond figures are wall time.
 */
public final class DatabaseStats implements DatabaseStatsMXBean {
    /** Number of values {@code Native.stats} returns, in the order of the fields below. */
    static final int FIELDS = 28;

    private final String key;
    private final long connectionsInUse;
    private final long connectionsIdle;
    private final long nativeConnectionsOpened;
    private final long sessionsOpened;
    private final long beginsDeferred;
    private final long beginsImmediate;
    private final long beginsExclusive;
    private final long commits;
    private final long rollbacks;
    private final long lockWaits;
    private final long lockWaitNanosTotal;
    private final long lockWaitNanosMax;
    private final long deadlocks;
    private final long lockTimeouts;
    private final long poolWaits;
    private final long poolTimeouts;
    private final long sessionsReclaimed;
    private final long walBytes;
    private final long connectionsEvicted;
    private final long readTransactions;
    private final long writeTransactions;
    private final long upgrades;
    private final long upgradeConflicts;
    private final long revalidations;
    private final long remoteRequests;
    private final long remoteRequestNanosTotal;
    private final long remoteBusyRetries;
    private final long leaderChanges;

    /** @param v the values from {@code Native.stats}, in field order (missing values read as 0) */
    DatabaseStats(String key, long[] v) {
        this.key = key;
        long[] s = v.length >= FIELDS ? v : java.util.Arrays.copyOf(v, FIELDS);
        connectionsInUse = s[0];
        connectionsIdle = s[1];
        nativeConnectionsOpened = s[2];
        sessionsOpened = s[3];
        beginsDeferred = s[4];
        beginsImmediate = s[5];
        beginsExclusive = s[6];
        commits = s[7];
        rollbacks = s[8];
        lockWaits = s[9];
        lockWaitNanosTotal = s[10];
        lockWaitNanosMax = s[11];
        deadlocks = s[12];
        lockTimeouts = s[13];
        poolWaits = s[14];
        poolTimeouts = s[15];
        sessionsReclaimed = s[16];
        walBytes = s[17];
        connectionsEvicted = s[18];
        readTransactions = s[19];
        writeTransactions = s[20];
        upgrades = s[21];
        upgradeConflicts = s[22];
        revalidations = s[23];
        remoteRequests = s[24];
        remoteRequestNanosTotal = s[25];
        remoteBusyRetries = s[26];
        leaderChanges = s[27];
    }

    /** The database key, e.g. {@code mem:demo}, {@code shm:feed} or {@code file:/abs/path}. */
    public String getKey() {
        return key;
    }

    /** Native connections currently lent to JDBC connections. */
    public long getConnectionsInUse() {
        return connectionsInUse;
    }

    /** Native connections idle in the pool. */
    public long getConnectionsIdle() {
        return connectionsIdle;
    }

    /** Native SQLite connections opened so far. */
    public long getNativeConnectionsOpened() {
        return nativeConnectionsOpened;
    }

    /** JDBC connections (sessions) opened so far. */
    public long getSessionsOpened() {
        return sessionsOpened;
    }

    /** BEGIN DEFERRED statements issued (read transactions, and every transaction with transaction_mode=DEFERRED). */
    public long getBeginsDeferred() {
        return beginsDeferred;
    }

    /** BEGIN IMMEDIATE statements issued (write-first transactions; every one with ALWAYS_IMMEDIATE). */
    public long getBeginsImmediate() {
        return beginsImmediate;
    }

    /** BEGIN EXCLUSIVE statements issued (write-first transactions with transaction_mode=EXCLUSIVE). */
    public long getBeginsExclusive() {
        return beginsExclusive;
    }

    /** Commits. */
    public long getCommits() {
        return commits;
    }

    /** Rollbacks. */
    public long getRollbacks() {
        return rollbacks;
    }

    /** Times a statement waited for a lock held by another connection. */
    public long getLockWaits() {
        return lockWaits;
    }

    /** Total time spent waiting for locks, in nanoseconds. */
    public long getLockWaitNanosTotal() {
        return lockWaitNanosTotal;
    }

    /** Longest single lock wait, in nanoseconds. */
    public long getLockWaitNanosMax() {
        return lockWaitNanosMax;
    }

    /** Lock waits ended because they would deadlock. */
    public long getDeadlocks() {
        return deadlocks;
    }

    /** Lock waits ended by busy_timeout. */
    public long getLockTimeouts() {
        return lockTimeouts;
    }

    /** Times opening a connection waited for a pooled native connection. */
    public long getPoolWaits() {
        return poolWaits;
    }

    /** Times that wait ended by pool_timeout. */
    public long getPoolTimeouts() {
        return poolTimeouts;
    }

    /** Connections closed by the garbage collector because the application did not close them. */
    public long getSessionsReclaimed() {
        return sessionsReclaimed;
    }

    /** Size of the write-ahead log in bytes (0 without WAL). */
    public long getWalBytes() {
        return walBytes;
    }

    /**
     * Native connections closed when their JDBC connection closed, instead of going back to the
     * pool: the session changed connection state that closing cannot prove undone (a TEMP
     * object, an unknown or file-level pragma such as {@code locking_mode}), or the rollback or
     * the restore failed.
     */
    public long getConnectionsEvicted() {
        return connectionsEvicted;
    }

    /**
     * Transactions begun for a first statement that only reads: they take no write lock
     * until their first write (an upgrade).
     */
    public long getReadTransactions() {
        return readTransactions;
    }

    /**
     * Transactions begun for a first statement that writes, and every transaction with
     * {@code transaction_mode=ALWAYS_IMMEDIATE}.
     */
    public long getWriteTransactions() {
        return writeTransactions;
    }

    /** Read transactions that went on to write: SQLite took the write lock at that statement. */
    public long getUpgrades() {
        return upgrades;
    }

    /**
     * Upgrades that failed with {@code SQLTransactionRollbackException} 40001 (the transaction's
     * reads were made stale by another commit, or it deadlocked) and were rolled back.
     */
    public long getUpgradeConflicts() {
        return upgradeConflicts;
    }

    /**
     * WAL upgrades that found their snapshot stale, ran the transaction's earlier reads again
     * under the write lock, got the same rows and went on instead of failing with 40001.
     */
    public long getRevalidations() {
        return revalidations;
    }

    /** {@code dqlite://}: requests sent to the cluster (one round trip each); 0 for local databases. */
    public long getRemoteRequests() {
        return remoteRequests;
    }

    /** {@code dqlite://}: total time of those requests, ns (divide by the count for the mean round trip). */
    public long getRemoteRequestNanosTotal() {
        return remoteRequestNanosTotal;
    }

    /**
     * {@code dqlite://}: "database is locked" answers from the cluster that were waited out with
     * back-off and resent (the wait itself is counted in {@link #getLockWaits()}).
     */
    public long getRemoteBusyRetries() {
        return remoteBusyRetries;
    }

    /** {@code dqlite://}: how many times the cluster's leader changed, as this JVM saw it. */
    public long getLeaderChanges() {
        return leaderChanges;
    }

    /** All counters, named like their getters. */
    @Override
    public String toString() {
        return "DatabaseStats[" + key
                + ", connectionsInUse=" + connectionsInUse
                + ", connectionsIdle=" + connectionsIdle
                + ", nativeConnectionsOpened=" + nativeConnectionsOpened
                + ", sessionsOpened=" + sessionsOpened
                + ", beginsDeferred=" + beginsDeferred
                + ", beginsImmediate=" + beginsImmediate
                + ", beginsExclusive=" + beginsExclusive
                + ", commits=" + commits
                + ", rollbacks=" + rollbacks
                + ", lockWaits=" + lockWaits
                + ", lockWaitNanosTotal=" + lockWaitNanosTotal
                + ", lockWaitNanosMax=" + lockWaitNanosMax
                + ", deadlocks=" + deadlocks
                + ", lockTimeouts=" + lockTimeouts
                + ", poolWaits=" + poolWaits
                + ", poolTimeouts=" + poolTimeouts
                + ", sessionsReclaimed=" + sessionsReclaimed
                + ", walBytes=" + walBytes
                + ", connectionsEvicted=" + connectionsEvicted
                + ", readTransactions=" + readTransactions
                + ", writeTransactions=" + writeTransactions
                + ", upgrades=" + upgrades
                + ", upgradeConflicts=" + upgradeConflicts
                + ", revalidations=" + revalidations
                + ", remoteRequests=" + remoteRequests
                + ", remoteRequestNanosTotal=" + remoteRequestNanosTotal
                + ", remoteBusyRetries=" + remoteBusyRetries
                + ", leaderChanges=" + leaderChanges + "]";
    }
}
