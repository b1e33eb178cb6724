//! Typed errors and their JDBC face: exception class, SQLState and vendor code.
//!
//! Pools and Spring act on the class and the SQLState (see `docs/architecture.md`, "Facts the code relies on"),
//! so the mapping lives here, in one table, tested without a JVM. Recoverable conditions never
//! get SQLState class 08 or 0A000: HikariCP would evict a healthy connection.

use libsqlite3_sys as ffi;

/// Everything the core can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite returned an error; `code` is the extended result code.
    #[error("{message}{}", sql_suffix(.sql))]
    Sqlite {
        code: i32,
        message: String,
        sql: Option<String>,
        /// True when the statement failed to compile (syntax, unknown table...).
        at_prepare: bool,
    },
    #[error("invalid URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("unknown property '{name}'; valid properties are: {valid}")]
    UnknownProperty { name: String, valid: String },
    #[error("property '{name}' (of sqlite-jdbc) is not supported by shmlite: {advice}")]
    UnsupportedProperty { name: String, advice: &'static str },
    #[error("invalid value '{value}' for property '{name}'; valid values are: {valid}")]
    InvalidProperty {
        name: String,
        value: String,
        valid: String,
    },
    #[error("property '{name}' is '{live}' for the live database {key}, not '{wanted}'; a database-level property is fixed by the first connection that opens the database")]
    ConflictingProperty {
        key: String,
        name: &'static str,
        live: String,
        wanted: String,
    },
    #[error("{0} is closed")]
    Closed(&'static str),
    #[error("a result row of {bytes} bytes exceeds the {limit}-byte limit of one row (the largest buffer Java can allocate){}", sql_suffix(.sql))]
    RowTooBig {
        bytes: u64,
        limit: u64,
        sql: Option<String>,
    },
    #[error("timed out after {waited_ms} ms waiting for {lock}{}", sql_suffix(.sql))]
    LockTimeout {
        waited_ms: u64,
        lock: String,
        sql: Option<String>,
    },
    #[error("query timed out after {0} ms")]
    QueryTimeout(u64),
    #[error("statement was cancelled")]
    Cancelled,
    #[error("not enough stack: the thread had {left_kib} KiB left where this statement needs more than {need_kib} KiB (give the thread a larger stack, e.g. 512 KiB or more, or simplify the statement)")]
    StackTooSmall { left_kib: usize, need_kib: usize },
    #[error("the thread was interrupted (Thread.interrupt()) while waiting for {0}; its interrupt flag stays set")]
    Interrupted(String),
    /// SQLITE_LOCKED from this same connection (not another's: that is
    /// SQLITE_LOCKED_SHAREDCACHE): e.g. DROP TABLE while a SELECT of the same connection is
    /// still open. Waiting cannot help, the application must finish or close that statement.
    #[error("{message}: in use by {} of this same connection; close it (or read it to the end) first{}", open_list(.open), sql_suffix(.sql))]
    InUse {
        message: String,
        /// SQL of this connection's statements that are still running.
        open: Vec<String>,
        sql: Option<String>,
    },
    #[error("deadlock detected while waiting for {lock}; this transaction was rolled back so the other can finish{}", sql_suffix(.sql))]
    Deadlock { lock: String, sql: Option<String> },
    #[error("the transaction read a snapshot that another connection has since overwritten (SQLITE_BUSY_SNAPSHOT); it was rolled back, retry it{}", sql_suffix(.sql))]
    SnapshotConflict { sql: Option<String> },
    #[error("the transaction was rolled back by an earlier error ({0}); call rollback() to start a new one")]
    TxnAborted(String),
    #[error(
        "commit failed: the transaction had already been rolled back by an earlier error ({0})"
    )]
    CommitOfAborted(String),
    #[error("no connection available in the pool of {key} after {waited_ms} ms ({size} connections in use; raise pool_size or pool_timeout, or close connections)")]
    PoolExhausted {
        key: String,
        size: usize,
        waited_ms: u64,
    },
    #[error("database {0} was dropped")]
    Dropped(String),
    /// A savepoint operation (its SQL verb) in autocommit mode.
    #[error("{0} needs autoCommit false")]
    NeedsTransaction(&'static str),
    #[error("{0}")]
    Misuse(String),
    #[error("{0}")]
    Refused(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// `dqlite://`: no node of the cluster named a leader within `dqlite_leader_timeout_ms`
    /// (or none could be reached). SQLTransientConnectionException 08006: the connection to
    /// the cluster is really gone; a later call finds the leader again.
    #[error(
        "no leader of the dqlite cluster {seeds} could be reached within {waited_ms} ms ({last})"
    )]
    NoLeader {
        seeds: String,
        waited_ms: u64,
        last: String,
    },
    /// `dqlite://`: the request was sent but its outcome is unknown (leadership lost during a
    /// commit, or the connection lost before the answer): it may or may not have been applied.
    /// 08007 "transaction resolution unknown"; the session's transaction state is reset.
    #[error("the outcome of this statement is unknown: {0}; it may or may not have been committed (check before retrying)")]
    OutcomeUnknown(String),
    /// `dqlite://`: the leader changed (or the connection to it was lost) while a transaction
    /// was open; nothing of it was committed. 40001: retry the whole transaction.
    #[error(
        "the dqlite leader changed during the transaction ({0}); it was rolled back, retry it"
    )]
    LeaderChanged(String),
    /// Something the remote layer cannot do (0A000, SQLFeatureNotSupportedException).
    #[error("{0}")]
    NotSupported(String),
    /// A backup, restore or `init_from` file that cannot be used (missing, unwritable, not a
    /// database): SQLState 58030 (I/O error).
    #[error("{what} {path}: {reason}")]
    BackupFile {
        what: &'static str,
        path: String,
        reason: String,
        code: i32,
    },
}

