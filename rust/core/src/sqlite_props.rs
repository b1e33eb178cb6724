//! sqlite-jdbc's pragma and limit connection properties that map to a per-connection SQLite
//! setting, with sqlite-jdbc's names and values (README "Migrating from sqlite-jdbc"), and the
//! sqlite-jdbc properties refused with what to use instead.
//!
//! Each accepted property is connection-level: applied lazily with the other connection
//! settings (`conn::NativeConn::apply`), and put back before the next session's first statement
//! when a session changed it with its own PRAGMA (`reset::PRAGMAS` lists these pragmas as
//! `Restore::Settings`); unset, a pooled connection gets SQLite's default back.

use crate::error::{Error, Result};
use libsqlite3_sys as sys;

/// How a property's value is read.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// true/false, on/off, 1/0, yes/no.
    Bool,
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// A power of two in `min..=max` (page sizes).
    PowerOfTwo { min: i64, max: i64 },
    /// Named values (case-insensitive), each with its SQL integer.
    Choice(&'static [(&'static str, i64)]),
}

/// What a property sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `PRAGMA name=value`.
    Pragma,
    /// `sqlite3_limit(db, id, value)`; SQLite lowers a value above the compile-time bound to it.
    Limit(i32),
}

/// One accepted property.
#[derive(Debug, Clone, Copy)]
pub struct Prop {
    pub name: &'static str,
    pub kind: Kind,
    pub target: Target,
    /// What an unset property puts back on a pooled connection (SQLite's default for this
    /// build); None: nothing to put back (the setting is the database's, e.g. page_size).
    pub default: Option<i64>,
    /// One line for `DriverPropertyInfo` and the README.
    pub doc: &'static str,
}

const BOOL_FAST: &[(&str, i64)] = &[
    ("false", 0),
    ("off", 0),
    ("0", 0),
    ("true", 1),
    ("on", 1),
    ("1", 1),
    ("fast", 2),
    ("2", 2),
];
const TEMP_STORE: &[(&str, i64)] = &[
    ("DEFAULT", 0),
    ("0", 0),
    ("FILE", 1),
    ("1", 1),
    ("MEMORY", 2),
    ("2", 2),
];
/// Bound of every limit value (sqlite3_limit takes an int).
const LIMIT_MAX: i64 = i32::MAX as i64;
/// The default of a limit: above every compile-time bound, so SQLite sets its bound, which is
/// the value a fresh connection has (except worker threads, whose default is 0).
const LIMIT_RESET: Option<i64> = Some(LIMIT_MAX);
/// Largest `mmap_size` accepted: the build's SQLITE_MAX_MMAP_SIZE (1 TiB, `.cargo/config.toml`).
pub const MAX_MMAP_SIZE: i64 = 1 << 40;

const fn limit(name: &'static str, id: i32, doc: &'static str) -> Prop {
    Prop {
        name,
        kind: Kind::Int {
            min: 0,
            max: LIMIT_MAX,
        },
        target: Target::Limit(id),
        default: LIMIT_RESET,
        doc,
    }
}

const fn pragma_bool(name: &'static str, default: i64, doc: &'static str) -> Prop {
    Prop {
        name,
        kind: Kind::Bool,
        target: Target::Pragma,
        default: Some(default),
        doc,
    }
}

/// Number of accepted properties (the length of [`PROPS`]).
pub const COUNT: usize = 22;

