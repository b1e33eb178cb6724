//! Finding the leader from a list of seeds, and running requests against it across leader
//! changes and lost connections, every wait bounded by a deadline.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::conn::{Connection, Options};
use crate::error::{Error, Result};
use crate::message::NodeInfo;

/// Default bound on finding a leader. A `kill -9` of the leader took ~9.5 s to a new leader on
/// a loaded 2-core loopback cluster (dqlite's election timeout plus detection), so 30 s leaves
/// room without letting a statement hang indefinitely.
pub const DEFAULT_LEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// First pause between two rounds over the seeds when no node knows a leader.
pub const DISCOVERY_BACKOFF_MIN: Duration = Duration::from_millis(20);
/// Longest pause between two rounds (the back-off doubles up to this).
pub const DISCOVERY_BACKOFF_MAX: Duration = Duration::from_millis(500);
/// First pause before retrying a statement refused with "database is locked".
pub const BUSY_BACKOFF_MIN: Duration = Duration::from_micros(500);
/// Longest pause between "database is locked" retries (the back-off doubles up to this, with
/// jitter so that writers refused together do not retry together).
pub const BUSY_BACKOFF_MAX: Duration = Duration::from_millis(20);

/// A dqlite cluster known by its seed addresses.
#[derive(Debug)]
pub struct Cluster {
    seeds: Vec<String>,
    opts: Options,
    leader_timeout: Duration,
    last_leader: Mutex<Option<String>>,
    leader_changes: AtomicU64,
    busy_retries: AtomicU64,
}

impl Cluster {
    /// A cluster reached through `seeds` (host:port each), with default bounds.
    pub fn new<S: Into<String>>(seeds: impl IntoIterator<Item = S>, opts: Options) -> Self {
        Cluster {
            seeds: seeds.into_iter().map(Into::into).collect(),
            opts,
            leader_timeout: DEFAULT_LEADER_TIMEOUT,
            last_leader: Mutex::new(None),
            leader_changes: AtomicU64::new(0),
            busy_retries: AtomicU64::new(0),
        }
    }

    /// Changes the bound on finding a leader ([`DEFAULT_LEADER_TIMEOUT`]).
    pub fn with_leader_timeout(mut self, timeout: Duration) -> Self {
        self.leader_timeout = timeout;
        self
    }

    /// The seeds.
    pub fn seeds(&self) -> &[String] {
        &self.seeds
    }

    /// The connection options used for every node.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The bound on finding a leader.
    pub fn leader_timeout(&self) -> Duration {
        self.leader_timeout
    }

