//! The process-wide registry of live databases, keyed by `mem:NAME`, `shm:NAME` (with
//! `?shm_dir=DIR` outside the default directory) or `file:PATH`.

use crate::config::{Config, JournalMode};
use crate::conn::OpenSpec;
use crate::database::Database;
use crate::error::{Error, Result};
use crate::shm;
use crate::url::{self, Target};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

static REGISTRY: LazyLock<Mutex<HashMap<String, Arc<Database>>>> = LazyLock::new(Default::default);

/// Distinguishes incarnations of one `mem:` name: after a drop, connections still using the old
/// database must not be joined by new ones (SQLite shares by URI name).
static INCARNATION: AtomicU64 = AtomicU64::new(0);

fn registry() -> MutexGuard<'static, HashMap<String, Arc<Database>>> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// The registry key of a target (None for private in-memory databases). A `shm:` database is
/// keyed with its directory unless that is the default one (`shm:NAME?shm_dir=/X`), so that
/// databases of one name in two directories are two databases, and every key parses back as
/// a URL naming the same database.
pub fn key_of(target: &Target, shm_dir: Option<&str>) -> Result<Option<String>> {
    Ok(match target {
        Target::PrivateMem => None,
        Target::Mem(n) => Some(format!("mem:{n}")),
        Target::Shm(n) => Some(match shm_dir.map(canonical_dir) {
            Some(dir) if dir != canonical_dir(shm::DEFAULT_SHM_DIR) => {
                format!("shm:{n}?shm_dir={}", query_escape(&dir))
            }
            _ => format!("shm:{n}"),
        }),
        Target::File(p) => Some(format!("file:{}", absolute(p)?.display())),
        Target::Dqlite { seeds, name } => Some(crate::remote::key_of(seeds, name)),
    })
}

/// A directory with symlinks and `..` resolved when it exists (two spellings, one key).
fn canonical_dir(dir: &str) -> String {
    Path::new(dir).canonicalize().map_or_else(
        |_| dir.trim_end_matches('/').to_owned(),
        |p| p.display().to_string(),
    )
}

/// Percent-escapes what the URL query parser would split or decode (`&`, `%`, `+`, `#`...).
fn query_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn absolute(p: &str) -> Result<PathBuf> {
    let path = Path::new(p);
    if let Ok(c) = path.canonicalize() {
        return Ok(c);
    }
    // Not created yet: canonicalise the parent so two spellings of one file share a key.
    let abs = std::path::absolute(path).map_err(|e| Error::Io {
        context: format!("cannot resolve path {p}"),
        source: e,
    })?;
    match (
        abs.parent().and_then(|d| d.canonicalize().ok()),
        abs.file_name(),
    ) {
        (Some(dir), Some(name)) => Ok(dir.join(name)),
        _ => Ok(abs),
    }
}

/// Finds or creates the database of `target` and counts one more user of it.
pub fn acquire(target: &Target, config: &Config) -> Result<Arc<Database>> {
    let key =
        key_of(target, config.shm_dir.as_deref())?.expect("private databases are not registered");
    let mut reg = registry();
    if let Some(db) = reg.get(&key) {
        db.check_compatible(config)?;
        db.users.fetch_add(1, Relaxed);
        return Ok(db.clone());
    }
    let (spec, wal) = match target {
        Target::Mem(name) => (
            OpenSpec {
                // In the process's memory (`memvfs`), in WAL mode: readers never wait for the
                // writer and run in parallel; the WAL bound keeps its memory bounded too.
                path: crate::memvfs::uri(&format!(
                    "{name}-{}",
                    INCARNATION.fetch_add(1, Relaxed)
                )),
                shared_cache: false,
                read_only: config.read_only_open,
                create: true, // a memory database always exists once named
                journal_mode: Some(JournalMode::Wal),
                wal_limit_bytes: config.wal_limit_mb as u64 * 1024 * 1024,
                persist_wal: false,
            },
            None,
        ),
        Target::Shm(name) => {
            let dir = shm::private_dir(config.shm_dir.as_deref())?;
            let file = shm::database_file(&dir, name, config.create)?;
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            let spec = OpenSpec {
                persist_wal: true,
                ..file_spec(&file, config)
            };
            (spec, Some(wal))
        }
        Target::File(_) => {
            let file = PathBuf::from(&key["file:".len()..]);
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            (file_spec(&file, config), Some(wal))
        }
        Target::PrivateMem => unreachable!("checked above"),
        // Sessions on a cluster open through `crate::remote`; what comes here is a local-only
        // operation (backup, restore) on one.
        Target::Dqlite { .. } => {
            return Err(Error::NotSupported(format!(
                "{key}: a dqlite:// database lives on its cluster; backup and restore work on local databases only"
            )))
        }
    };
    let db = Arc::new(Database::create(
        key.clone(),
        target.clone(),
        config.clone(),
        spec,
        wal,
    )?);
    if let (Target::Mem(_), Some(path)) = (target, &config.init_from) {
        // Loaded before anyone can see the database; on failure it is not registered.
        if let Err(e) = crate::backup::load_new(&db, config, Path::new(path)) {
            db.close();
            return Err(e);
        }
    }
    db.users.fetch_add(1, Relaxed);
    reg.insert(key, db.clone());
    Ok(db)
}

