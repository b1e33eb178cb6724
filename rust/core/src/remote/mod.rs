//! The remote layer: a JDBC session on a database of a dqlite cluster
//! (`jdbc:shmlite:dqlite://HOST:PORT[,HOST:PORT...]/NAME`), beside the local SQLite connection.
//!
//! [`RemoteSession`] is what [`crate::Session`] dispatches to for such URLs. It keeps the local
//! session's contracts and shares its code where the rule is the same: the statement kinds and
//! the lazy-BEGIN decision (`session::kind_of`, `session::plan_begin`), the parameter decoder
//! and the row encoder of the JNI buffers (`wire::read_params`, `wire::encode_row`), the error
//! table (`error.rs`) and the statistics. What differs is the transport:
//! - statements are prepared on the leader (cached per protocol connection) and classified once
//!   by `EXPLAIN` (result columns, read-only), since the protocol does not report either;
//! - "database is locked" comes back at once from dqlite: it is waited out here under
//!   `busy_timeout` with the client's jittered back-off ([`shmlite_dqlite::BusyBackoff`]), and
//!   this JVM's writers queue on a per-database writer gate first ([`pool::RemoteDb::take_gate`]);
//! - "not leader" and a lost connection outside a transaction find the leader again (bounded by
//!   `dqlite_leader_timeout_ms`) and resend what is safe to resend (nothing ran, or a read);
//!   inside a transaction the transaction is gone (40001, [`Error::LeaderChanged`]); a write or
//!   COMMIT whose answer was lost is [`Error::OutcomeUnknown`] (08007), never resent;
//! - one result set streams on a connection at a time; when another statement needs the
//!   connection, the open result set's remaining rows are read ahead and kept (up to
//!   [`MAX_KEPT_BYTES`]), so interleaved result sets work as they do locally.

pub mod conn;
pub mod pool;

pub use pool::key_of;

use crate::config::{Config, Isolation};
use crate::control::{now_ns, thread_interrupted, CancelSlot, Control};
use crate::error::{Error, Result};
use crate::handles::Handles;
use crate::session::{kind_of, plan_begin, BeginPlan, BeginRule, Kind, StmtInfo};
use crate::stats::Stats;
use crate::wire::{self, Header, Param, FLAG_COLUMNS_CHANGED, FLAG_DONE, FLAG_RESULT_SET, HEADER};
use conn::{first_statement, keep, Class, KeptRow, RemoteConn, StreamRow};
use pool::RemoteDb;
use shmlite_dqlite::{BusyBackoff, Value, ValueRef};
use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bytes of rows one result set may keep in memory when another statement of the session needs
/// the connection while it is open; past it the result set fails on its next fetch (SQLState
/// HY000, saying so) instead of holding unbounded memory.
pub const MAX_KEPT_BYTES: usize = 64 << 20;

/// Pause between two `PRAGMA data_version` polls of `awaitChange` (one round trip each, about
/// 20-70 µs on a loopback cluster): the latency of a change notification on `dqlite://`.
pub const AWAIT_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Extended code of SQLITE_BUSY_SNAPSHOT: a read transaction's snapshot was overwritten.
const BUSY_SNAPSHOT: u64 = 517;

#[derive(Debug)]
struct Entry {
    /// The statement's text (the first statement of what Java prepared).
    sql: Box<[u8]>,
    class: Class,
    kind: Kind,
    /// Column labels, once a run or a probe has shown them.
    names: Option<Vec<String>>,
    /// Rows read ahead (out buffer full at a batch boundary, or parked for another statement).
    kept: VecDeque<Vec<Value>>,
    kept_bytes: usize,
    /// The rest of the result set still streams on the connection.
    streaming: bool,
    /// A result set is open (kept rows or streaming).
    pending: bool,
    /// The result set could not be kept: its next fetch fails with this.
    abandoned: Option<String>,
    timeout_ms: u32,
    started_ns: u64,
}

/// What a request does, for deciding what a failure means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Changes nothing: safe to resend after a lost connection.
    Read,
    /// May change the database: never resent once sent.
    Write,
    Commit,
    Rollback,
}

enum Outcome {
    Exec(shmlite_dqlite::ExecResult),
    Rows,
}

/// One JDBC connection on a dqlite database.
#[derive(Debug)]
pub struct RemoteSession {
    db: Arc<RemoteDb>,
    conn: Option<RemoteConn>,
    config: Config,
    ctl: Arc<Control>,
    cancel: Arc<CancelSlot>,
    handles: Handles<Entry>,
    /// Slot of the entry whose result set streams on the connection.
    cursor: Option<usize>,
    autocommit: bool,
    isolation: Isolation,
    read_only: bool,
    /// A transaction is open on the connection (the session tracks it: no
    /// `sqlite3_get_autocommit` over the protocol).
    txn_open: bool,
    /// The open transaction was begun for a read and has not written yet.
    reading: bool,
    /// This session holds its database's writer gate.
    gate: bool,
    txn_lost: Option<String>,
    /// `data_version` last seen by `await_change`, and the connection it was read on.
    seen_version: Option<(u64, i64)>,
    owner: u64,
    closed: bool,
    /// The session changed its protocol connection's state in a way closing does not undo (a
    /// pragma set, ATTACH, a TEMP object): the connection is closed at the end, not pooled.
    dirty: bool,
}

