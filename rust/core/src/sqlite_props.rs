//! sqlite-jdbc's pragma and limit connection properties that map to a per-connection SQLite
//! setting, with sqlite-jdbc's names and values (README "Migrating from sqlite-jdbc"), and the
//! sqlite-jdbc properties refused with what to use instead.
//!
//! The accepted ones are entries of the one property table ([`crate::properties::PROPERTIES`],
//! where their names, values and docs are); [`PROPS`] is derived from it at compile time and
//! says what each sets. Each is connection-level: applied lazily with the other connection
//! settings (`conn::NativeConn::apply`), and put back before the next session's first statement
//! when a session changed it with its own PRAGMA (`reset::PRAGMAS` lists these pragmas as
//! `Restore::Settings`); unset, a pooled connection gets SQLite's default back.

use crate::properties::{Slot, PROPERTIES};

/// What a property sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `PRAGMA name=value`.
    Pragma,
    /// `sqlite3_limit(db, id, value)`; SQLite lowers a value above the compile-time bound to it.
    Limit(i32),
}

/// One accepted property, as `conn.rs` applies it.
#[derive(Debug, Clone, Copy)]
pub struct Prop {
    pub name: &'static str,
    pub target: Target,
    /// What an unset property puts back on a pooled connection (SQLite's default for this
    /// build); None: nothing to put back (the setting is the database's, e.g. page_size).
    pub default: Option<i64>,
}

/// Bound of every limit value (sqlite3_limit takes an int).
pub const LIMIT_MAX: i64 = i32::MAX as i64;
/// The default of a limit: above every compile-time bound, so SQLite sets its bound, which is
/// the value a fresh connection has (except worker threads, whose default is 0).
pub const LIMIT_RESET: Option<i64> = Some(LIMIT_MAX);
/// Largest `mmap_size` accepted: the build's SQLITE_MAX_MMAP_SIZE (1 TiB, `.cargo/config.toml`).
pub const MAX_MMAP_SIZE: i64 = 1 << 40;

/// Number of accepted properties (the table's `Slot::Sqlite` entries).
pub const COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < PROPERTIES.len() {
        if matches!(PROPERTIES[i].slot, Slot::Sqlite { .. }) {
            n += 1;
        }
        i += 1;
    }
    n
};

/// Every accepted property, in table order (sorted by name).
pub const PROPS: [Prop; COUNT] = {
    let mut out = [Prop {
        name: "",
        target: Target::Pragma,
        default: None,
    }; COUNT];
    let (mut n, mut i) = (0, 0);
    while i < PROPERTIES.len() {
        if let Slot::Sqlite { target, reset } = PROPERTIES[i].slot {
            out[n] = Prop {
                name: PROPERTIES[i].name,
                target,
                default: reset,
            };
            n += 1;
        }
        i += 1;
    }
    out
};

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
        assert_eq!(COUNT, 22);
        assert_eq!(index_of("TEMP_STORE"), Some(COUNT - 1));
        assert_eq!(PROPS[index_of("page_size").unwrap()].default, None);
        assert_eq!(
            PROPS[index_of("limit_attached").unwrap()].target,
            Target::Limit(libsqlite3_sys::SQLITE_LIMIT_ATTACHED)
        );
    }
}
