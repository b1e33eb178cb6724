//! The validated configuration of a connection ([`Config`]) and the enums its properties take.
//! Names, accepted values, defaults, levels and docs of the properties are in one table,
//! [`crate::properties::PROPERTIES`]; [`Config::set`], [`Config::defaults`] and
//! [`Config::settings`] go through it.
//!
//! Every value that reaches SQLite is one of the validated enums or integers below, never the
//! user's text, so no pragma is ever built from unchecked input.

use crate::error::{Error, Result};
use crate::properties::{self, PROPERTIES};
use crate::url::Target;

/// Journal modes SQLite accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalMode {
    Delete,
    Truncate,
    Persist,
    Memory,
    Wal,
    Off,
}

impl JournalMode {
    /// Every mode, in declaration order (`m as usize` indexes it and [`JOURNAL_MODES`]).
    pub const ALL: [JournalMode; 6] = [
        JournalMode::Delete,
        JournalMode::Truncate,
        JournalMode::Persist,
        JournalMode::Memory,
        JournalMode::Wal,
        JournalMode::Off,
    ];
}

/// `journal_mode` values (SQL keywords), in [`JournalMode::ALL`] order.
pub const JOURNAL_MODES: [&str; 6] = ["DELETE", "TRUNCATE", "PERSIST", "MEMORY", "WAL", "OFF"];

/// `PRAGMA synchronous` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Off,
    Normal,
    Full,
    Extra,
}

impl Synchronous {
    /// Every level, in declaration order (`s as usize` indexes it and [`SYNCHRONOUS_LEVELS`]).
    pub const ALL: [Synchronous; 4] = [
        Synchronous::Off,
        Synchronous::Normal,
        Synchronous::Full,
        Synchronous::Extra,
    ];
}

/// `synchronous` values (SQL keywords), in [`Synchronous::ALL`] order.
pub const SYNCHRONOUS_LEVELS: [&str; 4] = ["OFF", "NORMAL", "FULL", "EXTRA"];

/// How the lazy BEGIN starts a transaction (README "Transactions"). Except for
/// `AlwaysImmediate`, a transaction whose first statement only reads (SQLite's
/// `sqlite3_stmt_readonly`) begins DEFERRED, takes no write lock and upgrades at its first write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnMode {
    /// Every transaction begins DEFERRED, also when its first statement writes (sqlite-jdbc's rule).
    Deferred,
    /// Write-first transactions begin IMMEDIATE, read-first ones DEFERRED (the default).
    Immediate,
    /// Write-first transactions begin EXCLUSIVE, read-first ones DEFERRED.
    Exclusive,
    /// Every transaction begins IMMEDIATE at its first statement, even a SELECT: read-modify-write
    /// never needs a retry, and read transactions serialize behind each other and the writer.
    AlwaysImmediate,
}

impl TxnMode {
    /// Every mode, in declaration order (`m as usize` indexes it and [`TXN_MODES`]).
    pub const ALL: [TxnMode; 4] = [
        TxnMode::Deferred,
        TxnMode::Immediate,
        TxnMode::Exclusive,
        TxnMode::AlwaysImmediate,
    ];
}

/// `transaction_mode` values, in [`TxnMode::ALL`] order.
pub const TXN_MODES: [&str; 4] = ["DEFERRED", "IMMEDIATE", "EXCLUSIVE", "ALWAYS_IMMEDIATE"];

/// The JDBC isolation level in force on a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// TRANSACTION_SERIALIZABLE (also what REPEATABLE_READ gets): reads run inside the
    /// transaction, a stale read is a 40001 at the first write.
    Serializable,
    /// TRANSACTION_READ_COMMITTED: until its first write a transaction's reads run outside any
    /// transaction (each sees the latest commit and holds nothing after it); the BEGIN comes at
    /// the first write.
    ReadCommitted,
    /// TRANSACTION_READ_UNCOMMITTED: READ_COMMITTED's rule, plus `read_uncommitted` on shared-cache
    /// `mem:` databases (reads take no table read locks and can see uncommitted rows).
    ReadUncommitted,
}

