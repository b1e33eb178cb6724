//! Connection properties: names, defaults, validation.
//!
//! Every value that reaches SQLite is one of the validated enums or integers below, never the
//! user's text, so no pragma is ever built from unchecked input.

use crate::error::{Error, Result};
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

/// `PRAGMA synchronous` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Off,
    Normal,
    Full,
    Extra,
}

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

/// Unit of INTEGER dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePrecision {
    Milliseconds,
    Seconds,
}

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
}

/// Every property name, in the order the docs list them.
pub const NAMES: &[&str] = &[
    "journal_mode",
    "synchronous",
    "foreign_keys",
    "busy_timeout",
    "transaction_mode",
    "read_uncommitted",
    "cache_size",
    "open_mode",
    "read_only",
    "pool_size",
    "pool_timeout",
    "keep_alive",
    "date_class",
    "date_precision",
    "date_string_format",
    "shm_dir",
    "wal_limit_mb",
    "defensive",
    "init_from",
    "user",
    "password",
    "dqlite_connect_timeout_ms",
    "dqlite_read_timeout_ms",
    "dqlite_leader_timeout_ms",
];

/// Properties that configure the local SQLite connection or its files, refused on a
/// `dqlite://` URL (the cluster's nodes run their own SQLite): a setting that would be silently
/// ignored is an error (08001) instead. Every sqlite-jdbc pragma/limit property is refused too.
pub const LOCAL_ONLY: &[&str] = &[
    "journal_mode",
    "synchronous",
    "read_uncommitted",
    "cache_size",
    "open_mode",
    "keep_alive",
    "shm_dir",
    "wal_limit_mb",
    "defensive",
    "init_from",
];

/// Properties that only mean something on a `dqlite://` URL.
pub const REMOTE_ONLY: &[&str] = &[
    "dqlite_connect_timeout_ms",
    "dqlite_read_timeout_ms",
    "dqlite_leader_timeout_ms",
];