fn open_list(open: &[String]) -> String {
    const MAX: usize = 200; // bound on each statement's SQL in the message
    if open.is_empty() {
        return "an open statement".to_owned();
    }
    let quoted: Vec<String> = open
        .iter()
        .map(|s| {
            let mut cut = s.len().min(MAX);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            let more = if cut < s.len() { "..." } else { "" };
            format!("[{}{more}]", &s[..cut])
        })
        .collect();
    format!("the open statement {}", quoted.join(", "))
}

/// Shorthand used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn sql_suffix(sql: &Option<String>) -> String {
    match sql {
        Some(s) if !s.is_empty() => {
            const MAX: usize = 300;
            if s.len() > MAX {
                let mut cut = MAX;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                format!(" [SQL: {}...]", &s[..cut])
            } else {
                format!(" [SQL: {s}]")
            }
        }
        _ => String::new(),
    }
}

/// The JDBC face of an error: which `java.sql` exception to throw and with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JdbcFace {
    /// JNI class name, e.g. `java/sql/SQLTimeoutException`.
    pub class: &'static str,
    pub sql_state: &'static str,
    pub vendor_code: i32,
}

/// SQLState "object in use" (SQLITE_LOCKED within one connection).
pub const IN_USE: &str = "55006";

const SQL_EXCEPTION: &str = "java/sql/SQLException";
const INTEGRITY: &str = "java/sql/SQLIntegrityConstraintViolationException";
const SYNTAX: &str = "java/sql/SQLSyntaxErrorException";
const ROLLBACK: &str = "java/sql/SQLTransactionRollbackException";
const TIMEOUT: &str = "java/sql/SQLTimeoutException";
const DATA: &str = "java/sql/SQLDataException";
const NON_TRANSIENT: &str = "java/sql/SQLNonTransientException";
const NON_TRANSIENT_CONN: &str = "java/sql/SQLNonTransientConnectionException";
const TRANSIENT_CONN: &str = "java/sql/SQLTransientConnectionException";
const TRANSIENT: &str = "java/sql/SQLTransientException";
const NOT_SUPPORTED: &str = "java/sql/SQLFeatureNotSupportedException";

impl Error {
    /// Builds a SQLite error from an extended result code and message.
    pub fn sqlite(
        code: i32,
        message: impl Into<String>,
        sql: Option<&str>,
        at_prepare: bool,
    ) -> Self {
        Error::Sqlite {
            code,
            message: message.into(),
            sql: sql.map(str::to_owned),
            at_prepare,
        }
    }

    /// The extended result code, or 0 when the error did not come from SQLite.
    pub fn code(&self) -> i32 {
        match self {
            Error::Sqlite { code, .. } => *code,
            Error::LockTimeout { .. } => ffi::SQLITE_BUSY,
            Error::Deadlock { .. } | Error::InUse { .. } => ffi::SQLITE_LOCKED,
            Error::SnapshotConflict { .. } => ffi::SQLITE_BUSY_SNAPSHOT,
            Error::QueryTimeout(_) | Error::Cancelled | Error::Interrupted(_) => {
                ffi::SQLITE_INTERRUPT
            }
            Error::RowTooBig { .. } => ffi::SQLITE_TOOBIG,
            Error::BackupFile { code, .. } => *code,
            _ => 0,
        }
    }

