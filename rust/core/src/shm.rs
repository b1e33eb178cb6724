//! Where `shm:` databases live: a private per-user directory on tmpfs, checked before every open.
//!
//! Threat: another local user who can rename entries along the path to a database can swap the
//! private directory (or the file) for a symlink to their own, and a later open then writes the
//! victim's data into the attacker's file. So before every open of an `shm:` database (its
//! first acquire and every new native connection of its pool):
//!
//! 1. every component of `shm_dir`, from `/` down, must be a directory owned by root or by this
//!    user and, when group- or world-writable, carry the sticky bit (the classic "safe path"
//!    rule: such a directory's entries can then be renamed or replaced only by their owner, by
//!    the directory's owner or by root). A symlink on the way is followed only when root or this
//!    user owns it (its directory is checked first, so nobody else can replace it), and its
//!    target is walked by the same rule;
//! 2. the private directory `shmlite-<uid>` is opened with `O_DIRECTORY | O_NOFOLLOW` and checked
//!    through that handle: a real directory, owned by this user, mode exactly 0700;
//! 3. the database file is opened with `O_NOFOLLOW` and checked through that handle (a regular
//!    file owned by this user, no group/other permission bits); its `-wal`/`-shm` companions,
//!    when present, must not be symlinks and must be regular files owned by this user.
//!
//! SQLite then opens the database by its path string, and opens `-wal`/`-shm` later by path too,
//! so this is a check followed by a use of the path. That is safe here, and only because of rule
//! 1 and 2: every directory on the path can have its entries renamed, removed or created only by
//! root or by this user (a safe ancestor, then our 0700 private directory), so between the check
//! and SQLite's open no other non-root user can put a different directory, file or symlink at any
//! point of the path. Root can do anything anyway, and this user is the victim.

use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// Default parent of the private directory.
pub const DEFAULT_SHM_DIR: &str = "/dev/shm";

/// How many symlinks the walk of `shm_dir` follows before giving up: the kernel's own bound for
/// one path resolution (ELOOP after 40), so a path the kernel resolves is never refused for it.
pub const MAX_SYMLINKS: usize = 40;

/// The sticky bit (`S_ISVTX`): in a directory with it, only an entry's owner, the directory's
/// owner or root may rename or remove the entry.
const STICKY: u32 = 0o1000;

/// The effective user id of this process: the owner of what it creates, and the id the private
/// directory is named after.
///
/// (It was the owner of `/proc/self`, else of a probe file created at a predictable path in the
/// temporary directory, which a hostile user could have planted as a symlink to a victim's file.)
pub fn current_uid() -> u32 {
    crate::ffi::effective_uid()
}

fn io(context: &str, source: std::io::Error) -> Error {
    Error::Io {
        context: context.to_owned(),
        source,
    }
}

/// Checks that no user other than root and `uid` can replace an entry anywhere along `given`
/// (rule 1 of the module comment), and returns the path with every symlink resolved.
pub fn check_safe_path(given: &Path, uid: u32) -> Result<PathBuf> {
    let refuse = |component: &Path, why: String| {
        Error::Refused(format!(
            "shm_dir {}: {} {why}, so another user could replace the private directory; use a directory that only you or root can write, or one with the sticky bit such as /dev/shm",
            given.display(),
            component.display()
        ))
    };
    let abs = std::path::absolute(given)
        .map_err(|e| io(&format!("cannot resolve shm_dir {}", given.display()), e))?;
    let mut pending: VecDeque<OsString> = VecDeque::new();
    push_front(&mut pending, &abs);
    let mut resolved = PathBuf::from("/");
    let mut links = 0;
    let check_dir = |path: &Path, m: &Metadata| -> Result<()> {
        if m.uid() != 0 && m.uid() != uid {
            return Err(refuse(
                path,
                format!(
                    "is owned by uid {}, neither root nor this user (uid {uid})",
                    m.uid()
                ),
            ));
        }
        if m.mode() & 0o022 != 0 && m.mode() & STICKY == 0 {
            let who = if m.mode() & 0o002 != 0 {
                "all"
            } else {
                "group"
            };
            return Err(refuse(
                path,
                format!(
                    "is writable by other users ({who}, mode {:o}) without the sticky bit",
                    m.mode() & 0o7777
                ),
            ));
        }
        Ok(())
    };
    let root = fs::symlink_metadata("/").map_err(|e| io("cannot inspect /", e))?;
    check_dir(Path::new("/"), &root)?;
    while let Some(part) = pending.pop_front() {
        let part = Path::new(&part);
        match part.components().next() {
            Some(Component::RootDir) => {
                resolved = PathBuf::from("/");
                continue;
            }
            Some(Component::CurDir) | None => continue,
            Some(Component::ParentDir) => {
                resolved.pop();
                continue;
            }
            _ => {}
        }
        let next = resolved.join(part);
        let m = fs::symlink_metadata(&next)
            .map_err(|e| io(&format!("cannot inspect {}", next.display()), e))?;
        if m.file_type().is_symlink() {
            if m.uid() != 0 && m.uid() != uid {
                return Err(refuse(
                    &next,
                    format!(
                        "is a symlink owned by uid {}, neither root nor this user (uid {uid})",
                        m.uid()
                    ),
                ));
            }
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(refuse(
                    &next,
                    format!("leads through more than {MAX_SYMLINKS} symlinks"),
                ));
            }
            let target = fs::read_link(&next)
                .map_err(|e| io(&format!("cannot read symlink {}", next.display()), e))?;
            push_front(&mut pending, &target);
        } else if m.is_dir() {
            check_dir(&next, &m)?;
            resolved = next;
        } else {
            return Err(Error::Refused(format!(
                "shm_dir {}: {} is not a directory",
                given.display(),
                next.display()
            )));
        }
    }
    Ok(resolved)
}

