//! The one table of connection properties: name, accepted values, default, level and a one-line
//! doc, plus where each value goes in [`Config`]. Parsing and its error texts
//! ([`Config::set`]), the defaults ([`Config::defaults`]), the `settings` listing, the
//! database-level comparison of a later opener (`Database::check_compatible`), the
//! sqlite-jdbc pragma/limit list `conn.rs` applies ([`crate::sqlite_props::PROPS`], derived
//! from this table at compile time) and Java's `Driver.getPropertyInfo` (through
//! `Native.properties`, [`rows`]) all read [`PROPERTIES`].
//!
//! Adding a property is one entry here plus the code that uses its `Config` field; the Java
//! side needs a `ShmliteDataSource` setter and the README a row (tests check both).

use crate::config::{
    self, Config, DateClass, DatePrecision, JournalMode, Synchronous, TxnMode, DATE_CLASSES,
    DATE_PRECISIONS, JOURNAL_MODES, SYNCHRONOUS_LEVELS, TXN_MODES,
};
use crate::error::{Error, Result};
use crate::sqlite_props::{Target as SqliteTarget, LIMIT_MAX, LIMIT_RESET, MAX_MMAP_SIZE};
use crate::url::Target;
use libsqlite3_sys as sys;

/// The syntax of a property's value (what `Config::set` accepts, what the errors list).
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// true/false, on/off, yes/no, 1/0 (case-insensitive); stored as 1 or 0.
    Bool,
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// A power of two in `min..=max` (page sizes).
    PowerOfTwo { min: i64, max: i64 },
    /// One of `names` (case-insensitive), stored as its index; `aliases` are accepted too
    /// (sqlite-jdbc's numbers) but not listed.
    Choice {
        names: &'static [&'static str],
        aliases: &'static [(&'static str, i64)],
    },
    /// Text that `accept` turns into the stored value (None: invalid); `valid` says what it takes.
    Text {
        valid: &'static str,
        accept: fn(&str) -> Option<String>,
    },
}

/// Who a property's value belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Level {
    /// Each connection has its own value.
    Connection,
    /// Fixed by the connection that opens the database; a later opener that sets it explicitly
    /// must ask for the live value (compared as `settings` text).
    Database,
    /// Like `Database`, compared through this projection instead of the whole value.
    DatabaseAs(fn(&Config) -> String),
    /// Part of the database's registry key: a different value names another database.
    Key,
}

/// Which URL forms a property applies to: a setting that would be silently ignored on the
/// other side is refused (08001) instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every URL form.
    Any,
    /// `mem:`, `shm:` and files: it configures the local SQLite connection or its files (the
    /// nodes of a `dqlite://` cluster run their own SQLite).
    Local,
    /// `dqlite://` only.
    Remote,
}

impl Scope {
    /// Whether a property of this scope applies to a `dqlite://` URL (`remote`) or a local one.
    pub fn applies(self, remote: bool) -> bool {
        match self {
            Scope::Any => true,
            Scope::Local => !remote,
            Scope::Remote => remote,
        }
    }
}

/// A property's value when it is not set.
#[derive(Debug, Clone, Copy)]
pub enum DefaultValue {
    /// Nothing set: SQLite's own value (or none); `settings` shows it as "".
    Unset,
    /// This value, as the property would be written.
    Text(&'static str),
    /// This integer.
    Int(i64),
    /// This value on the WAL-only URLs (`shm:`, `mem:NAME`), unset elsewhere.
    OnWal(&'static str),
    /// An integer computed once (from the machine).
    Computed(fn() -> i64),
}

/// Where a parsed value goes in [`Config`] and how it is read back.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot {
    /// A numeric field: booleans as 1/0, choices as their index.
    Num {
        set: fn(&mut Config, i64),
        get: fn(&Config) -> Option<i64>,
    },
    /// A text field.
    Text {
        set: fn(&mut Config, String),
        get: fn(&Config) -> Option<&str>,
    },
    /// A sqlite-jdbc pragma or limit, kept in `Config::sqlite` and applied by `conn.rs`;
    /// `reset` is what a pooled connection gets back when the property is unset.
    Sqlite {
        target: SqliteTarget,
        reset: Option<i64>,
    },
    /// Accepted and ignored (MyBatis and DriverManager always pass user and password).
    Ignored,
}

/// One connection property.
#[derive(Debug, Clone, Copy)]
pub struct Property {
    pub name: &'static str,
    pub kind: Kind,
    pub default: DefaultValue,
    pub level: Level,
    pub scope: Scope,
    /// One line for `DriverPropertyInfo.description` and the README.
    pub doc: &'static str,
    pub(crate) slot: Slot,
}

/// A validated value, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parsed {
    Num(i64),
    Text(String),
}

