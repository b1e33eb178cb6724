//! Online backup and restore of a live database through SQLite's backup API, in steps.
//!
//! A [`Transfer`] copies [`STEP_PAGES`] pages per [`Transfer::step`]; the caller (Java's
//! `Shmlite.backup`) pauses between steps and reports progress, so a running writer waits at
//! most one step's copy.
//!
//! Consistency:
//! - Backup of a `mem:` database (shared cache: every connection writes into one page cache,
//!   uncommitted pages included): SQLite refuses a step (SQLITE_BUSY) while any connection of
//!   the shared cache has a write transaction open, so a step copies committed pages only; it
//!   is retried every [`LOCK_RETRY_PAUSE`] within busy_timeout. A commit by another connection
//!   between steps makes SQLite restart the copy; after [`MAX_RESTARTS`] restarts the rest is
//!   copied in one step, so a backup under a steady writer still ends, with a committed snapshot.
//! - Backup of an `shm:`/file database reads committed data only (own read transaction per
//!   step; a commit in between restarts it, bounded the same way).
//! - Restore writes into the live database through one of its pooled connections: SQLite holds
//!   the destination's write lock from the first step to the last and commits at the end, so
//!   readers see the old or the new content. On a `mem:` destination (shared cache) SQLite
//!   wants the cache exclusively, which busy readers would starve; so the restore first becomes
//!   the writer and takes the schema table's write lock ([`RESTORE_LOCK_SQL`], waited for through
//!   unlock-notify like any lock, which also stops new readers), then copies: readers wait
//!   (bounded by their busy_timeout) and read the new content after the commit.

use crate::config::Config;
use crate::conn::{ConnSettings, NativeConn};
use crate::database::Database;
use crate::error::{Error, Result};
use crate::ffi::{BackupRun, Db};
use crate::registry;
use crate::url::Target;
use libsqlite3_sys as sys;
use rusqlite::OpenFlags;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pages copied per step (256 pages: 1 MiB at the default 4 KiB page size).
pub const STEP_PAGES: i32 = 256;
/// Restarts (the source changed under the copy) after which the rest is copied in one step.
pub const MAX_RESTARTS: u32 = 8;
/// Pause before retrying a step that met a lock (BUSY/LOCKED: a writer's transaction is open),
/// within busy_timeout: short, as a busy writer leaves only short gaps between transactions.
pub const LOCK_RETRY_PAUSE: Duration = Duration::from_micros(200);

/// Makes a shared-cache restore the writer holding the schema table's write lock (no reader can
/// start a statement), inside the transaction the restore's copy then commits.
pub const RESTORE_LOCK_SQL: [&str; 3] = [
    "BEGIN IMMEDIATE",
    "CREATE TABLE _shmlite_restore_lock (x)",
    "DROP TABLE _shmlite_restore_lock",
];

/// One backup or restore in progress. Field order: the run finishes before the connections
/// it uses close or go back to the pool.
#[derive(Debug)]
pub struct Transfer {
    run: Option<BackupRun>,
    file: Option<rusqlite::Connection>,
    conn: Option<NativeConn>,
    db: Arc<Database>,
    path: String,
    restore: bool,
    /// Drop releases the database (registry users).
    counted: bool,
    busy_timeout_ms: u32,
    restarts: u32,
    last_remaining: Option<i32>,
    done: bool,
}

impl Transfer {
    /// Starts a backup of the live database `url` names into `path` (created or overwritten),
    /// or with `restore`, a restore of `path`'s content into that database.
    pub fn open(url_text: &str, path: &Path, restore: bool) -> Result<Transfer> {
        let (target, config, _) = registry::locate(url_text)?;
        let db = match &target {
            Target::PrivateMem => {
                return Err(Error::InvalidUrl {
                    url: url_text.to_owned(),
                    reason: "a private in-memory database belongs to one connection; back up a named one (mem:NAME), or run VACUUM INTO on that connection".into(),
                })
            }
            // Backing up a mem: database nobody created would silently write an empty file.
            Target::Mem(_) if !restore => match registry::lookup(url_text)? {
                Some(db) if !db.is_dropped() => {
                    registry::retain(&db);
                    db
                }
                _ => {
                    return Err(Error::Refused(format!(
                        "{url_text} is not a live database of this process; nothing to back up"
                    )))
                }
            },
            target => registry::acquire(target, &config)?,
        };
        Self::start(db, &config, path, restore, true)
    }

    /// Starts on a database already counted (`counted`: released by Drop) or being created.
    fn start(
        db: Arc<Database>,
        config: &Config,
        path: &Path,
        restore: bool,
        counted: bool,
    ) -> Result<Transfer> {
        let mut t = Transfer {
            counted,
            run: None,
            file: None,
            conn: None,
            db,
            path: path.display().to_string(),
            restore,
            busy_timeout_ms: config.busy_timeout_ms,
            restarts: 0,
            last_remaining: None,
            done: false,
        };
        // From here on, Drop gives the connection back and releases the database.
        let settings = ConnSettings::from_config(config);
        t.conn = Some(t.db.borrow(settings, config.pool_timeout_ms)?);
        let file = open_file(path, restore)?;
        let live = t.conn.as_ref().expect("set above").db();
        let (dest, src) = if restore {
            (live, Db::of(&file))
        } else {
            (Db::of(&file), live)
        };
        t.run = Some(BackupRun::init(dest, src).map_err(|(code, m)| t.file_error(code, m))?);
        t.file = Some(file);
        Ok(t)
    }

