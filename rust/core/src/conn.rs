//! One configured SQLite connection with its statement cache: what the pool hands out.

use crate::config::{journal_sql, synchronous_sql, Config, JournalMode, Synchronous};
use crate::control::{Control, WaitEnd};
use crate::error::{Error, Result};
use crate::ffi::{Db, Stmt};
use libsqlite3_sys as sys;
use rusqlite::OpenFlags;
use std::collections::HashMap;
use std::sync::Arc;

/// Prepared statements kept per native connection (least recently used evicted beyond this).
pub const STATEMENT_CACHE_SIZE: usize = 64;

/// How to open connections to one database.
#[derive(Debug, Clone)]
pub struct OpenSpec {
    /// Path or URI given to sqlite3_open_v2.
    pub path: String,
    pub shared_cache: bool,
    pub read_only: bool,
    /// Create the database when it does not exist (open_mode READWRITE_CREATE).
    pub create: bool,
    pub journal_mode: Option<JournalMode>,
    /// WAL bound in bytes for file databases (0: not a file database).
    pub wal_limit_bytes: u64,
}

/// Per-connection settings a session may change; compared and applied lazily.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnSettings {
    pub foreign_keys: bool,
    pub read_uncommitted: bool,
    pub query_only: bool,
    pub cache_size: Option<i64>,
    pub synchronous: Option<Synchronous>,
    /// Bound of the lock waits of driver-built SQL outside a session call (not a pragma).
    pub busy_timeout_ms: u32,
}

impl ConnSettings {
    /// The settings a config asks for.
    pub fn from_config(c: &Config) -> Self {
        ConnSettings {
            foreign_keys: c.foreign_keys,
            read_uncommitted: c.read_uncommitted,
            query_only: c.read_only,
            cache_size: c.cache_size,
            synchronous: c.synchronous,
            busy_timeout_ms: c.busy_timeout_ms,
        }
    }
}

/// A statement cache keyed by SQL text.
#[derive(Debug, Default)]
struct StmtCache {
    entries: HashMap<Box<[u8]>, (Stmt, u64)>,
    tick: u64,
}

impl StmtCache {
    fn take(&mut self, sql: &[u8]) -> Option<Stmt> {
        self.entries.remove(sql).map(|(s, _)| s)
    }

    fn put(&mut self, sql: Box<[u8]>, mut stmt: Stmt) {
        stmt.reset();
        stmt.clear_bindings();
        self.tick += 1;
        if self.entries.len() >= STATEMENT_CACHE_SIZE && !self.entries.contains_key(&sql) {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        // A second copy of the same SQL (two open statements) replaces the first; both are valid.
        self.entries.insert(sql, (stmt, self.tick));
    }
}

/// A configured connection. Field order matters: cached statements are finalized before the
/// connection closes, and the control block outlives the connection that points at it.
#[derive(Debug)]
pub struct NativeConn {
    cache: StmtCache,
    conn: rusqlite::Connection,
    db: Db,
    ctl: Arc<Control>,
    /// What is applied now; None when unknown (the user ran a PRAGMA).
    applied: Option<ConnSettings>,
}

impl NativeConn {
    /// Opens and configures a connection.
    pub fn open(spec: &OpenSpec, settings: ConnSettings) -> Result<Self> {
        crate::ffi::configure_library();
        let mut flags = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= match (spec.read_only, spec.create) {
            (true, _) => OpenFlags::SQLITE_OPEN_READ_ONLY,
            (false, false) => OpenFlags::SQLITE_OPEN_READ_WRITE,
            (false, true) => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        };
        flags |= if spec.shared_cache {
            OpenFlags::SQLITE_OPEN_SHARED_CACHE
        } else {
            OpenFlags::SQLITE_OPEN_PRIVATE_CACHE
        };
        let conn = rusqlite::Connection::open_with_flags(&spec.path, flags)
            .map_err(|e| from_rusqlite(e, Some(&spec.path)))?;
        let db = Db::of(&conn);
        let ctl = Arc::new(Control::default());
        db.install_handlers(&ctl);
        let mut native = NativeConn {
            cache: StmtCache::default(),
            conn,
            db,
            ctl,
            applied: None,
        };
        // Configuration waits out locks under the opener's busy_timeout.
        native.ctl.arm(settings.busy_timeout_ms, 0);
        let configured = native.configure(spec, settings);
        native.ctl.disarm();
        configured?;
        Ok(native)
    }

    /// Journal mode, the WAL bound and the per-connection settings of a fresh connection.
    fn configure(&mut self, spec: &OpenSpec, settings: ConnSettings) -> Result<()> {
        if let Some(mode) = spec.journal_mode {
            self.pragma(&format!("PRAGMA journal_mode={}", journal_sql(mode)))?;
        }
        if spec.wal_limit_bytes > 0 {
            let page_size: i64 = self
                .conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .map_err(|e| from_rusqlite(e, Some("PRAGMA page_size")))?;
            self.ctl
                .set_wal_limit_pages(spec.wal_limit_bytes / page_size.max(512) as u64);
            self.db.install_wal_hook(&self.ctl);
        }
        self.apply(settings)
    }

