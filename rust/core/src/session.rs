//! A session is one `java.sql.Connection`: a borrowed native connection, its statements and
//! the transaction state machine. The statement handle table is `handles` and change
//! notification (`awaitChange`) is `change`, so that this file holds the transaction rules
//! and the lock-wait stepping they rely on.
//!
//! Transaction rules (README "Transactions"):
//! - `set_autocommit(false)`, `commit()` and `rollback()` with nothing begun do no native work.
//! - The BEGIN is issued right before the first statement that needs a transaction. A statement
//!   that only reads (SQLite's `sqlite3_stmt_readonly`) begins a read transaction (DEFERRED: no
//!   write lock); one that writes begins in `transaction_mode` (IMMEDIATE by default). A read
//!   transaction upgrades at its first write: a conflict there is a 40001 and a rollback, never a
//!   write on top of stale reads. ALWAYS_IMMEDIATE begins every transaction IMMEDIATE; a
//!   read-only session always begins DEFERRED.
//! - At READ_COMMITTED and READ_UNCOMMITTED, reads before the first write run outside any
//!   transaction; the BEGIN comes with the first write.
//! - A shared-cache lock conflict (SQLITE_LOCKED_SHAREDCACHE) is waited out with a timed
//!   unlock-notify, bounded by busy_timeout and the query timeout; SQLITE_BUSY by the busy handler
//!   under the same bound. A wait cycle ("deadlocked") rolls the transaction back: 40001.

use crate::change::ChangeWaiter;
use crate::config::{Config, Isolation, TxnMode};
use crate::conn::{Armed, ConnSettings, NativeConn};
use crate::control::{now_ns, CancelSlot};
use crate::database::Database;
use crate::error::{Error, Result};
use crate::ffi::Stmt;
use crate::handles::{Entry, Handles};
use crate::readlog::ReadLog;
use crate::registry;
use crate::stack;
use crate::stats::Stats;
use crate::url::{self, Target};
use crate::wire::{self, Header, FLAG_COLUMNS_CHANGED, FLAG_DONE, FLAG_RESULT_SET, HEADER};
use libsqlite3_sys as sys;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

/// What a statement does to the transaction machinery, from its first keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Runs inside the lazily begun transaction.
    Normal,
    /// BEGIN / COMMIT / END / ROLLBACK written by the user: never preceded by our BEGIN.
    TxnControl,
    /// PRAGMA: no BEGIN (several pragmas are no-ops inside a transaction). What it changes on
    /// the connection is recorded by SQLite's authorizer and undone at close (`reset`).
    Pragma,
    /// VACUUM, ATTACH, DETACH: cannot run inside a transaction.
    NoTxn,
    /// SAVEPOINT: SQLite calls it read-only, but it needs a transaction even where reads run
    /// outside one (READ_COMMITTED), so it always gets the lazy BEGIN (as a read transaction).
    Savepoint,
}

impl Kind {
    /// Statements that run inside the lazily begun transaction.
    fn in_txn(self) -> bool {
        matches!(self, Kind::Normal | Kind::Savepoint)
    }
}

pub(crate) fn kind_of(sql: &[u8]) -> Kind {
    // ';' is trivia as for SQLite (and Java's SqlLexer): "; BEGIN" is the user's BEGIN.
    let i = crate::conn::skip_trivia(sql, b"(;");
    let start = i.min(sql.len());
    let end = sql[start..]
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .map_or(sql.len(), |n| start + n);
    let word = &sql[start..end];
    let is = |k: &str| word.eq_ignore_ascii_case(k.as_bytes());
    if is("BEGIN") || is("COMMIT") || is("END") || is("ROLLBACK") && !rolls_back_to(&sql[end..]) {
        Kind::TxnControl
    } else if is("PRAGMA") {
        Kind::Pragma
    } else if is("VACUUM") || is("ATTACH") || is("DETACH") {
        Kind::NoTxn
    } else if is("SAVEPOINT") {
        Kind::Savepoint
    } else {
        Kind::Normal
    }
}

/// `ROLLBACK [TRANSACTION] TO ...` is a savepoint rollback, which belongs inside the transaction.
fn rolls_back_to(rest: &[u8]) -> bool {
    let text = String::from_utf8_lossy(rest).to_ascii_uppercase();
    let mut words = text.split_whitespace();
    match words.next() {
        Some("TO") => true,
        Some("TRANSACTION") => words.next() == Some("TO"),
        _ => false,
    }
}

/// The parts of a session one statement call works with (disjoint borrows of the session).
struct Call<'a> {
    /// The armed connection: dropping it ends the call.
    conn: Armed<'a>,
    e: &'a mut Entry,
    stats: &'a Stats,
    autocommit: bool,
    rule: BeginRule,
    txn: &'a mut TxnState,
    had_txn: bool,
    /// The recursion limits are below SQLite's defaults for this thread's stack.
    lowered: bool,
}

/// What the session knows about the transaction it began.
#[derive(Debug, Default)]
struct TxnState {
    /// The open transaction was begun for a read and has not written yet: its next write is an
    /// upgrade (counted, and a 40001 there is an upgrade conflict).
    reading: bool,
    /// WAL database: a read transaction logs its reads, so that a stale snapshot at the upgrade
    /// can be re-validated (`readlog`).
    wal: bool,
    log: ReadLog,
}

/// What the lazy BEGIN does in a session (transaction_mode, read-only flag, isolation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BeginRule {
    mode: TxnMode,
    /// READ_COMMITTED / READ_UNCOMMITTED: reads before the first write need no transaction.
    reads_outside: bool,
}

impl BeginRule {
    /// The rule of a session: `transaction_mode`, DEFERRED on a read-only session, reads outside
    /// transactions below SERIALIZABLE.
    pub(crate) fn new(mode: TxnMode, read_only: bool, isolation: Isolation) -> BeginRule {
        BeginRule {
            mode: if read_only { TxnMode::Deferred } else { mode },
            reads_outside: isolation != Isolation::Serializable,
        }
    }
}

/// What the lazy BEGIN does before a statement: the one decision shared by the local session
/// (`begin_if_due`) and the remote one (`crate::remote`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BeginPlan {
    /// Nothing: no transaction wanted, or one is open.
    Nothing,
    /// The statement is the first write of the open read transaction (an upgrade).
    Upgrade,
    /// Begin in `mode` first; `read`: a read transaction (DEFERRED, begun by a read).
    Begin { mode: TxnMode, read: bool },
}

