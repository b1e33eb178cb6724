//! The reads of a read transaction on a WAL database, kept so that its first write can survive a
//! stale snapshot when nothing it read has changed (README "Transactions").
//!
//! SQLite's WAL snapshot covers the whole database: any commit by another connection between a
//! transaction's first read and its first write makes the upgrade fail (SQLITE_BUSY_SNAPSHOT),
//! even when the commit touched nothing the transaction read (Hibernate's id allocation, a
//! Spring REQUIRES_NEW audit row). The log keeps each read's SQL, parameters and a hash of the
//! rows handed to Java. On such a conflict the session begins again IMMEDIATE (write lock and
//! newest snapshot) and runs every read again: when all return the same rows, the transaction is
//! exactly one that ran after those commits, so its write goes on (serializable); otherwise it
//! fails with 40001 as without the log.

use crate::conn::NativeConn;
use crate::wire;
use libsqlite3_sys as sys;
use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::ops::Range;

/// SQL and parameter bytes one read transaction's log keeps; past it the transaction is no longer
/// replayable (a stale upgrade is then a 40001, as without the log).
pub const MAX_LOG_BYTES: usize = 64 * 1024;
/// Reads one log keeps (each is run again under the write lock when the snapshot went stale).
pub const MAX_LOG_READS: usize = 64;

#[derive(Debug)]
struct Read {
    sql: Range<usize>,
    params: Range<usize>,
    rows: u64,
    /// Streaming hash of the encoded rows, in the order Java received them.
    hash: DefaultHasher,
    /// The statement ran to its end (no cursor left open on the old snapshot).
    done: bool,
}

/// What the open read transaction has read. Buffers keep their capacity between transactions,
/// so logging allocates nothing once warm.
#[derive(Debug, Default)]
pub struct ReadLog {
    arena: Vec<u8>,
    reads: Vec<Read>,
    replayable: bool,
}

impl ReadLog {
    /// Starts the log of a new read transaction.
    pub fn clear(&mut self) {
        self.arena.clear();
        self.reads.clear();
        self.replayable = true;
    }

    /// The transaction did something a replay cannot repeat (e.g. a savepoint).
    pub fn disable(&mut self) {
        self.replayable = false;
    }

    /// Records a read about to run; its index for [`ReadLog::rows`], or None when not logging.
    pub fn start(&mut self, sql: &[u8], params: &[u8]) -> Option<usize> {
        if !self.replayable {
            return None;
        }
        if self.reads.len() >= MAX_LOG_READS
            || self.arena.len() + sql.len() + params.len() > MAX_LOG_BYTES
        {
            self.replayable = false;
            return None;
        }
        let at = self.arena.len();
        self.arena.extend_from_slice(sql);
        self.arena.extend_from_slice(params);
        self.reads.push(Read {
            sql: at..at + sql.len(),
            params: at + sql.len()..self.arena.len(),
            rows: 0,
            hash: DefaultHasher::new(),
            done: false,
        });
        Some(self.reads.len() - 1)
    }

    /// Notes rows handed to Java (`bytes` holds `n` encoded rows) and whether the read ended.
    pub fn rows(&mut self, index: usize, bytes: &[u8], n: u64, done: bool) {
        if let Some(r) = self.reads.get_mut(index) {
            r.hash.write(bytes);
            r.rows += n;
            r.done |= done;
        }
    }

    /// True when [`ReadLog::replay`] can decide: logging was on for the whole transaction and
    /// every read ran to its end.
    pub fn replayable(&self) -> bool {
        self.replayable && self.reads.iter().all(|r| r.done)
    }

    /// Runs every logged read again (the caller holds the write lock, on the newest snapshot):
    /// true when each gives exactly the rows it gave before. Any error counts as a difference.
    pub fn replay(&self, conn: &mut NativeConn) -> bool {
        let mut scratch = Vec::new();
        self.reads.iter().all(|r| {
            let sql = &self.arena[r.sql.clone()];
            let Ok((Some(mut stmt), _, _)) = conn.prepare_cached(sql) else {
                return false;
            };
            let same = same_rows(&mut stmt, &self.arena[r.params.clone()], r, &mut scratch);
            conn.cache_put(sql.into(), stmt);
            same
        })
    }
}

fn same_rows(stmt: &mut crate::ffi::Stmt, params: &[u8], r: &Read, scratch: &mut Vec<u8>) -> bool {
    if wire::bind_row(stmt, params, stmt.param_count()).is_err() {
        return false;
    }
    let columns = stmt.column_count();
    let mut hash = DefaultHasher::new();
    let mut rows = 0u64;
    loop {
        match stmt.step() {
            sys::SQLITE_ROW => {
                // A row too big for one buffer (over 2 GiB) cannot have been read the same way.
                let Ok(size) = usize::try_from(wire::row_size(stmt, columns)) else {
                    return false;
                };
                if scratch.len() < size {
                    scratch.resize(size, 0);
                }
                let Some(end) = wire::encode_row(stmt, columns, scratch, 0) else {
                    return false;
                };
                hash.write(&scratch[..end]);
                rows += 1;
            }
            sys::SQLITE_DONE => break,
            _ => return false,
        }
    }
    stmt.reset();
    rows == r.rows && hash.finish() == r.hash.clone().finish()
}
