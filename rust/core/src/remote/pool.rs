//! The per-JVM registry of dqlite databases: one [`RemoteDb`] per cluster (sorted seed list) and
//! database name, holding the shared [`Cluster`] (leader cache, counters), the bounded pool of
//! protocol connections with the database open, the statistics, and the writer gate through
//! which this JVM's writers reach the leader one at a time.

use super::conn::RemoteConn;
use crate::config::Config;
use crate::control::{thread_interrupted, Control};
use crate::error::{Error, Result};
use crate::stats::Stats;
use shmlite_dqlite::{Cluster, Options};
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

static REMOTES: LazyLock<Mutex<HashMap<String, Arc<RemoteDb>>>> = LazyLock::new(Default::default);

/// Longest single sleep of a wait for the writer gate or a pooled connection, so a cancel or
/// `Thread.interrupt()` is seen promptly.
const WAIT_SLICE: Duration = Duration::from_millis(20);

/// The registry key of a cluster's database: `dqlite://` + the seeds sorted + `/NAME`, so two
/// URLs listing the same nodes in another order share one pool.
pub fn key_of(seeds: &[String], name: &str) -> String {
    let mut sorted = seeds.to_vec();
    sorted.sort();
    format!("dqlite://{}/{name}", sorted.join(","))
}

/// One database of one cluster, shared by every session of this JVM that uses it.
#[derive(Debug)]
pub struct RemoteDb {
    pub key: String,
    pub name: String,
    pub cluster: Cluster,
    pub stats: Arc<Stats>,
    pool_size: usize,
    state: Mutex<PoolState>,
    freed: Condvar,
    gate: Mutex<bool>,
    gate_freed: Condvar,
    /// `sqlite_version()` of the cluster, asked once.
    pub server_version: std::sync::OnceLock<String>,
}

#[derive(Debug, Default)]
struct PoolState {
    idle: Vec<RemoteConn>,
    /// Connections lent to sessions plus idle ones.
    total: usize,
}

/// Finds or creates the registry entry. The cluster's timeouts and the pool size are fixed by
/// the first session that names the database (like the database-level properties of `mem:`).
pub fn acquire(seeds: &[String], name: &str, config: &Config) -> Arc<RemoteDb> {
    let key = key_of(seeds, name);
    let mut reg = REMOTES.lock().unwrap_or_else(|p| p.into_inner());
    reg.entry(key.clone())
        .or_insert_with(|| {
            let opts = Options {
                connect_timeout: Duration::from_millis(config.dqlite_connect_timeout_ms as u64),
                read_timeout: Duration::from_millis(config.dqlite_read_timeout_ms as u64),
                write_timeout: Duration::from_millis(config.dqlite_read_timeout_ms as u64),
                client_id: 0,
            };
            let cluster = Cluster::new(seeds.iter().cloned(), opts).with_leader_timeout(
                Duration::from_millis(config.dqlite_leader_timeout_ms as u64),
            );
            Arc::new(RemoteDb {
                key,
                name: name.to_owned(),
                cluster,
                stats: Arc::new(Stats::default()),
                pool_size: config.pool_size,
                state: Mutex::new(PoolState::default()),
                freed: Condvar::new(),
                gate: Mutex::new(false),
                gate_freed: Condvar::new(),
                server_version: std::sync::OnceLock::new(),
            })
        })
        .clone()
}

/// The live remote database of a registry key, if a session opened it (statistics).
pub fn lookup(key: &str) -> Option<Arc<RemoteDb>> {
    REMOTES
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(key)
        .cloned()
}