const BOOL_NAMES: &[&str] = &["true", "false"];
/// Largest `wal_limit_mb` accepted (64 GiB).
pub const MAX_WAL_LIMIT_MB: i64 = 65536;
/// Bound of the millisecond timeouts (a Java int).
const MAX_MS: i64 = i32::MAX as i64;

const fn limit(name: &'static str, id: i32, doc: &'static str) -> Property {
    Property {
        name,
        kind: Kind::Int {
            min: 0,
            max: LIMIT_MAX,
        },
        default: DefaultValue::Unset,
        level: Level::Connection,
        scope: Scope::Local,
        doc,
        slot: Slot::Sqlite {
            target: SqliteTarget::Limit(id),
            reset: LIMIT_RESET,
        },
    }
}

const fn pragma(name: &'static str, kind: Kind, reset: Option<i64>, doc: &'static str) -> Property {
    Property {
        name,
        kind,
        default: DefaultValue::Unset,
        level: Level::Connection,
        scope: Scope::Local,
        doc,
        slot: Slot::Sqlite {
            target: SqliteTarget::Pragma,
            reset,
        },
    }
}

const fn ignored(name: &'static str) -> Property {
    Property {
        name,
        kind: Kind::Text {
            valid: "any text",
            accept: |v| Some(v.to_owned()),
        },
        default: DefaultValue::Unset,
        level: Level::Connection,
        scope: Scope::Any,
        doc: "accepted and ignored",
        slot: Slot::Ignored,
    }
}

