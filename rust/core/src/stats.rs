//! Per-database counters, readable from Java as one `long[]` (order fixed by [`Stats::FIELDS`]).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::config::TxnMode;

/// Counters of one database. All monotonic except the two gauges filled in by the pool.
#[derive(Debug, Default)]
pub struct Stats {
    pub native_opened: AtomicU64,
    pub sessions_opened: AtomicU64,
    pub begins_deferred: AtomicU64,
    pub begins_immediate: AtomicU64,
    pub begins_exclusive: AtomicU64,
    pub commits: AtomicU64,
    pub rollbacks: AtomicU64,
    pub lock_waits: AtomicU64,
    pub lock_wait_ns: AtomicU64,
    pub lock_wait_max_ns: AtomicU64,
    pub deadlocks: AtomicU64,
    pub lock_timeouts: AtomicU64,
    pub pool_waits: AtomicU64,
    pub pool_timeouts: AtomicU64,
    pub sessions_reclaimed: AtomicU64,
    /// Native connections closed at give-back instead of pooled (session state closing could
    /// not undo, a failed rollback or restore).
    pub connections_evicted: AtomicU64,
    /// Transactions begun for a statement that only reads (DEFERRED: no write lock).
    pub read_transactions: AtomicU64,
    /// Transactions begun for a statement that writes (or by ALWAYS_IMMEDIATE for any statement).
    pub write_transactions: AtomicU64,
    /// Read transactions that ran a first write (SQLite takes the write lock then).
    pub upgrades: AtomicU64,
    /// Upgrades that failed with 40001 (deadlock or stale snapshot; the transaction rolled back).
    pub upgrade_conflicts: AtomicU64,
    /// WAL upgrades that met a stale snapshot, re-ran the transaction's reads with the same
    /// results and went on (no 40001).
    pub revalidations: AtomicU64,
    /// `dqlite://`: requests sent to the cluster (one round trip each) and their total time.
    pub remote_requests: AtomicU64,
    pub remote_request_ns: AtomicU64,
    /// `dqlite://`: "database is locked" answers waited out and the statement resent.
    pub remote_busy_retries: AtomicU64,
    /// `dqlite://`: times the leader found differed from the one before (set from the cluster).
    pub leader_changes: AtomicU64,
}

impl Stats {
    /// Field names in `snapshot` order (mirrored by `DatabaseStats.java`).
    pub const FIELDS: [&'static str; 28] = [
        "connectionsInUse",
        "connectionsIdle",
        "nativeConnectionsOpened",
        "sessionsOpened",
        "beginsDeferred",
        "beginsImmediate",
        "beginsExclusive",
        "commits",
        "rollbacks",
        "lockWaits",
        "lockWaitNanosTotal",
        "lockWaitNanosMax",
        "deadlocks",
        "lockTimeouts",
        "poolWaits",
        "poolTimeouts",
        "sessionsReclaimed",
        "walBytes",
        "connectionsEvicted",
        "readTransactions",
        "writeTransactions",
        "upgrades",
        "upgradeConflicts",
        "revalidations",
        "remoteRequests",
        "remoteRequestNanosTotal",
        "remoteBusyRetries",
        "leaderChanges",
    ];

    /// Counts a BEGIN of the given SQL mode (DEFERRED, IMMEDIATE or EXCLUSIVE).
    pub fn begun(&self, mode: TxnMode) {
        match mode {
            TxnMode::Deferred => &self.begins_deferred,
            TxnMode::Immediate | TxnMode::AlwaysImmediate => &self.begins_immediate,
            TxnMode::Exclusive => &self.begins_exclusive,
        }
        .fetch_add(1, Relaxed);
    }

    /// Records `waits` lock waits that took `ns` in total.
    pub fn waited(&self, waits: u64, ns: u64) {
        if waits == 0 && ns == 0 {
            return;
        }
        self.lock_waits.fetch_add(waits, Relaxed);
        self.lock_wait_ns.fetch_add(ns, Relaxed);
        self.lock_wait_max_ns.fetch_max(ns, Relaxed);
    }

    /// All fields in `FIELDS` order, with the pool gauges and WAL size supplied by the caller.
    pub fn snapshot(&self, in_use: u64, idle: u64, wal_bytes: u64) -> [i64; 28] {
        let g = |a: &AtomicU64| a.load(Relaxed) as i64;
        [
            in_use as i64,
            idle as i64,
            g(&self.native_opened),
            g(&self.sessions_opened),
            g(&self.begins_deferred),
            g(&self.begins_immediate),
            g(&self.begins_exclusive),
            g(&self.commits),
            g(&self.rollbacks),
            g(&self.lock_waits),
            g(&self.lock_wait_ns),
            g(&self.lock_wait_max_ns),
            g(&self.deadlocks),
            g(&self.lock_timeouts),
            g(&self.pool_waits),
            g(&self.pool_timeouts),
            g(&self.sessions_reclaimed),
            wal_bytes as i64,
            g(&self.connections_evicted),
            g(&self.read_transactions),
            g(&self.write_transactions),
            g(&self.upgrades),
            g(&self.upgrade_conflicts),
            g(&self.revalidations),
            g(&self.remote_requests),
            g(&self.remote_request_ns),
            g(&self.remote_busy_retries),
            g(&self.leader_changes),
        ]
    }
}