impl RemoteDb {
    fn state(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Statistics as `Stats::snapshot` lays them out (lent, idle; no WAL bytes remotely).
    pub fn snapshot(&self) -> [i64; 28] {
        let st = self.state();
        let idle = st.idle.len() as u64;
        let lent = (st.total as u64).saturating_sub(idle);
        drop(st);
        self.stats
            .leader_changes
            .store(self.cluster.leader_changes(), Relaxed);
        self.stats.snapshot(lent, idle, 0)
    }

    /// A protocol connection with the database open: an idle one still talking to the last
    /// known leader, or a new one (leader discovery bounded by `leader_deadline`). At most
    /// `pool_size` exist at once; beyond, waits up to `pool_timeout_ms` for one to be given back.
    pub fn borrow(
        &self,
        pool_timeout_ms: u32,
        leader_deadline: Instant,
        foreign_keys: bool,
    ) -> Result<RemoteConn> {
        let started = Instant::now();
        let timeout = Duration::from_millis(pool_timeout_ms as u64);
        let mut waited = false;
        let mut st = self.state();
        loop {
            let leader = self.cluster.last_leader();
            while let Some(c) = st.idle.pop() {
                if c.is_usable() && leader.as_deref() == Some(c.addr()) {
                    drop(st);
                    return self.configured(c, foreign_keys);
                }
                // Stale after a leader change, or broken: closed, not lent.
                st.total -= 1;
                self.stats.connections_evicted.fetch_add(1, Relaxed);
            }
            if st.total < self.pool_size {
                st.total += 1;
                drop(st);
                let opened = RemoteConn::open(&self.cluster, &self.name, leader_deadline)
                    .and_then(|c| self.configured(c, foreign_keys));
                match opened {
                    Ok(c) => {
                        self.stats.native_opened.fetch_add(1, Relaxed);
                        return Ok(c);
                    }
                    Err(e) => {
                        self.state().total -= 1;
                        self.freed.notify_one();
                        return Err(e);
                    }
                }
            }
            let elapsed = started.elapsed();
            if elapsed >= timeout || thread_interrupted() {
                self.stats.pool_timeouts.fetch_add(1, Relaxed);
                return Err(Error::PoolExhausted {
                    key: self.key.clone(),
                    size: self.pool_size,
                    waited_ms: elapsed.as_millis() as u64,
                });
            }
            if !waited {
                waited = true;
                self.stats.pool_waits.fetch_add(1, Relaxed);
            }
            let slice = (timeout - elapsed).min(WAIT_SLICE);
            st = self
                .freed
                .wait_timeout(st, slice)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Brings a connection's per-connection setting (`foreign_keys`) to what the session wants.
    fn configured(&self, mut c: RemoteConn, foreign_keys: bool) -> Result<RemoteConn> {
        if let Err(e) = c.set_foreign_keys(foreign_keys) {
            self.give_back(c, false);
            return Err(e);
        }
        Ok(c)
    }

    /// Returns a connection: pooled when `reusable` and healthy, else closed.
    pub fn give_back(&self, conn: RemoteConn, reusable: bool) {
        let mut st = self.state();
        if reusable && conn.is_usable() && st.idle.len() < self.pool_size {
            st.idle.push(conn);
        } else {
            st.total -= 1;
            self.stats.connections_evicted.fetch_add(1, Relaxed);
            drop(st);
            drop(conn);
        }
        self.freed.notify_one();
    }

    /// A connection that was lost (or replaced) without being given back.
    pub fn forget(&self) {
        self.state().total -= 1;
        self.freed.notify_one();
    }

    /// Takes the writer gate: this JVM's writers reach the leader one at a time (the leader
    /// would refuse all but one with "database is locked" anyway), so the busy back-off is left
    /// for writers of other processes. Waits until `deadline` (busy_timeout), observing cancel
    /// and `Thread.interrupt()`; the wait is counted as a lock wait.
    pub fn take_gate(&self, deadline: Instant, ctl: &Control, sql: Option<&str>) -> Result<()> {
        let mut held = self.gate.lock().unwrap_or_else(|p| p.into_inner());
        if !*held {
            *held = true;
            return Ok(());
        }
        let started = Instant::now();
        let result = loop {
            if !*held {
                *held = true;
                break Ok(());
            }
            if ctl.is_cancelled() {
                break Err(Error::Cancelled);
            }
            if thread_interrupted() {
                break Err(Error::Interrupted(format!(
                    "the write lock of {} (held by another connection of this JVM)",
                    self.key
                )));
            }
            let now = Instant::now();
            if now >= deadline {
                self.stats.lock_timeouts.fetch_add(1, Relaxed);
                break Err(Error::LockTimeout {
                    waited_ms: started.elapsed().as_millis() as u64,
                    lock: format!(
                        "the write lock of {} (held by another connection of this JVM)",
                        self.key
                    ),
                    sql: sql.map(str::to_owned),
                });
            }
            let slice = (deadline - now).min(WAIT_SLICE);
            held = self
                .gate_freed
                .wait_timeout(held, slice)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        };
        drop(held);
        self.stats.waited(1, started.elapsed().as_nanos() as u64);
        result
    }

    /// Releases the writer gate taken by [`RemoteDb::take_gate`].
    pub fn release_gate(&self) {
        *self.gate.lock().unwrap_or_else(|p| p.into_inner()) = false;
        self.gate_freed.notify_one();
    }
}