/// Every property, in the order the docs list them: shmlite's own, then sqlite-jdbc's pragma
/// and limit properties sorted by name. A `const` (not a `static`) so that
/// [`crate::sqlite_props::PROPS`] can be derived from it at compile time.
pub const PROPERTIES: &[Property] = &[
    Property {
        name: "journal_mode",
        kind: Kind::Choice {
            names: &JOURNAL_MODES,
            aliases: &[],
        },
        default: DefaultValue::OnWal("WAL"),
        level: Level::Database,
        scope: Scope::Local,
        doc: "SQLite journal mode (mem:NAME and shm: databases are always WAL)",
        slot: Slot::Num {
            set: |c, i| c.journal_mode = Some(JournalMode::ALL[i as usize]),
            get: |c| c.journal_mode.map(|m| m as i64),
        },
    },
    Property {
        name: "synchronous",
        kind: Kind::Choice {
            names: &SYNCHRONOUS_LEVELS,
            aliases: &[("0", 0), ("1", 1), ("2", 2), ("3", 3)],
        },
        default: DefaultValue::OnWal("NORMAL"),
        level: Level::Connection,
        scope: Scope::Local,
        doc: "SQLite synchronous setting (SQLite's FULL unless set; NORMAL on shm: and mem:NAME)",
        slot: Slot::Num {
            set: |c, i| c.synchronous = Some(Synchronous::ALL[i as usize]),
            get: |c| c.synchronous.map(|s| s as i64),
        },
    },
    Property {
        name: "foreign_keys",
        kind: Kind::Bool,
        default: DefaultValue::Text("false"),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "enforce foreign key constraints",
        slot: Slot::Num {
            set: |c, b| c.foreign_keys = b != 0,
            get: |c| Some(c.foreign_keys.into()),
        },
    },
    Property {
        name: "busy_timeout",
        kind: Kind::Int { min: 0, max: MAX_MS },
        default: DefaultValue::Int(config::DEFAULT_BUSY_TIMEOUT_MS as i64),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "milliseconds to wait for a lock before failing (bounds every lock wait)",
        slot: Slot::Num {
            set: |c, n| c.busy_timeout_ms = n as u32,
            get: |c| Some(c.busy_timeout_ms.into()),
        },
    },
    Property {
        name: "transaction_mode",
        kind: Kind::Choice {
            names: &TXN_MODES,
            aliases: &[],
        },
        default: DefaultValue::Text("IMMEDIATE"),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "how a write-first transaction begins (read-first ones begin DEFERRED, except with ALWAYS_IMMEDIATE)",
        slot: Slot::Num {
            set: |c, i| c.transaction_mode = TxnMode::ALL[i as usize],
            get: |c| Some(c.transaction_mode as i64),
        },
    },
    Property {
        name: "read_uncommitted",
        kind: Kind::Bool,
        default: DefaultValue::Text("false"),
        level: Level::Connection,
        scope: Scope::Local,
        doc: "connections start at TRANSACTION_READ_UNCOMMITTED (shared-cache reads skip table locks)",
        slot: Slot::Num {
            set: |c, b| c.read_uncommitted = b != 0,
            get: |c| Some(c.read_uncommitted.into()),
        },
    },
    Property {
        name: "cache_size",
        kind: Kind::Int {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        },
        default: DefaultValue::Unset,
        level: Level::Connection,
        scope: Scope::Local,
        doc: "SQLite page cache size (pages, or KiB when negative)",
        slot: Slot::Num {
            set: |c, n| c.cache_size = Some(n),
            get: |c| c.cache_size,
        },
    },
    Property {
        name: "open_mode",
        kind: Kind::Choice {
            names: &["READONLY", "READWRITE", "READWRITE_CREATE"],
            // sqlite-jdbc passes SQLITE_OPEN_* flag values.
            aliases: &[("1", 0), ("2", 1), ("6", 2)],
        },
        default: DefaultValue::Text("READWRITE_CREATE"),
        // Whether a missing file would be created does not matter to a live database.
        level: Level::DatabaseAs(|c| {
            if c.read_only_open { "READONLY" } else { "READWRITE" }.to_owned()
        }),
        scope: Scope::Local,
        doc: "how the database file is opened (READONLY: every connection is read-only)",
        slot: Slot::Num {
            set: |c, i| (c.read_only_open, c.create) = (i == 0, i == 2),
            get: |c| Some(if c.read_only_open { 0 } else { 1 + i64::from(c.create) }),
        },
    },
    Property {
        name: "read_only",
        kind: Kind::Bool,
        default: DefaultValue::Text("false"),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "connections start read-only",
        slot: Slot::Num {
            set: |c, b| c.read_only = b != 0,
            get: |c| Some(c.read_only.into()),
        },
    },
    Property {
        name: "pool_size",
        kind: Kind::Int {
            min: 1,
            max: config::MAX_POOL_SIZE as i64,
        },
        default: DefaultValue::Computed(|| config::default_pool_size() as i64),
        level: Level::Database,
        scope: Scope::Any,
        doc: "native connections pooled per database (default 4 per core, at least 16)",
        slot: Slot::Num {
            set: |c, n| c.pool_size = n as usize,
            get: |c| Some(c.pool_size as i64),
        },
    },
    Property {
        name: "pool_timeout",
        kind: Kind::Int { min: 0, max: MAX_MS },
        default: DefaultValue::Int(config::DEFAULT_POOL_TIMEOUT_MS as i64),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "milliseconds an open waits for a free pooled native connection",
        slot: Slot::Num {
            set: |c, n| c.pool_timeout_ms = n as u32,
            get: |c| Some(c.pool_timeout_ms.into()),
        },
    },
    Property {
        name: "keep_alive",
        kind: Kind::Bool,
        default: DefaultValue::Text("true"),
        level: Level::Database,
        scope: Scope::Local,
        doc: "keep a named in-memory database after its last connection closes",
        slot: Slot::Num {
            set: |c, b| c.keep_alive = b != 0,
            get: |c| Some(c.keep_alive.into()),
        },
    },
    Property {
        name: "date_class",
        kind: Kind::Choice {
            names: &DATE_CLASSES,
            aliases: &[],
        },
        default: DefaultValue::Text("INTEGER"),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "storage class of setDate/setTime/setTimestamp",
        slot: Slot::Num {
            set: |c, i| c.date_class = DateClass::ALL[i as usize],
            get: |c| Some(c.date_class as i64),
        },
    },
    Property {
        name: "date_precision",
        kind: Kind::Choice {
            names: &DATE_PRECISIONS,
            aliases: &[],
        },
        default: DefaultValue::Text("MILLISECONDS"),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "unit of dates stored as INTEGER",
        slot: Slot::Num {
            set: |c, i| c.date_precision = DatePrecision::ALL[i as usize],
            get: |c| Some(c.date_precision as i64),
        },
    },
    Property {
        name: "date_string_format",
        kind: Kind::Text {
            valid: "a non-empty java.text.SimpleDateFormat pattern",
            // Kept as given: spaces may be part of the pattern.
            accept: |v| (!v.trim().is_empty()).then(|| v.to_owned()),
        },
        default: DefaultValue::Text("yyyy-MM-dd HH:mm:ss.SSS"),
        level: Level::Connection,
        scope: Scope::Any,
        doc: "java.text.SimpleDateFormat pattern of dates stored as TEXT",
        slot: Slot::Text {
            set: |c, s| c.date_string_format = s,
            get: |c| Some(&c.date_string_format),
        },
    },
    Property {
        name: "shm_dir",
        kind: Kind::Text {
            valid: "an absolute directory path on a tmpfs",
            accept: |v| {
                let v = v.trim();
                (v.starts_with('/') && !v.contains('\0')).then(|| v.to_owned())
            },
        },
        default: DefaultValue::Unset,
        level: Level::Key,
        scope: Scope::Local,
        doc: "tmpfs directory holding the private directory of shm: databases (default /dev/shm)",
        slot: Slot::Text {
            set: |c, s| c.shm_dir = Some(s),
            get: |c| c.shm_dir.as_deref(),
        },
    },
    Property {
        name: "wal_limit_mb",
        kind: Kind::Int {
            min: 1,
            max: MAX_WAL_LIMIT_MB,
        },
        default: DefaultValue::Int(config::DEFAULT_WAL_LIMIT_MB as i64),
        level: Level::Database,
        scope: Scope::Local,
        doc: "WAL size in MiB past which a commit waits for readers and empties the WAL (also SQLite's journal_size_limit)",
        slot: Slot::Num {
            set: |c, n| c.wal_limit_mb = n as u32,
            get: |c| Some(c.wal_limit_mb.into()),
        },
    },
    Property {
        name: "defensive",
        kind: Kind::Bool,
        default: DefaultValue::Text("true"),
        level: Level::Connection,
        scope: Scope::Local,
        doc: "SQLite's defensive mode: SQL cannot deliberately corrupt the database file",
        slot: Slot::Num {
            set: |c, b| c.defensive = b != 0,
            get: |c| Some(c.defensive.into()),
        },
    },
    Property {
        name: "init_from",
        kind: Kind::Text {
            valid: "the path of an SQLite database file",
            accept: |v| {
                let v = v.trim();
                (!v.is_empty() && !v.contains('\0')).then(|| v.to_owned())
            },
        },
        default: DefaultValue::Unset,
        level: Level::Database,
        scope: Scope::Local,
        doc: "SQLite file a mem: database is loaded from when it is created",
        slot: Slot::Text {
            set: |c, s| c.init_from = Some(s),
            get: |c| c.init_from.as_deref(),
        },
    },
    Property {
        name: "dqlite_connect_timeout_ms",
        kind: Kind::Int { min: 1, max: MAX_MS },
        default: DefaultValue::Int(shmlite_dqlite::conn::DEFAULT_CONNECT_TIMEOUT.as_millis() as i64),
        level: Level::Connection,
        scope: Scope::Remote,
        doc: "dqlite:// only: bound on one TCP connect to a node (ms)",
        slot: Slot::Num {
            set: |c, n| c.dqlite_connect_timeout_ms = n as u32,
            get: |c| Some(c.dqlite_connect_timeout_ms.into()),
        },
    },
    Property {
        name: "dqlite_read_timeout_ms",
        kind: Kind::Int { min: 1, max: MAX_MS },
        default: DefaultValue::Int(shmlite_dqlite::conn::DEFAULT_READ_TIMEOUT.as_millis() as i64),
        level: Level::Connection,
        scope: Scope::Remote,
        doc: "dqlite:// only: bound on one response of the cluster (ms); past it a request's outcome is unknown",
        slot: Slot::Num {
            set: |c, n| c.dqlite_read_timeout_ms = n as u32,
            get: |c| Some(c.dqlite_read_timeout_ms.into()),
        },
    },
    Property {
        name: "dqlite_leader_timeout_ms",
        kind: Kind::Int { min: 0, max: MAX_MS },
        default: DefaultValue::Int(shmlite_dqlite::cluster::DEFAULT_LEADER_TIMEOUT.as_millis() as i64),
        level: Level::Connection,
        scope: Scope::Remote,
        doc: "dqlite:// only: how long a statement waits for the cluster to have a leader (ms)",
        slot: Slot::Num {
            set: |c, n| c.dqlite_leader_timeout_ms = n as u32,
            get: |c| Some(c.dqlite_leader_timeout_ms.into()),
        },
    },
    ignored("user"),
    ignored("password"),
    // sqlite-jdbc's pragma and limit properties (README "Migrating from sqlite-jdbc"), sorted by
    // name; `reset` is SQLite's default for this build.
    pragma(
        "automatic_index",
        Kind::Bool,
        Some(1),
        "SQLite's automatic indexes for joins (default true)",
    ),
    pragma(
        "case_sensitive_like",
        Kind::Bool,
        Some(0),
        "LIKE compares ASCII case-sensitively (default false)",
    ),
    pragma(
        "defer_foreign_keys",
        Kind::Bool,
        Some(0),
        "foreign keys are checked at commit (default false)",
    ),
    pragma(
        "legacy_alter_table",
        Kind::Bool,
        Some(0),
        "ALTER TABLE RENAME as before SQLite 3.26 (default false)",
    ),
    limit(
        "limit_attached",
        sys::SQLITE_LIMIT_ATTACHED,
        "most attached databases (at most 10)",
    ),
    limit(
        "limit_column",
        sys::SQLITE_LIMIT_COLUMN,
        "most columns in a table, index or result",
    ),
    limit(
        "limit_compound_select",
        sys::SQLITE_LIMIT_COMPOUND_SELECT,
        "most terms of a compound SELECT",
    ),
    limit(
        "limit_expr_depth",
        sys::SQLITE_LIMIT_EXPR_DEPTH,
        "deepest expression tree",
    ),
    limit(
        "limit_function_arg",
        sys::SQLITE_LIMIT_FUNCTION_ARG,
        "most arguments of a function",
    ),
    limit(
        "limit_length",
        sys::SQLITE_LIMIT_LENGTH,
        "longest string or blob, in bytes",
    ),
    limit(
        "limit_like_pattern_length",
        sys::SQLITE_LIMIT_LIKE_PATTERN_LENGTH,
        "longest LIKE or GLOB pattern",
    ),
    limit(
        "limit_sql_length",
        sys::SQLITE_LIMIT_SQL_LENGTH,
        "longest SQL statement, in bytes",
    ),
    limit(
        "limit_trigger_depth",
        sys::SQLITE_LIMIT_TRIGGER_DEPTH,
        "deepest trigger recursion",
    ),
    limit(
        "limit_variable_number",
        sys::SQLITE_LIMIT_VARIABLE_NUMBER,
        "highest host parameter number (at most 250000)",
    ),
    limit(
        "limit_vdbe_op",
        sys::SQLITE_LIMIT_VDBE_OP,
        "most instructions of a prepared statement",
    ),
    Property {
        // A fresh connection has 0 auxiliary threads, not the compile-time bound.
        slot: Slot::Sqlite {
            target: SqliteTarget::Limit(sys::SQLITE_LIMIT_WORKER_THREADS),
            reset: Some(0),
        },
        ..limit(
            "limit_worker_threads",
            sys::SQLITE_LIMIT_WORKER_THREADS,
            "most auxiliary sort threads (default 0)",
        )
    },
    pragma(
        "mmap_size",
        Kind::Int {
            min: 0,
            max: MAX_MMAP_SIZE,
        },
        Some(0),
        "bytes of the database file read through mmap (default 0; file and shm: databases)",
    ),
    // The page size is the database's: nothing to put back on a pooled connection.
    pragma(
        "page_size",
        Kind::PowerOfTwo {
            min: 512,
            max: 65536,
        },
        None,
        "page size of a database created by this connection (before its first table)",
    ),
    pragma(
        "recursive_triggers",
        Kind::Bool,
        Some(0),
        "triggers fire triggers recursively (default false)",
    ),
    pragma(
        "reverse_unordered_selects",
        Kind::Bool,
        Some(0),
        "unordered SELECTs return rows in reverse order (testing aid; default false)",
    ),
    pragma(
        "secure_delete",
        Kind::Choice {
            names: &["false", "true", "FAST"],
            aliases: &[("off", 0), ("0", 0), ("on", 1), ("1", 1), ("2", 2)],
        },
        Some(0),
        "overwrite deleted content: true, false or FAST (default false)",
    ),
    pragma(
        "temp_store",
        Kind::Choice {
            names: &["DEFAULT", "FILE", "MEMORY"],
            aliases: &[("0", 0), ("1", 1), ("2", 2)],
        },
        Some(0),
        "where TEMP tables and indexes live: DEFAULT, FILE or MEMORY",
    ),
];

