//! This process's SQLite locks on an `shm:` database's `-shm` file survive what the driver does
//! beside SQLite: closing any descriptor of a file drops every POSIX lock the process holds on
//! it, so the driver must never open-and-close the `-shm` file while connections are open.

mod common;
use shmlite_core::{registry, Session};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Byte of the `-shm` file every open connection holds a shared lock on (SQLite's DMS byte).
const DMS: u64 = 128;

/// True when this process holds a POSIX lock on the DMS byte of `file`.
fn dir() -> String {
    common::test_dir("locktest")
}

fn holds_dms_lock(file: &Path) -> bool {
    let m = std::fs::metadata(file).unwrap();
    let id = format!(
        "{:02x}:{:02x}:{}",
        libc::major(m.dev()),
        libc::minor(m.dev()),
        m.ino()
    );
    let me = std::process::id().to_string();
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .any(|l| {
            let f: Vec<&str> = l.split_whitespace().filter(|w| *w != "->").collect();
            matches!(f[..], [_, "POSIX", _, _, pid, i, start, end]
            if pid == me && i == id && start.parse::<u64>().unwrap() <= DMS
                && (end == "EOF" || end.parse::<u64>().unwrap() >= DMS))
        })
}

#[test]
fn awaiting_changes_keeps_this_processs_sqlite_locks() {
    if std::fs::read_to_string("/proc/locks").is_err() {
        eprintln!("SKIPPED awaiting_changes_keeps_this_processs_sqlite_locks: no /proc/locks");
        return;
    }
    let d = dir();
    let url = format!("jdbc:shmlite:shm:locks?shm_dir={d}");
    let shm_file = Path::new(&d)
        .join(format!("shmlite-{}", shmlite_core::shm::current_uid()))
        .join("locks.db-shm");
    let mut a = Session::open(&url, &[]).unwrap();
    a.execute_script(b"CREATE TABLE t(x); INSERT INTO t VALUES (1)", 0)
        .unwrap();
    assert!(
        holds_dms_lock(&shm_file),
        "an open connection holds the DMS lock"
    );
    {
        let mut b = Session::open(&url, &[]).unwrap();
        assert!(b.await_change(0).is_ok());
    } // closing b closes whatever it opened beside SQLite
    assert!(
        holds_dms_lock(&shm_file),
        "a's connection lost its lock when the session that awaited changes closed"
    );
    drop(a);
    registry::drop_database(&url).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}