/// The lazy-BEGIN decision for a statement of `kind` (`readonly`: SQLite's answer for it) when a
/// transaction is `open` or not; `reading` is the session's "open transaction has only read"
/// flag, updated as the plan implies (the caller sets it after a read BEGIN succeeded).
pub(crate) fn plan_begin(
    rule: BeginRule,
    kind: Kind,
    readonly: bool,
    open: bool,
    reading: &mut bool,
) -> BeginPlan {
    if !kind.in_txn() {
        // A user's BEGIN/COMMIT starts or ends transactions we did not begin.
        *reading &= kind != Kind::TxnControl;
        return BeginPlan::Nothing;
    }
    if open {
        if *reading && !readonly {
            *reading = false;
            return BeginPlan::Upgrade;
        }
        return BeginPlan::Nothing;
    }
    *reading = false;
    let (mode, read) = match rule.mode {
        TxnMode::AlwaysImmediate => (TxnMode::Immediate, false),
        TxnMode::Deferred => (TxnMode::Deferred, readonly),
        _ if readonly => (TxnMode::Deferred, true),
        mode => (mode, false),
    };
    if read && rule.reads_outside && kind != Kind::Savepoint {
        // READ_COMMITTED: this read runs in autocommit, sees the latest commit, holds nothing.
        return BeginPlan::Nothing;
    }
    BeginPlan::Begin { mode, read }
}

/// The BEGIN statement of a mode.
pub(crate) fn begin_sql(mode: TxnMode) -> &'static str {
    match mode {
        TxnMode::Deferred => "BEGIN DEFERRED",
        TxnMode::Exclusive => "BEGIN EXCLUSIVE",
        TxnMode::Immediate | TxnMode::AlwaysImmediate => "BEGIN IMMEDIATE",
    }
}

/// What `prepare` reports to Java.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StmtInfo {
    pub handle: i64,
    pub params: usize,
    pub columns: usize,
    pub readonly: bool,
    pub tail: usize,
    /// [`Stmt::columns_id`]: equal ids mean equal column descriptions.
    pub columns_id: i64,
}

/// One JDBC connection's native side.
#[derive(Debug)]
pub struct Session {
    /// The statements Java holds, by handle (`handles`).
    handles: Handles,
    conn: Option<NativeConn>,
    db: Option<Arc<Database>>,
    config: Config,
    stats: Arc<Stats>,
    autocommit: bool,
    isolation: Isolation,
    txn: TxnState,
    wanted: ConnSettings,
    settings_dirty: bool,
    cancel: Arc<CancelSlot>,
    /// Why SQLite rolled back the whole open transaction on an error (an interrupted write, a
    /// deadlock, a stale snapshot): statements are refused until the application ends it, so
    /// none of them runs in a fresh transaction that silently lacks the earlier writes.
    txn_lost: Option<String>,
    /// What `await_change` last saw and waits on (`change`).
    change: ChangeWaiter,
    /// The statement the next prepare/execute/fetch/script call runs for (0: none), set by the
    /// caller before each; [`CancelSlot::cancel`] with this id cancels only such calls.
    owner: u64,
    /// `dqlite://` sessions: every public method hands over to the remote layer, and the
    /// fields above stay unused (no local connection).
    remote: Option<Box<crate::remote::RemoteSession>>,
}

/// Hands a public method over to the remote session, if this is one.
macro_rules! remote {
    ($self:ident . $($call:tt)*) => {
        if let Some(r) = $self.remote.as_deref_mut() {
            return r.$($call)*;
        }
    };
}

impl Session {
    /// Opens a session on the database a URL names; `extra` properties override the URL's.
    pub fn open(url_text: &str, extra: &[(String, String)]) -> Result<Session> {
        let parsed = url::parse(url_text)?;
        let pairs = parsed.properties.iter().chain(extra);
        let config =
            Config::from_pairs(&parsed.target, pairs.map(|(k, v)| (k.as_str(), v.as_str())))?;
        if let Target::Dqlite { seeds, name } = &parsed.target {
            let remote = crate::remote::RemoteSession::open(seeds, name, config)?;
            return Ok(Session::remote(remote));
        }
        let wanted = ConnSettings::from_config(&config);
        let (conn, db, stats) = if parsed.target == Target::PrivateMem {
            let spec = crate::conn::OpenSpec {
                path: ":memory:".into(),
                shared_cache: false,
                read_only: false,
                create: true,
                journal_mode: None,
                wal_limit_bytes: 0,
                persist_wal: false,
            };
            (
                NativeConn::open(&spec, wanted)?,
                None,
                Arc::new(Stats::default()),
            )
        } else {
            let db = registry::acquire(&parsed.target, &config)?;
            match db.borrow(wanted, config.pool_timeout_ms) {
                Ok(conn) => {
                    let stats = db.stats.clone();
                    (conn, Some(db), stats)
                }
                Err(e) => {
                    registry::release(&db);
                    return Err(e);
                }
            }
        };
        let cancel = Arc::new(CancelSlot::new(conn.control().clone()));
        // Built before anything else can fail, so a failure below returns the connection
        // through `close` (Drop) instead of leaking it from the pool.
        let mut session = Session {
            handles: Handles::default(),
            conn: Some(conn),
            db,
            autocommit: true,
            isolation: if config.read_uncommitted {
                Isolation::ReadUncommitted
            } else {
                Isolation::Serializable
            },
            txn: TxnState {
                wal: config.journal_mode == Some(crate::config::JournalMode::Wal),
                ..TxnState::default()
            },
            wanted,
            // Applied before the first statement: opening runs no SQL that could wait.
            settings_dirty: true,
            cancel,
            stats,
            config,
            change: ChangeWaiter::default(),
            txn_lost: None,
            owner: 0,
            remote: None,
        };
        let busy = session.config.busy_timeout_ms;
        let conn = live(&mut session.conn, &session.db)?;
        session.change = ChangeWaiter::open(conn, session.db.as_deref(), busy, &session.stats)?;
        session.stats.sessions_opened.fetch_add(1, Relaxed);
        Ok(session)
    }

    /// A session on a dqlite database: the remote layer does the work.
    fn remote(r: crate::remote::RemoteSession) -> Session {
        let config = r.config().clone();
        Session {
            handles: Handles::default(),
            conn: None,
            db: None,
            autocommit: true,
            isolation: Isolation::Serializable,
            txn: TxnState::default(),
            wanted: ConnSettings::from_config(&config),
            settings_dirty: false,
            cancel: r.cancel_slot(),
            stats: r.stats(),
            config,
            change: ChangeWaiter::default(),
            txn_lost: None,
            owner: 0,
            remote: Some(Box::new(r)),
        }
    }

    /// The effective configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The registry key of the database (None for a private `mem:`).
    pub fn database_key(&self) -> Option<&str> {
        if let Some(r) = &self.remote {
            return Some(r.database_key());
        }
        self.db.as_ref().map(|d| d.key.as_str())
    }