/// Default `busy_timeout`: bounds every lock wait.
pub const DEFAULT_BUSY_TIMEOUT_MS: u32 = 5000;
/// Default `pool_timeout`: how long an open waits for a free pooled connection (HikariCP's default too).
pub const DEFAULT_POOL_TIMEOUT_MS: u32 = 30_000;
/// Default `wal_limit_mb`: past it a commit waits for readers and truncates the WAL.
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
    /// Defaults for a target: WAL and synchronous NORMAL for `shm:`, SQLite's own elsewhere.
    pub fn defaults(target: &Target) -> Self {
        let shm = matches!(target, Target::Shm(_));
        Config {
            journal_mode: shm.then_some(JournalMode::Wal),
            synchronous: shm.then_some(Synchronous::Normal),
            foreign_keys: false,
            busy_timeout_ms: DEFAULT_BUSY_TIMEOUT_MS,
            transaction_mode: TxnMode::Immediate,
            read_uncommitted: false,
            cache_size: None,
            read_only_open: false,
            create: true,
            read_only: false,
            pool_size: default_pool_size(),
            pool_timeout_ms: DEFAULT_POOL_TIMEOUT_MS,
            keep_alive: true,
            date_class: DateClass::Integer,
            date_precision: DatePrecision::Milliseconds,
            date_string_format: "yyyy-MM-dd HH:mm:ss.SSS".to_owned(),
            shm_dir: None,
            wal_limit_mb: DEFAULT_WAL_LIMIT_MB,
            defensive: true,
            sqlite: [None; crate::sqlite_props::COUNT],
            init_from: None,
            explicit: Vec::new(),
            dqlite_connect_timeout_ms: shmlite_dqlite::conn::DEFAULT_CONNECT_TIMEOUT.as_millis()
                as u32,
            dqlite_read_timeout_ms: shmlite_dqlite::conn::DEFAULT_READ_TIMEOUT.as_millis() as u32,
            dqlite_leader_timeout_ms: shmlite_dqlite::cluster::DEFAULT_LEADER_TIMEOUT.as_millis()
                as u32,
        }
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
        let remote = matches!(target, Target::Dqlite { .. });
        for name in &c.explicit {
            let local_only = LOCAL_ONLY.contains(name)
                || crate::sqlite_props::PROPS.iter().any(|p| p.name == *name);
            if remote && local_only {
                return Err(Error::Refused(format!("property '{name}' does not apply to a dqlite:// database: it configures a local SQLite connection, and the cluster's nodes run their own SQLite; remove it")));
            }
            if !remote && REMOTE_ONLY.contains(name) {
                return Err(Error::Refused(format!(
                    "property '{name}' applies only to dqlite:// URLs"
                )));
            }
        }
        if matches!(target, Target::Shm(_)) && c.journal_mode != Some(JournalMode::Wal) {
            return Err(invalid("journal_mode", &format!("{:?}", c.journal_mode), "WAL (shm: databases are always WAL, so that other processes can read while one writes)"));
        }
        Ok(c)
    }

    /// Validates and stores one property.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        use crate::sqlite_props as props;
        if let Some(i) = props::index_of(key) {
            self.sqlite[i] = Some(props::parse(i, value)?);
            if !self.explicit.contains(&props::PROPS[i].name) {
                self.explicit.push(props::PROPS[i].name);
            }
            return Ok(());
        }
        if let Some(advice) = props::refused(key) {
            return Err(Error::UnsupportedProperty {
                name: key.to_owned(),
                advice,
            });
        }
        let name = NAMES
            .iter()
            .copied()
            .find(|n| n.eq_ignore_ascii_case(key))
            .ok_or_else(|| Error::UnknownProperty {
                name: key.to_owned(),
                valid: NAMES
                    .iter()
                    .copied()
                    .chain(props::PROPS.iter().map(|p| p.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let v = value.trim();
        match name {
            "journal_mode" => {
                self.journal_mode = Some(pick(
                    name,
                    v,
                    &[
                        ("DELETE", JournalMode::Delete),
                        ("TRUNCATE", JournalMode::Truncate),
                        ("PERSIST", JournalMode::Persist),
                        ("MEMORY", JournalMode::Memory),
                        ("WAL", JournalMode::Wal),
                        ("OFF", JournalMode::Off),
                    ],
                )?)
            }
            "synchronous" => {
                self.synchronous = Some(pick(
                    name,
                    v,
                    &[
                        ("OFF", Synchronous::Off),
                        ("0", Synchronous::Off),
                        ("NORMAL", Synchronous::Normal),
                        ("1", Synchronous::Normal),
                        ("FULL", Synchronous::Full),
                        ("2", Synchronous::Full),
                        ("EXTRA", Synchronous::Extra),
                        ("3", Synchronous::Extra),
                    ],
                )?)
            }
            "foreign_keys" => self.foreign_keys = boolean(name, v)?,
            "busy_timeout" => self.busy_timeout_ms = int(name, v, 0, i32::MAX as i64)? as u32,
            "transaction_mode" => {
                self.transaction_mode = pick(
                    name,
                    v,
                    &[
                        ("DEFERRED", TxnMode::Deferred),
                        ("IMMEDIATE", TxnMode::Immediate),
                        ("EXCLUSIVE", TxnMode::Exclusive),
                        ("ALWAYS_IMMEDIATE", TxnMode::AlwaysImmediate),
                    ],
                )?
            }
            "read_uncommitted" => self.read_uncommitted = boolean(name, v)?,
            "cache_size" => self.cache_size = Some(int(name, v, i32::MIN as i64, i32::MAX as i64)?),
            "open_mode" => {
                // sqlite-jdbc passes SQLITE_OPEN_* flag values; accept the plain ones by number too.
                (self.read_only_open, self.create) = pick(
                    name,
                    v,
                    &[
                        ("READONLY", (true, false)),
                        ("1", (true, false)),
                        ("READWRITE", (false, false)),
                        ("2", (false, false)),
                        ("READWRITE_CREATE", (false, true)),
                        ("6", (false, true)),
                    ],
                )?
            }
            "read_only" => self.read_only = boolean(name, v)?,
            "pool_size" => self.pool_size = int(name, v, 1, MAX_POOL_SIZE as i64)? as usize,
            "pool_timeout" => self.pool_timeout_ms = int(name, v, 0, i32::MAX as i64)? as u32,
            "keep_alive" => self.keep_alive = boolean(name, v)?,
            "date_class" => {
                self.date_class = pick(
                    name,
                    v,
                    &[
                        ("INTEGER", DateClass::Integer),
                        ("REAL", DateClass::Real),
                        ("TEXT", DateClass::Text),
                    ],
                )?
            }
            "date_precision" => {
                self.date_precision = pick(
                    name,
                    v,
                    &[
                        ("MILLISECONDS", DatePrecision::Milliseconds),
                        ("SECONDS", DatePrecision::Seconds),
                    ],
                )?
            }
            "date_string_format" => {
                if v.is_empty() {
                    return Err(invalid(
                        name,
                        value,
                        "a non-empty java.text.SimpleDateFormat pattern",
                    ));
                }
                self.date_string_format = value.to_owned();
            }
            "shm_dir" => {
                if !v.starts_with('/') || v.contains('\0') {
                    return Err(invalid(
                        name,
                        value,
                        "an absolute directory path on a tmpfs",
                    ));
                }
                self.shm_dir = Some(v.to_owned());
            }
            "wal_limit_mb" => self.wal_limit_mb = int(name, v, 1, 65536)? as u32,
            "defensive" => self.defensive = boolean(name, v)?,
            "init_from" => {
                if v.is_empty() || v.contains('\0') {
                    return Err(invalid(name, value, "the path of an SQLite database file"));
                }
                self.init_from = Some(v.to_owned());
            }
            "dqlite_connect_timeout_ms" => {
                self.dqlite_connect_timeout_ms = int(name, v, 1, i32::MAX as i64)? as u32
            }
            "dqlite_read_timeout_ms" => {
                self.dqlite_read_timeout_ms = int(name, v, 1, i32::MAX as i64)? as u32
            }
            "dqlite_leader_timeout_ms" => {
                self.dqlite_leader_timeout_ms = int(name, v, 0, i32::MAX as i64)? as u32
            }
            _ => {} // user, password: accepted and ignored (MyBatis and DriverManager always pass them)
        }
        if !self.explicit.contains(&name) {
            self.explicit.push(name);
        }
        Ok(())
    }

    /// Every effective setting as (name, value) text, for the Java side and for diagnostics.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        let opt = |o: Option<String>| o.unwrap_or_default();
        let mut out = vec![
            (
                "journal_mode",
                opt(self.journal_mode.map(|m| journal_sql(m).to_owned())),
            ),
            (
                "synchronous",
                opt(self.synchronous.map(|s| synchronous_sql(s).to_owned())),
            ),
            ("foreign_keys", self.foreign_keys.to_string()),
            ("busy_timeout", self.busy_timeout_ms.to_string()),
            (
                "transaction_mode",
                txn_sql(self.transaction_mode).to_owned(),
            ),
            ("read_uncommitted", self.read_uncommitted.to_string()),
            ("cache_size", opt(self.cache_size.map(|c| c.to_string()))),
            (
                "open_mode",
                match (self.read_only_open, self.create) {
                    (true, _) => "READONLY",
                    (false, false) => "READWRITE",
                    (false, true) => "READWRITE_CREATE",
                }
                .to_owned(),
            ),
            ("read_only", self.read_only.to_string()),
            ("pool_size", self.pool_size.to_string()),
            ("pool_timeout", self.pool_timeout_ms.to_string()),
            ("keep_alive", self.keep_alive.to_string()),
            (
                "date_class",
                format!("{:?}", self.date_class).to_uppercase(),
            ),
            (
                "date_precision",
                format!("{:?}", self.date_precision).to_uppercase(),
            ),
            ("date_string_format", self.date_string_format.clone()),
            ("shm_dir", opt(self.shm_dir.clone())),
            ("wal_limit_mb", self.wal_limit_mb.to_string()),
            ("defensive", self.defensive.to_string()),
            ("init_from", opt(self.init_from.clone())),
            (
                "dqlite_connect_timeout_ms",
                self.dqlite_connect_timeout_ms.to_string(),
            ),
            (
                "dqlite_read_timeout_ms",
                self.dqlite_read_timeout_ms.to_string(),
            ),
            (
                "dqlite_leader_timeout_ms",
                self.dqlite_leader_timeout_ms.to_string(),
            ),
        ];
        for (i, p) in crate::sqlite_props::PROPS.iter().enumerate() {
            let v = self.sqlite[i].map(|v| crate::sqlite_props::text(i, v));
            out.push((p.name, opt(v)));
        }
        out
    }
}

/// SQL keyword for a journal mode.
pub fn journal_sql(m: JournalMode) -> &'static str {
    match m {
        JournalMode::Delete => "DELETE",
        JournalMode::Truncate => "TRUNCATE",
        JournalMode::Persist => "PERSIST",
        JournalMode::Memory => "MEMORY",
        JournalMode::Wal => "WAL",
        JournalMode::Off => "OFF",
    }
}