impl RemoteSession {
    /// Opens a session on database `name` of the cluster reached through `seeds`.
    pub fn open(seeds: &[String], name: &str, config: Config) -> Result<RemoteSession> {
        let db = pool::acquire(seeds, name, &config);
        let deadline = Instant::now() + leader_timeout(&config);
        let conn = db.borrow(config.pool_timeout_ms, deadline, config.foreign_keys)?;
        let ctl = Arc::new(Control::default());
        let mut s = RemoteSession {
            cancel: Arc::new(CancelSlot::new(ctl.clone())),
            ctl,
            conn: Some(conn),
            db,
            handles: Handles::default(),
            cursor: None,
            autocommit: true,
            isolation: Isolation::Serializable,
            read_only: config.read_only,
            txn_open: false,
            reading: false,
            gate: false,
            txn_lost: None,
            seen_version: None,
            owner: 0,
            closed: false,
            dirty: false,
            config,
        };
        s.seen_version = s.data_version().ok();
        s.db.stats.sessions_opened.fetch_add(1, Relaxed);
        Ok(s)
    }

    /// The effective configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The registry key (`dqlite://SEEDS-SORTED/NAME`).
    pub fn database_key(&self) -> &str {
        &self.db.key
    }

    /// The database's counters.
    pub fn stats(&self) -> Arc<Stats> {
        self.db.stats.clone()
    }

    /// `sqlite_version()` of the cluster's SQLite (asked once per database).
    pub fn sqlite_version(&mut self) -> Result<String> {
        if let Some(v) = self.db.server_version.get() {
            return Ok(v.clone());
        }
        const SQL: &str = "SELECT sqlite_version()";
        self.check_open()?;
        self.park_cursor();
        self.ctl.arm_for(0, self.config.busy_timeout_ms, 0, 0);
        let v = self.request(SQL.as_bytes(), Op::Read, |c| {
            c.conn.start_query_sql(SQL, &[])?;
            let mut v = String::new();
            while let Some(row) = c.conn.next_row()? {
                v = row
                    .get(0)
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
            }
            Ok(v)
        });
        self.ctl.disarm();
        let v = v?;
        Ok(self.db.server_version.get_or_init(|| v).clone())
    }

    /// A handle other threads use to cancel this session's running call.
    pub fn cancel_slot(&self) -> Arc<CancelSlot> {
        self.cancel.clone()
    }

    /// See `Session::set_call_owner`.
    pub fn set_call_owner(&mut self, owner: u64) {
        self.owner = owner;
    }

    fn index(&mut self, handle: i64) -> Result<usize> {
        self.handles.index(handle)
    }

    fn entry(&mut self, idx: usize) -> &mut Entry {
        self.handles.at(idx)
    }

    fn check_open(&self) -> Result<()> {
        if self.closed {
            Err(Error::Closed("connection"))
        } else {
            Ok(())
        }
    }

    /// Prepares the first statement of `sql` on the leader (cached per connection).
    pub fn prepare(&mut self, sql: &[u8]) -> Result<StmtInfo> {
        self.check_open()?;
        crate::session::refuse_nul(sql)?;
        let tail = first_statement(sql);
        let first = &sql[..tail];
        if crate::conn::only_trivia(first) {
            return Ok(StmtInfo {
                handle: 0,
                params: 0,
                columns: 0,
                readonly: true,
                tail,
                columns_id: 0,
            });
        }
        self.park_cursor();
        self.ctl
            .arm_for(self.owner, self.config.busy_timeout_ms, 0, 0);
        let class = self.request(first, Op::Read, |c| c.prepared(first).map(|p| p.class));
        self.ctl.disarm();
        let class = class?;
        let entry = Entry {
            sql: first.into(),
            class,
            kind: kind_of(first),
            names: None,
            kept: VecDeque::new(),
            kept_bytes: 0,
            streaming: false,
            pending: false,
            abandoned: None,
            timeout_ms: 0,
            started_ns: 0,
        };
        Ok(StmtInfo {
            handle: self.handles.insert(entry),
            params: class.params,
            columns: class.columns,
            readonly: class.readonly,
            tail,
            columns_id: columns_id(class.columns),
        })
    }

    /// What `prepare` reported, as the statement is now (tail 0).
    pub fn describe(&mut self, handle: i64) -> Result<StmtInfo> {
        let idx = self.index(handle)?;
        let c = self.entry(idx).class;
        Ok(StmtInfo {
            handle,
            params: c.params,
            columns: c.columns,
            readonly: c.readonly,
            tail: 0,
            columns_id: columns_id(c.columns),
        })
    }