    /// The version of the SQLite that runs this session's SQL: the bundled library's, or the
    /// cluster's for `dqlite://`.
    pub fn sqlite_version(&mut self) -> Result<String> {
        remote!(self.sqlite_version());
        Ok(crate::ffi::sqlite_version().to_owned())
    }

    /// A handle other threads use to cancel this session's running call.
    pub fn cancel_slot(&self) -> Arc<CancelSlot> {
        self.cancel.clone()
    }

    /// Names the statement (a caller-chosen non-zero id, 0 for none) that the following
    /// prepare, execute, batch, script and fetch calls run for: only a cancel with that id
    /// interrupts them.
    pub fn set_call_owner(&mut self, owner: u64) {
        remote!(self.set_call_owner(owner));
        self.owner = owner;
    }

    fn conn(&mut self) -> Result<&mut NativeConn> {
        live(&mut self.conn, &self.db)
    }

    /// Brings the native connection's settings to what the session wants (lazy setters).
    fn sync(&mut self) -> Result<()> {
        if self.settings_dirty {
            let wanted = self.wanted;
            self.conn()?.apply(wanted)?;
            self.settings_dirty = false;
        }
        Ok(())
    }

    /// Prepares the first statement of `sql` through the statement cache.
    pub fn prepare(&mut self, sql: &[u8]) -> Result<StmtInfo> {
        remote!(self.prepare(sql));
        refuse_nul(sql)?;
        self.sync()?;
        let busy = self.config.busy_timeout_ms;
        let stats = &self.stats;
        let mut conn = live(&mut self.conn, &self.db)?.arm_for(self.owner, busy, 0, 0, stats);
        let prepared = prepare_fitted(&mut conn, |conn| prepare_waiting(conn, stats, sql));
        drop(conn);
        let (stmt, tail, cacheable) = prepared?;
        let Some(stmt) = stmt else {
            return Ok(StmtInfo {
                handle: 0,
                params: 0,
                columns: 0,
                readonly: true,
                tail,
                columns_id: 0,
            });
        };
        let info = StmtInfo {
            handle: 0,
            params: stmt.param_count(),
            columns: stmt.column_count(),
            readonly: stmt.readonly(),
            tail,
            columns_id: stmt.columns_id(),
        };
        let entry = Entry {
            kind: kind_of(&sql[..tail]),
            key: cacheable.then(|| sql.into()),
            columns: info.columns,
            columns_id: info.columns_id,
            params: info.params,
            pending: false,
            timeout_ms: 0,
            started_ns: 0,
            changes_before: 0,
            logged: None,
            stmt,
        };
        Ok(StmtInfo {
            handle: self.handles.insert(entry),
            ..info
        })
    }

    /// What `prepare` reports of a prepared statement as it is now (the tail is not known here:
    /// 0), after an execute flagged [`FLAG_COLUMNS_CHANGED`].
    pub fn describe(&mut self, handle: i64) -> Result<StmtInfo> {
        remote!(self.describe(handle));
        let e = self.handles.get(handle)?;
        Ok(StmtInfo {
            handle,
            params: e.params,
            columns: e.columns,
            readonly: e.stmt.readonly(),
            tail: 0,
            columns_id: e.columns_id,
        })
    }

    /// Column descriptions, [`crate::describe::FIELDS`] strings per column.
    pub fn columns(&mut self, handle: i64) -> Result<Vec<Option<String>>> {
        remote!(self.columns(handle));
        let e = self.handles.get(handle)?;
        Ok(crate::describe::columns(&e.stmt, e.columns))
    }

    /// Releases a statement into the connection's cache.
    pub fn release(&mut self, handle: i64) -> Result<()> {
        remote!(self.release(handle));
        let entry = self.handles.remove(handle)?;
        self.recycle(entry);
        Ok(())
    }

    fn recycle(&mut self, entry: Entry) {
        match (entry.key, self.conn.as_mut()) {
            (Some(key), Some(conn)) => conn.cache_put(key, entry.stmt),
            _ => drop(entry.stmt),
        }
    }

    /// Resets a statement, ending its result set.
    pub fn reset(&mut self, handle: i64) -> Result<()> {
        remote!(self.reset(handle));
        let e = self.handles.get(handle)?;
        e.stmt.reset();
        e.pending = false;
        Ok(())
    }