impl Isolation {
    /// From a `java.sql.Connection` level: 1 and 2 are the read levels, the rest serializable.
    pub fn from_jdbc(level: i32) -> Self {
        match level {
            1 => Isolation::ReadUncommitted,
            2 => Isolation::ReadCommitted,
            _ => Isolation::Serializable,
        }
    }
}

/// Storage of `java.sql.Date/Time/Timestamp` (read by the Java side; sqlite-jdbc compatible).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateClass {
    Integer,
    Real,
    Text,
}

impl DateClass {
    /// Every class, in declaration order (`d as usize` indexes it and [`DATE_CLASSES`]).
    pub const ALL: [DateClass; 3] = [DateClass::Integer, DateClass::Real, DateClass::Text];
}

/// `date_class` values, in [`DateClass::ALL`] order.
pub const DATE_CLASSES: [&str; 3] = ["INTEGER", "REAL", "TEXT"];

/// Unit of INTEGER dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePrecision {
    Milliseconds,
    Seconds,
}

impl DatePrecision {
    /// Every unit, in declaration order (`d as usize` indexes it and [`DATE_PRECISIONS`]).
    pub const ALL: [DatePrecision; 2] = [DatePrecision::Milliseconds, DatePrecision::Seconds];
}

/// `date_precision` values, in [`DatePrecision::ALL`] order.
pub const DATE_PRECISIONS: [&str; 2] = ["MILLISECONDS", "SECONDS"];

/// Fully validated properties of one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub journal_mode: Option<JournalMode>,
    pub synchronous: Option<Synchronous>,
    pub foreign_keys: bool,
    pub busy_timeout_ms: u32,
    pub transaction_mode: TxnMode,
    pub read_uncommitted: bool,
    pub cache_size: Option<i64>,
    pub read_only_open: bool,
    /// open_mode READWRITE_CREATE (the default): create a missing database file.
    pub create: bool,
    pub read_only: bool,
    pub pool_size: usize,
    pub pool_timeout_ms: u32,
    pub keep_alive: bool,
    pub date_class: DateClass,
    pub date_precision: DatePrecision,
    pub date_string_format: String,
    pub shm_dir: Option<String>,
    pub wal_limit_mb: u32,
    /// SQLite's defensive mode: SQL cannot deliberately corrupt the database file
    /// (`PRAGMA writable_schema`, `journal_mode=OFF`, `schema_version=N`, writes to shadow tables).
    pub defensive: bool,
    /// sqlite-jdbc's pragma and limit properties ([`crate::sqlite_props::PROPS`]), by index.
    pub sqlite: crate::sqlite_props::Values,
    /// `init_from=PATH`: a `mem:` database is loaded from this SQLite file when it is created
    /// (database-level; see `backup::load_into`).
    pub init_from: Option<String>,
    /// Names the user set explicitly (database-level ones are checked against a live database).
    pub explicit: Vec<&'static str>,
    /// `dqlite://` only: bound on one TCP connect to one node (ms).
    pub dqlite_connect_timeout_ms: u32,
    /// `dqlite://` only: bound on one response of the cluster (ms); a request past it has an
    /// unknown outcome.
    pub dqlite_read_timeout_ms: u32,
    /// `dqlite://` only: how long a statement waits for the cluster to have a leader (ms).
    pub dqlite_leader_timeout_ms: u32,
    /// The URL is `dqlite://`: which properties apply (`properties::Scope`).
    pub remote: bool,
}

/// Default `busy_timeout`: bounds every lock wait.
pub const DEFAULT_BUSY_TIMEOUT_MS: u32 = 5000;
/// Default `pool_timeout`: how long an open waits for a free pooled connection (HikariCP's default too).
pub const DEFAULT_POOL_TIMEOUT_MS: u32 = 30_000;
/// Default `wal_limit_mb`: past it a commit waits for readers and empties the WAL (a TRUNCATE
/// checkpoint, `control.rs` `checkpoint_due`).
pub const DEFAULT_WAL_LIMIT_MB: u32 = 16;
/// Largest `pool_size` accepted.
pub const MAX_POOL_SIZE: usize = 1024;

