//! Typed errors: what the server said (its dqlite/SQLite code and message), what broke on the
//! way (I/O, timeouts, malformed bytes), and what the client refused to send.

use std::io;
use std::time::Duration;

/// SQLite and dqlite result codes the client acts on. dqlite reports SQLite's extended codes,
/// plus its own in SQLite's IOERR family.
pub mod codes {
    /// SQLITE_ERROR.
    pub const ERROR: u64 = 1;
    /// SQLITE_BUSY: "database is locked" — another connection holds the write lock.
    pub const BUSY: u64 = 5;
    /// SQLITE_LOCKED.
    pub const LOCKED: u64 = 6;
    /// SQLITE_INTERRUPT.
    pub const INTERRUPT: u64 = 9;
    /// SQLITE_IOERR (primary code of dqlite's leadership codes).
    pub const IOERR: u64 = 10;
    /// SQLITE_NOTFOUND: dqlite answers it for a database or statement id it no longer knows,
    /// e.g. after a leadership change.
    pub const NOTFOUND: u64 = 12;
    /// SQLITE_CONSTRAINT.
    pub const CONSTRAINT: u64 = 19;
    /// SQLITE_IOERR_NOT_LEADER: the node is not the leader; the request was not executed.
    pub const IOERR_NOT_LEADER: u64 = IOERR | (40 << 8);
    /// SQLITE_IOERR_LEADERSHIP_LOST: leadership was lost while committing; the outcome of the
    /// transaction is unknown until a new leader is asked.
    pub const IOERR_LEADERSHIP_LOST: u64 = IOERR | (41 << 8);
    /// The pre-3.32.1 numbering of NOT_LEADER, still answered by old servers.
    pub const IOERR_NOT_LEADER_LEGACY: u64 = IOERR | (32 << 8);
    /// The pre-3.32.1 numbering of LEADERSHIP_LOST.
    pub const IOERR_LEADERSHIP_LOST_LEGACY: u64 = IOERR | (33 << 8);
    /// DQLITE_PROTO: the server could not parse our request.
    pub const PROTO: u64 = 1001;
}

/// A message that could not be decoded. Offsets are within the message body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A field runs past the end of the body.
    #[error("message truncated: {need} bytes needed at offset {at}")]
    Truncated {
        /// Offset of the field.
        at: usize,
        /// Bytes the field needs.
        need: usize,
    },
    /// Text without its terminating NUL.
    #[error("text without NUL terminator at offset {at}")]
    MissingNul {
        /// Offset of the text.
        at: usize,
    },
    /// Text that must be UTF-8 (names, addresses, messages) is not.
    #[error("text at offset {at} is not UTF-8")]
    BadUtf8 {
        /// Offset of the text.
        at: usize,
    },
    /// A value type code this client does not know.
    #[error("unknown value type {code} at offset {at}")]
    UnknownType {
        /// The code.
        code: u8,
        /// Offset of the value.
        at: usize,
    },
    /// An end-of-rows word that is neither all 0xee nor all 0xff.
    #[error("malformed end-of-rows marker at offset {at}")]
    BadMarker {
        /// Offset of the word.
        at: usize,
    },
    /// A count larger than the body could hold.
    #[error("count {count} at offset {at} exceeds the message")]
    BadCount {
        /// Offset of the count.
        at: usize,
        /// The count.
        count: u64,
    },
    /// Bytes left after the last field.
    #[error("{bytes} unexpected trailing bytes at offset {at}")]
    Trailing {
        /// Offset of the first unread byte.
        at: usize,
        /// How many.
        bytes: usize,
    },
    /// A header announcing a body beyond the client's bound.
    #[error("message body of {bytes} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Announced size.
        bytes: usize,
        /// The bound ([`crate::wire::MAX_BODY_BYTES`]).
        limit: usize,
    },
}