    /// What `execute` and `execute_batch` share before stepping: settings synced, a lost
    /// transaction refused, the statement ready to run again, deadlines armed.
    fn start_call(&mut self, handle: i64, timeout_ms: u32) -> Result<Call<'_>> {
        self.sync()?;
        self.check_not_lost()?;
        let busy = self.config.busy_timeout_ms;
        let (autocommit, rule) = (self.autocommit, self.begin_rule());
        let conn = live(&mut self.conn, &self.db)?;
        let e = self.handles.get(handle)?;
        if e.pending || e.stmt.busy() {
            e.stmt.reset();
            e.pending = false;
        }
        // LIKE patterns and a re-compile after a schema change recurse while stepping.
        let lowered = stack::fit(conn.db(), conn.control())?;
        // The query timeout counts from here through every fetch of the result set.
        e.started_ns = if timeout_ms == 0 { 0 } else { now_ns() };
        let stats = &self.stats;
        let had_txn = !conn.db().autocommit();
        let conn = conn.arm_for(self.owner, busy, e.started_ns, timeout_ms, stats);
        yield_to_writer(&self.db, &conn, busy, || {
            starts_read(autocommit, rule, e.kind, e.stmt.readonly())
        });
        Ok(Call {
            had_txn,
            conn,
            e,
            stats,
            autocommit,
            rule,
            txn: &mut self.txn,
            lowered,
        })
    }

    /// Binds one parameter row, runs the statement and writes the header and first rows to `out`.
    pub fn execute(
        &mut self,
        handle: i64,
        params: &[u8],
        out: &mut [u8],
        timeout_ms: u32,
    ) -> Result<()> {
        remote!(self.execute(handle, params, out, timeout_ms));
        let Call {
            mut conn,
            e,
            stats,
            autocommit,
            rule,
            txn,
            had_txn,
            lowered,
        } = self.start_call(handle, timeout_ms)?;
        bind(&mut conn, e, params)?;
        e.timeout_ms = timeout_ms;
        let mut upgrading = false;
        let run = |conn: &mut NativeConn, e: &mut Entry, out: &mut [u8]| -> Result<()> {
            let before = conn.db().total_changes();
            let first = step_waiting(conn, stats, &mut e.stmt, true);
            let rc = if stack::retry_on_big_stack(&first, lowered) {
                // Too deep for this thread's stack (a recompile, a long LIKE pattern): SQLite
                // undid the failed step, so it runs again where the stack is big.
                let (db, ctl) = (conn.db(), conn.control().clone());
                let stmt = &mut e.stmt;
                stack::on_big_stack(db, &ctl, || step_waiting(conn, stats, stmt, true))?
            } else {
                first?
            };
            let recompiled = e.stmt.columns_id() != e.columns_id;
            if recompiled {
                // A schema change made SQLite recompile the statement (e.g. `SELECT *` after
                // ADD COLUMN): rows are written with the new columns, and Java is told.
                e.columns_id = e.stmt.columns_id();
                e.columns = e.stmt.column_count();
            }
            let changed = if recompiled { FLAG_COLUMNS_CHANGED } else { 0 };
            if rc == sys::SQLITE_DONE {
                let changes = conn.db().changes_since(before);
                e.stmt.reset();
                let flags = changed | FLAG_DONE | if e.columns > 0 { FLAG_RESULT_SET } else { 0 };
                Header {
                    flags,
                    changes,
                    last_rowid: conn.db().last_insert_rowid(),
                    end: HEADER as i32,
                    ..Header::default()
                }
                .write(out);
                return Ok(());
            }
            e.pending = true;
            e.changes_before = before;
            fill(conn, stats, e, out)?;
            Header::add_flags(out, changed);
            Ok(())
        };
        let result = (|| {
            if !autocommit {
                upgrading = begin_if_due(&mut conn, stats, rule, e.kind, e.stmt.readonly(), txn)?;
            }
            e.logged = match (txn.reading && txn.wal, e.kind) {
                (true, Kind::Normal) => txn.log.start(e.stmt.sql_bytes(), params),
                _ => None,
            };
            match run(&mut conn, e, out) {
                // A stale snapshot at the upgrade: go on if nothing the transaction read changed.
                Err(err @ Error::SnapshotConflict { .. }) if upgrading && txn.log.replayable() => {
                    if !revalidate(&mut conn, stats, txn) {
                        return Err(err);
                    }
                    run(&mut conn, e, out)
                }
                other => other,
            }
        })();
        if let (Ok(()), Some(i)) = (&result, e.logged) {
            note_rows(&mut txn.log, i, out);
        }
        drop(conn);
        count_upgrade_conflict(stats, upgrading, &result);
        let wrote = !e.stmt.readonly();
        self.after_call(wrote);
        self.note_failure(had_txn, &result);
        result
    }

    /// Writes the next rows of a running statement.
    pub fn fetch(&mut self, handle: i64, out: &mut [u8]) -> Result<()> {
        remote!(self.fetch(handle, out));
        let busy = self.config.busy_timeout_ms;
        let conn = live(&mut self.conn, &self.db)?;
        let e = self.handles.get(handle)?;
        if !e.pending {
            // Finished, or reset by commit/rollback: no more rows.
            Header {
                flags: FLAG_RESULT_SET | FLAG_DONE,
                end: HEADER as i32,
                ..Header::default()
            }
            .write(out);
            return Ok(());
        }
        stack::fit(conn.db(), conn.control())?;
        let stats = &self.stats;
        let mut conn = conn.arm_for(self.owner, busy, e.started_ns, e.timeout_ms, stats);
        if conn.control().query_expired() {
            // The timeout set at execute passed while Java held the rows (the time between
            // fetches counts): end the statement as SQLite's interrupt would.
            let elapsed = conn.control().elapsed_ms();
            e.stmt.reset();
            e.pending = false;
            return Err(Error::QueryTimeout(elapsed));
        }
        let result = fill(&mut conn, stats, e, out);
        if let (Ok(()), Some(i)) = (&result, e.logged) {
            note_rows(&mut self.txn.log, i, out);
        }
        result
    }

    /// Runs `rows` parameter rows; writes (update count, last rowid) per completed row after the
    /// header, and the completed count in the header even when a row fails.
    pub fn execute_batch(
        &mut self,
        handle: i64,
        params: &[u8],
        rows: usize,
        out: &mut [u8],
        timeout_ms: u32,
    ) -> Result<()> {
        remote!(self.execute_batch(handle, params, rows, out, timeout_ms));
        if out.len() < HEADER + rows * 16 {
            return Err(Error::Misuse(format!(
                "batch result buffer holds {} bytes, {} needed",
                out.len(),
                HEADER + rows * 16
            )));
        }
        let Call {
            mut conn,
            e,
            stats,
            autocommit,
            rule,
            txn,
            had_txn,
            ..
        } = self.start_call(handle, timeout_ms)?;
        e.logged = None;
        let mut done = 0usize;
        let mut pos = 0usize;
        let mut upgrading = false;
        let result = (|| {
            for _ in 0..rows {
                pos += bind(&mut conn, e, &params[pos..])?;
                let mut up = false;
                if !autocommit {
                    let readonly = e.stmt.readonly();
                    up = begin_if_due(&mut conn, stats, rule, e.kind, readonly, txn)?;
                    upgrading |= up;
                }
                let before = conn.db().total_changes();
                step_to_end(&mut conn, stats, &mut e.stmt, up, txn)?;
                e.stmt.reset();
                let changes = conn.db().changes_since(before);
                let at = HEADER + done * 16;
                out[at..at + 8].copy_from_slice(&changes.to_le_bytes());
                out[at + 8..at + 16].copy_from_slice(&conn.db().last_insert_rowid().to_le_bytes());
                done += 1;
            }
            Ok(())
        })();
        let last_rowid = conn.db().last_insert_rowid();
        drop(conn);
        Header {
            flags: FLAG_DONE,
            rows: done as i32,
            last_rowid,
            end: (HEADER + done * 16) as i32,
            ..Header::default()
        }
        .write(out);
        count_upgrade_conflict(stats, upgrading, &result);
        let wrote = !e.stmt.readonly();
        self.after_call(wrote);
        self.note_failure(had_txn, &result);
        result
    }

    /// Runs every statement of `sql`, discarding rows; returns the total changes.
    pub fn execute_script(&mut self, sql: &[u8], timeout_ms: u32) -> Result<i64> {
        remote!(self.execute_script(sql, timeout_ms));
        refuse_nul(sql)?;
        self.sync()?;
        self.check_not_lost()?;
        let busy = self.config.busy_timeout_ms;
        let (autocommit, rule) = (self.autocommit, self.begin_rule());
        let stats = &self.stats;
        let conn = live(&mut self.conn, &self.db)?;
        let txn = &mut self.txn;
        let had_txn = !conn.db().autocommit();
        stack::fit(conn.db(), conn.control())?;
        let started = if timeout_ms == 0 { 0 } else { now_ns() };
        let mut conn = conn.arm_for(self.owner, busy, started, timeout_ms, stats);
        let db = &self.db;
        let mut upgrading = false;
        let result = (|| {
            let mut rest = sql;
            let mut total = 0i64;
            loop {
                let (stmt, tail, _) = conn.retry_unlocked(Some(stats), Some(rest), |c| {
                    prepare_fitted(c, |c| c.prepare(rest, false))
                })?;
                let Some(mut stmt) = stmt else { break };
                let kind = kind_of(&rest[..tail]);
                yield_to_writer(db, &conn, busy, || {
                    starts_read(autocommit, rule, kind, stmt.readonly())
                });
                let mut up = false;
                if !autocommit {
                    // Each statement of a script decides for itself: a script that reads
                    // first and writes later upgrades like separate statements would.
                    let readonly = stmt.readonly();
                    up = begin_if_due(&mut conn, stats, rule, kind, readonly, txn)?;
                    upgrading |= up;
                }
                let before = conn.db().total_changes();
                step_to_end(&mut conn, stats, &mut stmt, up, txn)?;
                total += conn.db().changes_since(before);
                rest = &rest[tail..];
            }
            Ok(total)
        })();
        drop(conn);
        count_upgrade_conflict(stats, upgrading, &result);
        self.after_call(true);
        self.note_failure(had_txn, &result);
        result
    }

    fn begin_rule(&self) -> BeginRule {
        BeginRule::new(
            self.config.transaction_mode,
            self.wanted.query_only,
            self.isolation,
        )
    }

    /// JDBC autoCommit. Turning it on commits an open transaction; the flag changes only after
    /// that commit succeeded.
    pub fn set_autocommit(&mut self, on: bool) -> Result<()> {
        remote!(self.set_autocommit(on));
        if on && !self.autocommit {
            self.commit()?;
        }
        self.autocommit = on;
        Ok(())
    }

    /// Runs a savepoint operation on `name` (`crate::savepoint`). Savepoints need autoCommit
    /// off: in autocommit a SAVEPOINT would open a transaction behind the session's back, so
    /// that is refused with 25000 before anything runs.
    pub fn savepoint(&mut self, op: crate::savepoint::SavepointOp, name: &str) -> Result<()> {
        // One rule for both kinds of session: a remote one keeps its own autoCommit flag.
        let autocommit = self
            .remote
            .as_deref()
            .map_or(self.autocommit, |r| r.autocommit());
        if autocommit {
            return Err(Error::NeedsTransaction(op.verb()));
        }
        self.execute_script(op.sql(name).as_bytes(), 0).map(|_| ())
    }

    /// True when a native transaction is open.
    pub fn in_transaction(&mut self) -> Result<bool> {
        remote!(self.in_transaction());
        Ok(!self.conn()?.db().autocommit())
    }

    /// Commits the open transaction, if any.
    pub fn commit(&mut self) -> Result<()> {
        remote!(self.commit());
        self.end_transaction("COMMIT")
    }

    /// Rolls back the open transaction, if any.
    pub fn rollback(&mut self) -> Result<()> {
        remote!(self.rollback());
        self.end_transaction("ROLLBACK")
    }

    fn end_transaction(&mut self, verb: &str) -> Result<()> {
        if let Some(why) = self.txn_lost.take() {
            if verb == "COMMIT" {
                return Err(Error::CommitOfAborted(why));
            }
        }
        if !self.in_transaction()? {
            return Ok(());
        }
        // Result sets do not survive the transaction (CLOSE_CURSORS_AT_COMMIT): reset them so
        // COMMIT is not refused and ROLLBACK does not abort them under Java's feet.
        for e in self.handles.iter_mut() {
            if e.pending || e.stmt.busy() {
                e.stmt.reset();
                e.pending = false;
            }
        }
        let busy = self.config.busy_timeout_ms;
        let stats = &self.stats;
        let mut conn = live(&mut self.conn, &self.db)?.arm(busy, 0, Some(stats));
        run_driver_sql(&mut conn, stats, verb)?;
        drop(conn);
        if verb == "COMMIT" {
            stats.commits.fetch_add(1, Relaxed);
            ChangeWaiter::notify_commit(self.db.as_deref());
        } else {
            stats.rollbacks.fetch_add(1, Relaxed);
        }
        Ok(())
    }

    /// Refuses statements while the open transaction is known to be rolled back.
    fn check_not_lost(&self) -> Result<()> {
        match &self.txn_lost {
            Some(why) if !self.autocommit => Err(Error::TxnAborted(why.clone())),
            _ => Ok(()),
        }
    }

    /// After a failed call: did SQLite roll back the transaction that was open before it?
    fn note_failure<T>(&mut self, had_txn: bool, result: &Result<T>) {
        if let Err(e) = result {
            let gone = self.conn.as_ref().is_some_and(|c| c.db().autocommit());
            if had_txn && gone && !self.autocommit {
                self.txn_lost = Some(e.to_string());
            }
        }
    }

    /// After a call: an autocommit statement that may have written is a commit others can see.
    fn after_call(&mut self, wrote: bool) {
        if wrote && self.conn.as_ref().is_some_and(|c| c.db().autocommit()) {
            ChangeWaiter::notify_commit(self.db.as_deref());
        }
    }

    /// Blocks until another connection or process has committed since the last call (or since
    /// the session opened), or `timeout_ms` passes; true when something changed. Waits without
    /// polling: inotify on the database's directory for file databases, a condition variable
    /// signalled by this process's commits for `mem:`.
    pub fn await_change(&mut self, timeout_ms: u32) -> Result<bool> {
        remote!(self.await_change(timeout_ms));
        let busy = self.config.busy_timeout_ms;
        let stats = &self.stats;
        self.change
            .await_change(&mut self.conn, &self.db, busy, stats, timeout_ms)
    }

    /// Read-only flag, applied before the next statement (PRAGMA query_only).
    pub fn set_read_only(&mut self, on: bool) {
        remote!(self.set_read_only(on));
        if self.wanted.query_only != on {
            self.wanted.query_only = on;
            self.settings_dirty = true;
        }
    }

    /// JDBC isolation level (README "Isolation levels"): READ_UNCOMMITTED (1) turns
    /// `read_uncommitted` on; READ_UNCOMMITTED and READ_COMMITTED (2) run reads before the first
    /// write outside a transaction; every other level is SERIALIZABLE (the Java side refuses
    /// non-standard values). Applies from the next transaction (the pragma from the next statement).
    pub fn set_isolation(&mut self, level: i32) {
        remote!(self.set_isolation(level));
        self.isolation = Isolation::from_jdbc(level);
        let on = self.isolation == Isolation::ReadUncommitted;
        if self.wanted.read_uncommitted != on {
            self.wanted.read_uncommitted = on;
            self.settings_dirty = true;
        }
    }

    /// True when the session can run statements.
    pub fn ping(&mut self) -> bool {
        remote!(self.ping());
        self.conn().is_ok()
    }

    /// Ends the session: statements released, transaction rolled back, connection returned.
    pub fn close(&mut self, reclaimed: bool) {
        remote!(self.close(reclaimed));
        self.cancel.detach();
        if let Some(conn) = &self.conn {
            conn.control().clear_abort();
        }
        for e in self.handles.take_all() {
            self.recycle(e);
        }
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let mut reusable = true;
        if !conn.db().autocommit() {
            let stats = &self.stats;
            let mut armed = conn.arm(self.config.busy_timeout_ms, 0, Some(stats));
            reusable = run_driver_sql(&mut armed, stats, "ROLLBACK").is_ok();
            drop(armed);
            stats.rollbacks.fetch_add(1, Relaxed);
        }
        // What the session changed on the connection (pragmas, TEMP objects, ATTACH) is undone,
        // or the connection is closed instead of pooled (HikariCP: reset what you know, evict
        // what you don't).
        reusable = reusable && conn.reset_for_pool();
        if reclaimed {
            self.stats.sessions_reclaimed.fetch_add(1, Relaxed);
        }
        if let Some(db) = self.db.take() {
            db.give_back(conn, reusable);
            registry::release(&db);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close(false);
    }
}