/// Default `pool_size`: 4 per core, at least 16 (MyBatis POOLED defaults to 10 active, HikariCP to 10).
pub fn default_pool_size() -> usize {
    // Cached: available_parallelism reads cgroup files, tens of µs that every open would pay.
    static SIZE: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        (cores * 4).clamp(16, MAX_POOL_SIZE)
    });
    *SIZE
}

impl Config {
    /// Defaults for a target (the table's `default` column): WAL and synchronous NORMAL for
    /// `shm:` and `mem:NAME`, SQLite's own elsewhere. Built once per kind of target, then cloned.
    pub fn defaults(target: &Target) -> Self {
        static SHM: std::sync::LazyLock<Config> =
            std::sync::LazyLock::new(|| Config::from_table(&Target::Shm(String::new())));
        static OTHER: std::sync::LazyLock<Config> =
            std::sync::LazyLock::new(|| Config::from_table(&Target::PrivateMem));
        let mut c = match target {
            Target::Shm(_) | Target::Mem(_) => SHM.clone(),
            _ => OTHER.clone(),
        };
        c.remote = matches!(target, Target::Dqlite { .. });
        c
    }

    /// Every property at its table default for `target`.
    fn from_table(target: &Target) -> Self {
        // Placeholders only: each property with a default overwrites its field below.
        let mut c = Config {
            journal_mode: None,
            synchronous: None,
            foreign_keys: false,
            busy_timeout_ms: 0,
            transaction_mode: TxnMode::Immediate,
            read_uncommitted: false,
            cache_size: None,
            read_only_open: false,
            create: false,
            read_only: false,
            pool_size: 0,
            pool_timeout_ms: 0,
            keep_alive: false,
            date_class: DateClass::Integer,
            date_precision: DatePrecision::Milliseconds,
            date_string_format: String::new(),
            shm_dir: None,
            wal_limit_mb: 0,
            defensive: false,
            sqlite: [None; crate::sqlite_props::COUNT],
            init_from: None,
            explicit: Vec::new(),
            dqlite_connect_timeout_ms: 0,
            dqlite_read_timeout_ms: 0,
            dqlite_leader_timeout_ms: 0,
            remote: false,
        };
        for p in PROPERTIES {
            let d = p.default_text(target);
            if !d.is_empty() {
                // Checked for every property and target by `properties::tests`.
                p.set(&mut c, &d)
                    .unwrap_or_else(|e| panic!("default of {}: {e}", p.name));
            }
        }
        c
    }

    /// Applies `key=value` pairs in order (later ones win), validating each.
    pub fn from_pairs<'a>(
        target: &Target,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self> {
        let mut c = Config::defaults(target);
        for (k, v) in pairs {
            c.set(k, v)?;
        }
        // open_mode=READONLY means the same on every URL form: every connection is read-only
        // (PRAGMA query_only), also where SQLite's open flag alone does not refuse writes
        // (a shared-cache memory database), and reports isReadOnly() true.
        if c.read_only_open {
            c.read_only = true;
        }
        if c.init_from.is_some() && !matches!(target, Target::Mem(_)) {
            let v = c.init_from.clone().unwrap_or_default();
            return Err(invalid("init_from", &v, "a file path, on a mem:NAME URL only (shm: and file: databases persist; restore them with Shmlite.restore)"));
        }
        let remote = c.remote;
        for p in c.explicit.iter().filter_map(|n| properties::find(n)) {
            let name = p.name;
            if p.scope.applies(remote) {
                continue;
            }
            if remote {
                return Err(Error::Refused(format!("property '{name}' does not apply to a dqlite:// database: it configures a local SQLite connection, and the cluster's nodes run their own SQLite; remove it")));
            }
            return Err(Error::Refused(format!(
                "property '{name}' applies only to dqlite:// URLs"
            )));
        }
        if matches!(target, Target::Shm(_) | Target::Mem(_))
            && c.journal_mode != Some(JournalMode::Wal)
        {
            let v = c.journal_mode.map_or("", |m| journal_sql(m));
            return Err(invalid("journal_mode", v, "WAL (mem:NAME and shm: databases are always WAL, so that readers never wait for the writer)"));
        }
        Ok(c)
    }

