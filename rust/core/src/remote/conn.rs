//! One protocol connection of the pool ([`RemoteConn`]): the dqlite connection with the
//! database open, plus its statements prepared on the server and what each is (result columns,
//! read-only), learnt once per SQL text.

use crate::error::{Error, Result};
use crate::wire::RowSource;
use libsqlite3_sys as sys;
use shmlite_dqlite::{codes, Cluster, Connection, Row, StmtInfo, Value, ValueRef};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Statements kept prepared on the server per connection; past it the oldest half is finalized
/// (an application's distinct SQL texts are usually far fewer).
pub const STMT_CACHE: usize = 256;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// What a statement is, as SQLite on the leader compiled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    /// Result columns (`sqlite3_column_count`).
    pub columns: usize,
    /// `sqlite3_stmt_readonly`.
    pub readonly: bool,
    /// Parameters.
    pub params: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Prepared {
    pub stmt: StmtInfo,
    pub class: Class,
    /// Order of preparation (cache eviction).
    seq: u64,
}

/// A pooled protocol connection.
#[derive(Debug)]
pub struct RemoteConn {
    pub conn: Connection,
    /// Unique per connection: a statement prepared on another connection is prepared again.
    pub id: u64,
    stmts: HashMap<Box<[u8]>, Prepared>,
    seq: u64,
    foreign_keys: bool,
}

impl RemoteConn {
    /// A registered leader connection with database `name` open, found until `deadline`.
    pub fn open(cluster: &Cluster, name: &str, deadline: Instant) -> Result<RemoteConn> {
        loop {
            let mut conn = cluster
                .connect_leader_until(deadline)
                .map_err(|e| no_leader(cluster, e))?;
            match conn.open(name) {
                Ok(_) => {
                    return Ok(RemoteConn {
                        conn,
                        id: NEXT_ID.fetch_add(1, Relaxed),
                        stmts: HashMap::new(),
                        seq: 0,
                        // dqlite opens its connections with foreign keys on (unlike SQLite):
                        // the session's `foreign_keys` (default off) is applied on top.
                        foreign_keys: true,
                    });
                }
                // The leader changed between LEADER and OPEN: search again.
                Err(e) if e.needs_rediscovery() && Instant::now() < deadline => {
                    std::thread::sleep(shmlite_dqlite::cluster::DISCOVERY_BACKOFF_MIN)
                }
                Err(e) => return Err(no_leader(cluster, e)),
            }
        }
    }

    /// The node this connection talks to.
    pub fn addr(&self) -> &str {
        self.conn.addr()
    }

    /// Not broken by an earlier transport or decoding failure.
    pub fn is_usable(&self) -> bool {
        !self.conn.is_broken()
    }

    /// `PRAGMA foreign_keys` is per connection on the server: set when the session wants
    /// another value than the connection has.
    pub fn set_foreign_keys(&mut self, on: bool) -> Result<()> {
        if self.foreign_keys != on {
            let sql = if on {
                "PRAGMA foreign_keys=ON"
            } else {
                "PRAGMA foreign_keys=OFF"
            };
            self.conn.exec_sql(sql, &[]).map_err(|e| {
                Error::sqlite(
                    e.code().unwrap_or(1) as i32,
                    e.to_string(),
                    Some(sql),
                    false,
                )
            })?;
            self.foreign_keys = on;
        }
        Ok(())
    }

    /// The statement prepared for `sql` (one statement, as [`first_statement`] cut it): from
    /// the cache, or PREPARE plus one `EXPLAIN` on the leader to learn its class. The dqlite
    /// protocol reports only the parameter count, and a QUERY of a statement that writes must
    /// never be sent (dqlite 1.11's leader crashed on one), so the class comes from the
    /// compiled program itself.
    pub fn prepared(&mut self, sql: &[u8]) -> std::result::Result<Prepared, shmlite_dqlite::Error> {
        if let Some(p) = self.stmts.get(sql) {
            return Ok(*p);
        }
        let text = std::str::from_utf8(sql).map_err(|_| shmlite_dqlite::Error::NulInText)?;
        let stmt = self.conn.prepare(text)?;
        let class = match explain_only(sql) {
            Some(columns) => Class {
                columns,
                readonly: true,
                params: stmt.params as usize,
            },
            None => self.classify(text, stmt.params as usize)?,
        };
        if self.stmts.len() >= STMT_CACHE {
            self.evict();
        }
        self.seq += 1;
        let p = Prepared {
            stmt,
            class,
            seq: self.seq,
        };
        self.stmts.insert(sql.into(), p);
        Ok(p)
    }