/// Every accepted property, sorted by name.
pub const PROPS: [Prop; COUNT] = [
    pragma_bool(
        "automatic_index",
        1,
        "SQLite's automatic indexes for joins (default true)",
    ),
    pragma_bool(
        "case_sensitive_like",
        0,
        "LIKE compares ASCII case-sensitively (default false)",
    ),
    pragma_bool(
        "defer_foreign_keys",
        0,
        "foreign keys are checked at commit (default false)",
    ),
    pragma_bool(
        "legacy_alter_table",
        0,
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
    Prop {
        default: Some(0),
        ..limit(
            "limit_worker_threads",
            sys::SQLITE_LIMIT_WORKER_THREADS,
            "most auxiliary sort threads (default 0)",
        )
    },
    Prop {
        name: "mmap_size",
        kind: Kind::Int {
            min: 0,
            max: MAX_MMAP_SIZE,
        },
        target: Target::Pragma,
        default: Some(0),
        doc: "bytes of the database file read through mmap (default 0; file and shm: databases)",
    },
    Prop {
        name: "page_size",
        kind: Kind::PowerOfTwo {
            min: 512,
            max: 65536,
        },
        target: Target::Pragma,
        default: None,
        doc: "page size of a database created by this connection (before its first table)",
    },
    pragma_bool(
        "recursive_triggers",
        0,
        "triggers fire triggers recursively (default false)",
    ),
    pragma_bool(
        "reverse_unordered_selects",
        0,
        "unordered SELECTs return rows in reverse order (testing aid; default false)",
    ),
    Prop {
        name: "secure_delete",
        kind: Kind::Choice(BOOL_FAST),
        target: Target::Pragma,
        default: Some(0),
        doc: "overwrite deleted content: true, false or FAST (default false)",
    },
    Prop {
        name: "temp_store",
        kind: Kind::Choice(TEMP_STORE),
        target: Target::Pragma,
        default: Some(0),
        doc: "where TEMP tables and indexes live: DEFAULT, FILE or MEMORY",
    },
];

/// Values of the accepted properties, by [`PROPS`] index; None: unset.
pub type Values = [Option<i64>; COUNT];

/// sqlite-jdbc properties that have no per-connection meaning here, each with what to use.
pub const REFUSED: &[(&str, &str)] = &[
    ("application_id", "database content, not a connection setting: run PRAGMA application_id=N once"),
    ("auto_vacuum", "fixed when the database is created: run PRAGMA auto_vacuum=... before the first table (then VACUUM)"),
    ("count_changes", "deprecated by SQLite; update counts are always reported through JDBC"),
    ("default_cache_size", "deprecated by SQLite; use cache_size"),
    ("empty_result_callbacks", "deprecated by SQLite; it has no effect through JDBC"),
    ("enable_load_extension", "loading SQLite extensions is not supported"),
    ("encoding", "fixed when the database is created: run PRAGMA encoding=... before the first table"),
    ("full_column_names", "deprecated by SQLite; result column labels follow AS, getColumnName the origin column"),
    ("full_sync", "fullfsync only matters on macOS; use synchronous"),
    ("hexkey_mode", "encryption is not supported"),
    ("jdbc.explicit_readonly", "setReadOnly works at any time here; read_only=true starts connections read-only"),
    ("jdbc.get_generated_keys", "keys are returned only when requested (RETURN_GENERATED_KEYS or key columns) and cost nothing otherwise"),
    ("journal_size_limit", "shmlite sets it from wal_limit_mb (MiB), which also bounds the WAL; use wal_limit_mb"),
    ("legacy_file_format", "removed from SQLite"),
    ("load_extension", "loading SQLite extensions is not supported"),
    ("locking_mode", "EXCLUSIVE would lock the database's other connections out; pooled connections share the database"),
    ("max_page_count", "a limit of the database file: run PRAGMA max_page_count=N on a connection that needs it"),
    ("shared_cache", "mem: databases are shared between connections of the same name already; file: and shm: use WAL"),
    ("short_column_names", "deprecated by SQLite; result column labels follow AS, getColumnName the origin column"),
    ("temp_store_directory", "process-wide in SQLite; set the SQLITE_TMPDIR environment variable"),
    ("user_version", "database content, not a connection setting: run PRAGMA user_version=N once"),
];

/// Index of an accepted property (case-insensitive).
pub fn index_of(name: &str) -> Option<usize> {
    PROPS.iter().position(|p| p.name.eq_ignore_ascii_case(name))
}

/// The advice for a refused sqlite-jdbc property (case-insensitive).
pub fn refused(name: &str) -> Option<&'static str> {
    REFUSED
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, why)| *why)
}

/// Validates a value of property `i`.
pub fn parse(i: usize, value: &str) -> Result<i64> {
    let p = &PROPS[i];
    let v = value.trim();
    let bad = |valid: String| Error::InvalidProperty {
        name: p.name.to_owned(),
        value: value.to_owned(),
        valid,
    };
    match p.kind {
        Kind::Bool => match v.to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" | "1" => Ok(1),
            "false" | "off" | "no" | "0" => Ok(0),
            _ => Err(bad("true, false".to_owned())),
        },
        Kind::Int { min, max } => v
            .parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| bad(format!("an integer from {min} to {max}"))),
        Kind::PowerOfTwo { min, max } => v
            .parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n) && (*n as u64).is_power_of_two())
            .ok_or_else(|| bad(format!("a power of two from {min} to {max}"))),
        Kind::Choice(choices) => choices
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(v))
            .map(|(_, n)| *n)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(k, _)| *k).collect();
                bad(names.join(", "))
            }),
    }
}

/// The value as the property would be written (for the settings listing).
pub fn text(i: usize, v: i64) -> String {
    match PROPS[i].kind {
        Kind::Bool => (v != 0).to_string(),
        Kind::Choice(choices) => choices
            .iter()
            .find(|(_, n)| *n == v)
            .map_or_else(|| v.to_string(), |(k, _)| (*k).to_owned()),
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_unique_and_disjoint_from_the_refused_ones() {
        for w in PROPS.windows(2) {
            assert!(w[0].name < w[1].name, "{} then {}", w[0].name, w[1].name);
        }
        for (name, _) in REFUSED {
            assert!(index_of(name).is_none(), "{name}");
        }
        for p in PROPS {
            assert!(
                crate::config::NAMES.iter().all(|n| *n != p.name),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn values_are_validated() {
        let i = index_of("TEMP_STORE").unwrap();
        assert_eq!(parse(i, "memory").unwrap(), 2);
        assert!(parse(i, "disk").unwrap_err().to_string().contains("MEMORY"));
        let p = index_of("page_size").unwrap();
        assert_eq!(parse(p, "8192").unwrap(), 8192);
        assert!(parse(p, "1000").is_err());
        let r = index_of("recursive_triggers").unwrap();
        assert_eq!(parse(r, "ON").unwrap(), 1);
        assert!(parse(r, "maybe").is_err());
        let l = index_of("limit_attached").unwrap();
        assert!(parse(l, "-1").is_err());
        assert_eq!(text(i, 2), "MEMORY");
        assert_eq!(text(r, 1), "true");
    }
}