/// SQLite stops reading SQL at a NUL byte, so text after it would be silently ignored: refuse it.
pub(crate) fn refuse_nul(sql: &[u8]) -> Result<()> {
    match sql.iter().position(|&b| b == 0) {
        Some(at) => Err(Error::sqlite(
            sys::SQLITE_ERROR,
            format!("the SQL contains a NUL character at byte {at}; SQLite would ignore everything after it"),
            Some(&String::from_utf8_lossy(&sql[..at])),
            true,
        )),
        None => Ok(()),
    }
}

/// The session's connection, unless the session is closed or its database was dropped.
/// A free function so callers can borrow the statement handles at the same time.
pub(crate) fn live<'a>(
    conn: &'a mut Option<NativeConn>,
    db: &Option<Arc<Database>>,
) -> Result<&'a mut NativeConn> {
    if let Some(db) = db {
        if db.is_dropped() {
            return Err(Error::Dropped(db.key.clone()));
        }
    }
    conn.as_mut().ok_or(Error::Closed("connection"))
}

/// Compiles with `f` on the calling thread under stack-fitted limits; SQL whose compile the
/// allocation guard stopped or those limits refused is compiled again on a big stack under
/// SQLite's defaults, so it fails or succeeds as it would on any big thread ([`stack`]).
fn prepare_fitted<T: Send>(
    conn: &mut NativeConn,
    mut f: impl FnMut(&mut NativeConn) -> Result<T> + Send,
) -> Result<T> {
    let ctl = conn.control().clone();
    let lowered = stack::fit(conn.db(), &ctl)?;
    let first = f(conn);
    if stack::retry_on_big_stack(&first, lowered) {
        let db = conn.db();
        return stack::on_big_stack(db, &ctl, move || f(conn));
    }
    first
}