    /// Records a statement's new class (its columns changed with the schema).
    pub fn forget_class(&mut self, sql: &[u8], class: Class) {
        if let Some(p) = self.stmts.get_mut(sql) {
            p.class = class;
        }
    }

    /// Forgets a statement the server no longer knows (or whose class changed).
    pub fn forget(&mut self, sql: &[u8]) {
        if let Some(p) = self.stmts.remove(sql) {
            let _ = self.conn.finalize(p.stmt);
        }
    }

    fn evict(&mut self) {
        let mut seqs: Vec<u64> = self.stmts.values().map(|p| p.seq).collect();
        seqs.sort_unstable();
        let cut = seqs[seqs.len() / 2];
        let old: Vec<Box<[u8]>> = self
            .stmts
            .iter()
            .filter(|(_, p)| p.seq <= cut)
            .map(|(k, _)| k.clone())
            .collect();
        for k in old {
            self.forget(&k);
        }
    }

    /// `EXPLAIN sql`: the result column count is the register count of its ResultRow, and the
    /// statement writes when SQLite's `sqlite3_stmt_readonly` would say so (vdbeaux.c: a
    /// Transaction opcode with a write flag, or Checkpoint, Vacuum, JournalMode).
    fn classify(
        &mut self,
        sql: &str,
        params: usize,
    ) -> std::result::Result<Class, shmlite_dqlite::Error> {
        let mut columns = None;
        let mut readonly = true;
        let explain = format!("EXPLAIN {sql}");
        self.conn.start_query_sql(&explain, &[])?;
        while let Some(row) = self.conn.next_row()? {
            let opcode = row.get(1).and_then(|v| v.as_str().map(str::to_owned));
            let p2 = row.get(3).and_then(|v| v.as_i64()).unwrap_or(0);
            match opcode.as_deref() {
                Some("ResultRow") if columns.is_none() => columns = Some(p2.max(0) as usize),
                Some("Transaction") if p2 != 0 => readonly = false,
                Some("Checkpoint" | "Vacuum" | "JournalMode") => readonly = false,
                _ => {}
            }
        }
        Ok(Class {
            columns: columns.unwrap_or(0),
            readonly,
            params,
        })
    }
}

/// An `EXPLAIN` statement itself (which cannot be explained again): its column count.
fn explain_only(sql: &[u8]) -> Option<usize> {
    let text =
        String::from_utf8_lossy(&sql[crate::conn::skip_trivia(sql, b"")..]).to_ascii_uppercase();
    let mut words = text.split_whitespace();
    if words.next() != Some("EXPLAIN") {
        return None;
    }
    Some(if words.next() == Some("QUERY") { 4 } else { 8 })
}

/// Where the first statement of `sql` ends (the byte after its `;`, or the end): the shortest
/// prefix ending in `;` that SQLite calls complete, so `;` in literals, comments and trigger
/// bodies do not cut. The same place SQLite's prepare reports as the tail.
pub fn first_statement(sql: &[u8]) -> usize {
    let mut buf = Vec::with_capacity(sql.len() + 1);
    for (i, &b) in sql.iter().enumerate() {
        if b == b';' {
            buf.clear();
            buf.extend_from_slice(&sql[..=i]);
            buf.push(0);
            if let Ok(c) = std::ffi::CStr::from_bytes_with_nul(&buf) {
                if crate::ffi::is_complete(c) {
                    return i + 1;
                }
            }
        }
    }
    sql.len()
}

/// The leader search failed: the cluster is unreachable for now (08006).
pub fn no_leader(cluster: &Cluster, e: shmlite_dqlite::Error) -> Error {
    match e {
        shmlite_dqlite::Error::NoLeader {
            seeds,
            waited,
            last,
        } => Error::NoLeader {
            seeds,
            waited_ms: waited.as_millis() as u64,
            last,
        },
        shmlite_dqlite::Error::Server { code, message } => {
            Error::sqlite(code as i32, message, None, false)
        }
        other => Error::NoLeader {
            seeds: cluster.seeds().join(","),
            waited_ms: 0,
            last: other.to_string(),
        },
    }
}

