//! What can go wrong when starting, joining or stopping a node.

use std::path::PathBuf;
use std::time::Duration;

/// The Debian/Ubuntu package that installs `libdqlite.so.0` (`libdqlite-dev` depends on it).
pub const DEBIAN_PACKAGE: &str = "libdqlite0";

/// Result of this crate's calls.
pub type Result<T> = std::result::Result<T, Error>;

/// A node that cannot be started, joined or stopped, and why.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node id is 0 (dqlite ids are positive).
    #[error(
        "bad node id {id}: node ids are 1 to 18446744073709551615 (id 1 bootstraps a new cluster)"
    )]
    BadId {
        /// The id as given.
        id: u64,
    },
    /// An address (the node's own, its bind address or a `--join` one) that libdqlite cannot use.
    #[error("bad {what} {addr:?}: {reason}")]
    BadAddress {
        /// Which address: "node address", "bind address", "join address".
        what: &'static str,
        /// The address as given.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The data directory cannot be created or is not safe to use.
    #[error("data directory {}: {reason}", path.display())]
    DataDir {
        /// The directory as given.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A combination that would split or orphan a cluster (e.g. a new node other than id 1
    /// without `--join`).
    #[error("{0}")]
    Refused(String),
    /// libdqlite is not installed (or lacks a symbol of the node API).
    #[error(
        "libdqlite could not be loaded ({detail}); install it, on Debian/Ubuntu: \
         apt-get install {DEBIAN_PACKAGE}"
    )]
    LibraryMissing {
        /// dlopen's or dlsym's message.
        detail: String,
    },
    /// A libdqlite call returned an error code.
    #[error("libdqlite {call} failed (code {code}){}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Dqlite {
        /// The function.
        call: &'static str,
        /// Its return code.
        code: i32,
        /// `dqlite_node_errmsg`, when the node had one.
        message: String,
    },
    /// The cluster already has this id at another address, or this address under another id.
    #[error("cannot join: {0}")]
    Conflict(String),
    /// Joining did not succeed within the bound.
    #[error("joining the cluster through {seeds} did not succeed within {waited:?}: {last}")]
    Join {
        /// The `--join` addresses.
        seeds: String,
        /// How long it tried.
        waited: Duration,
        /// The last failure.
        last: String,
    },
}

impl Error {
    /// True for errors in what the caller gave (id, addresses, data directory, combination, an
    /// id or address the cluster already has): fixing the command line fixes them.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Error::BadId { .. }
                | Error::BadAddress { .. }
                | Error::DataDir { .. }
                | Error::Refused(_)
                | Error::Conflict(_)
        )
    }
}
