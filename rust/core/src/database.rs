//! One live database: how to open it, its pool of configured connections, its keeper and stats.

use crate::config::Config;
use crate::conn::{ConnSettings, NativeConn, OpenSpec};
use crate::error::{Error, Result};
use crate::gate::Gate;
use crate::shm;
use crate::stats::Stats;
use crate::url::Target;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A database shared by the sessions that name it.
#[derive(Debug)]
pub struct Database {
    pub key: String,
    pub target: Target,
    /// The configuration of the first opener: database-level properties come from it.
    pub base: Config,
    spec: OpenSpec,
    pool: Pool,
    /// Keeps a `mem:` database alive while no session is open.
    keeper: Mutex<Option<NativeConn>>,
    pub stats: Arc<Stats>,
    /// Writer preference among this process's connections of the database (`gate`): shared
    /// by the control block of every connection the pool opens.
    pub gate: Arc<Gate>,
    dropped: AtomicBool,
    /// Sessions open or opening (guarded by the registry lock when it matters).
    pub users: AtomicUsize,
    wal: Option<PathBuf>,
    /// Commits by this process's sessions, for in-process change notification.
    commits: CommitSignal,
}

/// Commits by this process's sessions: a counter every commit bumps and a condition variable
/// only touched while someone waits. Every transaction's end signals (readers' too), so the
/// common case — nobody in `awaitChange` — must cost one atomic add, not a mutex and a futex
/// call (which W4's four readers and writer otherwise all contended on, once per transaction).
#[derive(Debug, Default)]
struct CommitSignal {
    seq: AtomicU64,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    cond: Condvar,
}

impl CommitSignal {
    fn notify(&self) {
        // SeqCst on both sides: either this load sees the waiter, or the waiter's check (after
        // its increment) sees the new count; a waiter seen is woken under the lock it checks in.
        self.seq.fetch_add(1, SeqCst);
        if self.waiters.load(SeqCst) > 0 {
            drop(self.lock.lock().unwrap_or_else(|p| p.into_inner()));
            self.cond.notify_all();
        }
    }

    fn wait(&self, seen: u64, timeout: Duration) -> u64 {
        self.waiters.fetch_add(1, SeqCst);
        let guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = self
            .cond
            .wait_timeout_while(guard, timeout, |_| self.seq.load(SeqCst) == seen)
            .unwrap_or_else(|p| p.into_inner());
        drop(guard);
        self.waiters.fetch_sub(1, SeqCst);
        self.seq.load(SeqCst)
    }
}

/// Ends an open counted in `PoolState::opening`, also when the open panics.
struct OpeningGuard<'a>(&'a Database);

impl Drop for OpeningGuard<'_> {
    fn drop(&mut self) {
        self.0.state().opening -= 1;
        self.0.pool.freed.notify_all();
    }
}

#[derive(Debug)]
struct Pool {
    state: Mutex<PoolState>,
    freed: Condvar,
    max: usize,
}

#[derive(Debug, Default)]
struct PoolState {
    idle: Vec<NativeConn>,
    /// Connections that exist: lent out plus idle (plus those being opened).
    total: usize,
    /// Connections being opened outside the lock: `close` waits for them, so a dropped
    /// database's files are never deleted under an open that has not bound to them yet.
    opening: usize,
    closed: bool,
}

impl Database {
    /// The name SQLite knows this database by (what `ATTACH` needs): the shared-cache URI of a
    /// `mem:` incarnation, the file path of a `shm:` or file database.
    pub fn attach_name(&self) -> String {
        self.spec.path.clone()
    }

    /// Creates a database entry and, for `mem:`, the keeper connection that holds its memory.
    pub fn create(
        key: String,
        target: Target,
        base: Config,
        spec: OpenSpec,
        wal: Option<PathBuf>,
    ) -> Result<Self> {
        let settings = ConnSettings::from_config(&base);
        let keeper = match target {
            Target::Mem(_) => Some(NativeConn::open(&spec, settings)?),
            _ => None,
        };
        let stats = Arc::new(Stats::default());
        if keeper.is_some() {
            stats.native_opened.fetch_add(1, Relaxed);
        }
        Ok(Database {
            key,
            target,
            pool: Pool {
                state: Mutex::new(PoolState::default()),
                freed: Condvar::new(),
                max: base.pool_size,
            },
            base,
            spec,
            keeper: Mutex::new(keeper),
            stats,
            gate: Arc::default(),
            dropped: AtomicBool::new(false),
            users: AtomicUsize::new(0),
            wal,
            commits: CommitSignal::default(),
        })
    }

    fn state(&self) -> MutexGuard<'_, PoolState> {
        self.pool.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True once the database was dropped.
    pub fn is_dropped(&self) -> bool {
        self.dropped.load(Relaxed)
    }

