//! Change notification (`awaitChange`): a session waits, without polling, until another
//! connection or process has committed since the session last looked.
//!
//! What changed is told by `PRAGMA data_version`; what wakes the wait is inotify on the WAL file's
//! directory for file databases ([`DirWatch`], with the WAL-index header read by
//! [`WalIndexHint`] to skip the pragma while nothing was committed), and this process's commit
//! signal ([`Database::notify_commit`]) for `mem:` databases. Kept apart from the session so that
//! the transaction state machine does not carry this bookkeeping; the session owns one
//! [`ChangeWaiter`] and lends it its connection for each call.

use crate::conn::NativeConn;
use crate::database::Database;
use crate::error::{Error, Result};
use crate::session::{live, prepare_waiting, step_waiting};
use crate::stats::Stats;
use crate::watch::{DirWatch, WalIndexHint};
use libsqlite3_sys as sys;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest single sleep of `await_change`, so a cancel (close, abort) is seen promptly.
const AWAIT_SLICE: Duration = Duration::from_millis(50);
/// After an inotify wake-up the commit becomes visible a moment later (the WAL frame is
/// written before the wal-index header): re-checks after these pauses (µs, 0 = yield the CPU)
/// before waiting for the next event. Usually the first check already sees the commit; the
/// growing sleeps bound the CPU a large transaction's early frame writes can cost (~2 ms in all).
const RECHECK_PAUSES_US: [u64; 9] = [0, 0, 10, 20, 50, 100, 200, 500, 1000];

/// One session's change-notification state: what it last saw, and what it waits on.
#[derive(Debug, Default)]
pub(crate) struct ChangeWaiter {
    /// `PRAGMA data_version` last seen by `await_change`.
    seen_version: i64,
    /// Set when `data_version` could not be read at open without waiting (another connection
    /// held uncommitted schema changes): the database's commit count then, the baseline of
    /// the first `await_change`.
    version_deferred: Option<u64>,
    /// Opened by the first `await_change` (file databases), kept for the session's life.
    watch: Option<DirWatch>,
    hint: Option<WalIndexHint>,
}

impl ChangeWaiter {
    /// The baseline of a session just opened: `PRAGMA data_version` now, or the database's
    /// commit count when another connection's uncommitted schema change (shared cache) blocks
    /// the pragma: opening does not wait for that.
    pub(crate) fn open(
        conn: &mut NativeConn,
        db: Option<&Database>,
        busy_ms: u32,
        stats: &Stats,
    ) -> Result<ChangeWaiter> {
        let mut waiter = ChangeWaiter::default();
        match data_version_now(conn, busy_ms, stats)? {
            Some(v) => waiter.seen_version = v,
            None => waiter.version_deferred = db.map(|d| d.commit_seq()),
        }
        Ok(waiter)
    }

    /// Signals a commit by this process's session to the sessions waiting in `await_change`
    /// on the same database (those on `mem:` databases have no file to watch).
    #[inline]
    pub(crate) fn notify_commit(db: Option<&Database>) {
        if let Some(db) = db {
            db.notify_commit();
        }
    }