/// Prepares through the cache, waiting out a shared-cache schema lock (in an armed call).
pub(crate) fn prepare_waiting(
    conn: &mut NativeConn,
    stats: &Stats,
    sql: &[u8],
) -> Result<(Option<Stmt>, usize, bool)> {
    conn.retry_unlocked(Some(stats), Some(sql), |c| c.prepare_cached(sql))
}

/// True when a statement (SQLite's `readonly` answer) run with no transaction open starts a
/// read transaction: it reads, and the lazy BEGIN (autoCommit off) does not take the write lock
/// for it (ALWAYS_IMMEDIATE does).
fn starts_read(autocommit: bool, rule: BeginRule, kind: Kind, readonly: bool) -> bool {
    readonly && (autocommit || rule.mode != TxnMode::AlwaysImmediate || !kind.in_txn())
}

/// BEGINs the lazily started transaction before a statement of `kind` when one is due (autoCommit
/// off). `readonly` is SQLite's answer for the statement about to run: a read begins DEFERRED
/// (no write lock), a write in `rule.mode`. Returns true when the statement is the first write of
/// a read transaction: SQLite takes the write lock there (an upgrade).
fn begin_if_due(
    conn: &mut NativeConn,
    stats: &Stats,
    rule: BeginRule,
    kind: Kind,
    readonly: bool,
    txn: &mut TxnState,
) -> Result<bool> {
    if kind == Kind::Savepoint {
        // A replay after ROLLBACK could not restore the savepoint.
        txn.log.disable();
    }
    let open = !conn.db().autocommit();
    let (mode, read) = match plan_begin(rule, kind, readonly, open, &mut txn.reading) {
        BeginPlan::Nothing => return Ok(false),
        BeginPlan::Upgrade => {
            stats.upgrades.fetch_add(1, Relaxed);
            return Ok(true);
        }
        BeginPlan::Begin { mode, read } => (mode, read),
    };
    let sql = begin_sql(mode);
    run_driver_sql(conn, stats, sql)?;
    stats.begun(mode);
    if read {
        stats.read_transactions.fetch_add(1, Relaxed);
        txn.reading = true;
        txn.log.clear();
        if !txn.wal {
            // Nothing is logged (not known to be WAL), so nothing can be re-validated: a stale
            // snapshot at the upgrade must stay a 40001, never a replay of an empty log.
            txn.log.disable();
        }
        if kind == Kind::Savepoint {
            txn.log.disable();
        }
    } else {
        stats.write_transactions.fetch_add(1, Relaxed);
    }
    Ok(false)
}

/// After a stale snapshot rolled back a read transaction at its first write: begins again
/// IMMEDIATE (the write lock, the newest snapshot) and runs the logged reads again. True when
/// they all give the same rows: the transaction then goes on as a write transaction, exactly as
/// if it had started after the commits that made its snapshot stale. Otherwise it is rolled
/// back, and the conflict stands (40001).
fn revalidate(conn: &mut NativeConn, stats: &Stats, txn: &mut TxnState) -> bool {
    if !conn.db().autocommit() || run_driver_sql(conn, stats, "BEGIN IMMEDIATE").is_err() {
        return false;
    }
    stats.begun(TxnMode::Immediate);
    if txn.log.replay(conn) {
        txn.reading = false;
        stats.revalidations.fetch_add(1, Relaxed);
        true
    } else {
        conn.rollback_quietly(stats);
        false
    }
}

