//! One configured SQLite connection with its statement cache: what the pool hands out.

use crate::config::{journal_sql, synchronous_sql, Config, JournalMode, Synchronous};
use crate::control::{now_ns, Control, WaitEnd, AUTOCHECKPOINT_PAGES};
use crate::error::{Error, Result};
use crate::ffi::{Db, Stmt};
use crate::reset::{Dirty, Marks, Restore};
use crate::stats::Stats;
use libsqlite3_sys as sys;
use rusqlite::OpenFlags;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// Bytes of the WAL file header and of each frame's header (SQLite's WAL format).
const WAL_HEADER: u64 = 32;
const WAL_FRAME_HEADER: u64 = 24;

/// The number of frames a WAL file of at most `limit_bytes` holds.
fn wal_limit_frames(limit_bytes: u64, page_size: i64) -> u64 {
    let frame = page_size.max(512) as u64 + WAL_FRAME_HEADER;
    (limit_bytes.saturating_sub(WAL_HEADER) / frame).max(1)
}

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
    /// Keep the WAL and `-shm` files when the connection closes (`SQLITE_FCNTL_PERSIST_WAL`):
    /// `shm:` databases, whose files `drop` deletes while lent connections may still be open on
    /// them. SQLite deletes those files by name at the last close, which would otherwise hit
    /// the files of the fresh database created under the same name after the drop.
    pub persist_wal: bool,
}

/// Per-connection settings a session may change; compared and applied lazily.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnSettings {
    pub foreign_keys: bool,
    pub read_uncommitted: bool,
    pub query_only: bool,
    pub cache_size: Option<i64>,
    pub synchronous: Option<Synchronous>,
    /// SQLITE_DBCONFIG_DEFENSIVE: SQL cannot deliberately corrupt the database file.
    pub defensive: bool,
    /// Bound of the lock waits of driver-built SQL outside a session call (not a pragma).
    pub busy_timeout_ms: u32,
    /// sqlite-jdbc's pragma and limit properties; None: SQLite's default.
    pub sqlite: crate::sqlite_props::Values,
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
            defensive: c.defensive,
            busy_timeout_ms: c.busy_timeout_ms,
            sqlite: c.sqlite,
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
/// connection closes, and the control block and the marks outlive the connection that points
/// at them.
#[derive(Debug)]
pub struct NativeConn {
    cache: StmtCache,
    conn: rusqlite::Connection,
    db: Db,
    ctl: Arc<Control>,
    /// What the sessions changed that closing must undo (written by the authorizer).
    marks: Box<Marks>,
    /// shmlite's WAL hook is installed (file databases with a WAL bound).
    wal_hook: bool,
    /// What is applied now; None when unknown (the user ran a PRAGMA).
    applied: Option<ConnSettings>,
    /// shmlite databases this connection attached by name (`crate::attach`): kept open while
    /// attached, let go when closing detaches everything.
    attached_dbs: Vec<Arc<crate::database::Database>>,
}

