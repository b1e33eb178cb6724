//! Fresh private directories for the crate's unit tests.

use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory in the temporary directory that did not exist before this call, mode 0700. Never
/// an existing one: a directory left by an earlier run whose process had the same id would hand
/// the test that run's files (a table that "already exists", a `VACUUM INTO` target in the way).
pub fn fresh(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for _ in 0..100 {
        let d = std::env::temp_dir().join(format!(
            "shmlite-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&d) {
            Ok(()) => return d,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("cannot create {}: {e}", d.display()),
        }
    }
    panic!("no fresh directory in the temporary directory in 100 tries");
}
