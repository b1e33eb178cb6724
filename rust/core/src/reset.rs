//! What a session may change on its native connection, and how closing undoes it before the
//! connection goes back to the pool. HikariCP's rule: reset what you know, evict what you don't.
//!
//! SQLite itself reports what a statement does: an authorizer callback (installed once per
//! native connection, `ffi::Db::install_authorizer`) sees every PRAGMA with its argument, every
//! ATTACH/DETACH and every TEMP object created, at prepare time, whatever path the SQL took
//! (prepared statement, script, multi-statement text, re-prepare after a schema change). It
//! records them in [`Marks`]; a session that recorded nothing goes back to the pool as before,
//! in O(1). Statements whose preparation recorded something are not kept in the statement cache,
//! so every later use prepares (and records) them again.
//!
//! [`PRAGMAS`] is the one table of what each pragma needs at close.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};

/// How closing undoes a pragma that was given an argument (a pragma without one only reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restore {
    /// Reads, or acts on the database's content, which every connection sees anyway (like any
    /// write): nothing to undo on the connection.
    Nothing,
    /// A setting shmlite configures per connection (`conn::ConnSettings`): applied again, in
    /// full, before the next session's first statement.
    Settings,
    /// A connection setting shmlite does not configure: `PRAGMA name=value` with SQLite's
    /// default (for this build) puts it back.
    Default(&'static str),
    /// `PRAGMA busy_timeout` replaces shmlite's busy handler with SQLite's: reinstalled.
    BusyHandler,
    /// `PRAGMA wal_autocheckpoint` replaces shmlite's WAL hook with SQLite's: reinstalled.
    WalHook,
    /// Changes what closing cannot prove undone (file locks, journal, file format, limits of
    /// the pager): the native connection is closed instead of pooled.
    Evict,
    /// Changes process-wide SQLite state shared by every connection and database of the
    /// process, which neither a reset nor closing a connection undoes: refused at prepare.
    Refuse,
}

use Restore::*;

/// Every pragma of SQLite 3.54's list (the connection properties of `crate::sqlite_props` are
/// `Settings`: closing puts SQLite's default back, the next session's settings its value) (https://sqlite.org/pragma.html), sorted by name. A pragma
/// not in this table (unknown, misspelt, or compiled out of this build) given an argument evicts.
pub const PRAGMAS: &[(&str, Restore)] = &[
    ("activate_extensions", Evict),
    ("analysis_limit", Default("0")),
    ("application_id", Nothing),
    ("auto_vacuum", Evict),
    ("automatic_index", Settings),
    ("busy_timeout", BusyHandler),
    ("cache_size", Settings),
    // The spill size SQLite starts with is 1 page (it then spills at the cache size).
    ("cache_spill", Default("1")),
    // Write-only; OFF re-registers SQLite's case-insensitive LIKE.
    ("case_sensitive_like", Settings),
    ("cell_size_check", Default("0")),
    ("checkpoint_fullfsync", Default("0")),
    ("collation_list", Nothing),
    ("compile_options", Nothing),
    ("count_changes", Default("0")),
    ("data_store_directory", Refuse),
    ("data_version", Nothing),
    ("database_list", Nothing),
    // Writes the database header and sets the cache size.
    ("default_cache_size", Evict),
    ("defer_foreign_keys", Settings),
    ("empty_result_callbacks", Default("0")),
    ("encoding", Evict),
    ("foreign_key_check", Nothing),
    ("foreign_key_list", Nothing),
    ("foreign_keys", Settings),
    ("freelist_count", Nothing),
    ("full_column_names", Default("0")),
    ("fullfsync", Default("0")),
    ("function_list", Nothing),
    ("hard_heap_limit", Refuse),
    ("ignore_check_constraints", Default("0")),
    ("incremental_vacuum", Nothing),
    ("index_info", Nothing),
    ("index_list", Nothing),
    ("index_xinfo", Nothing),
    ("integrity_check", Nothing),
    ("journal_mode", Evict),
    // shmlite may configure it (the WAL bound): a session's value cannot be told from ours.
    ("journal_size_limit", Evict),
    ("legacy_alter_table", Settings),
    ("lock_proxy_file", Evict),
    ("lock_status", Nothing),
    // EXCLUSIVE keeps the file locked after the session: only closing releases it.
    ("locking_mode", Evict),
    ("max_page_count", Evict),
    ("mmap_size", Settings),
    ("module_list", Nothing),
    ("optimize", Nothing),
    ("page_count", Nothing),
    ("page_size", Evict),
    ("pragma_list", Nothing),
    ("query_only", Settings),
    ("quick_check", Nothing),
    ("read_uncommitted", Settings),
    ("recursive_triggers", Settings),
    ("reverse_unordered_selects", Settings),
    // Header values are database content (defensive mode refuses schema_version writes).
    ("schema_version", Nothing),
    ("secure_delete", Settings),
    ("short_column_names", Default("1")),
    ("shrink_memory", Nothing),
    ("soft_heap_limit", Refuse),
    ("stats", Nothing),
    ("synchronous", Settings),
    ("table_info", Nothing),
    ("table_list", Nothing),
    ("table_xinfo", Nothing),
    // Changing it also discards the TEMP database; no transaction is open at close.
    ("temp_store", Settings),
    ("temp_store_directory", Refuse),
    ("threads", Default("0")),
    ("trusted_schema", Default("1")),
    ("user_version", Nothing),
    ("wal_autocheckpoint", WalHook),
    ("wal_checkpoint", Nothing),
    ("writable_schema", Default("0")),
];