/// Everything a dqlite operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered FAILURE: SQLite's or dqlite's code and message.
    #[error("{message} (dqlite code {code})")]
    Server {
        /// Extended result code.
        code: u64,
        /// The server's message.
        message: String,
    },
    /// The TCP connection failed.
    #[error("I/O error with dqlite node {addr}: {source}")]
    Io {
        /// The node.
        addr: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Connecting, sending or receiving took longer than its bound.
    #[error("dqlite node {addr}: {op} timed out after {after:?}")]
    Timeout {
        /// The node.
        addr: String,
        /// What was being done ("connect", "read", "write").
        op: &'static str,
        /// The bound that expired.
        after: Duration,
    },
    /// The server sent bytes we cannot decode; the connection is unusable afterwards.
    #[error("malformed message from dqlite node: {0}")]
    Decode(#[from] DecodeError),
    /// The server answered with a message type the request does not allow.
    #[error("unexpected response type {got} to request type {request} (expected {expected})")]
    Unexpected {
        /// Request type code.
        request: u8,
        /// Expected response type.
        expected: u8,
        /// Received response type.
        got: u8,
    },
    /// An earlier failure left the protocol stream in an unknown state.
    #[error("dqlite connection is broken by an earlier error; open a new one")]
    Broken,
    /// No node acted as leader before the deadline.
    #[error("no dqlite leader found among {seeds} within {waited:?}; last error: {last}")]
    NoLeader {
        /// The seed list, comma-separated.
        seeds: String,
        /// How long the search went on.
        waited: Duration,
        /// The last error met while searching, or why nobody was leader.
        last: String,
    },
    /// Text parameters and SQL are NUL-terminated on the wire and cannot contain NUL.
    #[error("text containing NUL cannot be sent to dqlite")]
    NulInText,
    /// More parameters than a tuple can carry.
    #[error("{count} parameters exceed the protocol's limit")]
    TooManyParams {
        /// The count.
        count: usize,
    },
    /// A request beyond the client's size bound.
    #[error("request of {bytes} bytes exceeds the limit of {limit}")]
    RequestTooLarge {
        /// Its size.
        bytes: usize,
        /// The bound ([`crate::wire::MAX_REQUEST_BYTES`]).
        limit: usize,
    },
    /// A database request on a connection where no OPEN succeeded.
    #[error("no database is open on this dqlite connection (open one first)")]
    NoDatabase,
    /// A seed address that does not resolve.
    #[error("bad dqlite address {addr:?}: {reason}")]
    BadAddress {
        /// The address as given.
        addr: String,
        /// Why.
        reason: String,
    },
}

impl Error {
    /// The server's result code, if the server answered FAILURE.
    pub fn code(&self) -> Option<u64> {
        match self {
            Error::Server { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// "database is locked" (SQLITE_BUSY or SQLITE_LOCKED, any extended code): the statement was
    /// not executed and may be retried after a back-off.
    pub fn is_busy(&self) -> bool {
        matches!(self.code(), Some(c) if (c & 0xff) == codes::BUSY || (c & 0xff) == codes::LOCKED)
    }

    /// The node refused because it is not the leader; nothing was executed.
    pub fn is_not_leader(&self) -> bool {
        matches!(
            self.code(),
            Some(codes::IOERR_NOT_LEADER) | Some(codes::IOERR_NOT_LEADER_LEGACY)
        )
    }

    /// Leadership was lost while the request ran: a commit may or may not have happened.
    pub fn is_leadership_lost(&self) -> bool {
        matches!(
            self.code(),
            Some(codes::IOERR_LEADERSHIP_LOST) | Some(codes::IOERR_LEADERSHIP_LOST_LEGACY)
        )
    }

    /// The connection can no longer be used (transport failure, timeout, corrupt stream): the
    /// caller must connect again, to the leader it discovers anew.
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            Error::Io { .. } | Error::Timeout { .. } | Error::Decode(_) | Error::Broken
        )
    }

    /// Whether the caller should look for a new leader before retrying: a refusal from a
    /// follower, a lost leadership, a database/statement the node forgot (after a leader
    /// change), or a lost connection. Whether the retry is *safe* is a separate question: see
    /// [`Error::is_unapplied`].
    pub fn needs_rediscovery(&self) -> bool {
        self.is_not_leader()
            || self.is_leadership_lost()
            || self.code() == Some(codes::NOTFOUND)
            || self.is_connection_lost()
    }

    /// The request is known not to have changed the database (refused before it ran), so an
    /// autocommit write may be sent again without risk of applying it twice.
    pub fn is_unapplied(&self) -> bool {
        self.is_busy() || self.is_not_leader()
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: u64) -> Error {
        Error::Server {
            code,
            message: "x".into(),
        }
    }

    #[test]
    fn classification() {
        assert!(server(5).is_busy());
        assert!(server(5 | (2 << 8)).is_busy());
        assert!(server(6).is_busy());
        assert!(!server(19).is_busy());
        assert!(server(10250).is_not_leader());
        assert!(server(10250).is_unapplied());
        assert!(server(10506).is_leadership_lost());
        assert!(!server(10506).is_unapplied());
        assert!(server(10506).needs_rediscovery());
        assert!(server(12).needs_rediscovery());
        assert!(Error::Broken.is_connection_lost());
        assert!(!server(1).needs_rediscovery());
        assert_eq!(codes::IOERR_NOT_LEADER, 10250);
        assert_eq!(codes::IOERR_LEADERSHIP_LOST, 10506);
    }
}