    /// The leader found last, if any.
    pub fn last_leader(&self) -> Option<String> {
        self.last_leader
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many times the leader found differed from the one found before.
    pub fn leader_changes(&self) -> u64 {
        self.leader_changes.load(Ordering::Relaxed)
    }

    /// How many "database is locked" retries [`Cluster::run`] made.
    pub fn busy_retries(&self) -> u64 {
        self.busy_retries.load(Ordering::Relaxed)
    }

    /// Counts one "database is locked" retry (made by [`Cluster::run`] or by a caller with its
    /// own retry loop, such as shmlite's JDBC session).
    pub fn note_busy_retry(&self) {
        self.busy_retries.fetch_add(1, Ordering::Relaxed);
    }

    fn note_leader(&self, addr: &str) {
        let mut last = self.last_leader.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_deref() != Some(addr) {
            if last.is_some() {
                self.leader_changes.fetch_add(1, Ordering::Relaxed);
            }
            *last = Some(addr.to_string());
        }
    }

    /// A registered connection to the leader, searching within [`Cluster::leader_timeout`].
    pub fn connect_leader(&self) -> Result<Connection> {
        self.connect_leader_until(Instant::now() + self.leader_timeout)
    }

    /// A registered connection to the leader, searching until `deadline`: the last known leader
    /// first, then every seed; a seed naming another node as leader is followed there and the
    /// answer verified (the named node must name itself). Rounds that find no leader back off
    /// from [`DISCOVERY_BACKOFF_MIN`] to [`DISCOVERY_BACKOFF_MAX`].
    pub fn connect_leader_until(&self, deadline: Instant) -> Result<Connection> {
        let started = Instant::now();
        let mut backoff = DISCOVERY_BACKOFF_MIN;
        let mut last_err = String::from("no node knew a leader");
        loop {
            let mut candidates: Vec<String> = Vec::with_capacity(self.seeds.len() + 1);
            if let Some(l) = self.last_leader() {
                candidates.push(l);
            }
            for s in &self.seeds {
                if !candidates.contains(s) {
                    candidates.push(s.clone());
                }
            }
            for addr in &candidates {
                match self.try_node(addr, deadline) {
                    Ok(Some(conn)) => {
                        self.note_leader(conn.addr());
                        return Ok(conn);
                    }
                    Ok(None) => last_err = format!("{addr}: no leader known"),
                    Err(e) => last_err = format!("{addr}: {e}"),
                }
                if Instant::now() >= deadline {
                    break;
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::NoLeader {
                    seeds: self.seeds.join(","),
                    waited: now - started,
                    last: last_err,
                });
            }
            std::thread::sleep(backoff.min(deadline - now));
            backoff = (backoff * 2).min(DISCOVERY_BACKOFF_MAX);
        }
    }

    /// Asks `addr` for the leader; returns a registered connection if it is the leader or names
    /// one that confirms.
    fn try_node(&self, addr: &str, deadline: Instant) -> Result<Option<Connection>> {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut conn = Connection::connect_within(addr, &self.opts, left)?;
        let leader = match conn.leader()? {
            None => return Ok(None),
            Some((_, leader)) => leader,
        };
        if leader != addr {
            let left = deadline.saturating_duration_since(Instant::now());
            conn = Connection::connect_within(&leader, &self.opts, left)?;
            match conn.leader()? {
                Some((_, l)) if l == leader => {}
                _ => return Ok(None),
            }
        }
        conn.register_client()?;
        Ok(Some(conn))
    }

    /// A leader connection with database `name` open.
    pub fn open(&self, name: &str) -> Result<Connection> {
        let mut conn = self.connect_leader()?;
        conn.open(name)?;
        Ok(conn)
    }

    /// The members, as the leader lists them.
    pub fn nodes(&self) -> Result<Vec<NodeInfo>> {
        self.connect_leader()?.cluster()
    }

    /// Runs `f` on a leader connection with database `name` open, kept in `slot` between calls.
    /// Until `deadline`:
    /// - "database is locked" (nothing executed): wait with jittered exponential back-off from
    ///   [`BUSY_BACKOFF_MIN`] to [`BUSY_BACKOFF_MAX`] and run `f` again;
    /// - "not leader" (nothing executed) or no connection: find the leader again and run `f`
    ///   again;
    /// - a failure whose outcome is unknown (connection lost mid-request, leadership lost during
    ///   a commit): drop the connection (the next call finds the leader again) and return the
    ///   error, since running a write twice could apply it twice.
    ///
    /// Every other error is returned as is, the connection kept.
    pub fn run<T>(
        &self,
        slot: &mut Option<Connection>,
        name: &str,
        deadline: Instant,
        mut f: impl FnMut(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let mut busy = BusyBackoff::new();
        let mut leader_backoff = DISCOVERY_BACKOFF_MIN;
        loop {
            let conn = match slot {
                Some(c) if !c.is_broken() => c,
                _ => {
                    *slot = None;
                    let opened = self.connect_leader_until(deadline).and_then(|mut c| {
                        c.open(name)?;
                        Ok(c)
                    });
                    match opened {
                        Ok(c) => slot.insert(c),
                        // The leader changed between LEADER and OPEN: search again.
                        Err(e) if e.needs_rediscovery() && Instant::now() < deadline => {
                            pause(&mut leader_backoff, DISCOVERY_BACKOFF_MAX, deadline);
                            continue;
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            let err = match f(conn) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let now = Instant::now();
            if err.is_busy() && now < deadline {
                self.note_busy_retry();
                std::thread::sleep(busy.next_pause().min(deadline - now));
                continue;
            }
            if err.is_not_leader() && now < deadline {
                // Nothing ran; the old leader may still answer LEADER with itself for a moment,
                // so back off rather than spin.
                *slot = None;
                pause(&mut leader_backoff, DISCOVERY_BACKOFF_MAX, deadline);
                continue;
            }
            if err.needs_rediscovery() {
                *slot = None;
            }
            return Err(err);
        }
    }
}

/// The jittered exponential back-off after "database is locked": pauses from
/// [`BUSY_BACKOFF_MIN`] doubling to [`BUSY_BACKOFF_MAX`], each a random point between half and
/// all of the current step, so writers refused together do not retry together.
#[derive(Debug, Clone)]
pub struct BusyBackoff {
    step: Duration,
    jitter: u64,
}

impl Default for BusyBackoff {
    fn default() -> Self {
        Self::new()
    }
}

impl BusyBackoff {
    /// A fresh back-off (first pause about [`BUSY_BACKOFF_MIN`]).
    pub fn new() -> Self {
        BusyBackoff {
            step: BUSY_BACKOFF_MIN,
            jitter: jitter_seed(),
        }
    }

    /// The next pause (the caller sleeps it, capped at its deadline).
    pub fn next_pause(&mut self) -> Duration {
        self.jitter ^= self.jitter << 13;
        self.jitter ^= self.jitter >> 7;
        self.jitter ^= self.jitter << 17;
        let nanos = self.step.as_nanos() as u64;
        let p = Duration::from_nanos(nanos / 2 + self.jitter % (nanos / 2 + 1));
        self.step = (self.step * 2).min(BUSY_BACKOFF_MAX);
        p
    }
}

/// Sleeps for `backoff` (at most until `deadline`) and doubles it up to `max`.
fn pause(backoff: &mut Duration, max: Duration, deadline: Instant) {
    let left = deadline.saturating_duration_since(Instant::now());
    std::thread::sleep((*backoff).min(left));
    *backoff = (*backoff * 2).min(max);
}

/// A per-call seed for the back-off jitter (no RNG dependency: the clock's low bits and the
/// thread differ between writers).
fn jitter_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish() | 1
}