/// The table entry of a pragma name (case-insensitive).
pub fn lookup(name: &[u8]) -> Option<(usize, Restore)> {
    PRAGMAS
        .binary_search_by(|(n, _)| {
            let n = n.as_bytes().iter().map(u8::to_ascii_lowercase);
            n.cmp(name.iter().map(u8::to_ascii_lowercase))
        })
        .ok()
        .map(|i| (i, PRAGMAS[i].1))
}

/// What the authorizer tells SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny,
}

/// What the sessions of one native connection did that closing must undo; written by the
/// authorizer during prepare. Atomics only so that the struct is `Sync`: one thread uses a
/// connection at a time.
#[derive(Debug, Default)]
pub struct Marks {
    /// Bit i: `PRAGMAS[i]` was given an argument.
    pragmas: AtomicU64,
    pragmas_hi: AtomicU64,
    /// A TEMP object was created, or a pragma or statement that forces eviction ran.
    evict: AtomicBool,
    attached: AtomicBool,
    /// Something was recorded since the last `begin_prepare` (the statement is not cached).
    noted: AtomicBool,
    /// Driver-built SQL (settings, restores) is running: nothing to record.
    driver: AtomicBool,
    /// The statement just prepared replaced one of shmlite's callbacks (SQLite applies
    /// `busy_timeout` and `wal_autocheckpoint` while compiling the pragma).
    handlers: AtomicBool,
    /// 1 + index into PRAGMAS of the last refused pragma (0: none), for the error message.
    refused: AtomicU32,
    /// The file name of the last ATTACH refused (`url::attach_target_error`): at prepare time
    /// for the user's ATTACH, at step time for the one VACUUM INTO runs inside.
    refused_attach: std::sync::Mutex<Option<String>>,
}

/// A taken snapshot of [`Marks`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dirty {
    pub pragmas: u128,
    pub evict: bool,
    pub attached: bool,
}

impl Dirty {
    /// True when the session did nothing closing has to undo.
    pub fn is_clean(&self) -> bool {
        *self == Dirty::default()
    }

    /// The table entries whose pragma ran with an argument.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, Restore)> + '_ {
        PRAGMAS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.pragmas & (1u128 << i) != 0)
            .map(|(_, e)| *e)
    }
}

// Action codes of sqlite3_set_authorizer (c3ref/c_alter_table.html).
const CREATE_TEMP_INDEX: i32 = 3;
const CREATE_TEMP_TABLE: i32 = 4;
const CREATE_TEMP_TRIGGER: i32 = 5;
const CREATE_TEMP_VIEW: i32 = 6;
const PRAGMA: i32 = 19;
const ATTACH: i32 = 24;
const DETACH: i32 = 25;
const CREATE_VTABLE: i32 = 29;

impl Marks {
    /// Called by the authorizer for every action of a statement being prepared. `arg1`, `arg2`
    /// and `schema` are the callback's third to fifth arguments.
    pub fn authorize(
        &self,
        action: i32,
        arg1: Option<&[u8]>,
        arg2: Option<&[u8]>,
        schema: Option<&[u8]>,
    ) -> Verdict {
        match action {
            PRAGMA => self.pragma(arg1.unwrap_or_default(), arg2, schema),
            CREATE_TEMP_INDEX | CREATE_TEMP_TABLE | CREATE_TEMP_TRIGGER | CREATE_TEMP_VIEW => {
                self.note_evict();
                Verdict::Allow
            }
            CREATE_VTABLE if schema.is_some_and(|s| s.eq_ignore_ascii_case(b"temp")) => {
                self.note_evict();
                Verdict::Allow
            }
            ATTACH => {
                // SQLite passes the filename only when it is a literal (`ATTACH ? AS x`: None).
                let file = arg1.map(String::from_utf8_lossy);
                if let Some(file) = file.filter(|f| crate::url::attach_target_error(f).is_some()) {
                    *self
                        .refused_attach
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some(file.into_owned());
                    return Verdict::Deny;
                }
                if !self.driver.load(Relaxed) {
                    self.attached.store(true, Relaxed);
                    self.noted.store(true, Relaxed);
                }
                Verdict::Allow
            }
            DETACH if !self.driver.load(Relaxed) => {
                self.attached.store(true, Relaxed);
                self.noted.store(true, Relaxed);
                Verdict::Allow
            }
            _ => Verdict::Allow,
        }
    }