/// SQL keyword for a synchronous level.
pub fn synchronous_sql(s: Synchronous) -> &'static str {
    match s {
        Synchronous::Off => "OFF",
        Synchronous::Normal => "NORMAL",
        Synchronous::Full => "FULL",
        Synchronous::Extra => "EXTRA",
    }
}

/// Property value of a transaction mode (the SQL keyword, except for ALWAYS_IMMEDIATE).
pub fn txn_sql(m: TxnMode) -> &'static str {
    match m {
        TxnMode::Deferred => "DEFERRED",
        TxnMode::Immediate => "IMMEDIATE",
        TxnMode::Exclusive => "EXCLUSIVE",
        TxnMode::AlwaysImmediate => "ALWAYS_IMMEDIATE",
    }
}

fn invalid(name: &str, value: &str, valid: &str) -> Error {
    Error::InvalidProperty {
        name: name.to_owned(),
        value: value.to_owned(),
        valid: valid.to_owned(),
    }
}

fn pick<T: Copy>(name: &str, v: &str, choices: &[(&str, T)]) -> Result<T> {
    choices
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(v))
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = choices
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| !k.starts_with(|c: char| c.is_ascii_digit()))
                .collect();
            invalid(name, v, &names.join(", "))
        })
}

fn boolean(name: &str, v: &str) -> Result<bool> {
    pick(
        name,
        v,
        &[
            ("true", true),
            ("false", false),
            ("on", true),
            ("off", false),
            ("yes", true),
            ("no", false),
            ("1", true),
            ("0", false),
        ],
    )
}

fn int(name: &str, v: &str, min: i64, max: i64) -> Result<i64> {
    v.parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| invalid(name, v, &format!("an integer from {min} to {max}")))
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
        let expected: Vec<_> = NAMES
            .iter()
            .copied()
            .filter(|n| *n != "user" && *n != "password")
            .chain(crate::sqlite_props::PROPS.iter().map(|p| p.name))
            .collect();
        assert_eq!(names, expected);
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