    /// Exception class, SQLState and vendor code for Java.
    pub fn jdbc(&self) -> JdbcFace {
        let (class, sql_state) = match self {
            Error::Sqlite {
                code,
                message,
                at_prepare,
                ..
            } => sqlite_face(*code, message, *at_prepare),
            Error::InvalidUrl { .. } => (NON_TRANSIENT_CONN, "08001"),
            Error::UnknownProperty { .. }
            | Error::InvalidProperty { .. }
            | Error::UnsupportedProperty { .. } => (NON_TRANSIENT_CONN, "08001"),
            Error::ConflictingProperty { .. } => (NON_TRANSIENT_CONN, "08001"),
            Error::Closed("connection") => (NON_TRANSIENT_CONN, "08003"),
            Error::Closed(_) => (SQL_EXCEPTION, "HY010"),
            Error::RowTooBig { .. } => (DATA, "22001"),
            Error::LockTimeout { .. } => (TIMEOUT, "HYT00"),
            Error::QueryTimeout(_) => (TIMEOUT, "HYT00"),
            Error::Cancelled => (TIMEOUT, "57014"),
            // PostgreSQL's "statement too complex" (stack depth limit exceeded).
            Error::StackTooSmall { .. } => (SQL_EXCEPTION, "54001"),
            // ODBC's "operation canceled"; transient: the same call may succeed when retried.
            Error::Interrupted(_) => (TRANSIENT, "HY008"),
            Error::Deadlock { .. } | Error::SnapshotConflict { .. } => (ROLLBACK, "40001"),
            Error::InUse { .. } => (SQL_EXCEPTION, IN_USE),
            Error::TxnAborted(_) => (SQL_EXCEPTION, "25P02"),
            Error::CommitOfAborted(_) => (ROLLBACK, "40000"),
            Error::PoolExhausted { .. } => (TRANSIENT_CONN, "08004"),
            Error::Dropped(_) => (NON_TRANSIENT_CONN, "08003"),
            // ISO SQL "invalid transaction state".
            Error::NeedsTransaction(_) => (SQL_EXCEPTION, "25000"),
            Error::Misuse(_) => (SQL_EXCEPTION, "HY000"),
            Error::Refused(_) => (NON_TRANSIENT_CONN, "08001"),
            Error::Io { .. } => (NON_TRANSIENT_CONN, "08001"),
            Error::BackupFile { .. } => (SQL_EXCEPTION, "58030"),
            Error::NoLeader { .. } => (TRANSIENT_CONN, "08006"),
            Error::OutcomeUnknown(_) => (TRANSIENT_CONN, "08007"),
            Error::LeaderChanged(_) => (ROLLBACK, "40001"),
            Error::NotSupported(_) => (NOT_SUPPORTED, "0A000"),
        };
        JdbcFace {
            class,
            sql_state,
            vendor_code: self.code(),
        }
    }
}

fn sqlite_face(code: i32, message: &str, at_prepare: bool) -> (&'static str, &'static str) {
    match code {
        ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => (INTEGRITY, "23505"),
        ffi::SQLITE_CONSTRAINT_NOTNULL => (INTEGRITY, "23502"),
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => (INTEGRITY, "23503"),
        ffi::SQLITE_CONSTRAINT_CHECK => (INTEGRITY, "23514"),
        // Plain SQLITE_LOCKED is a conflict inside this connection: no wait ends it.
        ffi::SQLITE_LOCKED => (SQL_EXCEPTION, IN_USE),
        _ => match code & 0xff {
            ffi::SQLITE_CONSTRAINT => (INTEGRITY, "23000"),
            ffi::SQLITE_ERROR if at_prepare => (SYNTAX, syntax_state(message)),
            ffi::SQLITE_ERROR => (SQL_EXCEPTION, "HY000"),
            ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => (TIMEOUT, "HYT00"),
            ffi::SQLITE_INTERRUPT => (TIMEOUT, "57014"),
            ffi::SQLITE_READONLY => (SQL_EXCEPTION, "25006"),
            ffi::SQLITE_TOOBIG => (DATA, "22001"),
            ffi::SQLITE_MISMATCH => (DATA, "22000"),
            ffi::SQLITE_RANGE => (SQL_EXCEPTION, "07009"),
            ffi::SQLITE_NOMEM => (SQL_EXCEPTION, "53200"),
            ffi::SQLITE_FULL => (SQL_EXCEPTION, "53100"),
            ffi::SQLITE_IOERR => (SQL_EXCEPTION, "58030"),
            ffi::SQLITE_CORRUPT | ffi::SQLITE_NOTADB => (NON_TRANSIENT, "XX001"),
            ffi::SQLITE_CANTOPEN => (NON_TRANSIENT_CONN, "08001"),
            ffi::SQLITE_PERM | ffi::SQLITE_AUTH => (SQL_EXCEPTION, "42501"),
            ffi::SQLITE_MISUSE => (SQL_EXCEPTION, "HY010"),
            ffi::SQLITE_ABORT => (ROLLBACK, "40000"),
            _ => (SQL_EXCEPTION, "HY000"),
        },
    }
}