/// Queues the components of `path` before those still pending (a symlink's target replaces it).
fn push_front(pending: &mut VecDeque<OsString>, path: &Path) {
    for c in path.components().rev() {
        pending.push_front(c.as_os_str().to_owned());
    }
}

/// The private directory `<parent>/shmlite-<uid>` (with `parent`'s symlinks resolved), created
/// 0700 if missing and checked as the module comment says (rules 1 and 2).
pub fn private_dir(parent: Option<&str>) -> Result<PathBuf> {
    let parent = Path::new(parent.unwrap_or(DEFAULT_SHM_DIR));
    if !parent.is_dir() {
        return Err(Error::Refused(format!(
            "shm: directory {} does not exist; set shm_dir to a tmpfs directory such as $XDG_RUNTIME_DIR",
            parent.display()
        )));
    }
    let uid = current_uid();
    let dir = check_safe_path(parent, uid)?.join(format!("shmlite-{uid}"));
    let created = match DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
        Err(e) => return Err(io(&format!("cannot create {}", dir.display()), e)),
    };
    let handle = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(&dir)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) | Some(libc::ENOTDIR) => Error::Refused(format!(
                "{} is not a directory (a symlink or file is in its place); remove it and reconnect",
                dir.display()
            )),
            _ => io(&format!("cannot open {}", dir.display()), e),
        })?;
    if created {
        // mkdir's mode is cut by the umask; fchmod on the handle, so it is this directory's mode.
        handle
            .set_permissions(fs::Permissions::from_mode(0o700))
            .map_err(|e| io(&format!("cannot set the mode of {}", dir.display()), e))?;
    }
    let m = handle
        .metadata()
        .map_err(|e| io(&format!("cannot inspect {}", dir.display()), e))?;
    if m.uid() != uid {
        return Err(Error::Refused(format!(
            "{} is owned by uid {}, not by this user (uid {uid}); another user may be trying to intercept the database: remove it or choose another shm_dir",
            dir.display(),
            m.uid()
        )));
    }
    if m.mode() & 0o777 != 0o700 {
        return Err(Error::Refused(format!(
            "{} has mode {:o}, not 700 (other users must not reach it, and this user must be able to use it); run chmod 700 on it or remove it",
            dir.display(),
            m.mode() & 0o777
        )));
    }
    Ok(dir)
}

/// The database file of `shm:NAME`, created 0600 when missing (if `create`) and checked as the
/// module comment says (rule 3); refuses symlinks in place of the database or its -wal/-shm
/// companions.
pub fn database_file(dir: &Path, name: &str, create: bool) -> Result<PathBuf> {
    let uid = current_uid();
    let path = dir.join(format!("{name}.db"));
    let symlink = |p: &Path| {
        Error::Refused(format!(
            "{} is a symlink; shm: databases refuse symlinks (remove it)",
            p.display()
        ))
    };
    for suffix in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(m) = fs::symlink_metadata(&p) {
            if m.file_type().is_symlink() {
                return Err(symlink(&p));
            }
            check_file(&p, &m, uid)?;
        }
    }
    let file: File = match OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(symlink(&path)),
        Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Refused(format!(
                "shm:{name} does not exist ({}); open_mode=READWRITE opens only an existing database",
                path.display()
            )))
        }
        Err(e) => return Err(io(&format!("cannot open {}", path.display()), e)),
    };
    let m = file
        .metadata()
        .map_err(|e| io(&format!("cannot inspect {}", path.display()), e))?;
    check_file(&path, &m, uid)?;
    Ok(path)
}

/// A database file or companion: a regular file of this user that no other user may access.
fn check_file(path: &Path, m: &Metadata, uid: u32) -> Result<()> {
    if !m.is_file() {
        return Err(Error::Refused(format!(
            "{} is not a regular file; remove it",
            path.display()
        )));
    }
    if m.uid() != uid {
        return Err(Error::Refused(format!(
            "{} is owned by uid {}, not by this user (uid {uid}); remove it",
            path.display(),
            m.uid()
        )));
    }
    if m.mode() & 0o077 != 0 {
        return Err(Error::Refused(format!(
            "{} has mode {:o}, so other users can reach it; run chmod 600 on it",
            path.display(),
            m.mode() & 0o777
        )));
    }
    Ok(())
}

/// Checks an `shm:` database again before one more native connection opens it: the same checks
/// as its first open, and the same resolved path (`expected`, the path SQLite is given).
pub fn recheck(parent: Option<&str>, name: &str, create: bool, expected: &str) -> Result<()> {
    let file = database_file(&private_dir(parent)?, name, create)?;
    if file.as_os_str() != expected {
        return Err(Error::Refused(format!(
            "shm:{name} now resolves to {} instead of {expected} (a symlink in shm_dir changed); reconnect",
            file.display()
        )));
    }
    Ok(())
}