/// The property of that name (case-insensitive).
pub fn find(name: &str) -> Option<&'static Property> {
    PROPERTIES
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

impl Kind {
    /// What the kind accepts, as the invalid-value error and `getPropertyInfo` say it.
    pub fn valid(&self) -> String {
        match *self {
            Kind::Bool => BOOL_NAMES.join(", "),
            Kind::Int { min, max } => format!("an integer from {min} to {max}"),
            Kind::PowerOfTwo { min, max } => format!("a power of two from {min} to {max}"),
            Kind::Choice { names, .. } => names.join(", "),
            Kind::Text { valid, .. } => valid.to_owned(),
        }
    }

    /// The values a tool may offer (booleans and choices), for `DriverPropertyInfo.choices`.
    pub fn choices(&self) -> Option<&'static [&'static str]> {
        match *self {
            Kind::Bool => Some(BOOL_NAMES),
            Kind::Choice { names, .. } => Some(names),
            _ => None,
        }
    }

    /// The kind's name for Java (`ShmliteDataSource` setter types follow it).
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Bool => "boolean",
            Kind::Int { .. } | Kind::PowerOfTwo { .. } => "integer",
            Kind::Choice { .. } => "choice",
            Kind::Text { .. } => "text",
        }
    }

    fn parse(&self, value: &str) -> Option<Parsed> {
        let v = value.trim();
        let num = |v: &str| v.parse::<i64>().ok();
        match *self {
            Kind::Bool => match v.to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Some(Parsed::Num(1)),
                "false" | "off" | "no" | "0" => Some(Parsed::Num(0)),
                _ => None,
            },
            Kind::Int { min, max } => num(v).filter(|n| (min..=max).contains(n)).map(Parsed::Num),
            Kind::PowerOfTwo { min, max } => num(v)
                .filter(|n| (min..=max).contains(n) && (*n as u64).is_power_of_two())
                .map(Parsed::Num),
            Kind::Choice { names, aliases } => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(v))
                .map(|i| i as i64)
                .or_else(|| {
                    aliases
                        .iter()
                        .find(|(a, _)| a.eq_ignore_ascii_case(v))
                        .map(|(_, i)| *i)
                })
                .map(Parsed::Num),
            Kind::Text { accept, .. } => accept(value).map(Parsed::Text),
        }
    }

    /// A stored number as the property is written.
    fn text_of(&self, n: i64) -> String {
        match *self {
            Kind::Bool => (n != 0).to_string(),
            Kind::Choice { names, .. } => names
                .get(n as usize)
                .map_or_else(|| n.to_string(), |s| (*s).to_owned()),
            _ => n.to_string(),
        }
    }
}