fn file_spec(file: &Path, config: &Config) -> OpenSpec {
    OpenSpec {
        // A plain path (not a URI), so '?' or '#' in a file name are not misread.
        path: file.display().to_string(),
        shared_cache: false,
        read_only: config.read_only_open,
        create: config.create,
        journal_mode: config.journal_mode,
        wal_limit_bytes: config.wal_limit_mb as u64 * 1024 * 1024,
        persist_wal: false,
    }
}

/// Counts one more user of a database already acquired (a backup keeping it alive).
pub fn retain(db: &Arc<Database>) {
    let _reg = registry();
    db.users.fetch_add(1, Relaxed);
}

/// Counts one user less; a database with `keep_alive=false` closes with its last user, and so
/// does one that holds no connection at all (its first open failed), so its configuration does
/// not outlive the failure.
pub fn release(db: &Arc<Database>) {
    let mut reg = registry();
    let left = db.users.fetch_sub(1, Relaxed) - 1;
    if left == 0 && (!db.base.keep_alive || db.is_empty()) {
        if reg.get(&db.key).is_some_and(|live| Arc::ptr_eq(live, db)) {
            reg.remove(&db.key);
        }
        drop(reg);
        db.close();
    }
}

/// A URL or key (`jdbc:shmlite:mem:x`, `mem:x`, `shm:x?shm_dir=/d`, `file:/p`) with its
/// properties checked, and its registry key (None for a private in-memory database).
pub(crate) fn locate(url_or_key: &str) -> Result<(Target, Config, Option<String>)> {
    let parsed = url::parse(url_or_key)?;
    let config = Config::from_pairs(
        &parsed.target,
        parsed
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    let key = key_of(&parsed.target, config.shm_dir.as_deref())?;
    Ok((parsed.target, config, key))
}

/// Resolves a URL or key to a registry key: the URL's `shm_dir` counts, other properties do
/// not. Java's `Shmlite` asks here rather than parsing URLs itself.
pub fn resolve(url_or_key: &str) -> Result<Option<String>> {
    Ok(locate(url_or_key)?.2)
}

/// Keys of the live databases, sorted.
pub fn databases() -> Vec<String> {
    let mut keys: Vec<String> = registry().keys().cloned().collect();
    keys.sort();
    keys
}

/// The live database of a URL or key.
pub fn lookup(url_or_key: &str) -> Result<Option<Arc<Database>>> {
    Ok(match resolve(url_or_key)? {
        Some(key) => registry().get(&key).cloned(),
        None => None,
    })
}

/// Drops the database a URL or key names (for `shm:` the one in the URL's `shm_dir`, nothing
/// else). New connections get a fresh, empty database from the moment this returns.
///
/// Returns how many of this process's connections still use the dropped database (they fail
/// with 08003 from now on and close normally), `Some(0)` for an `shm:` database that was not
/// open here but whose files existed, or None when there was nothing to drop.
///
/// Everything happens under the registry lock, so no open can interleave: the entry is removed,
/// opens still in progress on it are waited for, its idle connections are closed, and only then
/// are a `shm:` database's files deleted; the next open creates fresh files. Connections still
/// lent out are bound to the unlinked files (their WAL and `-shm` were opened when they were
/// configured) and, with `SQLITE_FCNTL_PERSIST_WAL`, closing them deletes no file by name, so
/// they never touch the new database's files. When another process has the `shm:` database
/// open, nothing is dropped and the error names that process.
pub fn drop_database(url_or_key: &str) -> Result<Option<usize>> {
    let (target, config, key) = locate(url_or_key)?;
    let Some(key) = key else {
        return Ok(None);
    };
    let mut reg = registry();
    let file = match &target {
        Target::Shm(name) => {
            Some(shm::private_dir(config.shm_dir.as_deref())?.join(format!("{name}.db")))
        }
        _ => None,
    };
    if let Some(file) = &file {
        let shm_file = PathBuf::from(format!("{}-shm", file.display()));
        if let Some(pid) = crate::watch::other_user(&shm_file) {
            let process = match pid {
                0 => "a process outside this pid namespace".to_owned(),
                pid => format!("process {pid}"),
            };
            return Err(Error::Refused(format!(
                "{key} is still open in {process}; nothing was dropped and its files were kept"
            )));
        }
    }
    let lent = reg.remove(&key).map(|db| db.close());
    if let Some(file) = &file {
        let existed = file.exists();
        crate::watch::forget_shm_file(Path::new(&format!("{}-shm", file.display())));
        for suffix in ["-wal", "-shm", ""] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        drop(reg);
        if lent.is_none() && existed {
            return Ok(Some(0));
        }
    }
    Ok(lent)
}
