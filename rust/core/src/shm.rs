//! Where `shm:` databases live: a private per-user directory on tmpfs, checked before use.

use crate::error::{Error, Result};
use std::fs::{self, DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Default parent of the private directory.
pub const DEFAULT_SHM_DIR: &str = "/dev/shm";

/// The effective user id of this process (the owner of `/proc/self`, or of a probe file).
pub fn current_uid() -> Result<u32> {
    if let Ok(m) = fs::metadata("/proc/self") {
        return Ok(m.uid());
    }
    let probe = std::env::temp_dir().join(format!("shmlite-uid-{}", std::process::id()));
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&probe)
        .map_err(|e| io("cannot determine the user id", e))?;
    let uid = f
        .metadata()
        .map_err(|e| io("cannot determine the user id", e))?
        .uid();
    let _ = fs::remove_file(&probe);
    Ok(uid)
}

fn io(context: &str, source: std::io::Error) -> Error {
    Error::Io {
        context: context.to_owned(),
        source,
    }
}

/// The private directory `<parent>/shmlite-<uid>`, created 0700 if missing and checked:
/// a real directory (no symlink), owned by this user, not accessible to others.
pub fn private_dir(parent: Option<&str>) -> Result<PathBuf> {
    let parent = Path::new(parent.unwrap_or(DEFAULT_SHM_DIR));
    if !parent.is_dir() {
        return Err(Error::Refused(format!(
            "shm: directory {} does not exist; set shm_dir to a tmpfs directory such as $XDG_RUNTIME_DIR",
            parent.display()
        )));
    }
    let uid = current_uid()?;
    let dir = parent.join(format!("shmlite-{uid}"));
    match DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| io(&format!("cannot set the mode of {}", dir.display()), e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(&format!("cannot create {}", dir.display()), e)),
    }
    let m = fs::symlink_metadata(&dir)
        .map_err(|e| io(&format!("cannot inspect {}", dir.display()), e))?;
    if m.file_type().is_symlink() || !m.is_dir() {
        return Err(Error::Refused(format!(
            "{} is not a directory (a symlink or file is in its place); remove it and reconnect",
            dir.display()
        )));
    }
    if m.uid() != uid {
        return Err(Error::Refused(format!(
            "{} is owned by uid {}, not by this user (uid {uid}); another user may be trying to intercept the database: remove it or choose another shm_dir",
            dir.display(),
            m.uid()
        )));
    }
    if m.mode() & 0o077 != 0 {
        return Err(Error::Refused(format!(
            "{} has mode {:o}, so other users can reach it; run chmod 700 on it or remove it",
            dir.display(),
            m.mode() & 0o777
        )));
    }
    Ok(dir)
}

/// The database file of `shm:NAME`, created 0600 when missing (if `create`); refuses symlinks
/// in place of the database or its -wal/-shm companions.
pub fn database_file(dir: &Path, name: &str, create: bool) -> Result<PathBuf> {
    let path = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(m) = fs::symlink_metadata(&p) {
            if m.file_type().is_symlink() {
                return Err(Error::Refused(format!(
                    "{} is a symlink; shm: databases refuse symlinks (remove it)",
                    p.display()
                )));
            }
        }
    }
    if !create && !path.exists() {
        return Err(Error::Refused(format!(
            "shm:{name} does not exist ({}); open_mode=READWRITE opens only an existing database",
            path.display()
        )));
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| io(&format!("cannot create {}", path.display()), e))?;
    Ok(path)
}