impl Level {
    /// "connection" or "database", for `getPropertyInfo` and the docs.
    pub fn name(&self) -> &'static str {
        match self {
            Level::Connection => "connection",
            _ => "database",
        }
    }
}

impl Property {
    /// Validates `value` and stores it in `c` (not marking it explicit).
    pub(crate) fn set(&self, c: &mut Config, value: &str) -> Result<()> {
        let parsed = self
            .kind
            .parse(value)
            .ok_or_else(|| Error::InvalidProperty {
                name: self.name.to_owned(),
                value: value.to_owned(),
                valid: self.kind.valid(),
            })?;
        match (self.slot, parsed) {
            (Slot::Num { set, .. }, Parsed::Num(n)) => set(c, n),
            (Slot::Text { set, .. }, Parsed::Text(s)) => set(c, s),
            (Slot::Sqlite { .. }, Parsed::Num(n)) => {
                if let Some(i) = crate::sqlite_props::index_of(self.name) {
                    c.sqlite[i] = Some(n);
                }
            }
            (Slot::Ignored, _) => {}
            // A table entry whose kind does not fit its slot; `tests` checks every entry.
            _ => {
                return Err(Error::Misuse(format!(
                    "property table: {} has a {} value but another slot",
                    self.name,
                    self.kind.type_name()
                )))
            }
        }
        Ok(())
    }