    /// The raw handle, for statements of this connection.
    pub fn db(&self) -> Db {
        self.db
    }

    /// The control block (deadlines, cancel, waits) of this connection.
    pub fn control(&self) -> &Arc<Control> {
        &self.ctl
    }

    /// Runs driver-built SQL (pragmas, ROLLBACK), waiting out shared-cache locks (e.g. another
    /// connection's uncommitted DDL) up to busy_timeout when no call has armed a deadline.
    pub fn pragma(&mut self, sql: &str) -> Result<()> {
        let arm_here = !self.ctl.is_armed();
        if arm_here {
            let busy = self
                .applied
                .map_or(crate::config::DEFAULT_BUSY_TIMEOUT_MS, |s| {
                    s.busy_timeout_ms
                });
            self.ctl.arm(busy, 0);
        }
        let result = loop {
            match self.conn.execute_batch(sql) {
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if f.extended_code == sys::SQLITE_LOCKED_SHAREDCACHE =>
                {
                    let what = self.db.errmsg();
                    match self.wait_unlocked() {
                        Some(WaitEnd::Notified) => continue,
                        Some(WaitEnd::Cancelled) => break Err(Error::Cancelled),
                        Some(WaitEnd::Interrupted) => break Err(Error::Interrupted(what)),
                        Some(WaitEnd::TimedOut) => {
                            break Err(Error::LockTimeout {
                                waited_ms: self.ctl.elapsed_ms(),
                                lock: what,
                                sql: Some(sql.to_owned()),
                            })
                        }
                        None => {
                            break Err(Error::Deadlock {
                                lock: what,
                                sql: Some(sql.to_owned()),
                            })
                        }
                    }
                }
                other => break other.map_err(|e| from_rusqlite(e, Some(sql))),
            }
        };
        if arm_here {
            self.ctl.disarm();
        }
        result
    }

    /// Waits, under the armed deadline, until the connection that blocks this one (shared-cache
    /// table or schema lock) ends its transaction. None when SQLite refuses the wait because it
    /// would close a cycle of waiters (a deadlock).
    pub fn wait_unlocked(&self) -> Option<WaitEnd> {
        let ctl = &self.ctl;
        ctl.prepare_wait();
        if self.db.unlock_notify(ctl) != sys::SQLITE_OK {
            return None;
        }
        let mut end = ctl.wait();
        if end != WaitEnd::Notified {
            self.db.cancel_unlock_notify();
            // The callback may have fired just before the cancellation took effect.
            if ctl.was_notified() && !ctl.is_cancelled() {
                end = WaitEnd::Notified;
            }
        }
        Some(end)
    }

    /// Brings the connection to `wanted`, changing only what differs.
    pub fn apply(&mut self, wanted: ConnSettings) -> Result<()> {
        if self.applied == Some(wanted) {
            return Ok(());
        }
        let old = self.applied;
        let changed = |f: fn(&ConnSettings) -> String| old.map(|o| f(&o)) != Some(f(&wanted));
        let mut sql = String::new();
        let on = |b: bool| if b { "ON" } else { "OFF" };
        if changed(|s| s.foreign_keys.to_string()) {
            sql += &format!("PRAGMA foreign_keys={};", on(wanted.foreign_keys));
        }
        if changed(|s| s.read_uncommitted.to_string()) {
            sql += &format!("PRAGMA read_uncommitted={};", on(wanted.read_uncommitted));
        }
        if changed(|s| s.query_only.to_string()) {
            sql += &format!("PRAGMA query_only={};", on(wanted.query_only));
        }
        if changed(|s| format!("{:?}", s.cache_size)) {
            // -2000 (2 MB) is SQLite's default cache size.
            sql += &format!("PRAGMA cache_size={};", wanted.cache_size.unwrap_or(-2000));
        }
        if changed(|s| format!("{:?}", s.synchronous)) {
            // FULL is SQLite's default synchronous level outside WAL.
            let level = wanted.synchronous.unwrap_or(Synchronous::Full);
            sql += &format!("PRAGMA synchronous={};", synchronous_sql(level));
        }
        self.pragma(&sql)?;
        self.applied = Some(wanted);
        Ok(())
    }

    /// Forgets what is applied, so the next `apply` sets everything (after a user PRAGMA).
    pub fn invalidate_settings(&mut self) {
        self.applied = None;
    }