impl NativeConn {
    /// Opens and configures a connection. Of `settings` only the lock-wait bound is used here:
    /// the others are applied by the first [`NativeConn::apply`] (the session's first
    /// statement), so that opening runs no SQL that another connection's uncommitted schema
    /// change would block (shared cache).
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
        let conn = crate::sqlite_mutex::unspun(spec.shared_cache, || {
            rusqlite::Connection::open_with_flags(&spec.path, flags)
        })
        .map_err(|e| from_rusqlite(e, Some(&spec.path)))?;
        let db = Db::of(&conn);
        let ctl = Arc::new(Control::default());
        db.install_handlers(&ctl);
        let marks = Box::<Marks>::default();
        db.install_authorizer(&marks);
        // What SQLite gives a fresh connection, so `apply` runs only what differs.
        let fresh = ConnSettings {
            foreign_keys: db.config_flag(sys::SQLITE_DBCONFIG_ENABLE_FKEY),
            read_uncommitted: false,
            query_only: false,
            cache_size: None,
            synchronous: None,
            defensive: db.config_flag(sys::SQLITE_DBCONFIG_DEFENSIVE),
            busy_timeout_ms: settings.busy_timeout_ms,
            sqlite: [None; crate::sqlite_props::COUNT], // SQLite's defaults
        };
        let mut native = NativeConn {
            cache: StmtCache::default(),
            conn,
            db,
            ctl,
            marks,
            wal_hook: false,
            applied: Some(fresh),
            attached_dbs: Vec::new(),
        };
        // Configuration waits out locks under the opener's busy_timeout.
        native
            .arm(settings.busy_timeout_ms, 0, None)
            .configure(spec, settings)?;
        Ok(native)
    }

    /// Journal mode and the WAL bound of a fresh connection.
    fn configure(&mut self, spec: &OpenSpec, _settings: ConnSettings) -> Result<()> {
        if let Some(mode) = spec.journal_mode {
            let sql = format!("PRAGMA journal_mode={}", journal_sql(mode));
            let mut busy = 0;
            // Connections opening a fresh database at once all read it (SHARED) and then want
            // it EXCLUSIVE to switch it to WAL: SQLite refuses all but one with SQLITE_BUSY
            // without calling the busy handler (it would deadlock). Retrying the statement
            // lets go of the SHARED lock; bounded by the opener's busy_timeout.
            loop {
                match self.pragma(&sql) {
                    Err(Error::Sqlite { code, .. })
                        if code & 0xff == sys::SQLITE_BUSY && self.ctl.on_busy(busy) =>
                    {
                        busy += 1
                    }
                    // A read-only connection cannot switch the mode; it reads the database in
                    // whatever mode it is (a new read-only `mem:` database stays empty).
                    Err(Error::Sqlite { code, .. })
                        if code & 0xff == sys::SQLITE_READONLY && spec.read_only =>
                    {
                        break
                    }
                    done => break done?,
                }
            }
        }
        if spec.persist_wal {
            self.db.set_persist_wal();
        }
        if spec.wal_limit_bytes > 0 {
            let page_size: i64 = self
                .conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .map_err(|e| from_rusqlite(e, Some("PRAGMA page_size")))?;
            self.ctl
                .set_wal_limit_pages(wal_limit_frames(spec.wal_limit_bytes, page_size));
            // A WAL written again from its start is cut back to the limit at its first commit.
            self.pragma(&format!(
                "PRAGMA journal_size_limit={}",
                spec.wal_limit_bytes
            ))?;
            self.db.install_wal_hook(&self.ctl);
            self.wal_hook = true;
        }
        Ok(())
    }

    /// The raw handle, for statements of this connection.
    pub fn db(&self) -> Db {
        self.db
    }

    /// The control block (deadlines, cancel, waits) of this connection.
    pub fn control(&self) -> &Arc<Control> {
        &self.ctl
    }

    /// Arms the deadlines of one call no statement owns (see [`Control`]): `lock_ms` bounds
    /// lock waits, `query_ms` (0 = none) the whole call. The deadlines apply until the returned
    /// guard is dropped; a session's call passes its `stats`, which the drop books the call's
    /// busy waits to.
    pub fn arm<'a>(
        &'a mut self,
        lock_ms: u32,
        query_ms: u32,
        stats: Option<&'a Stats>,
    ) -> Armed<'a> {
        self.ctl.arm(lock_ms, query_ms);
        Armed { conn: self, stats }
    }

    /// Arms a call of statement `owner` whose query timeout counts from `started` (see
    /// [`Control::arm_for`]); disarmed when the guard is dropped.
    pub fn arm_for<'a>(
        &'a mut self,
        owner: u64,
        lock_ms: u32,
        started: u64,
        query_ms: u32,
        stats: &'a Stats,
    ) -> Armed<'a> {
        self.ctl.arm_for(owner, lock_ms, started, query_ms);
        Armed {
            conn: self,
            stats: Some(stats),
        }
    }

    /// Runs driver-built SQL (pragmas, ROLLBACK), waiting out shared-cache locks (e.g. another
    /// connection's uncommitted DDL) under the armed call's deadline, or up to busy_timeout
    /// when no call is armed. (Every arming is an [`Armed`] guard, so `is_armed` cannot be stale.)
    pub fn pragma(&mut self, sql: &str) -> Result<()> {
        if self.ctl.is_armed() {
            return self.pragma_armed(sql);
        }
        let busy = self
            .applied
            .map_or(crate::config::DEFAULT_BUSY_TIMEOUT_MS, |s| {
                s.busy_timeout_ms
            });
        self.arm(busy, 0, None).pragma_armed(sql)
    }

    fn pragma_armed(&mut self, sql: &str) -> Result<()> {
        // The driver's own pragmas are not the session's doing.
        self.marks.set_driver(true);
        let result = self.retry_unlocked(None, Some(sql.as_bytes()), |c| {
            c.conn
                .execute_batch(sql)
                .map_err(|e| from_rusqlite(e, Some(sql)))
        });
        self.marks.set_driver(false);
        result
    }

    /// Runs `op` (a prepare or a step, in an armed call) again each time it fails with a
    /// shared-cache lock conflict, after waiting for the lock's holder ([`NativeConn::wait_unlock`]).
    pub fn retry_unlocked<T>(
        &mut self,
        stats: Option<&Stats>,
        sql: Option<&[u8]>,
        mut op: impl FnMut(&mut NativeConn) -> Result<T>,
    ) -> Result<T> {
        loop {
            match op(self) {
                Err(Error::Sqlite { code, .. }) if code == sys::SQLITE_LOCKED_SHAREDCACHE => {
                    let what = self.db.errmsg();
                    self.wait_unlock(stats, &what, sql)?;
                }
                other => return other,
            }
        }
    }

    /// Waits, in an armed call, for the connection whose shared-cache table or schema lock
    /// (`what`, SQLite's message) blocks this one; Ok once it is released, otherwise the error
    /// that ended the wait (the one mapping of a [`WaitEnd`] to an error). A session's call
    /// (`stats` given) books the wait, and on a deadlock rolls its transaction back so the
    /// other side can proceed.
    pub fn wait_unlock(
        &mut self,
        stats: Option<&Stats>,
        what: &str,
        sql: Option<&[u8]>,
    ) -> Result<()> {
        let sql_text = || sql.map(|s| String::from_utf8_lossy(s).into_owned());
        let start = now_ns();
        let Some(end) = self.wait_unlocked() else {
            if let Some(stats) = stats {
                stats.deadlocks.fetch_add(1, Relaxed);
                self.rollback_quietly(stats);
            }
            return Err(Error::Deadlock {
                lock: what.to_owned(),
                sql: sql_text(),
            });
        };
        let waited = now_ns() - start;
        if let Some(stats) = stats {
            stats.waited(1, waited);
        }
        match end {
            WaitEnd::Notified => Ok(()),
            WaitEnd::Cancelled => Err(Error::Cancelled),
            WaitEnd::Interrupted => Err(Error::Interrupted(format!(
                "{what} (held by another connection's open transaction)"
            ))),
            WaitEnd::TimedOut => {
                if let Some(stats) = stats {
                    stats.lock_timeouts.fetch_add(1, Relaxed);
                }
                if self.ctl.query_expired() {
                    return Err(Error::QueryTimeout(waited / 1_000_000));
                }
                Err(Error::LockTimeout {
                    waited_ms: waited / 1_000_000,
                    lock: format!("{what} (held by another connection's open transaction)"),
                    sql: sql_text(),
                })
            }
        }
    }

    /// Rolls back after a deadlock or snapshot conflict so the other side can proceed.
    pub fn rollback_quietly(&mut self, stats: &Stats) {
        if !self.db.autocommit() && self.pragma("ROLLBACK").is_ok() {
            stats.rollbacks.fetch_add(1, Relaxed);
        }
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
        // Flags sqlite3_db_config sets need no SQL, hence no lock (PRAGMA foreign_keys would).
        if changed(|s| s.foreign_keys.to_string()) {
            self.db
                .set_config_flag(sys::SQLITE_DBCONFIG_ENABLE_FKEY, wanted.foreign_keys);
        }
        if changed(|s| s.defensive.to_string()) {
            self.db
                .set_config_flag(sys::SQLITE_DBCONFIG_DEFENSIVE, wanted.defensive);
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
        // The stack guard owns the two recursion limits: it keeps them at or below the
        // configured values, lowered further on small thread stacks (stack::fit).
        let (mut like_cap, mut depth_cap) = (None, None);
        for (i, p) in crate::sqlite_props::PROPS.iter().enumerate() {
            if let crate::sqlite_props::Target::Limit(id) = p.target {
                let v = wanted.sqlite[i].map(|v| v.clamp(0, i32::MAX as i64) as i32);
                match id {
                    sys::SQLITE_LIMIT_LIKE_PATTERN_LENGTH => like_cap = v,
                    sys::SQLITE_LIMIT_EXPR_DEPTH => depth_cap = v,
                    _ => {}
                }
            }
        }
        let caps = crate::stack::Limits::pack_caps(like_cap, depth_cap);
        if caps != self.ctl.limit_caps() {
            self.ctl.set_limit_caps(caps);
        }
        for (i, p) in crate::sqlite_props::PROPS.iter().enumerate() {
            if old.map(|o| o.sqlite[i]) == Some(wanted.sqlite[i]) {
                continue;
            }
            if matches!(
                p.target,
                crate::sqlite_props::Target::Limit(
                    sys::SQLITE_LIMIT_LIKE_PATTERN_LENGTH | sys::SQLITE_LIMIT_EXPR_DEPTH
                )
            ) {
                continue; // applied by stack::fit at the next call
            }
            let Some(v) = wanted.sqlite[i].or(p.default) else {
                continue; // nothing configured, nothing to put back
            };
            match p.target {
                crate::sqlite_props::Target::Pragma => sql += &format!("PRAGMA {}={v};", p.name),
                crate::sqlite_props::Target::Limit(id) => {
                    self.db.set_limit(id, v as i32);
                }
            }
        }
        if !sql.is_empty() {
            if let Err(e) = self.pragma(&sql) {
                // Part of the batch may have run: what is applied is no longer known.
                self.applied = None;
                return Err(e);
            }
        }
        self.applied = Some(wanted);
        Ok(())
    }

    /// Forgets what is applied, so the next `apply` sets everything (after a user PRAGMA).
    pub fn invalidate_settings(&mut self) {
        self.applied = None;
    }

    /// Undoes what the session that used this connection changed on it (see [`crate::reset`])
    /// before the connection goes back to the pool; false when it must be closed instead (a
    /// TEMP object, ATTACH that would not detach, a pragma closing cannot prove undone, or a
    /// restore that failed). O(1) when the session changed nothing.
    pub fn reset_for_pool(&mut self) -> bool {
        self.db.set_last_insert_rowid(0);
        // Dropped on return, after `restore` detached them.
        let _attached_by_name = std::mem::take(&mut self.attached_dbs);
        let dirty = self.marks.take();
        if dirty.is_clean() {
            return true;
        }
        if dirty.evict {
            return false;
        }
        // Closing never waits for other connections' locks: a connection whose restore would
        // have to wait is closed instead.
        self.arm(0, 0, None).restore(&dirty).is_ok()
    }

    fn restore(&mut self, dirty: &Dirty) -> Result<()> {
        let mut sql = String::new();
        for (name, how) in dirty.entries() {
            match how {
                Restore::Default(value) => sql += &format!("PRAGMA {name}={value};"),
                Restore::Settings => {
                    self.applied = None;
                    // A property pragma: SQLite's default now; `apply` sets the configured value.
                    if let Some(d) = crate::sqlite_props::index_of(name)
                        .and_then(|i| crate::sqlite_props::PROPS[i].default)
                    {
                        sql += &format!("PRAGMA {name}={d};");
                    }
                }
                Restore::BusyHandler | Restore::WalHook => self.reinstall_handlers(),
                // Never recorded: nothing to undo, evicted, or refused at prepare.
                Restore::Nothing | Restore::Evict | Restore::Refuse => {}
            }
        }
        if !sql.is_empty() {
            self.pragma(&sql)?;
        }
        if dirty.attached {
            self.detach_all()?;
        }
        Ok(())
    }

    /// shmlite's busy handler and progress handler, and its WAL hook (or SQLite's default
    /// auto-checkpoint where shmlite installs none), as a fresh connection has them.
    fn reinstall_handlers(&mut self) {
        self.db.install_handlers(&self.ctl);
        if self.wal_hook {
            self.db.install_wal_hook(&self.ctl);
        } else {
            self.db.set_wal_autocheckpoint(AUTOCHECKPOINT_PAGES);
        }
    }

    /// Detaches every attached database (all but `main` and `temp`).
    fn detach_all(&mut self) -> Result<()> {
        let sql = "PRAGMA database_list";
        let names = (|| {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            rows.filter_map(|r| match r {
                Ok((seq, name)) if seq >= 2 => Some(Ok(name)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<Vec<String>>>()
        })()
        .map_err(|e| from_rusqlite(e, Some(sql)))?;
        for name in names {
            self.pragma(&format!("DETACH \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(())
    }

    /// Keeps databases a bound `ATTACH ?` attached by name (`attach::bind_names`) open while
    /// this connection may have them attached, as `prepare` does for the literal form.
    pub fn keep_attached(&mut self, dbs: Vec<Arc<crate::database::Database>>) {
        self.attached_dbs.extend(dbs);
    }

    /// A statement for `sql` from the cache, or freshly prepared. `Err` carries a typed error.
    pub fn prepare_cached(&mut self, sql: &[u8]) -> Result<(Option<Stmt>, usize, bool)> {
        if let Some(stmt) = self.cache.take(sql) {
            return Ok((Some(stmt), sql.len(), true));
        }
        self.prepare(sql, true)
    }

    /// Prepares the first statement of `sql`: (statement, tail offset, cacheable).
    /// A statement whose preparation changed connection state (see [`crate::reset`]) is not
    /// cacheable, so that each use prepares it again and is recorded again.
    pub fn prepare(&mut self, sql: &[u8], persistent: bool) -> Result<(Option<Stmt>, usize, bool)> {
        let rewritten = crate::attach::rewrite(sql)?;
        let (text, delta) = rewritten
            .as_ref()
            .map_or((sql, 0), |r| (&r.sql[..], r.delta));
        self.marks.begin_prepare();
        let prepared = Stmt::prepare(self.db, text, persistent).map(|mut p| {
            p.tail = (p.tail as isize - delta).clamp(0, sql.len() as isize) as usize;
            p
        });
        if let (Some(r), Ok(_)) = (rewritten, &prepared) {
            self.attached_dbs.push(r.db);
        }
        if self.marks.take_handlers() {
            // SQLite replaced the busy handler or the WAL hook while compiling the pragma: put
            // shmlite's back at once, so the busy_timeout property keeps bounding (and cancel
            // keeps ending) lock waits and the WAL bound holds within this session too.
            self.reinstall_handlers();
        }
        match prepared {
            Ok(p) => {
                let cacheable = persistent && only_trivia(&sql[p.tail..]) && !self.marks.noted();
                Ok((p.stmt, p.tail, cacheable))
            }
            Err(rc) => match self.marks.refused() {
                None => match self.marks.take_refused_attach() {
                    Some(file) => Err(Error::sqlite(
                        sys::SQLITE_ERROR,
                        crate::url::attach_target_error(&file)
                            .map(|e| e.to_string())
                            .unwrap_or_default(),
                        Some(&String::from_utf8_lossy(sql)),
                        true,
                    )),
                    None => Err(self.error(rc, Some(sql), true)),
                },
                Some(name) => Err(Error::sqlite(
                    rc,
                    format!("PRAGMA {name} sets a limit shared by every SQLite connection of this process (all databases and pools), which closing a connection cannot undo; shmlite refuses to set it (reading it is allowed)"),
                    Some(&String::from_utf8_lossy(sql)),
                    true,
                )),
            },
        }
    }

    /// The file name of the ATTACH the authorizer refused last, if any (taken once): at step time
    /// it is the target of a `VACUUM INTO`, which SQLite attaches to write it.
    pub fn take_refused_attach(&self) -> Option<String> {
        self.marks.take_refused_attach()
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

/// One armed call on a native connection: its deadlines and its owner's cancel apply while
/// this guard lives, and dropping it disarms the connection and books the call's busy waits
/// to the session's statistics, on every path out of the call (`?` included). It borrows the
/// connection (no allocation, no reference count) and derefs to it, so the call's work goes
/// through the guard.
#[must_use = "the call is disarmed when the guard is dropped"]
pub struct Armed<'a> {
    conn: &'a mut NativeConn,
    stats: Option<&'a Stats>,
}

impl Deref for Armed<'_> {
    type Target = NativeConn;

    fn deref(&self) -> &NativeConn {
        self.conn
    }
}

impl DerefMut for Armed<'_> {
    fn deref_mut(&mut self) -> &mut NativeConn {
        self.conn
    }
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        let ctl = &self.conn.ctl;
        ctl.disarm();
        if let Some(stats) = self.stats {
            let (waits, ns) = ctl.take_busy_waits();
            stats.waited(waits, ns);
        }
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
            persist_wal: false,
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

    /// Runs user SQL the way a session does (through `prepare`, so the authorizer records it).
    fn run(c: &mut NativeConn, sql: &str) {
        let (stmt, _, cacheable) = c.prepare(sql.as_bytes(), true).unwrap();
        let mut stmt = stmt.unwrap();
        while stmt.step() == sys::SQLITE_ROW {}
        if cacheable {
            c.cache_put(sql.as_bytes().into(), stmt);
        }
    }

    fn read(c: &NativeConn, sql: &str) -> i64 {
        c.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn every_default_in_the_reset_table_is_what_a_fresh_connection_reads() {
        let c = NativeConn::open(&spec(":memory:", false), settings()).unwrap();
        for (name, how) in crate::reset::PRAGMAS {
            if let Restore::Default(v) = how {
                let value: Option<i64> = match *name {
                    // Write-only, or reads a derived value rather than the setting.
                    "case_sensitive_like" | "cache_spill" => continue,
                    _ => c
                        .conn
                        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                        .ok(),
                };
                if value.is_none() && *name == "mmap_size" {
                    continue; // an in-memory database has no mmap_size row
                }
                assert_eq!(value, Some(v.parse().unwrap()), "PRAGMA {name}");
            }
        }
    }

    #[test]
    fn closing_restores_recorded_pragmas_and_evicts_temp_objects() {
        let mut c = NativeConn::open(&spec(":memory:", false), settings()).unwrap();
        assert!(c.reset_for_pool(), "nothing to undo");
        run(&mut c, "PRAGMA recursive_triggers=1");
        run(&mut c, "PRAGMA busy_timeout=0");
        assert!(
            c.cache.entries.is_empty(),
            "a statement that changed state is not cached"
        );
        assert_eq!(read(&c, "PRAGMA recursive_triggers"), 1);
        assert_eq!(
            read(&c, "PRAGMA busy_timeout"),
            0,
            "shmlite's busy handler is back at once"
        );
        assert!(c.reset_for_pool());
        assert_eq!(read(&c, "PRAGMA recursive_triggers"), 0);
        assert_eq!(
            read(&c, "PRAGMA busy_timeout"),
            0,
            "shmlite's busy handler is back"
        );
        run(&mut c, "ATTACH ':memory:' AS aux");
        assert!(c.reset_for_pool());
        assert_eq!(read(&c, "SELECT count(*) FROM pragma_database_list"), 1);
        run(&mut c, "CREATE TEMP TABLE x(y)");
        assert!(!c.reset_for_pool(), "TEMP objects evict");
        run(&mut c, "PRAGMA locking_mode=EXCLUSIVE");
        assert!(!c.reset_for_pool(), "locking_mode evicts");
        let e = c.prepare(b"PRAGMA soft_heap_limit=1", true).unwrap_err();
        assert_eq!(e.jdbc().sql_state, "42501");
        assert!(e.to_string().contains("soft_heap_limit"), "{e}");
    }

    #[test]
    fn sqlite_jdbc_properties_apply_reset_and_come_back_after_a_session_pragma() {
        use crate::sqlite_props::{index_of, PROPS};
        use rusqlite::limits::Limit;
        let mut c = NativeConn::open(&spec(":memory:", false), settings()).unwrap();
        // Every default is what a fresh connection reads.
        for p in PROPS.iter() {
            if p.target != crate::sqlite_props::Target::Pragma
                || matches!(p.name, "case_sensitive_like" | "mmap_size" | "page_size")
            {
                continue; // write-only; no row on a memory database; the database's
            }
            assert_eq!(
                Some(read(&c, &format!("PRAGMA {}", p.name))),
                p.default,
                "{}",
                p.name
            );
        }
        let fresh_attached = c.conn.limit(Limit::SQLITE_LIMIT_ATTACHED).unwrap();
        let mut want = settings();
        want.sqlite[index_of("recursive_triggers").unwrap()] = Some(1);
        want.sqlite[index_of("temp_store").unwrap()] = Some(2);
        want.sqlite[index_of("limit_attached").unwrap()] = Some(2);
        c.apply(want).unwrap();
        assert_eq!(read(&c, "PRAGMA recursive_triggers"), 1);
        assert_eq!(read(&c, "PRAGMA temp_store"), 2);
        assert_eq!(c.conn.limit(Limit::SQLITE_LIMIT_ATTACHED).unwrap(), 2);
        // A session changes one with its own PRAGMA: closing puts SQLite's default back, the
        // next session's settings their values.
        run(&mut c, "PRAGMA recursive_triggers=0");
        assert!(c.reset_for_pool());
        assert_eq!(read(&c, "PRAGMA recursive_triggers"), 0);
        c.apply(want).unwrap();
        assert_eq!(read(&c, "PRAGMA recursive_triggers"), 1);
        // A session that configured none of them gets SQLite's defaults.
        c.apply(settings()).unwrap();
        assert_eq!(read(&c, "PRAGMA recursive_triggers"), 0);
        assert_eq!(read(&c, "PRAGMA temp_store"), 0);
        assert_eq!(
            c.conn.limit(Limit::SQLITE_LIMIT_ATTACHED).unwrap(),
            fresh_attached
        );
    }

    #[test]
    fn prepare_errors_are_typed() {
        let mut c = NativeConn::open(&spec(":memory:", false), settings()).unwrap();
        let e = c.prepare(b"SELEC 1", true).unwrap_err();
        assert_eq!(e.jdbc().sql_state, "42000");
        assert!(e.to_string().contains("SELEC 1"));
    }
}