    /// The effective value as the property would be written ("" when unset); None for the
    /// ignored credentials, which `settings` leaves out.
    pub fn text(&self, c: &Config) -> Option<String> {
        let num = |n: Option<i64>| n.map(|n| self.kind.text_of(n)).unwrap_or_default();
        match self.slot {
            Slot::Num { get, .. } => Some(num(get(c))),
            Slot::Text { get, .. } => Some(get(c).unwrap_or_default().to_owned()),
            Slot::Sqlite { .. } => Some(num(
                crate::sqlite_props::index_of(self.name).and_then(|i| c.sqlite[i])
            )),
            Slot::Ignored => None,
        }
    }

    /// What must match between a live database and a later opener that sets this property;
    /// None for connection-level properties and registry-key parts.
    pub fn database_value(&self, c: &Config) -> Option<String> {
        match self.level {
            Level::Database => self.text(c),
            Level::DatabaseAs(project) => Some(project(c)),
            Level::Connection | Level::Key => None,
        }
    }

    /// The default on `target`, as the property would be written ("" when unset).
    pub fn default_text(&self, target: &Target) -> String {
        match self.default {
            DefaultValue::Unset => String::new(),
            DefaultValue::Text(t) => t.to_owned(),
            DefaultValue::Int(n) => n.to_string(),
            DefaultValue::OnWal(t) if matches!(target, Target::Shm(_) | Target::Mem(_)) => {
                t.to_owned()
            }
            DefaultValue::OnWal(_) => String::new(),
            DefaultValue::Computed(f) => f().to_string(),
        }
    }
}

/// Field order of one row of [`rows`] (mirrored by `Native.PROP_*`, checked by
/// `NativeLayoutTest` through `Native.layout`).
pub const ROW_FIELDS: [&str; 6] = ["NAME", "TYPE", "VALUES", "DEFAULT", "LEVEL", "DOC"];