    /// Validates and stores one property (named case-insensitively); a sqlite-jdbc property
    /// with no meaning here is refused with what to use instead.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let Some(p) = properties::find(key) else {
            if let Some(advice) = crate::sqlite_props::refused(key) {
                return Err(Error::UnsupportedProperty {
                    name: key.to_owned(),
                    advice,
                });
            }
            return Err(Error::UnknownProperty {
                name: key.to_owned(),
                valid: PROPERTIES
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        p.set(self, value)?;
        if !self.explicit.contains(&p.name) {
            self.explicit.push(p.name);
        }
        Ok(())
    }

    /// Every effective setting as (name, value) text in table order, for the Java side and
    /// for diagnostics; "" when unset, the credentials and the properties of the other URL form
    /// (dqlite timeouts on a local database, SQLite pragmas on a `dqlite://` one) left out.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        PROPERTIES
            .iter()
            .filter(|p| p.scope.applies(self.remote))
            .filter_map(|p| p.text(self).map(|v| (p.name, v)))
            .collect()
    }
}

/// SQL keyword for a journal mode.
pub fn journal_sql(m: JournalMode) -> &'static str {
    JOURNAL_MODES[m as usize]
}

/// SQL keyword for a synchronous level.
pub fn synchronous_sql(s: Synchronous) -> &'static str {
    SYNCHRONOUS_LEVELS[s as usize]
}

/// Property value of a transaction mode (the SQL keyword, except for ALWAYS_IMMEDIATE).
pub fn txn_sql(m: TxnMode) -> &'static str {
    TXN_MODES[m as usize]
}

