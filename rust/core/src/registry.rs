//! The process-wide registry of live databases, keyed by `mem:NAME`, `shm:NAME` or `file:PATH`.

use crate::config::Config;
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

/// The registry key of a target (None for private in-memory databases).
pub fn key_of(target: &Target) -> Result<Option<String>> {
    Ok(match target {
        Target::PrivateMem => None,
        Target::Mem(n) => Some(format!("mem:{n}")),
        Target::Shm(n) => Some(format!("shm:{n}")),
        Target::File(p) => Some(format!("file:{}", absolute(p)?.display())),
    })
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
    let key = key_of(target)?.expect("private databases are not registered");
    let mut reg = registry();
    if let Some(db) = reg.get(&key) {
        db.check_compatible(config)?;
        db.users.fetch_add(1, Relaxed);
        return Ok(db.clone());
    }
    let (spec, wal) = match target {
        Target::Mem(name) => (
            OpenSpec {
                path: format!(
                    "file:shmlite-{name}-{}?mode=memory&cache=shared",
                    INCARNATION.fetch_add(1, Relaxed)
                ),
                shared_cache: true,
                read_only: config.read_only_open,
                create: true, // a memory database always exists once named
                journal_mode: None,
                wal_limit_bytes: 0,
            },
            None,
        ),
        Target::Shm(name) => {
            let dir = shm::private_dir(config.shm_dir.as_deref())?;
            let file = shm::database_file(&dir, name, config.create)?;
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            (file_spec(&file, config), Some(wal))
        }
        Target::File(_) => {
            let file = PathBuf::from(&key["file:".len()..]);
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            (file_spec(&file, config), Some(wal))
        }
        Target::PrivateMem => unreachable!("checked above"),
    };
    let db = Arc::new(Database::create(
        key.clone(),
        target.clone(),
        config.clone(),
        spec,
        wal,
    )?);
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
    }
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

/// Resolves a URL or key (`jdbc:shmlite:mem:x`, `mem:x`, `shm:x`, `file:/p`) to a registry key.
pub fn resolve(url_or_key: &str) -> Result<Option<String>> {
    key_of(&url::parse(url_or_key)?.target)
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

/// Drops a database: removes it from the registry and frees its memory once the connections
/// still lent out come back. Returns how many are still lent out, or None when not live.
///
/// A `shm:` database's files are deleted too when no connection of this process is lent out
/// and no other process has it open; otherwise they are kept, and another process holding it
/// is named in the error.
pub fn drop_database(url_or_key: &str) -> Result<Option<usize>> {
    let parsed = url::parse(url_or_key)?;
    let Some(key) = key_of(&parsed.target)? else {
        return Ok(None);
    };
    let db = registry().remove(&key);
    let lent = db.as_ref().map(|db| db.close());
    if let Target::Shm(name) = &parsed.target {
        if lent.unwrap_or(0) == 0 {
            let config = Config::from_pairs(
                &parsed.target,
                parsed
                    .properties
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )?;
            let file = shm::private_dir(config.shm_dir.as_deref())?.join(format!("{name}.db"));
            let shm_file = PathBuf::from(format!("{}-shm", file.display()));
            if let Some(pid) = crate::watch::other_user(&shm_file) {
                return Err(Error::Refused(format!(
                    "shm:{name} is still open in process {pid}; its files were kept"
                )));
            }
            let existed = file.exists();
            for suffix in ["-wal", "-shm", ""] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            if lent.is_none() && existed {
                return Ok(Some(0));
            }
        }
    }
    Ok(lent)
}