    /// Lends a connection (a new one opened for `settings`), waiting up to `timeout_ms` when all
    /// `pool_size` connections are lent out. The caller applies `settings` before using it.
    pub fn borrow(&self, settings: ConnSettings, timeout_ms: u32) -> Result<NativeConn> {
        let start = Instant::now();
        let timeout = Duration::from_millis(timeout_ms as u64);
        let mut waited = false;
        let mut st = self.state();
        loop {
            if st.closed {
                return Err(Error::Dropped(self.key.clone()));
            }
            if let Some(conn) = st.idle.pop() {
                // Settings are applied by the session's first statement (`NativeConn::apply`):
                // borrowing runs no SQL, so another connection's uncommitted schema change
                // (shared cache) cannot make an open wait.
                return Ok(conn);
            }
            if st.total < self.pool.max {
                st.total += 1;
                st.opening += 1;
                drop(st);
                let _opening = OpeningGuard(self);
                let opened = self.open_native(settings);
                // Checked while `close` still waits for this open: either the connection is
                // handed out before the drop (and counted as lent), or it is closed here.
                let closed = self.state().closed;
                return match opened {
                    Ok(conn) if !closed => {
                        self.stats.native_opened.fetch_add(1, Relaxed);
                        Ok(conn)
                    }
                    failed => {
                        let err = match failed {
                            Ok(conn) => {
                                drop(conn); // closed before the drop deletes the files
                                Error::Dropped(self.key.clone())
                            }
                            Err(e) => e,
                        };
                        self.state().total -= 1;
                        self.pool.freed.notify_all();
                        Err(err)
                    }
                };
            }
            if !waited {
                waited = true;
                self.stats.pool_waits.fetch_add(1, Relaxed);
            }
            let left = timeout.saturating_sub(start.elapsed());
            if left.is_zero() {
                self.stats.pool_timeouts.fetch_add(1, Relaxed);
                return Err(Error::PoolExhausted {
                    key: self.key.clone(),
                    size: self.pool.max,
                    waited_ms: start.elapsed().as_millis() as u64,
                });
            }
            if crate::control::thread_interrupted() {
                return Err(Error::Interrupted(format!(
                    "a free connection in the pool of {} ({} in use)",
                    self.key, self.pool.max
                )));
            }
            // Sliced, so an interrupt is seen within INTERRUPT_POLL.
            st = self
                .pool
                .freed
                .wait_timeout(st, left.min(crate::control::INTERRUPT_POLL))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Opens one more native connection. An `shm:` database's path is checked again first (see
    /// `shm`), so a private directory or file swapped since an earlier open is refused, not followed.
    fn open_native(&self, settings: ConnSettings) -> Result<NativeConn> {
        if let Target::Shm(name) = &self.target {
            shm::recheck(
                self.base.shm_dir.as_deref(),
                name,
                self.base.create,
                &self.spec.path,
            )?;
        }
        let conn = NativeConn::open(&self.spec, settings)?;
        conn.control().join_gate(self.gate.clone());
        Ok(conn)
    }

    /// Takes a connection back; one that is not `reusable` (or any, once dropped) is closed.
    pub fn give_back(&self, conn: NativeConn, reusable: bool) {
        let mut st = self.state();
        if reusable && !st.closed {
            st.idle.push(conn);
            drop(st);
        } else {
            if !st.closed {
                self.stats.connections_evicted.fetch_add(1, Relaxed);
            }
            st.total -= 1;
            drop(st);
            drop(conn);
        }
        self.pool.freed.notify_one();
    }

    /// Closes idle connections and the keeper; lent ones close when given back. Returns the
    /// number of connections still lent out. Waits for opens in progress (each bounded by its
    /// opener's busy_timeout), so that once this returns no connection of this database can
    /// bind to its files any more.
    pub fn close(&self) -> usize {
        self.dropped.store(true, Relaxed);
        let (idle, lent) = {
            let mut st = self.state();
            st.closed = true;
            while st.opening > 0 {
                st = self.pool.freed.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            let idle = std::mem::take(&mut st.idle);
            st.total -= idle.len();
            (idle, st.total)
        };
        drop(idle);
        drop(self.keeper.lock().unwrap_or_else(|p| p.into_inner()).take());
        self.pool.freed.notify_all();
        lent
    }

    /// The WAL file whose writes signal commits by other processes (file databases).
    pub fn wal_file(&self) -> Option<PathBuf> {
        self.wal.clone()
    }

    /// Signals that a session of this process committed.
    pub fn notify_commit(&self) {
        self.commits.notify();
    }

    /// The number of commits signalled so far.
    pub fn commit_seq(&self) -> u64 {
        self.commits.seq.load(SeqCst)
    }

    /// Waits up to `timeout` for a commit after `seen`; returns the current count.
    pub fn wait_commit(&self, seen: u64, timeout: Duration) -> u64 {
        self.commits.wait(seen, timeout)
    }

    /// True when no connection exists at all (none lent, none idle, no keeper): forgetting the
    /// entry then loses nothing, e.g. after an open that failed before any connection existed.
    pub fn is_empty(&self) -> bool {
        self.state().total == 0
            && self
                .keeper
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_none()
    }

    /// Statistics in `Stats::FIELDS` order.
    pub fn snapshot(&self) -> [i64; 28] {
        let (in_use, idle) = {
            let st = self.state();
            (st.total - st.idle.len(), st.idle.len())
        };
        let wal = match &self.wal {
            Some(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            // A `mem:` database's WAL is in this process's memory (`memvfs`).
            None => crate::memvfs::wal_len(&self.spec.path).unwrap_or(0),
        };
        self.stats.snapshot(in_use as u64, idle as u64, wal)
    }

    /// Checks that a later opener's explicit database-level properties match this database
    /// (the table's `Level::Database*` entries; `shm_dir` is part of the key, so it always
    /// matches).
    pub fn check_compatible(&self, c: &Config) -> Result<()> {
        for p in crate::properties::PROPERTIES {
            if !c.explicit.contains(&p.name) {
                continue;
            }
            if let (Some(live), Some(wanted)) = (p.database_value(&self.base), p.database_value(c))
            {
                if live != wanted {
                    return Err(Error::ConflictingProperty {
                        key: self.key.clone(),
                        name: p.name,
                        live,
                        wanted,
                    });
                }
            }
        }
        Ok(())
    }
}