/// The table for `Driver.getPropertyInfo`, one row of [`ROW_FIELDS`] per property, with the
/// defaults of `url`'s target (a `mem:` one when the URL does not parse: tools ask while the
/// user is still typing it); a URL that parses lists only the properties of its scope.
pub fn rows(url: Option<&str>) -> Vec<[String; ROW_FIELDS.len()]> {
    let parsed = url
        .and_then(|u| crate::url::parse(u).ok())
        .map(|p| p.target);
    // A URL selects the properties that apply to its form (scope); none lists them all.
    let remote = parsed.as_ref().map(|t| matches!(t, Target::Dqlite { .. }));
    let target = parsed.unwrap_or(Target::PrivateMem);
    PROPERTIES
        .iter()
        .filter(|p| {
            !matches!(
                (p.scope, remote),
                (Scope::Local, Some(true)) | (Scope::Remote, Some(false))
            )
        })
        .map(|p| {
            [
                p.name.to_owned(),
                p.kind.type_name().to_owned(),
                p.kind.valid(),
                p.default_text(&target),
                p.level.name().to_owned(),
                p.doc.to_owned(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> [Target; 5] {
        [
            Target::PrivateMem,
            Target::Mem("m".into()),
            Target::Shm("s".into()),
            Target::File("/tmp/f.db".into()),
            dqlite(),
        ]
    }

    fn dqlite() -> Target {
        Target::Dqlite {
            seeds: vec!["127.0.0.1:9001".into()],
            name: "d".into(),
        }
    }

    /// Whether `p` may be set on `target` (its scope).
    fn applies(p: &Property, target: &Target) -> bool {
        p.scope.applies(matches!(target, Target::Dqlite { .. }))
    }

    fn setting(c: &Config, name: &str) -> String {
        c.settings()
            .into_iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{name} not in settings"))
    }

    #[test]
    fn names_are_unique_lowercase_and_not_refused() {
        let mut seen = std::collections::HashSet::new();
        for p in PROPERTIES {
            assert!(seen.insert(p.name), "{} twice", p.name);
            assert_eq!(p.name, p.name.to_ascii_lowercase());
            assert!(crate::sqlite_props::refused(p.name).is_none(), "{}", p.name);
            assert!(!p.doc.is_empty() && !p.doc.contains('\n'), "{}", p.name);
        }
    }

    /// Each default parses, is what an unset property reads back, and set explicitly reads
    /// back the same; on every URL form.
    #[test]
    fn every_default_round_trips() {
        for target in targets() {
            let defaults = Config::defaults(&target);
            for p in PROPERTIES.iter().filter(|p| p.text(&defaults).is_some()) {
                let d = p.default_text(&target);
                if !applies(p, &target) {
                    let e = Config::from_pairs(&target, [(p.name, d.as_str())]);
                    assert!(e.is_err() || d.is_empty(), "{} set on {target:?}", p.name);
                    continue;
                }
                assert_eq!(setting(&defaults, p.name), d, "{} on {target:?}", p.name);
                if d.is_empty() {
                    continue;
                }
                let c = Config::from_pairs(&target, [(p.name, d.as_str())])
                    .unwrap_or_else(|e| panic!("{} on {target:?}: {e}", p.name));
                assert_eq!(setting(&c, p.name), d, "{} on {target:?}", p.name);
            }
        }
    }

    /// Every accepted spelling is stored and read back as its canonical name, so kinds fit
    /// their slots and the enum tables match the enums.
    #[test]
    fn every_value_of_every_kind_is_stored_and_read_back() {
        for p in PROPERTIES
            .iter()
            .filter(|p| !matches!(p.slot, Slot::Ignored))
        {
            let t = if p.scope == Scope::Remote {
                dqlite()
            } else if p.name == "journal_mode" {
                Target::File("/x/y.db".into()) // mem:NAME and shm: accept WAL only
            } else {
                Target::Mem("x".into())
            };
            let samples: Vec<(String, String)> = match p.kind {
                Kind::Bool => [
                    ("true", "true"),
                    ("ON", "true"),
                    ("yes", "true"),
                    ("1", "true"),
                    ("false", "false"),
                    ("off", "false"),
                    ("No", "false"),
                    ("0", "false"),
                ]
                .map(|(g, s)| (g.to_owned(), s.to_owned()))
                .to_vec(),
                Kind::Int { min, max } | Kind::PowerOfTwo { min, max } => {
                    [min, max].map(|n| (n.to_string(), n.to_string())).to_vec()
                }
                Kind::Choice { names, aliases } => names
                    .iter()
                    .map(|n| (n.to_ascii_lowercase(), n.to_string()))
                    .chain(
                        aliases
                            .iter()
                            .map(|(a, i)| (a.to_string(), names[*i as usize].to_string())),
                    )
                    .collect(),
                Kind::Text { .. } => vec![("/x/y.db".into(), "/x/y.db".into())],
            };
            for (given, shown) in samples {
                let c = Config::from_pairs(&t, [(p.name, given.as_str())])
                    .unwrap_or_else(|e| panic!("{}={given}: {e}", p.name));
                assert_eq!(setting(&c, p.name), shown, "{}={given}", p.name);
                assert!(c.explicit.contains(&p.name));
            }
        }
    }

    #[test]
    fn invalid_values_list_what_is_valid() {
        let t = Target::Mem("x".into());
        for p in PROPERTIES
            .iter()
            .filter(|p| !matches!(p.slot, Slot::Ignored))
        {
            let bad = match p.kind {
                Kind::Int { max, .. } | Kind::PowerOfTwo { max, .. } => {
                    (max as i128 + 1).to_string()
                }
                _ => String::new(),
            };
            let e = Config::from_pairs(&t, [(p.name, bad.as_str())]).unwrap_err();
            assert_eq!(e.jdbc().sql_state, "08001");
            let text = e.to_string();
            assert!(
                text.contains(p.name) && text.contains(&p.kind.valid()),
                "{text}"
            );
        }
    }

    #[test]
    fn sqlite_jdbc_values_are_validated() {
        let t = Target::Mem("x".into());
        let get = |pairs: &[(&str, &str)], name: &str| {
            Config::from_pairs(&t, pairs.iter().copied()).map(|c| setting(&c, name))
        };
        assert_eq!(
            get(&[("TEMP_STORE", "memory")], "temp_store").unwrap(),
            "MEMORY"
        );
        let e = get(&[("temp_store", "disk")], "temp_store").unwrap_err();
        assert!(e.to_string().contains("MEMORY"), "{e}");
        assert_eq!(get(&[("page_size", "8192")], "page_size").unwrap(), "8192");
        assert!(get(&[("page_size", "1000")], "page_size").is_err());
        assert_eq!(
            get(&[("recursive_triggers", "ON")], "recursive_triggers").unwrap(),
            "true"
        );
        assert!(get(&[("recursive_triggers", "maybe")], "recursive_triggers").is_err());
        assert!(get(&[("limit_attached", "-1")], "limit_attached").is_err());
        let c = Config::from_pairs(&t, [("secure_delete", "fast")]).unwrap();
        assert_eq!(
            c.sqlite[crate::sqlite_props::index_of("secure_delete").unwrap()],
            Some(2)
        );
    }

    #[test]
    fn rows_carry_every_property_with_the_targets_defaults() {
        let rows = rows(Some("jdbc:shmlite:shm:x"));
        let remote_only = PROPERTIES.iter().filter(|p| p.scope == Scope::Remote);
        assert_eq!(rows.len(), PROPERTIES.len() - remote_only.count());
        assert_eq!(super::rows(None).len(), PROPERTIES.len());
        let dqlite = super::rows(Some("jdbc:shmlite:dqlite://127.0.0.1:9001/d"));
        let local_only = PROPERTIES.iter().filter(|p| p.scope == Scope::Local);
        assert_eq!(dqlite.len(), PROPERTIES.len() - local_only.count());
        assert!(dqlite.iter().all(|r| r[0] != "journal_mode"));
        let journal = rows.iter().find(|r| r[0] == "journal_mode").unwrap();
        assert_eq!(journal[3], "WAL");
        assert_eq!(journal[4], "database");
        let mem = super::rows(None);
        assert_eq!(mem.iter().find(|r| r[0] == "journal_mode").unwrap()[3], "");
        assert_eq!(super::rows(Some("jdbc:shmlite:nonsense:x")), mem);
        let secure = mem.iter().find(|r| r[0] == "secure_delete").unwrap();
        assert_eq!(
            (secure[1].as_str(), secure[2].as_str()),
            ("choice", "false, true, FAST")
        );
    }

    /// The README's property tables ("### Properties") name exactly the table's properties.
    #[test]
    fn readme_property_tables_list_exactly_these_names() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("\n### Properties\n")
            .nth(1)
            .expect("README has a ### Properties section");
        let section = section.split("\n### ").next().unwrap_or(section);
        let mut listed = std::collections::BTreeSet::new();
        for line in section.lines().filter(|l| l.starts_with("| `")) {
            let first = line.split('|').nth(1).unwrap_or_default();
            for name in first.split('`').skip(1).step_by(2) {
                listed.insert(name.to_owned());
            }
        }
        let table: std::collections::BTreeSet<String> =
            PROPERTIES.iter().map(|p| p.name.to_owned()).collect();
        let missing: Vec<_> = table.difference(&listed).collect();
        let extra: Vec<_> = listed.difference(&table).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "README property tables: missing {missing:?}, not properties {extra:?}"
        );
    }
}
