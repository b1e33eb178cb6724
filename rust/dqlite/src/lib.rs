//! shmlite's client for dqlite, Canonical's Raft-replicated SQLite, speaking its documented
//! client wire protocol over TCP (no libdqlite, no Go).
//!
//! - [`wire`]: words, header, padding; [`value`]: parameters and row batches; [`message`]: one
//!   encoder/decoder per request and response type. All decoding is bounds-checked and returns
//!   [`DecodeError`], never panics.
//! - [`Connection`]: handshake, LEADER/CLIENT/OPEN, PREPARE/EXEC/QUERY/FINALIZE,
//!   EXEC_SQL/QUERY_SQL, INTERRUPT, CLUSTER and membership requests, with connect/read/write
//!   timeouts; [`Rows`] streams result sets batch by batch.
//! - [`Cluster`]: leader discovery from seeds, re-discovery on "not leader" and lost connections,
//!   "database is locked" waited out with back-off, all bounded by deadlines.
//!
//! No maintained Rust crate speaks this protocol (crates.io's `dqlite` is an empty 0.0.0
//! placeholder), hence this crate.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cluster;
pub mod conn;
pub mod error;
pub mod message;
pub mod value;
pub mod wire;

pub use cluster::{BusyBackoff, Cluster};
pub use conn::{Connection, Options, Row, Rows};
pub use error::{codes, DecodeError, Error, Result};
pub use message::{ExecResult, NodeInfo, Role, StmtInfo};
pub use value::{Value, ValueRef};
