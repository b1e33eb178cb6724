//! shmlite-core: all database logic of the shmlite JDBC driver, with no JNI in sight.
//!
//! The layers, bottom up: [`ffi`] (raw statements and SQLite callbacks, the only `unsafe`),
//! [`control`] (deadlines, cancel, lock waits), [`conn`] (a configured connection with its
//! statement cache; [`reset`] says what closing undoes), [`database`] (pool, keeper, stats) and
//! [`registry`] (named databases),
//! [`session`] (one JDBC connection: statements and the transaction state machine).
//! [`url`], [`config`], [`error`] and [`wire`] define what crosses the boundary.

pub mod attach;
pub mod config;
pub mod conn;
pub mod control;
pub mod database;
pub mod describe;
pub mod error;
pub mod ffi;
mod readlog;
pub mod registry;
pub mod reset;
pub mod session;
pub mod shm;
pub mod sqlite_props;
pub mod stack;
pub mod stats;
pub mod url;
pub mod watch;
pub mod wire;

pub use error::{Error, JdbcFace, Result};
pub use session::{Session, StmtInfo};