/// Runs a statement whose rows nobody reads (scripts, batches) to its end. When it is the
/// upgrade of a read transaction and meets a stale snapshot, the reads are re-validated first.
fn step_to_end(
    conn: &mut NativeConn,
    stats: &Stats,
    stmt: &mut Stmt,
    upgrading: bool,
    txn: &mut TxnState,
) -> Result<()> {
    let run = |conn: &mut NativeConn, stmt: &mut Stmt| -> Result<()> {
        while step_waiting(conn, stats, stmt, true)? == sys::SQLITE_ROW {}
        Ok(())
    };
    match run(conn, stmt) {
        Err(err @ Error::SnapshotConflict { .. }) if upgrading && txn.log.replayable() => {
            if !revalidate(conn, stats, txn) {
                return Err(err);
            }
            run(conn, stmt)
        }
        other => other,
    }
}

/// Adds the rows `out` carries (after an execute or fetch) to a logged read.
fn note_rows(log: &mut ReadLog, index: usize, out: &[u8]) {
    let h = Header::read(out);
    let end = (h.end as usize).clamp(HEADER, out.len());
    log.rows(
        index,
        &out[HEADER..end],
        h.rows.max(0) as u64,
        h.flags & FLAG_DONE != 0,
    );
}

/// Counts a 40001 (deadlock, stale snapshot) met by the statement that upgraded a read transaction.
fn count_upgrade_conflict<T>(stats: &Stats, upgrading: bool, result: &Result<T>) {
    if upgrading
        && result
            .as_ref()
            .is_err_and(|e| e.jdbc().sql_state == "40001")
    {
        stats.upgrade_conflicts.fetch_add(1, Relaxed);
    }
}

/// Runs one driver-built statement (BEGIN/COMMIT/ROLLBACK) with lock waits, via the cache.
fn run_driver_sql(conn: &mut NativeConn, stats: &Stats, sql: &str) -> Result<()> {
    let (stmt, _, _) = prepare_waiting(conn, stats, sql.as_bytes())?;
    let mut stmt = stmt.expect("driver SQL is one statement");
    let result = step_waiting(conn, stats, &mut stmt, true);
    conn.cache_put(sql.as_bytes().into(), stmt);
    result.map(|_| ())
}

/// Writer preference (`gate`): a statement about to start a read transaction (its connection
/// holds no transaction, `reads` says it will only read) waits while another connection of the
/// database waits for readers to leave (a writer for a lock, a commit's TRUNCATE checkpoint), at
/// most `busy_ms` and the gate's `max_wait` (`GATE_WAIT_MAX`; not counted against its own lock
/// waits), then runs whatever the gate says. Writers do not wait: they queue for the write lock
/// itself. One relaxed load while the gate is open (`reads` is asked only when it is closed).
fn yield_to_writer(
    db: &Option<Arc<Database>>,
    conn: &NativeConn,
    busy_ms: u32,
    reads: impl FnOnce() -> bool,
) {
    if let Some(db) = db {
        if db.gate.is_closed()
            && !conn.control().holds_gate()
            && conn.db().holds_no_transaction()
            && reads()
        {
            let bound = Duration::from_millis(busy_ms as u64).min(db.gate.max_wait());
            db.gate.wait_open(conn.control(), bound);
        }
    }
}

/// Steps once; waits out shared-cache lock conflicts while no row has been returned yet. The
/// lock waits of a writing statement hold the database's gate until the step ends (`gate`).
pub(crate) fn step_waiting(
    conn: &mut NativeConn,
    stats: &Stats,
    stmt: &mut Stmt,
    first: bool,
) -> Result<i32> {
    if !first {
        return step_once_waiting(conn, stats, stmt, false);
    }
    conn.control().set_writing(!stmt.readonly());
    let rc = step_once_waiting(conn, stats, stmt, true);
    conn.control().release_gate();
    rc
}

fn step_once_waiting(
    conn: &mut NativeConn,
    stats: &Stats,
    stmt: &mut Stmt,
    first: bool,
) -> Result<i32> {
    let mut refusals = 0;
    loop {
        let rc = stmt.step();
        if rc == sys::SQLITE_ROW || rc == sys::SQLITE_DONE {
            return Ok(rc);
        }
        let message = conn.db().errmsg();
        stmt.reset();
        if rc == sys::SQLITE_LOCKED_SHAREDCACHE && first {
            conn.control().hold_gate_if_writing();
            conn.wait_unlock(Some(stats), &message, None)?;
            continue;
        }
        if rc == sys::SQLITE_BUSY && first && !stmt.readonly() && conn.db().holds_read_only() {
            // A read transaction's first write found the write lock taken. SQLite does not call
            // the busy handler here (btree.c: only without an open transaction), so wait here.
            if !is_wal(conn, stats) {
                // Rollback journal: the writer needs our SHARED lock gone to commit, and we wait
                // for its RESERVED lock: a deadlock. Roll back so it can finish.
                stats.deadlocks.fetch_add(1, Relaxed);
                conn.rollback_quietly(stats);
                return Err(Error::Deadlock {
                    lock: format!("the write lock, held by another connection that waits for this transaction's read lock ({message})"),
                    sql: Some(stmt.sql()),
                });
            }
            // WAL: the writer never waits for us. When it commits, the retry finds the
            // snapshot stale (SQLITE_BUSY_SNAPSHOT, a 40001); when it ends without a change,
            // the retry gets the lock with our reads still valid.
            if conn.control().on_busy(refusals) {
                refusals += 1;
                continue;
            }
        }
        return Err(step_error(conn, stats, rc, message, stmt));
    }
}

/// True when the main database is in WAL mode (asked only on the rare upgrade refusal).
fn is_wal(conn: &mut NativeConn, stats: &Stats) -> bool {
    const SQL: &[u8] = b"PRAGMA main.journal_mode";
    let Ok((Some(mut stmt), _, _)) = prepare_waiting(conn, stats, SQL) else {
        return false;
    };
    let wal = stmt.step() == sys::SQLITE_ROW && stmt.column_text(0).eq_ignore_ascii_case(b"wal");
    conn.cache_put(SQL.into(), stmt);
    wal
}

/// Binds one row of `params` to the statement (returns the bytes it took); for an ATTACH, a
/// bound shmlite name as the live database (`attach::bind_names`), kept while attached.
fn bind(conn: &mut NativeConn, e: &mut Entry, params: &[u8]) -> Result<usize> {
    let used = wire::bind_row(&mut e.stmt, params, e.params)?;
    if e.kind == Kind::NoTxn {
        let dbs = crate::attach::bind_names(&mut e.stmt, params, e.params)?;
        conn.keep_attached(dbs);
    }
    Ok(used)
}

