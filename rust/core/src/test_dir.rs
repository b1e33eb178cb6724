//! Fresh private directories for the tests: the crate's unit tests, and its integration tests
//! through `tests/common` (which includes this file by path).

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory in the temporary directory that did not exist before this call, mode 0700.
#[allow(dead_code)] // the integration tests use `fresh_in` only
pub fn fresh(tag: &str) -> PathBuf {
    fresh_in(&std::env::temp_dir(), tag)
}

/// A directory under `base` that did not exist before this call, mode 0700 whatever the umask.
/// Never an existing one: a directory left by an earlier run whose process had the same id would
/// hand the test that run's files (a table that "already exists", a `VACUUM INTO` target in the
/// way).
pub fn fresh_in(base: &Path, tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for _ in 0..100 {
        let d = base.join(format!(
            "shmlite-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&d) {
            Ok(()) => {
                // the umask may have taken bits away; shm_dir must be exactly owner-only
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
                return d;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("cannot create {}: {e}", d.display()),
        }
    }
    panic!("no fresh directory under {} in 100 tries", base.display());
}