    /// Column descriptions ([`crate::describe::FIELDS`] per column). Over the protocol only
    /// the labels are known (from a run of the statement, or a probe of a read-only one); the
    /// origin column, declared type and table are not reported (None).
    pub fn columns(&mut self, handle: i64) -> Result<Vec<Option<String>>> {
        let idx = self.index(handle)?;
        if self.entry(idx).names.is_none() {
            let e = self.entry(idx);
            let (sql, class) = (e.sql.clone(), e.class);
            let names = if class.readonly && class.columns > 0 {
                self.park_cursor();
                self.ctl
                    .arm_for(self.owner, self.config.busy_timeout_ms, 0, 0);
                let nulls = vec![ValueRef::Null; class.params];
                let r = self.request(&sql, Op::Read, |c| {
                    let p = c.prepared(&sql)?;
                    c.conn.start_query(p.stmt, &nulls)?;
                    let names = c.conn.columns().to_vec();
                    c.conn.close_rows()?;
                    Ok(names)
                });
                self.ctl.disarm();
                r?
            } else {
                returning_names(&sql, class.columns)
            };
            self.entry(idx).names = Some(names);
        }
        let e = self.entry(idx);
        let names = e.names.as_deref().unwrap_or_default();
        let mut out = Vec::with_capacity(e.class.columns * crate::describe::FIELDS);
        for c in 0..e.class.columns {
            out.push(Some(
                names
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("column{}", c + 1)),
            ));
            out.extend(std::iter::repeat_n(None, crate::describe::FIELDS - 1));
        }
        Ok(out)
    }

    /// Releases a statement (its server-side statement stays cached on the connection).
    pub fn release(&mut self, handle: i64) -> Result<()> {
        let idx = self.index(handle)?;
        self.end_rows(idx);
        self.handles.remove_at(idx);
        Ok(())
    }

    /// Ends a statement's result set.
    pub fn reset(&mut self, handle: i64) -> Result<()> {
        let idx = self.index(handle)?;
        self.end_rows(idx);
        Ok(())
    }

    /// Closes the result set of entry `idx`: kept rows dropped, a streaming rest interrupted.
    fn end_rows(&mut self, idx: usize) {
        if self.cursor == Some(idx) {
            self.cursor = None;
            if let Some(c) = self.conn.as_mut() {
                // A failure marks the connection broken; the next request replaces it.
                let _ = c.conn.close_rows();
            }
        }
        let e = self.entry(idx);
        e.kept.clear();
        e.kept_bytes = 0;
        e.streaming = false;
        e.pending = false;
        e.abandoned = None;
    }

    /// Another request needs the connection: the streaming result set's rest is read into its
    /// entry (bounded by [`MAX_KEPT_BYTES`]; past it the result set is abandoned).
    fn park_cursor(&mut self) {
        let Some(idx) = self.cursor.take() else {
            return;
        };
        let Some(c) = self.conn.as_mut() else {
            return;
        };
        let e = self.handles.at(idx);
        e.streaming = false;
        loop {
            match c.conn.next_row() {
                Ok(Some(row)) => {
                    let kept = keep(&row);
                    e.kept_bytes += wire::row_size(&KeptRow(&kept), kept.len()) as usize;
                    e.kept.push_back(kept);
                    if e.kept_bytes > MAX_KEPT_BYTES {
                        let _ = c.conn.close_rows();
                        e.abandoned = Some(format!("the result set was closed: another statement of this connection ran while it was open, and its remaining rows exceed the {MAX_KEPT_BYTES} bytes a dqlite:// connection keeps for it; read it to the end first, or use another connection"));
                        return;
                    }
                }
                Ok(None) => return,
                Err(err) => {
                    e.abandoned = Some(err.to_string());
                    return;
                }
            }
        }
    }

    fn rule(&self) -> BeginRule {
        BeginRule::new(self.config.transaction_mode, self.read_only, self.isolation)
    }

    /// Before a statement runs: read-only refusal, the writer gate, the lazy BEGIN.
    fn before_statement(&mut self, kind: Kind, class: Class, sql: &[u8]) -> Result<()> {
        let text = || String::from_utf8_lossy(sql).into_owned();
        if !class.readonly && class.columns > 0 {
            return Err(Error::NotSupported(format!("a statement that writes and returns rows (RETURNING, or a pragma that changes something and reports it) cannot run on a dqlite:// database: the dqlite protocol runs writes without returning rows (a QUERY of a write crashed dqlite 1.11's leader, and its text form drops the write); run the write without RETURNING (generated keys of a one-row INSERT still work) [SQL: {}]", text())));
        }
        let writes = !class.readonly && kind != Kind::TxnControl && kind != Kind::Pragma;
        if writes && self.read_only {
            return Err(Error::sqlite(
                libsqlite3_sys::SQLITE_READONLY,
                "attempt to write a readonly database (the connection is read-only)",
                Some(&text()),
                false,
            ));
        }
        let plan = if self.autocommit {
            BeginPlan::Nothing
        } else {
            plan_begin(
                self.rule(),
                kind,
                class.readonly,
                self.txn_open,
                &mut self.reading,
            )
        };
        // The gate goes with the write lock: a writing statement, and a BEGIN that takes the
        // write lock (IMMEDIATE/EXCLUSIVE, also ALWAYS_IMMEDIATE's for a read).
        let write_begin = matches!(plan, BeginPlan::Begin { mode, .. } if mode != crate::config::TxnMode::Deferred);
        if (writes || write_begin) && !self.gate {
            let deadline = Instant::now() + busy_timeout(&self.config);
            let s = text();
            self.db.take_gate(deadline, &self.ctl, Some(&s))?;
            self.gate = true;
        }
        match plan {
            BeginPlan::Nothing => {}
            BeginPlan::Upgrade => {
                self.db.stats.upgrades.fetch_add(1, Relaxed);
            }
            BeginPlan::Begin { mode, read } => {
                let sql = crate::session::begin_sql(mode);
                self.request(sql.as_bytes(), Op::Read, |c| c.conn.exec_sql(sql, &[]))?;
                self.txn_open = true;
                self.db.stats.begun(mode);
                if read {
                    self.db.stats.read_transactions.fetch_add(1, Relaxed);
                    self.reading = true;
                } else {
                    self.db.stats.write_transactions.fetch_add(1, Relaxed);
                }
            }
        }
        Ok(())
    }

    /// After a statement: the gate goes back when no transaction holds it; a user's own
    /// BEGIN/COMMIT/ROLLBACK moves the tracked transaction state.
    fn after_statement(&mut self, kind: Kind, sql: &[u8], ok: bool) {
        self.dirty |= ok && leaves_state(kind, sql);
        if ok && kind == Kind::TxnControl {
            let i = crate::conn::skip_trivia(sql, b"(");
            let begins = sql[i..]
                .get(..5)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"BEGIN"));
            self.txn_open = begins;
            self.reading = false;
        }
        if !self.txn_open && self.gate {
            self.gate = false;
            self.db.release_gate();
        }
    }

    /// Drops the connection (lost, or it cannot be trusted any more).
    fn drop_conn(&mut self) {
        if let Some(c) = self.conn.take() {
            drop(c);
            self.db.forget();
        }
        if let Some(idx) = self.cursor.take() {
            let e = self.entry(idx);
            e.streaming = false;
            e.abandoned = Some("the connection to the dqlite leader was lost".into());
        }
    }

    /// The open transaction is gone with its connection: the session state says so.
    fn txn_gone(&mut self, why: &str) -> Error {
        self.txn_open = false;
        self.reading = false;
        if !self.autocommit {
            self.txn_lost = Some(format!("the dqlite leader changed: {why}"));
        }
        self.after_statement(Kind::Normal, b"", false);
        Error::LeaderChanged(why.to_owned())
    }

    /// Runs `f` on the connection until it succeeds or fails for good: "database is locked"
    /// waited out under busy_timeout with jittered back-off, "not leader" and lost connections
    /// followed to the new leader (bounded by the leader timeout) when nothing of a transaction
    /// or write is lost by it, stale statement ids prepared again.
    fn request<T>(
        &mut self,
        sql: &[u8],
        op: Op,
        mut f: impl FnMut(&mut RemoteConn) -> std::result::Result<T, shmlite_dqlite::Error>,
    ) -> Result<T> {
        let mut backoff = BusyBackoff::new();
        let mut busy_since: Option<Instant> = None;
        let mut rediscover_until: Option<Instant> = None;
        let mut stale_retried = false;
        let sql_text = || String::from_utf8_lossy(sql).into_owned();
        let result = loop {
            if self.ctl.is_cancelled() {
                break Err(Error::Cancelled);
            }
            if self.ctl.query_expired() {
                break Err(Error::QueryTimeout(self.ctl.elapsed_ms()));
            }
            if self.conn.is_none() {
                if self.txn_open || op == Op::Rollback {
                    break Err(self.txn_gone("the connection to the leader was lost"));
                }
                let until = *rediscover_until
                    .get_or_insert_with(|| Instant::now() + leader_timeout(&self.config));
                // No connection, so no write lock on the cluster: the writer gate (which stands
                // for it) is not held while the leader is searched for, or the JVM's other
                // writers would time out on the gate instead of waiting for the leader
                // themselves. It is taken again before the statement is resent.
                let regate = self.gate;
                if regate {
                    self.gate = false;
                    self.db.release_gate();
                }
                match self
                    .db
                    .borrow(self.config.pool_timeout_ms, until, self.config.foreign_keys)
                {
                    Ok(c) => self.conn = Some(c),
                    Err(e) => break Err(e),
                }
                if regate {
                    let deadline = Instant::now() + busy_timeout(&self.config);
                    let text = sql_text();
                    if let Err(e) = self.db.take_gate(deadline, &self.ctl, Some(&text)) {
                        break Err(e);
                    }
                    self.gate = true;
                }
            }
            let c = self.conn.as_mut().expect("connected above");
            let sent = now_ns();
            let r = f(c);
            self.db.stats.remote_requests.fetch_add(1, Relaxed);
            self.db
                .stats
                .remote_request_ns
                .fetch_add(now_ns().saturating_sub(sent), Relaxed);
            let err = match r {
                Ok(v) => break Ok(v),
                Err(e) => e,
            };
            let now = Instant::now();
            if err.code() == Some(BUSY_SNAPSHOT) {
                // A read transaction's first write found its snapshot overwritten: the
                // transaction must start again (no re-validation remotely).
                let _ = c.conn.exec_sql("ROLLBACK", &[]);
                self.txn_open = false;
                self.reading = false;
                if !self.autocommit {
                    self.txn_lost = Some("stale snapshot (SQLITE_BUSY_SNAPSHOT)".into());
                }
                self.db.stats.upgrade_conflicts.fetch_add(1, Relaxed);
                break Err(Error::SnapshotConflict {
                    sql: Some(sql_text()),
                });
            }
            if err.is_busy() {
                let since = *busy_since.get_or_insert(now);
                let deadline = since + busy_timeout(&self.config);
                if thread_interrupted() {
                    break Err(Error::Interrupted(format!(
                        "the write lock of {} ({err})",
                        self.db.key
                    )));
                }
                if now < deadline {
                    self.db.cluster.note_busy_retry();
                    self.db.stats.remote_busy_retries.fetch_add(1, Relaxed);
                    std::thread::sleep(backoff.next_pause().min(deadline - now));
                    continue;
                }
                self.db.stats.lock_timeouts.fetch_add(1, Relaxed);
                break Err(Error::LockTimeout {
                    waited_ms: since.elapsed().as_millis() as u64,
                    lock: format!(
                        "the write lock of {}, held by another client of the cluster ({err})",
                        self.db.key
                    ),
                    sql: Some(sql_text()),
                });
            }
            if conn::is_stale_id(&err) && !stale_retried {
                stale_retried = true;
                c.forget(sql);
                continue;
            }
            if err.is_not_leader() {
                self.drop_conn();
                if self.txn_open || op == Op::Rollback {
                    break Err(self.txn_gone(&err.to_string()));
                }
                if rediscover_until.is_some_and(|u| now >= u) {
                    break Err(conn::no_leader(&self.db.cluster, err));
                }
                std::thread::sleep(shmlite_dqlite::cluster::DISCOVERY_BACKOFF_MIN);
                continue;
            }
            if err.is_leadership_lost() || err.is_connection_lost() || err.needs_rediscovery() {
                self.drop_conn();
                match op {
                    Op::Commit => {
                        self.txn_gone("");
                        self.txn_lost = None;
                        break Err(Error::OutcomeUnknown(format!("COMMIT: {err}")));
                    }
                    Op::Rollback => break Err(self.txn_gone(&err.to_string())),
                    _ if self.txn_open => break Err(self.txn_gone(&err.to_string())),
                    Op::Write => break Err(Error::OutcomeUnknown(err.to_string())),
                    Op::Read => {
                        if rediscover_until.is_some_and(|u| now >= u) {
                            break Err(conn::no_leader(&self.db.cluster, err));
                        }
                        continue;
                    }
                }
            }
            break Err(server_error(err, sql));
        };
        if let Some(since) = busy_since {
            self.db.stats.waited(1, since.elapsed().as_nanos() as u64);
        }
        result
    }
}