    fn file_error(&self, code: i32, reason: String) -> Error {
        Error::BackupFile {
            what: if self.restore {
                "restore from"
            } else {
                "backup to"
            },
            path: self.path.clone(),
            reason,
            code,
        }
    }

    /// Copies the next step; returns (pages remaining, pages in total) and whether it is done.
    pub fn step(&mut self) -> Result<(i32, i32, bool)> {
        if self.done {
            let (rem, total) = self.run.as_ref().map_or((0, 0), |r| r.progress());
            return Ok((rem, total, true));
        }
        if self.restore && self.last_remaining.is_none() && matches!(self.db.target, Target::Mem(_))
        {
            let conn = self.conn.as_mut().expect("open sets it");
            conn.control().arm(self.busy_timeout_ms, 0);
            let locked = RESTORE_LOCK_SQL.iter().try_for_each(|sql| conn.pragma(sql));
            conn.control().disarm();
            locked?;
        }
        let pages = if self.restarts >= MAX_RESTARTS {
            -1
        } else {
            STEP_PAGES
        };
        let start = Instant::now();
        let rc = loop {
            let rc = self.run.as_mut().expect("open sets it").step(pages);
            match rc & 0xff {
                sys::SQLITE_BUSY | sys::SQLITE_LOCKED
                    if start.elapsed() < Duration::from_millis(self.busy_timeout_ms as u64) =>
                {
                    if crate::control::thread_interrupted() {
                        return Err(Error::Interrupted(format!(
                            "{} of {} (waiting for a lock)",
                            if self.restore { "restore" } else { "backup" },
                            self.db.key
                        )));
                    }
                    std::thread::sleep(LOCK_RETRY_PAUSE)
                }
                _ => break rc,
            }
        };
        let run = self.run.as_ref().expect("open sets it");
        let (remaining, total) = run.progress();
        match rc {
            sys::SQLITE_OK | sys::SQLITE_DONE => {}
            rc if rc & 0xff == sys::SQLITE_BUSY || rc & 0xff == sys::SQLITE_LOCKED => {
                return Err(Error::LockTimeout {
                    waited_ms: start.elapsed().as_millis() as u64,
                    lock: format!(
                        "{}'s database lock for {}",
                        self.db.key,
                        if self.restore {
                            "a restore"
                        } else {
                            "a backup"
                        }
                    ),
                    sql: None,
                })
            }
            rc => {
                let message = match (self.restore, rc & 0xff) {
                    (true, sys::SQLITE_READONLY) => format!(
                        "{} (an in-memory database takes a restore only from a file of its page size, or the database is read-only)",
                        errstr(rc)
                    ),
                    _ => errstr(rc),
                };
                return Err(self.file_error(rc, message));
            }
        }
        if self.last_remaining.is_some_and(|last| remaining > last) {
            self.restarts += 1;
        }
        self.last_remaining = Some(remaining);
        self.done = rc == sys::SQLITE_DONE;
        if self.done {
            // The copy committed the storage; end the statement-level transaction begun above.
            let conn = self.conn.as_mut().expect("open sets it");
            if !conn.db().autocommit() {
                conn.pragma("COMMIT")?;
            }
            if !self.restore {
                // A copy of a WAL database (mem:, shm:) is in WAL mode too, and opening it would
                // leave -wal and -shm files beside it: make the backup one self-contained file.
                // Should this fail, the copy is still complete (only in WAL mode), so no error.
                if let Some(file) = &self.file {
                    let _ =
                        file.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get::<_, String>(0));
                }
            }
        }
        Ok((remaining, total, self.done))
    }
}

impl Drop for Transfer {
    fn drop(&mut self) {
        drop(self.run.take());
        drop(self.file.take());
        if let Some(mut conn) = self.conn.take() {
            if !conn.db().autocommit() {
                let _ = conn.pragma("ROLLBACK");
            }
            let reusable = conn.reset_for_pool();
            self.db.give_back(conn, reusable);
        }
        if self.counted {
            registry::release(&self.db);
        }
    }
}

fn errstr(rc: i32) -> String {
    rusqlite::ffi::Error::new(rc).to_string()
}

/// The file side: opened without following a missing file into existence for a restore.
fn open_file(path: &Path, restore: bool) -> Result<rusqlite::Connection> {
    let what = if restore { "restore from" } else { "backup to" };
    let flags = OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_PRIVATE_CACHE
        | if restore {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
    if restore && !path.is_file() {
        return Err(Error::BackupFile {
            what,
            path: path.display().to_string(),
            reason: "no such file".into(),
            code: sys::SQLITE_CANTOPEN,
        });
    }
    rusqlite::Connection::open_with_flags(path, flags).map_err(|e| Error::BackupFile {
        what,
        path: path.display().to_string(),
        reason: e.to_string(),
        code: match &e {
            rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
            _ => sys::SQLITE_CANTOPEN,
        },
    })
}

/// Loads a `mem:` database being created from `path` (`init_from`), in one run. Called under
/// the registry lock, before the database is registered.
pub fn load_new(db: &Arc<Database>, config: &Config, path: &Path) -> Result<()> {
    let mut t = Transfer::start(db.clone(), config, path, true, false).map_err(init_error)?;
    while !t.step().map_err(init_error)?.2 {}
    Ok(())
}

fn init_error(e: Error) -> Error {
    match e {
        Error::BackupFile {
            path, reason, code, ..
        } => Error::BackupFile {
            what: "init_from",
            path,
            reason,
            code,
        },
        other => other,
    }
}