    /// A statement for `sql` from the cache, or freshly prepared. `Err` carries a typed error.
    pub fn prepare_cached(&mut self, sql: &[u8]) -> Result<(Option<Stmt>, usize, bool)> {
        if let Some(stmt) = self.cache.take(sql) {
            return Ok((Some(stmt), sql.len(), true));
        }
        self.prepare(sql, true)
    }

    /// Prepares the first statement of `sql`: (statement, tail offset, cacheable).
    pub fn prepare(&mut self, sql: &[u8], persistent: bool) -> Result<(Option<Stmt>, usize, bool)> {
        match Stmt::prepare(self.db, sql, persistent) {
            Ok(p) => {
                let cacheable = persistent && only_trivia(&sql[p.tail..]);
                Ok((p.stmt, p.tail, cacheable))
            }
            Err(rc) => Err(self.error(rc, Some(sql), true)),
        }
    }

    /// Returns a statement to the cache.
    pub fn cache_put(&mut self, sql: Box<[u8]>, stmt: Stmt) {
        self.cache.put(sql, stmt);
    }

    /// Builds the typed error for a failed call on this connection.
    pub fn error(&self, rc: i32, sql: Option<&[u8]>, at_prepare: bool) -> Error {
        let sql = sql.map(|s| String::from_utf8_lossy(s).into_owned());
        Error::sqlite(rc, self.db.errmsg(), sql.as_deref(), at_prepare)
    }
}

/// Index of the first byte of `sql` that is not whitespace, a comment, or one of `also`.
pub fn skip_trivia(sql: &[u8], also: &[u8]) -> usize {
    let mut i = 0;
    while i < sql.len() {
        match sql[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => i += 1,
            b'-' if sql.get(i + 1) == Some(&b'-') => {
                while i < sql.len() && sql[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if sql.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < sql.len() && !(sql[i] == b'*' && sql.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b if also.contains(&b) => i += 1,
            _ => return i,
        }
    }
    sql.len()
}

/// True when `rest` holds only whitespace, semicolons and comments.
pub fn only_trivia(rest: &[u8]) -> bool {
    skip_trivia(rest, b";") >= rest.len()
}

/// Maps a rusqlite error (cold paths: open, pragmas) to ours.
pub fn from_rusqlite(e: rusqlite::Error, sql: Option<&str>) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) => Error::sqlite(
            f.extended_code,
            msg.unwrap_or_else(|| f.to_string()),
            sql,
            false,
        ),
        other => Error::sqlite(sys::SQLITE_ERROR, other.to_string(), sql, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(path: &str, shared: bool) -> OpenSpec {
        OpenSpec {
            path: path.into(),
            shared_cache: shared,
            read_only: false,
            create: true,
            journal_mode: None,
            wal_limit_bytes: 0,
        }
    }

    fn settings() -> ConnSettings {
        ConnSettings::from_config(&Config::defaults(&crate::url::Target::PrivateMem))
    }

    #[test]
    fn trivia_detection() {
        assert!(only_trivia(b"  ;\n-- c\n/* x */ ;"));
        assert!(!only_trivia(b"; SELECT 1"));
        assert!(!only_trivia(b"-- c\nSELECT 1"));
    }

    #[test]
    fn statements_come_back_from_the_cache() {
        let mut c = NativeConn::open(&spec(":memory:", false), settings()).unwrap();
        let (s, tail, cacheable) = c.prepare_cached(b"SELECT 1").unwrap();
        assert!(cacheable && tail == 8);
        c.cache_put(b"SELECT 1".to_vec().into(), s.unwrap());
        let (again, _, _) = c.prepare_cached(b"SELECT 1").unwrap();
        assert!(again.is_some());
        assert!(c.cache.entries.is_empty());
        for i in 0..STATEMENT_CACHE_SIZE + 5 {
            let sql = format!("SELECT {i}");
            let (s, _, _) = c.prepare_cached(sql.as_bytes()).unwrap();
            c.cache_put(sql.into_bytes().into(), s.unwrap());
        }
        assert_eq!(c.cache.entries.len(), STATEMENT_CACHE_SIZE);
    }

    #[test]
    fn settings_apply_only_differences() {
        let mut c = NativeConn::open(&spec(":memory:", false), settings()).unwrap();
        let mut want = settings();
        want.foreign_keys = true;
        want.query_only = true;
        c.apply(want).unwrap();
        let fk: i64 = c
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let qo: i64 = c
            .conn
            .query_row("PRAGMA query_only", [], |r| r.get(0))
            .unwrap();
        assert_eq!((fk, qo), (1, 1));
    }

    #[test]
    fn prepare_errors_are_typed() {
        let mut c = NativeConn::open(&spec(":memory:", false), settings()).unwrap();
        let e = c.prepare(b"SELEC 1", true).unwrap_err();
        assert_eq!(e.jdbc().sql_state, "42000");
        assert!(e.to_string().contains("SELEC 1"));
    }
}