/// What a statement is for the failure rules: a user's COMMIT/END is a commit (its outcome is
/// unknown when the answer is lost), ROLLBACK a rollback, a read-only statement a read.
fn op_of(kind: Kind, class: Class, sql: &[u8]) -> Op {
    if kind == Kind::TxnControl {
        let i = crate::conn::skip_trivia(sql, b"(");
        let word = |w: &[u8]| {
            sql[i..]
                .get(..w.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(w))
        };
        if word(b"COMMIT") || word(b"END") {
            return Op::Commit;
        }
        if word(b"ROLLBACK") {
            return Op::Rollback;
        }
    }
    if class.readonly {
        Op::Read
    } else {
        Op::Write
    }
}

/// True for a statement whose effect stays on the server's connection after the session ends
/// (the pool would hand it to the next session): a pragma that sets something, ATTACH/DETACH,
/// or CREATE TEMP. Such a session's connection is closed instead of pooled ("reset what you
/// know, evict what you don't", as the local pool does for what it cannot undo).
fn leaves_state(kind: Kind, sql: &[u8]) -> bool {
    let text =
        String::from_utf8_lossy(&sql[crate::conn::skip_trivia(sql, b"(")..]).to_ascii_uppercase();
    let mut words = text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
    let words: Vec<&str> = words.by_ref().filter(|w| !w.is_empty()).take(3).collect();
    match kind {
        Kind::Pragma => text.contains('='),
        Kind::NoTxn => matches!(words.first(), Some(&"ATTACH" | &"DETACH")),
        _ => {
            words.first() == Some(&"CREATE") && matches!(words.get(1), Some(&"TEMP" | &"TEMPORARY"))
        }
    }
}