fn step_error(
    conn: &mut NativeConn,
    stats: &Stats,
    rc: i32,
    message: String,
    stmt: &Stmt,
) -> Error {
    let ctl = conn.control().clone();
    let sql = Some(stmt.sql());
    match rc & 0xff {
        sys::SQLITE_INTERRUPT if ctl.is_cancelled() => Error::Cancelled,
        sys::SQLITE_INTERRUPT if ctl.query_expired() => Error::QueryTimeout(ctl.elapsed_ms()),
        sys::SQLITE_BUSY if rc == sys::SQLITE_BUSY_SNAPSHOT => {
            conn.rollback_quietly(stats);
            Error::SnapshotConflict { sql }
        }
        sys::SQLITE_NOMEM if stack::take_guard_fired() => stack::exhausted(),
        // VACUUM INTO 'mem:x' (or 'mme:x'): SQLite attaches the target to write it, and the
        // authorizer refused that name rather than let SQLite create a file called so.
        sys::SQLITE_AUTH => match conn.take_refused_attach() {
            Some(file) => Error::sqlite(
                sys::SQLITE_ERROR,
                format!("VACUUM INTO '{file}': the target is a file path or an SQLite file: URI, not a shmlite name or another scheme (write ./{file} for a file of that name; Shmlite.backup copies a shmlite database to a file)"),
                sql.as_deref(),
                true,
            ),
            None => Error::sqlite(rc, message, sql.as_deref(), false),
        },
        sys::SQLITE_BUSY if ctl.is_cancelled() => Error::Cancelled,
        sys::SQLITE_BUSY if ctl.was_interrupted() => {
            Error::Interrupted(format!("a lock held by another connection ({message})"))
        }
        // Plain SQLITE_LOCKED (not _SHAREDCACHE): this connection's own open statement.
        sys::SQLITE_LOCKED if rc == sys::SQLITE_LOCKED => Error::InUse {
            open: conn.db().running_statements_except(stmt),
            message,
            sql,
        },
        sys::SQLITE_BUSY | sys::SQLITE_LOCKED => {
            stats.lock_timeouts.fetch_add(1, Relaxed);
            Error::LockTimeout {
                waited_ms: ctl.elapsed_ms(),
                lock: format!("a lock held by another connection ({message})"),
                sql,
            }
        }
        _ => Error::sqlite(rc, message, sql.as_deref(), false),
    }
}

/// Encodes the pending row and as many more as fit; resets the statement when it is done.
fn fill(conn: &mut NativeConn, stats: &Stats, e: &mut Entry, out: &mut [u8]) -> Result<()> {
    let mut pos = HEADER;
    let mut rows = 0i32;
    loop {
        match wire::encode_row(&e.stmt, e.columns, out, pos) {
            Some(end) => {
                pos = end;
                rows += 1;
            }
            None => {
                let size = wire::row_size(&e.stmt, e.columns);
                return wire::end_full_batch(out, rows, size, pos).map_err(|err| {
                    // No buffer Java can allocate holds this row: end the statement (its read
                    // locks and the values SQLite holds go) and say how big it was.
                    let sql = e.stmt.sql();
                    e.stmt.reset();
                    e.pending = false;
                    match err {
                        Error::RowTooBig { bytes, limit, .. } => Error::RowTooBig {
                            bytes,
                            limit,
                            sql: Some(sql),
                        },
                        other => other,
                    }
                });
            }
        }
        let rc = match step_waiting(conn, stats, &mut e.stmt, false) {
            Ok(rc) => rc,
            Err(err) => {
                e.pending = false;
                return Err(err);
            }
        };
        if rc == sys::SQLITE_DONE {
            e.stmt.reset();
            e.pending = false;
            // INSERT ... RETURNING: the rows and the update count both belong to the caller.
            let changes = conn.db().changes_since(e.changes_before);
            Header {
                flags: FLAG_RESULT_SET | FLAG_DONE,
                rows,
                changes,
                last_rowid: conn.db().last_insert_rowid(),
                end: pos as i32,
                ..Header::default()
            }
            .write(out);
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_kinds() {
        assert_eq!(kind_of(b"  begin immediate"), Kind::TxnControl);
        assert_eq!(kind_of(b"COMMIT"), Kind::TxnControl);
        assert_eq!(kind_of(b"/* x */ ROLLBACK"), Kind::TxnControl);
        assert_eq!(kind_of(b"ROLLBACK TO sp1"), Kind::Normal);
        assert_eq!(kind_of(b"rollback transaction to sp1"), Kind::Normal);
        assert_eq!(kind_of(b"-- c\nPRAGMA foreign_keys=ON"), Kind::Pragma);
        assert_eq!(kind_of(b"VACUUM"), Kind::NoTxn);
        assert_eq!(kind_of(b"SAVEPOINT a"), Kind::Savepoint);
        assert_eq!(kind_of(b"release a"), Kind::Normal);
        assert_eq!(kind_of(b"(SELECT 1)"), Kind::Normal);
        assert_eq!(kind_of(b""), Kind::Normal);
    }
}

#[cfg(test)]
mod call_guard_tests {
    use super::*;

    fn open(url: &str, busy_ms: &str) -> Session {
        Session::open(url, &[("busy_timeout".to_string(), busy_ms.to_string())]).unwrap()
    }

    #[test]
    fn a_failed_await_change_leaves_no_call_armed() {
        // `await_loop` used to return with `?` after arming, so the stale deadline survived
        // into the next `NativeConn::pragma()`, which trusts `is_armed()` (issue 17, item 3).
        // A rollback-journal file: an EXCLUSIVE transaction locks readers out, so the wait's
        // read of data_version fails with a lock timeout.
        let dir = crate::test_dir::fresh("guard-await");
        let url = format!(
            "jdbc:shmlite:file:{}/g.db?journal_mode=DELETE",
            dir.display()
        );
        let mut waiter = open(&url, "20");
        let mut locker = open(&url, "1000");
        locker
            .execute_script(b"CREATE TABLE t(x); BEGIN EXCLUSIVE", 0)
            .unwrap();
        let err = waiter.await_change(5_000).unwrap_err();
        assert!(matches!(err, Error::LockTimeout { .. }), "{err}");
        let ctl = waiter.conn.as_ref().unwrap().control();
        assert!(!ctl.is_armed(), "the failed call left its deadline armed");
        locker.rollback().unwrap();
        drop((waiter, locker));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