    /// Blocks until another connection or process has committed since the last call (or since
    /// the session opened), or `timeout_ms` passes; true when something changed. `conn` and
    /// `db` are the session's (checked with `session::live` after the watch is set up).
    pub(crate) fn await_change(
        &mut self,
        conn: &mut Option<NativeConn>,
        db: &Option<Arc<Database>>,
        busy_ms: u32,
        stats: &Stats,
        timeout_ms: u32,
    ) -> Result<bool> {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms as u64);
        if self.watch.is_none() {
            if let Some(wal) = db.as_ref().and_then(|d| d.wal_file()) {
                let (dir, name) = (
                    wal.parent().unwrap_or(Path::new("/")),
                    wal.file_name().unwrap_or_default(),
                );
                self.watch = Some(DirWatch::new(dir, name)?);
            }
        }
        if self.hint.is_none() && self.watch.is_some() {
            // Opened before the first data_version check has opened the WAL: the file may
            // not exist yet, and then every check runs until a later call finds it.
            self.hint = db.as_ref().and_then(|d| d.wal_file()).and_then(|wal| {
                use std::os::unix::ffi::OsStrExt;
                let wal = wal.as_os_str().as_bytes();
                let base = wal.strip_suffix(b"-wal").unwrap_or(wal);
                let shm = [base, b"-shm"].concat();
                WalIndexHint::open(Path::new(std::ffi::OsStr::from_bytes(&shm)))
            });
        }
        let conn = live(conn, db)?;
        self.await_loop(conn, db.as_deref(), busy_ms, stats, deadline)
    }

    fn await_loop(
        &mut self,
        conn: &mut NativeConn,
        db: Option<&Database>,
        busy_ms: u32,
        stats: &Stats,
        deadline: Instant,
    ) -> Result<bool> {
        if !conn.db().autocommit() {
            return Err(Error::Misuse(
                "awaitChange needs no open transaction: a transaction sees a fixed snapshot, so commit or roll back first".into(),
            ));
        }
        // Every return below, `?` included, ends the call (the guard's drop).
        let mut conn = conn.arm(busy_ms, 0, Some(stats));
        if let Some(seq_at_open) = self.version_deferred {
            // The baseline could not be read at open; commits of this process since then are
            // counted instead (mem: databases, which only this process writes). This may count
            // the session's own commits.
            let v = data_version(&mut conn, stats);
            if v.is_err() || db.is_some_and(|d| d.commit_seq() != seq_at_open) {
                let v = v?;
                self.version_deferred = None;
                self.seen_version = v;
                return Ok(true);
            }
            if let Ok(v) = v {
                self.seen_version = v;
            }
            self.version_deferred = None;
        }
        let seen = self.seen_version;
        let (watch, mut hint) = (self.watch.as_ref(), self.hint.as_mut());
        let ctl = conn.control().clone();
        let mut seq = db.map_or(0, |d| d.commit_seq());
        let changed = loop {
            if let Some(w) = watch {
                w.drain();
            }
            if let Some(v) = version_if_moved(&mut conn, stats, hint.as_deref_mut())? {
                if v != seen {
                    break Some(v);
                }
            }
            let now = Instant::now();
            if now >= deadline {
                break None;
            }
            if ctl.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if crate::control::thread_interrupted() {
                return Err(Error::Interrupted(
                    "another connection's commit (awaitChange)".into(),
                ));
            }
            let slice = (deadline - now).min(AWAIT_SLICE);
            match (watch, db) {
                (Some(w), _) => {
                    if w.wait(slice) {
                        let mut v = version_if_moved(&mut conn, stats, hint.as_deref_mut())?;
                        for pause in RECHECK_PAUSES_US {
                            if v.is_some_and(|v| v != seen) || ctl.is_cancelled() {
                                break;
                            }
                            match pause {
                                0 => std::thread::yield_now(),
                                us => std::thread::sleep(Duration::from_micros(us)),
                            }
                            v = version_if_moved(&mut conn, stats, hint.as_deref_mut())?;
                        }
                        if let Some(v) = v.filter(|&v| v != seen) {
                            break Some(v);
                        }
                    }
                }
                (None, Some(d)) => seq = d.wait_commit(seq, slice),
                (None, None) => std::thread::sleep(slice),
            }
        };
        drop(conn);
        Ok(match changed {
            Some(v) => {
                self.seen_version = v;
                true
            }
            None => false,
        })
    }
}

/// `PRAGMA data_version` at open, or None when another connection's uncommitted schema
/// change (shared cache) blocks it: opening does not wait for that.
fn data_version_now(conn: &mut NativeConn, busy_ms: u32, stats: &Stats) -> Result<Option<i64>> {
    const SQL: &[u8] = b"PRAGMA data_version";
    let mut conn = conn.arm(busy_ms, 0, Some(stats));
    let mut stmt = match conn.prepare_cached(SQL) {
        Err(Error::Sqlite { code, .. }) if code == sys::SQLITE_LOCKED_SHAREDCACHE => {
            return Ok(None)
        }
        other => other?.0.expect("one statement"),
    };
    let rc = stmt.step();
    let v = stmt.column_i64(0);
    let message = conn.db().errmsg();
    stmt.reset();
    conn.cache_put(SQL.into(), stmt);
    match rc {
        sys::SQLITE_ROW => Ok(Some(v)),
        sys::SQLITE_LOCKED_SHAREDCACHE => Ok(None),
        rc => Err(Error::sqlite(
            rc,
            message,
            Some("PRAGMA data_version"),
            false,
        )),
    }
}

/// `PRAGMA data_version` (changes when another connection or process commits), in an armed call.
/// `data_version`, or None without running it when the WAL-index header shows nothing committed
/// since the previous check (then the version is what that check saw).
fn version_if_moved(
    conn: &mut NativeConn,
    stats: &Stats,
    hint: Option<&mut WalIndexHint>,
) -> Result<Option<i64>> {
    if hint.is_some_and(|h| !h.moved()) {
        return Ok(None);
    }
    data_version(conn, stats).map(Some)
}

fn data_version(conn: &mut NativeConn, stats: &Stats) -> Result<i64> {
    const SQL: &[u8] = b"PRAGMA data_version";
    let (stmt, _, _) = prepare_waiting(conn, stats, SQL)?;
    let mut stmt = stmt.expect("one statement");
    let rc = step_waiting(conn, stats, &mut stmt, true);
    let v = stmt.column_i64(0);
    conn.cache_put(SQL.into(), stmt);
    match rc? {
        sys::SQLITE_ROW => Ok(v),
        rc => Err(conn.error(rc, Some(SQL), false)),
    }
}