/// SQLite's fundamental type of a dqlite value.
fn type_of(v: &ValueRef<'_>) -> i32 {
    match v {
        ValueRef::Integer(_) | ValueRef::UnixTime(_) | ValueRef::Boolean(_) => sys::SQLITE_INTEGER,
        ValueRef::Float(_) => sys::SQLITE_FLOAT,
        ValueRef::Text(_) | ValueRef::Iso8601(_) => sys::SQLITE_TEXT,
        ValueRef::Blob(_) => sys::SQLITE_BLOB,
        ValueRef::Null => sys::SQLITE_NULL,
    }
}

fn bytes_of<'a>(v: &ValueRef<'a>) -> &'a [u8] {
    match *v {
        ValueRef::Text(b) | ValueRef::Iso8601(b) | ValueRef::Blob(b) => b,
        _ => &[],
    }
}

/// A streamed row as the JNI encoder reads it.
pub struct StreamRow<'a>(pub Row<'a>);

impl RowSource for StreamRow<'_> {
    fn column_type(&self, c: usize) -> i32 {
        self.0.get(c).map_or(sys::SQLITE_NULL, |v| type_of(&v))
    }
    fn column_i64(&self, c: usize) -> i64 {
        self.0.get(c).and_then(|v| v.as_i64()).unwrap_or(0)
    }
    fn column_f64(&self, c: usize) -> f64 {
        match self.0.get(c) {
            Some(ValueRef::Float(f)) => f,
            _ => 0.0,
        }
    }
    fn column_text(&self, c: usize) -> &[u8] {
        self.0.get(c).map_or(&[], |v| bytes_of(&v))
    }
    fn column_blob(&self, c: usize) -> &[u8] {
        self.column_text(c)
    }
    fn column_bytes(&self, c: usize) -> usize {
        self.column_text(c).len()
    }
}

/// A row read ahead and kept (the out buffer was full, or another statement needed the
/// connection), as the JNI encoder reads it.
pub struct KeptRow<'a>(pub &'a [Value]);

impl RowSource for KeptRow<'_> {
    fn column_type(&self, c: usize) -> i32 {
        self.0
            .get(c)
            .map_or(sys::SQLITE_NULL, |v| type_of(&v.as_ref()))
    }
    fn column_i64(&self, c: usize) -> i64 {
        self.0.get(c).and_then(|v| v.as_ref().as_i64()).unwrap_or(0)
    }
    fn column_f64(&self, c: usize) -> f64 {
        match self.0.get(c) {
            Some(Value::Float(f)) => *f,
            _ => 0.0,
        }
    }
    fn column_text(&self, c: usize) -> &[u8] {
        match self.0.get(c) {
            Some(Value::Text(b) | Value::Iso8601(b) | Value::Blob(b)) => b,
            _ => &[],
        }
    }
    fn column_blob(&self, c: usize) -> &[u8] {
        self.column_text(c)
    }
    fn column_bytes(&self, c: usize) -> usize {
        self.column_text(c).len()
    }
}

/// Copies a streamed row (rare: only at a batch boundary that the out buffer cut, or when
/// another statement needs the connection while this result set is open).
pub fn keep(row: &Row<'_>) -> Vec<Value> {
    (0..row.len())
        .map(|c| row.get(c).map_or(Value::Null, |v| v.to_owned()))
        .collect()
}

/// True for dqlite's "no such statement/database" after the server lost our ids.
pub fn is_stale_id(e: &shmlite_dqlite::Error) -> bool {
    e.code() == Some(codes::NOTFOUND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_statement_ends_where_sqlite_says() {
        let end = |s: &str| first_statement(s.as_bytes());
        assert_eq!(end("SELECT 1; SELECT 2"), 9);
        assert_eq!(end("SELECT 1"), 8);
        assert_eq!(end("SELECT 'a;b'; x"), 13);
        assert_eq!(end("SELECT \"a;b\" -- ;\n; x"), 19);
        assert_eq!(end("SELECT 1 /* ; */ ; y"), 18);
        let trigger = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES(1); DELETE FROM v; END;";
        assert_eq!(end(&format!("{trigger} SELECT 1")), trigger.len());
        assert_eq!(end(""), 0);
    }

    #[test]
    fn explain_statements_are_not_explained_again() {
        assert_eq!(explain_only(b"EXPLAIN SELECT 1"), Some(8));
        assert_eq!(explain_only(b" explain query plan SELECT 1"), Some(4));
        assert_eq!(explain_only(b"SELECT 1"), None);
    }
}