fn columns_id(columns: usize) -> i64 {
    columns as i64 + 1
}

fn busy_timeout(config: &Config) -> Duration {
    Duration::from_millis(config.busy_timeout_ms as u64)
}

fn leader_timeout(config: &Config) -> Duration {
    Duration::from_millis(config.dqlite_leader_timeout_ms as u64)
}

/// A server's refusal as the local path reports SQLite's: the same extended code, so the same
/// SQLState; a failure to compile is a syntax-class error as locally.
fn server_error(err: shmlite_dqlite::Error, sql: &[u8]) -> Error {
    let text = String::from_utf8_lossy(sql);
    match err {
        shmlite_dqlite::Error::Server { code, message } => {
            let at_prepare = code & 0xff == 1
                && (message.contains("syntax error")
                    || message.starts_with("no such")
                    || message.contains("already exists"));
            Error::sqlite(code as i32, message, Some(&text), at_prepare)
        }
        other => Error::Misuse(format!("{other} [SQL: {text}]")),
    }
}

/// Labels of a writing statement's RETURNING list (its rows never come back over the protocol;
/// Java asks only to describe the generated keys of an INSERT it rewrote that way).
fn returning_names(sql: &[u8], columns: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(sql);
    let upper = text.to_ascii_uppercase();
    let Some(at) = upper.rfind("RETURNING") else {
        return Vec::new();
    };
    let list = text[at + "RETURNING".len()..].trim().trim_end_matches(';');
    let names: Vec<String> = list
        .split(',')
        .map(|n| n.trim().trim_matches('`').replace("``", "`"))
        .collect();
    if names.len() == columns {
        names
    } else {
        Vec::new()
    }
}

/// The parameters of one row, as dqlite values borrowing the JNI buffer.
fn decode_params<'a>(buf: &'a [u8], count: usize, out: &mut Vec<ValueRef<'a>>) -> Result<usize> {
    out.clear();
    wire::read_params(buf, count, |_, p| {
        out.push(match p {
            Param::Null => ValueRef::Null,
            Param::Integer(v) => ValueRef::Integer(v),
            Param::Real(v) => ValueRef::Float(v),
            Param::Text(b) => ValueRef::Text(b),
            Param::Blob(b) => ValueRef::Blob(b),
        });
        Ok(())
    })
}

impl RemoteSession {
    fn check_not_lost(&self) -> Result<()> {
        match &self.txn_lost {
            Some(why) if !self.autocommit => Err(Error::TxnAborted(why.clone())),
            _ => Ok(()),
        }
    }