fn invalid(name: &str, value: &str, valid: &str) -> Error {
    Error::InvalidProperty {
        name: name.to_owned(),
        value: value.to_owned(),
        valid: valid.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config> {
        Config::from_pairs(&Target::Mem("t".into()), pairs.iter().copied())
    }

    #[test]
    fn defaults_are_documented_ones() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.busy_timeout_ms, 5000);
        assert_eq!(c.transaction_mode, TxnMode::Immediate);
        assert!(!c.foreign_keys && c.keep_alive && !c.read_uncommitted && c.defensive);
        assert!(c.pool_size >= 16);
        let shm = Config::defaults(&Target::Shm("x".into()));
        assert_eq!(shm.journal_mode, Some(JournalMode::Wal));
        assert_eq!(shm.synchronous, Some(Synchronous::Normal));
    }

    #[test]
    fn values_parse_case_insensitively_and_later_wins() {
        let c = cfg(&[
            ("Journal_Mode", "wal"),
            ("synchronous", "off"),
            ("foreign_keys", "ON"),
            ("busy_timeout", "10"),
            ("busy_timeout", "20"),
            ("transaction_mode", "deferred"),
            ("open_mode", "1"),
            ("cache_size", "-4000"),
            ("user", "sa"),
            ("password", "x"),
        ])
        .unwrap();
        assert_eq!(c.journal_mode, Some(JournalMode::Wal));
        assert_eq!(c.synchronous, Some(Synchronous::Off));
        assert!(c.foreign_keys);
        assert_eq!(c.busy_timeout_ms, 20);
        assert_eq!(c.transaction_mode, TxnMode::Deferred);
        let always = cfg(&[("transaction_mode", "always_immediate")]).unwrap();
        assert_eq!(always.transaction_mode, TxnMode::AlwaysImmediate);
        assert_eq!(txn_sql(always.transaction_mode), "ALWAYS_IMMEDIATE");
        assert_eq!(Isolation::from_jdbc(4), Isolation::Serializable);
        assert_eq!(Isolation::from_jdbc(2), Isolation::ReadCommitted);
        assert!(c.read_only_open && !c.create);
        let rw = cfg(&[("open_mode", "READWRITE")]).unwrap();
        assert!(!rw.read_only_open && !rw.create);
        assert_eq!(c.cache_size, Some(-4000));
        assert!(c.explicit.contains(&"busy_timeout"));
    }

    #[test]
    fn unknown_and_invalid_values_name_the_problem() {
        let e = cfg(&[("nosuch", "1")]).unwrap_err().to_string();
        assert!(
            e.contains("'nosuch'") && e.contains("journal_mode") && e.contains("busy_timeout"),
            "{e}"
        );
        let e = cfg(&[("busy_timeout", "abc")]).unwrap_err().to_string();
        assert!(
            e.contains("busy_timeout") && e.contains("'abc'") && e.contains("integer"),
            "{e}"
        );
        let e = cfg(&[("journal_mode", "bogus")]).unwrap_err().to_string();
        assert!(e.contains("WAL") && e.contains("DELETE"), "{e}");
        let e = cfg(&[("pool_size", "0")]).unwrap_err().to_string();
        assert!(e.contains("from 1 to 1024"), "{e}");
        let e = cfg(&[("journal_mode", "WAL; DROP TABLE t")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("journal_mode"), "{e}");
        let e = Config::from_pairs(&Target::Shm("x".into()), [("journal_mode", "DELETE")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("always WAL"), "{e}");
    }

    #[test]
    fn settings_list_every_property_but_credentials() {
        let names: Vec<_> = cfg(&[])
            .unwrap()
            .settings()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let expected: Vec<_> = PROPERTIES
            .iter()
            .filter(|p| p.scope.applies(false))
            .map(|p| p.name)
            .filter(|n| *n != "user" && *n != "password")
            .collect();
        assert_eq!(names, expected);
        assert!(!names.contains(&"dqlite_read_timeout_ms"), "{names:?}");
        // a dqlite:// URL lists its own timeouts and none of the local connection's settings
        let dqlite = Target::Dqlite {
            seeds: vec!["127.0.0.1:9001".into()],
            name: "d".into(),
        };
        let remote: Vec<_> = Config::from_pairs(&dqlite, [])
            .unwrap()
            .settings()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(remote.contains(&"dqlite_read_timeout_ms"), "{remote:?}");
        assert!(!remote.contains(&"journal_mode"), "{remote:?}");
        assert!(remote.contains(&"busy_timeout"), "{remote:?}");
    }

    #[test]
    fn sqlite_jdbc_properties_are_accepted_or_refused_with_advice() {
        let c = cfg(&[("recursive_triggers", "true"), ("TEMP_STORE", "memory")]).unwrap();
        let settings = c.settings();
        let get = |n: &str| settings.iter().find(|(k, _)| *k == n).unwrap().1.clone();
        assert_eq!(get("recursive_triggers"), "true");
        assert_eq!(get("temp_store"), "MEMORY");
        assert_eq!(get("mmap_size"), "");
        let e = cfg(&[("journal_size_limit", "100")]).unwrap_err();
        assert_eq!(e.jdbc().sql_state, "08001");
        assert!(e.to_string().contains("wal_limit_mb"), "{e}");
        let e = cfg(&[("nosuch", "1")]).unwrap_err().to_string();
        assert!(
            e.contains("limit_attached") && e.contains("busy_timeout"),
            "{e}"
        );
        assert!(cfg(&[("secure_delete", "sometimes")]).is_err());
    }

    #[test]
    fn local_and_remote_properties_stay_on_their_side() {
        let remote = Target::Dqlite {
            seeds: vec!["h:1".into()],
            name: "db".into(),
        };
        for (k, v) in [
            ("journal_mode", "WAL"),
            ("shm_dir", "/dev/shm"),
            ("temp_store", "MEMORY"),
        ] {
            let e = Config::from_pairs(&remote, [(k, v)]).unwrap_err();
            assert_eq!(e.jdbc().sql_state, "08001", "{k}");
            assert!(
                e.to_string().contains(k) && e.to_string().contains("dqlite://"),
                "{e}"
            );
        }
        let c = Config::from_pairs(
            &remote,
            [
                ("busy_timeout", "7"),
                ("dqlite_leader_timeout_ms", "1234"),
                ("foreign_keys", "true"),
            ],
        )
        .unwrap();
        assert_eq!((c.busy_timeout_ms, c.dqlite_leader_timeout_ms), (7, 1234));
        let e = Config::from_pairs(&Target::Mem("m".into()), [("dqlite_read_timeout_ms", "5")])
            .unwrap_err();
        assert!(e.to_string().contains("only to dqlite://"), "{e}");
        assert!(Config::from_pairs(&remote, [("dqlite_connect_timeout_ms", "0")]).is_err());
    }
}