    fn pragma(&self, name: &[u8], arg: Option<&[u8]>, schema: Option<&[u8]>) -> Verdict {
        // Without an argument every pragma only reads (or, unknown, does nothing).
        if arg.is_none() || self.driver.load(Relaxed) {
            return Verdict::Allow;
        }
        let Some((i, how)) = lookup(name) else {
            self.note_evict();
            return Verdict::Allow;
        };
        let other_schema = schema.is_some_and(|s| !s.eq_ignore_ascii_case(b"main"));
        match how {
            Nothing => {}
            Refuse => {
                self.refused.store(i as u32 + 1, Relaxed);
                return Verdict::Deny;
            }
            Evict => self.note_evict(),
            // `PRAGMA temp.cache_size=...` and the like: the restore covers the main schema only.
            _ if other_schema => self.note_evict(),
            _ => {
                if matches!(how, BusyHandler | WalHook) {
                    self.handlers.store(true, Relaxed);
                }
                let word = if i < 64 {
                    &self.pragmas
                } else {
                    &self.pragmas_hi
                };
                word.fetch_or(1u64 << (i % 64), Relaxed);
                self.noted.store(true, Relaxed);
            }
        }
        Verdict::Allow
    }

    fn note_evict(&self) {
        if !self.driver.load(Relaxed) {
            self.evict.store(true, Relaxed);
            self.noted.store(true, Relaxed);
        }
    }

    /// Starts the preparation of one statement.
    pub fn begin_prepare(&self) {
        self.noted.store(false, Relaxed);
        self.refused.store(0, Relaxed);
    }

    /// The file name of the last refused ATTACH, if one was refused (taken once).
    pub fn take_refused_attach(&self) -> Option<String> {
        self.refused_attach
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// True when the statement just prepared recorded something (it must not be cached).
    pub fn noted(&self) -> bool {
        self.noted.load(Relaxed)
    }

    /// True (once) when the last preparation replaced one of shmlite's callbacks.
    pub fn take_handlers(&self) -> bool {
        self.handlers.swap(false, Relaxed)
    }

    /// The pragma refused during the last preparation, if any.
    pub fn refused(&self) -> Option<&'static str> {
        match self.refused.load(Relaxed) {
            0 => None,
            i => Some(PRAGMAS[i as usize - 1].0),
        }
    }

    /// Marks driver-built SQL as running (true) or done (false).
    pub fn set_driver(&self, on: bool) {
        self.driver.store(on, Relaxed);
    }

    /// What was recorded since the last call, clearing it. One atomic load when clean.
    pub fn take(&self) -> Dirty {
        let lo = self.pragmas.load(Relaxed);
        let hi = self.pragmas_hi.load(Relaxed);
        let evict = self.evict.load(Relaxed);
        let attached = self.attached.load(Relaxed);
        if lo == 0 && hi == 0 && !evict && !attached {
            return Dirty::default();
        }
        self.pragmas.store(0, Relaxed);
        self.pragmas_hi.store(0, Relaxed);
        self.evict.store(false, Relaxed);
        self.attached.store(false, Relaxed);
        Dirty {
            pragmas: lo as u128 | (hi as u128) << 64,
            evict,
            attached,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_fits_the_bitset() {
        assert!(PRAGMAS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(PRAGMAS.len() <= 128);
        assert_eq!(lookup(b"Foreign_Keys").map(|e| e.1), Some(Settings));
        assert_eq!(lookup(b"no_such_pragma"), None);
    }

    #[test]
    fn marks_record_what_needs_undoing() {
        let m = Marks::default();
        assert_eq!(
            m.authorize(PRAGMA, Some(b"table_info"), Some(b"t"), None),
            Verdict::Allow
        );
        assert_eq!(
            m.authorize(PRAGMA, Some(b"locking_mode"), None, None),
            Verdict::Allow
        );
        assert!(m.take().is_clean());
        m.begin_prepare();
        m.authorize(PRAGMA, Some(b"ignore_check_constraints"), Some(b"1"), None);
        assert!(m.noted());
        let d = m.take();
        assert_eq!(
            d.entries().collect::<Vec<_>>(),
            [("ignore_check_constraints", Default("0"))]
        );
        assert!(!d.evict && m.take().is_clean());
        m.authorize(PRAGMA, Some(b"cache_size"), Some(b"10"), Some(b"temp"));
        assert!(m.take().evict);
        m.authorize(CREATE_TEMP_TRIGGER, Some(b"tr"), Some(b"t"), Some(b"temp"));
        assert!(m.take().evict);
        m.authorize(PRAGMA, Some(b"bogus"), Some(b"1"), None);
        assert!(m.take().evict);
        m.begin_prepare();
        assert_eq!(
            m.authorize(PRAGMA, Some(b"soft_heap_limit"), Some(b"1"), None),
            Verdict::Deny
        );
        assert_eq!(m.refused(), Some("soft_heap_limit"));
        m.set_driver(true);
        m.authorize(PRAGMA, Some(b"foreign_keys"), Some(b"1"), None);
        m.authorize(DETACH, Some(b"aux"), None, None);
        m.set_driver(false);
        assert!(m.take().is_clean());
    }
}