    /// Runs one statement with one parameter row: [`Outcome::Rows`] leaves its result set
    /// streaming on the connection.
    fn run_entry(&mut self, idx: usize, params: &[ValueRef<'_>]) -> Result<Outcome> {
        let e = self.entry(idx);
        let (sql, class, kind) = (e.sql.clone(), e.class, e.kind);
        let rows = class.readonly && class.columns > 0;
        let op = op_of(kind, class, &sql);
        let result = self.before_statement(kind, class, &sql).and_then(|()| {
            self.request(&sql, op, |c| {
                let p = c.prepared(&sql)?;
                if rows {
                    c.conn.start_query(p.stmt, params).map(|_| Outcome::Rows)
                } else {
                    c.conn.exec(p.stmt, params).map(Outcome::Exec)
                }
            })
        });
        // Also after a failed BEGIN or refusal: the gate is not kept by a statement that never ran.
        self.after_statement(kind, &sql, result.is_ok());
        result
    }

    /// Binds one parameter row, runs the statement and writes the header and first rows to `out`.
    pub fn execute(
        &mut self,
        handle: i64,
        params: &[u8],
        out: &mut [u8],
        timeout_ms: u32,
    ) -> Result<()> {
        self.check_open()?;
        self.check_not_lost()?;
        let idx = self.index(handle)?;
        self.end_rows(idx);
        self.park_cursor();
        let started = if timeout_ms == 0 { 0 } else { now_ns() };
        let mut values = Vec::new();
        decode_params(params, self.entry(idx).class.params, &mut values)?;
        self.ctl
            .arm_for(self.owner, self.config.busy_timeout_ms, started, timeout_ms);
        let result = self.run_entry(idx, &values).and_then(|o| match o {
            Outcome::Exec(r) => {
                let e = self.entry(idx);
                let flags = FLAG_DONE
                    | if e.class.columns > 0 {
                        FLAG_RESULT_SET
                    } else {
                        0
                    };
                Header {
                    flags,
                    changes: r.rows_affected as i64,
                    last_rowid: r.last_insert_id as i64,
                    end: HEADER as i32,
                    ..Header::default()
                }
                .write(out);
                Ok(())
            }
            Outcome::Rows => {
                let names = self.conn.as_ref().map(|c| c.conn.columns()).unwrap_or(&[]);
                let e = self.handles.at(idx);
                let changed = names.len() != e.class.columns;
                if changed || e.names.as_ref().is_none_or(|n| n.as_slice() != names) {
                    e.names = Some(names.to_vec());
                }
                if changed {
                    // A schema change made the statement's columns change (SELECT * after ADD
                    // COLUMN): the rows carry the new ones, and Java is told.
                    e.class.columns = names.len();
                    let sql = e.sql.clone();
                    if let Some(c) = self.conn.as_mut() {
                        c.forget_class(&sql, e.class);
                    }
                }
                let e = self.entry(idx);
                e.streaming = true;
                e.pending = true;
                e.timeout_ms = timeout_ms;
                e.started_ns = started;
                self.cursor = Some(idx);
                self.fill(idx, out)?;
                if changed {
                    Header::add_flags(out, FLAG_COLUMNS_CHANGED);
                }
                Ok(())
            }
        });
        self.ctl.disarm();
        result
    }

    /// Writes the next rows of a running statement.
    pub fn fetch(&mut self, handle: i64, out: &mut [u8]) -> Result<()> {
        self.check_open()?;
        let idx = self.index(handle)?;
        let e = self.entry(idx);
        if !e.pending {
            Header {
                flags: FLAG_RESULT_SET | FLAG_DONE,
                end: HEADER as i32,
                ..Header::default()
            }
            .write(out);
            return Ok(());
        }
        let (started, timeout) = (e.started_ns, e.timeout_ms);
        self.ctl
            .arm_for(self.owner, self.config.busy_timeout_ms, started, timeout);
        let result = if self.ctl.query_expired() {
            let elapsed = self.ctl.elapsed_ms();
            self.end_rows(idx);
            Err(Error::QueryTimeout(elapsed))
        } else {
            self.fill(idx, out)
        };
        self.ctl.disarm();
        result
    }

    /// Encodes kept rows, then streamed ones, as many as fit (the shared JNI row encoder).
    fn fill(&mut self, idx: usize, out: &mut [u8]) -> Result<()> {
        let mut pos = HEADER;
        let mut rows = 0i32;
        let e = self.handles.at(idx);
        let columns = e.class.columns;
        while let Some(row) = e.kept.front() {
            match wire::encode_row(&KeptRow(row), columns, out, pos) {
                Some(end) => {
                    pos = end;
                    rows += 1;
                    let row = e.kept.pop_front().expect("front");
                    e.kept_bytes -= wire::row_size(&KeptRow(&row), columns) as usize;
                }
                None => {
                    let size = wire::row_size(&KeptRow(row), columns);
                    let r = wire::end_full_batch(out, rows, size, pos);
                    if r.is_err() {
                        self.end_rows(idx);
                    }
                    return r;
                }
            }
        }
        if let Some(why) = e.abandoned.take() {
            self.end_rows(idx);
            return Err(Error::Misuse(why));
        }
        if e.streaming {
            let c = self
                .conn
                .as_mut()
                .expect("a streaming result set has its connection");
            loop {
                if self.ctl.is_cancelled() || self.ctl.query_expired() {
                    let err = if self.ctl.is_cancelled() {
                        Error::Cancelled
                    } else {
                        Error::QueryTimeout(self.ctl.elapsed_ms())
                    };
                    self.end_rows(idx);
                    return Err(err);
                }
                match c.conn.next_row() {
                    Ok(Some(row)) => {
                        let r = StreamRow(row);
                        match wire::encode_row(&r, columns, out, pos) {
                            Some(end) => {
                                pos = end;
                                rows += 1;
                            }
                            None => {
                                let size = wire::row_size(&r, columns);
                                let kept = keep(&r.0);
                                e.kept_bytes += size as usize;
                                e.kept.push_back(kept);
                                let res = wire::end_full_batch(out, rows, size, pos);
                                if res.is_err() {
                                    self.end_rows(idx);
                                }
                                return res;
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(err) => {
                        let sql = e.sql.clone();
                        self.cursor = None;
                        e.streaming = false;
                        e.pending = false;
                        if err.needs_rediscovery() {
                            self.drop_conn();
                        }
                        return Err(server_error(err, &sql));
                    }
                }
            }
            self.cursor = None;
            let e = self.entry(idx);
            e.streaming = false;
        }
        let e = self.entry(idx);
        e.pending = false;
        Header {
            flags: FLAG_RESULT_SET | FLAG_DONE,
            rows,
            end: pos as i32,
            ..Header::default()
        }
        .write(out);
        Ok(())
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
        if out.len() < HEADER + rows * 16 {
            return Err(Error::Misuse(format!(
                "batch result buffer holds {} bytes, {} needed",
                out.len(),
                HEADER + rows * 16
            )));
        }
        self.check_open()?;
        self.check_not_lost()?;
        let idx = self.index(handle)?;
        self.end_rows(idx);
        self.park_cursor();
        let started = if timeout_ms == 0 { 0 } else { now_ns() };
        self.ctl
            .arm_for(self.owner, self.config.busy_timeout_ms, started, timeout_ms);
        let count = self.entry(idx).class.params;
        let mut done = 0usize;
        let mut last_rowid = 0i64;
        let mut pos = 0usize;
        let mut values = Vec::new();
        let result = (|| {
            for _ in 0..rows {
                pos += decode_params(&params[pos..], count, &mut values)?;
                let (changes, rowid) = match self.run_entry(idx, &values)? {
                    Outcome::Exec(r) => (r.rows_affected as i64, r.last_insert_id as i64),
                    Outcome::Rows => {
                        // A query in a batch (Java refuses most): its rows are not wanted.
                        self.end_rows(idx);
                        (0, last_rowid)
                    }
                };
                let at = HEADER + done * 16;
                out[at..at + 8].copy_from_slice(&changes.to_le_bytes());
                out[at + 8..at + 16].copy_from_slice(&rowid.to_le_bytes());
                last_rowid = rowid;
                done += 1;
            }
            Ok(())
        })();
        self.ctl.disarm();
        Header {
            flags: FLAG_DONE,
            rows: done as i32,
            last_rowid,
            end: (HEADER + done * 16) as i32,
            ..Header::default()
        }
        .write(out);
        result
    }

    /// Runs every statement of `sql`, discarding rows; returns the total changes.
    pub fn execute_script(&mut self, sql: &[u8], timeout_ms: u32) -> Result<i64> {
        self.check_open()?;
        crate::session::refuse_nul(sql)?;
        self.check_not_lost()?;
        self.park_cursor();
        let started = if timeout_ms == 0 { 0 } else { now_ns() };
        self.ctl
            .arm_for(self.owner, self.config.busy_timeout_ms, started, timeout_ms);
        let result = (|| {
            let mut rest = sql;
            let mut total = 0i64;
            while !crate::conn::only_trivia(rest) {
                let tail = first_statement(rest);
                let first = &rest[..tail];
                rest = &rest[tail..];
                if crate::conn::only_trivia(first) {
                    continue;
                }
                let class =
                    self.request(first, Op::Read, |c| c.prepared(first).map(|p| p.class))?;
                let kind = kind_of(first);
                let rows = class.readonly && class.columns > 0;
                let op = op_of(kind, class, first);
                let nulls = vec![ValueRef::Null; class.params];
                let r = self.before_statement(kind, class, first);
                let r = r.and_then(|()| {
                    self.request(first, op, |c| {
                        let p = c.prepared(first)?;
                        if rows {
                            c.conn.start_query(p.stmt, &nulls)?;
                            while c.conn.next_row()?.is_some() {}
                            Ok(0)
                        } else {
                            c.conn.exec(p.stmt, &nulls).map(|r| r.rows_affected as i64)
                        }
                    })
                });
                self.after_statement(kind, first, r.is_ok());
                total += r?;
            }
            Ok(total)
        })();
        self.ctl.disarm();
        result
    }

    /// JDBC autoCommit as this session has it (the savepoint rule reads it).
    pub fn autocommit(&self) -> bool {
        self.autocommit
    }

    /// JDBC autoCommit; turning it on commits an open transaction first.
    pub fn set_autocommit(&mut self, on: bool) -> Result<()> {
        if on && !self.autocommit {
            self.commit()?;
        }
        self.autocommit = on;
        Ok(())
    }

    /// True when a transaction is open.
    pub fn in_transaction(&mut self) -> Result<bool> {
        self.check_open()?;
        Ok(self.txn_open)
    }

    /// Commits the open transaction, if any.
    pub fn commit(&mut self) -> Result<()> {
        self.end_transaction(true)
    }

    /// Rolls back the open transaction, if any.
    pub fn rollback(&mut self) -> Result<()> {
        self.end_transaction(false)
    }

    fn end_transaction(&mut self, commit: bool) -> Result<()> {
        self.check_open()?;
        if let Some(why) = self.txn_lost.take() {
            if commit {
                return Err(Error::CommitOfAborted(why));
            }
        }
        if !self.txn_open {
            return Ok(());
        }
        // Result sets do not survive the transaction (CLOSE_CURSORS_AT_COMMIT).
        for idx in 0..self.handles.slot_count() {
            if self.handles.at_opt(idx).is_some_and(|e| e.pending) {
                self.end_rows(idx);
            }
        }
        let verb = if commit { "COMMIT" } else { "ROLLBACK" };
        let op = if commit { Op::Commit } else { Op::Rollback };
        self.ctl.arm_for(0, self.config.busy_timeout_ms, 0, 0);
        let result = self.request(verb.as_bytes(), op, |c| c.conn.exec_sql(verb, &[]));
        self.ctl.disarm();
        let result = match result {
            // The transaction went with its connection: rolled back all the same.
            Err(Error::LeaderChanged(_)) if !commit => Ok(()),
            // SQLite on the server had rolled it back already (e.g. ON CONFLICT ROLLBACK), which
            // the session cannot see over the protocol.
            Err(Error::Sqlite { ref message, .. })
                if message.contains("no transaction is active") =>
            {
                if commit {
                    Err(Error::CommitOfAborted(
                        "the server had rolled the transaction back".into(),
                    ))
                } else {
                    Ok(())
                }
            }
            Err(e @ (Error::LockTimeout { .. } | Error::Cancelled)) => return Err(e),
            other => other.map(|_| ()),
        };
        self.txn_open = false;
        self.reading = false;
        self.txn_lost = None;
        self.after_statement(Kind::TxnControl, verb.as_bytes(), false);
        if result.is_ok() {
            if commit {
                self.db.stats.commits.fetch_add(1, Relaxed);
            } else {
                self.db.stats.rollbacks.fetch_add(1, Relaxed);
            }
        }
        result
    }

    /// `PRAGMA data_version` of the session's connection (with the connection's id: values of
    /// two connections are not comparable).
    fn data_version(&mut self) -> Result<(u64, i64)> {
        const SQL: &str = "PRAGMA data_version";
        self.park_cursor();
        self.request(SQL.as_bytes(), Op::Read, |c| {
            c.conn.start_query_sql(SQL, &[])?;
            let mut v = 0;
            while let Some(row) = c.conn.next_row()? {
                v = row.get(0).and_then(|v| v.as_i64()).unwrap_or(0);
            }
            Ok((c.id, v))
        })
    }

    /// Blocks until another connection has committed since the last call (or the session
    /// opened), or `timeout_ms` passes, by polling `PRAGMA data_version` every
    /// [`AWAIT_POLL_INTERVAL`]. A leader change counts as a change (the new connection's
    /// version cannot be compared).
    pub fn await_change(&mut self, timeout_ms: u32) -> Result<bool> {
        self.check_open()?;
        if self.txn_open {
            return Err(Error::Misuse(
                "awaitChange needs no open transaction: a transaction sees a fixed snapshot, so commit or roll back first".into(),
            ));
        }
        let deadline = Instant::now() + Duration::from_millis(timeout_ms as u64);
        self.ctl.arm_for(0, self.config.busy_timeout_ms, 0, 0);
        let result = loop {
            let v = match self.data_version() {
                Ok(v) => v,
                Err(e) => break Err(e),
            };
            if self.seen_version != Some(v) {
                let first = self.seen_version.is_none();
                self.seen_version = Some(v);
                if !first {
                    break Ok(true);
                }
            }
            let now = Instant::now();
            if now >= deadline {
                break Ok(false);
            }
            if self.ctl.is_cancelled() {
                break Err(Error::Cancelled);
            }
            if thread_interrupted() {
                break Err(Error::Interrupted(
                    "another connection's commit (awaitChange)".into(),
                ));
            }
            std::thread::sleep((deadline - now).min(AWAIT_POLL_INTERVAL));
        };
        self.ctl.disarm();
        result
    }

    /// Read-only flag: writes are refused from the next statement.
    pub fn set_read_only(&mut self, on: bool) {
        self.read_only = on;
    }

    /// JDBC isolation level: READ_COMMITTED and READ_UNCOMMITTED run reads before the first
    /// write outside a transaction (there is no read_uncommitted remotely); the rest is
    /// SERIALIZABLE.
    pub fn set_isolation(&mut self, level: i32) {
        self.isolation = Isolation::from_jdbc(level);
    }

    /// True while the session is open (a lost connection is replaced by the next statement).
    pub fn ping(&mut self) -> bool {
        !self.closed
    }

    /// Ends the session: result sets closed, transaction rolled back, connection returned.
    pub fn close(&mut self, reclaimed: bool) {
        if self.closed {
            return;
        }
        self.cancel.detach();
        if let Some(idx) = self.cursor {
            self.end_rows(idx);
        }
        drop(self.handles.take_all());
        let mut reusable = true;
        if self.txn_open {
            self.ctl.arm_for(0, self.config.busy_timeout_ms, 0, 0);
            reusable = match self.conn.as_mut() {
                Some(c) => c.conn.exec_sql("ROLLBACK", &[]).is_ok(),
                None => true,
            };
            self.ctl.disarm();
            self.txn_open = false;
            self.db.stats.rollbacks.fetch_add(1, Relaxed);
        }
        if self.gate {
            self.gate = false;
            self.db.release_gate();
        }
        if let Some(c) = self.conn.take() {
            self.db.give_back(c, reusable && !self.dirty);
        }
        if reclaimed {
            self.db.stats.sessions_reclaimed.fetch_add(1, Relaxed);
        }
        self.closed = true;
    }
}

impl Drop for RemoteSession {
    fn drop(&mut self) {
        self.close(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_do_not_depend_on_the_seed_order() {
        let a = key_of(&["h2:1".into(), "h1:1".into()], "db");
        let b = key_of(&["h1:1".into(), "h2:1".into()], "db");
        assert_eq!(a, b);
        assert_eq!(a, "dqlite://h1:1,h2:1/db");
    }

    #[test]
    fn state_that_outlives_the_session_is_recognised() {
        let k = |s: &str| leaves_state(kind_of(s.as_bytes()), s.as_bytes());
        assert!(k("PRAGMA foreign_keys=ON"));
        assert!(k("pragma main.cache_size = 10"));
        assert!(!k("PRAGMA table_info(t)"));
        assert!(!k("PRAGMA foreign_keys"));
        assert!(k("CREATE TEMP TABLE x(a)"));
        assert!(k("create temporary view v AS SELECT 1"));
        assert!(!k("CREATE TABLE temp_things(a)"));
        assert!(k("ATTACH 'x.db' AS x"));
        assert!(!k("INSERT INTO t VALUES('PRAGMA a=1')"));
    }

    #[test]
    fn user_transaction_statements_follow_the_commit_rules() {
        let class = Class {
            columns: 0,
            readonly: true,
            params: 0,
        };
        let op = |s: &str| op_of(kind_of(s.as_bytes()), class, s.as_bytes());
        assert_eq!(op("COMMIT"), Op::Commit);
        assert_eq!(op(" end transaction"), Op::Commit);
        assert_eq!(op("ROLLBACK"), Op::Rollback);
        assert_eq!(op("BEGIN IMMEDIATE"), Op::Read);
        assert_eq!(op("ROLLBACK TO sp"), Op::Read);
        let write = Class {
            readonly: false,
            ..class
        };
        assert_eq!(
            op_of(Kind::Normal, write, b"INSERT INTO t VALUES(1)"),
            Op::Write
        );
    }

    #[test]
    fn returning_labels_come_from_the_clause() {
        assert_eq!(
            returning_names(b"INSERT INTO t(v) VALUES(1)\nRETURNING rowid", 1),
            vec!["rowid".to_string()]
        );
        assert_eq!(
            returning_names(b"INSERT INTO t VALUES(1) RETURNING rowid, `id`", 2),
            vec!["rowid".to_string(), "id".to_string()]
        );
        assert!(returning_names(b"INSERT INTO t VALUES(1)", 0).is_empty());
    }
}