fn syntax_state(message: &str) -> &'static str {
    if message.starts_with("no such table") || message.starts_with("no such view") {
        "42S02"
    } else if message.starts_with("no such column") {
        "42S22"
    } else if message.contains("already exists") {
        "42S01"
    } else {
        "42000"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(code: i32, msg: &str, at_prepare: bool) -> JdbcFace {
        Error::sqlite(code, msg, Some("SELECT 1"), at_prepare).jdbc()
    }

    #[test]
    fn constraints_map_to_integrity_states() {
        assert_eq!(
            face(1555, "UNIQUE constraint failed", false).sql_state,
            "23505"
        );
        assert_eq!(
            face(2067, "UNIQUE constraint failed", false).class,
            INTEGRITY
        );
        assert_eq!(face(1299, "NOT NULL", false).sql_state, "23502");
        assert_eq!(face(787, "FOREIGN KEY", false).sql_state, "23503");
        assert_eq!(face(275, "CHECK", false).sql_state, "23514");
        assert_eq!(face(19, "constraint", false).sql_state, "23000");
        assert_eq!(face(1555, "x", false).vendor_code, 1555);
    }

    #[test]
    fn compile_errors_are_syntax_errors() {
        assert_eq!(face(1, "no such table: t", true).sql_state, "42S02");
        assert_eq!(face(1, "no such column: c", true).sql_state, "42S22");
        assert_eq!(face(1, "table t already exists", true).sql_state, "42S01");
        assert_eq!(face(1, "near \"SELEC\": syntax error", true).class, SYNTAX);
        assert_eq!(face(1, "runtime failure", false).class, SQL_EXCEPTION);
    }

    #[test]
    fn waits_and_conflicts_never_look_like_broken_connections() {
        let deadlock = Error::Deadlock {
            lock: "table t".into(),
            sql: None,
        }
        .jdbc();
        assert_eq!((deadlock.class, deadlock.sql_state), (ROLLBACK, "40001"));
        let timeout = Error::LockTimeout {
            waited_ms: 5,
            lock: "x".into(),
            sql: None,
        }
        .jdbc();
        assert_eq!(timeout.class, TIMEOUT);
        for e in [
            Error::Cancelled,
            Error::QueryTimeout(1),
            Error::SnapshotConflict { sql: None },
            Error::Misuse("x".into()),
        ] {
            let state = e.jdbc().sql_state;
            assert!(!state.starts_with("08") && state != "0A000", "{e}: {state}");
        }
    }

    #[test]
    fn locked_by_this_connection_is_object_in_use_never_a_wait() {
        // Plain SQLITE_LOCKED (6): this connection's own statement holds the table.
        let own = face(ffi::SQLITE_LOCKED, "database table is locked", false);
        assert_eq!((own.class, own.sql_state), (SQL_EXCEPTION, "55006"));
        // SQLITE_LOCKED_SHAREDCACHE (262): another connection's lock, a wait that timed out.
        let other = face(
            ffi::SQLITE_LOCKED_SHAREDCACHE,
            "database table is locked: t",
            false,
        );
        assert_eq!((other.class, other.sql_state), (TIMEOUT, "HYT00"));
        let e = Error::InUse {
            message: "database table is locked".into(),
            open: vec!["SELECT * FROM t".into()],
            sql: Some("DROP TABLE t".into()),
        };
        assert_eq!(
            (e.jdbc().class, e.jdbc().sql_state, e.code()),
            (SQL_EXCEPTION, "55006", ffi::SQLITE_LOCKED)
        );
        assert_eq!(
            e.to_string(),
            "database table is locked: in use by the open statement [SELECT * FROM t] of this same \
             connection; close it (or read it to the end) first [SQL: DROP TABLE t]"
        );
    }

    #[test]
    fn message_carries_the_sql() {
        let e = Error::sqlite(1, "near \"x\": syntax error", Some("x y z"), true);
        assert_eq!(e.to_string(), "near \"x\": syntax error [SQL: x y z]");
        let long = "é".repeat(400);
        assert!(Error::sqlite(1, "m", Some(&long), true)
            .to_string()
            .ends_with("...]"));
    }
}
