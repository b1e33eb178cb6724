//! shmlite-core: all database logic of the shmlite JDBC driver, with no JNI in sight.
//!
//! The layers, bottom up: [`ffi`] (raw statements and SQLite callbacks; with [`watch`]'s
//! inotify/poll/mmap calls, `sqlite_mutex` (SQLite's mutexes), `memvfs` (the in-memory VFS of
//! `mem:`, its bytes in `membytes`) and the stack bound in `ffi::thread_stack_low`, the crate's
//! only `unsafe`, each block with its `// SAFETY:` comment, enforced by the workspace lints),
//! [`control`] (deadlines, cancel, lock waits; [`gate`]: writer preference), [`conn`] (a configured connection with its
//! statement cache; [`reset`] says what closing undoes), [`database`] (pool, keeper, stats) and
//! [`registry`] (named databases),
//! [`session`] (one JDBC connection: the transaction state machine and lock waits, over its
//! statement handle table, `handles`, and change notification, `change`).
//! [`url`], [`config`] (over the one property table, [`properties`]), [`error`] and [`wire`]
//! define what crosses the boundary.

pub mod attach;
pub mod backup;
mod change;
pub mod config;
mod conn;
pub mod control;
pub mod database;
pub mod describe;
pub mod error;
mod ffi;
pub mod gate;
mod handles;
mod membytes;
mod memvfs;
pub mod properties;
mod readlog;
pub mod registry;
pub mod remote;
mod reset;
pub mod savepoint;
pub mod session;
pub mod shm;
#[cfg(test)]
mod sql_corpus;
mod sqlite_mutex;
pub mod sqlite_props;
mod stack;
pub mod stats;
#[cfg(test)]
mod test_dir;
pub mod url;
mod watch;
pub mod wire;

pub use error::{Error, JdbcFace, Result};
pub use ffi::sqlite_version;
pub use session::{Session, StmtInfo};

/// For benchmarks that measure the driver's bridge against raw SQLite on the same engine: sets
/// SQLite up as the driver does (its mutexes, allocator guard, memory statistics off, the
/// `shmlite-mem` VFS) and returns the URI of a database named `name` in process memory there, as
/// `mem:NAME` opens it. Open with `SQLITE_OPEN_URI`, then `PRAGMA journal_mode=WAL`.
pub fn bench_mem_uri(name: &str) -> String {
    ffi::configure_library();
    memvfs::uri(name)
}
