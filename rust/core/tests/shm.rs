//! `shm:` databases within one process (the cross-process tests are in Java): change
//! notification, the WAL bound, drop, and the private directory's checks.

use shmlite_core::{registry, wire, Session};
use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

fn dir() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    // tmpfs, as in production (a disk directory would add fsyncs at every checkpoint).
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let d = base.join(format!(
        "shmlite-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d.display().to_string()
}

fn count(s: &mut Session, table: &str) -> i64 {
    let info = s
        .prepare(format!("SELECT count(*) FROM {table}").as_bytes())
        .unwrap();
    let mut out = vec![0u8; 4096];
    s.execute(info.handle, &[], &mut out, 0).unwrap();
    s.release(info.handle).unwrap();
    match &wire::decode_rows(&out[wire::HEADER..], 1, 1)[0][0] {
        wire::Value::Integer(n) => *n,
        other => panic!("{other:?}"),
    }
}

fn open(url: &str) -> Session {
    Session::open(url, &[]).unwrap()
}

#[test]
fn await_change_wakes_on_another_connections_commit_and_times_out_otherwise() {
    for url in [
        format!("jdbc:shmlite:shm:notify?shm_dir={}", dir()),
        format!("jdbc:shmlite:mem:notify-{}", std::process::id()),
    ] {
        let mut w = open(&url);
        w.execute_script(b"CREATE TABLE t(x)", 0).unwrap();
        let mut r = open(&url);
        let start = Instant::now();
        assert!(!r.await_change(100).unwrap(), "{url}: nothing committed");
        assert!(start.elapsed() >= Duration::from_millis(100));
        let writer = {
            let url = url.clone();
            thread::spawn(move || {
                let mut w = open(&url);
                for i in 0..20 {
                    w.execute_script(format!("INSERT INTO t VALUES ({i})").as_bytes(), 0)
                        .unwrap();
                }
            })
        };
        let mut wakes = 0;
        while count(&mut r, "t") < 20 {
            assert!(
                r.await_change(10_000).unwrap(),
                "{url}: timed out while rows were missing"
            );
            wakes += 1;
        }
        writer.join().unwrap();
        assert!(wakes >= 1, "{url}: woke {wakes} times");
        drop((w, r));
        registry::drop_database(&url).unwrap();
    }
}

#[test]
fn wal_stays_under_its_limit_while_readers_hold_snapshots() {
    let url = format!("jdbc:shmlite:shm:walbound?shm_dir={}&wal_limit_mb=1", dir());
    // A commit past the limit waits up to busy_timeout for readers; keep the worst case short.
    let mut w = open(&format!("{url}&busy_timeout=500"));
    w.execute_script(b"CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB)", 0)
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Two readers, each always inside a read transaction, overlapping: checkpoint starvation.
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (url, stop) = (url.clone(), stop.clone());
            thread::spawn(move || {
                let mut r = open(&url);
                // Read-only: its transactions begin DEFERRED and only pin a snapshot.
                r.set_read_only(true);
                while !stop.load(Ordering::Relaxed) {
                    r.set_autocommit(false).unwrap();
                    r.execute_script(b"SELECT count(*) FROM t", 0).unwrap();
                    thread::sleep(Duration::from_millis(20));
                    r.commit().unwrap();
                }
            })
        })
        .collect();
    let db = registry::lookup(&url).unwrap().unwrap();
    let mut max_wal = 0;
    let mut slowest = Duration::ZERO;
    for _ in 0..3000 {
        let t = Instant::now();
        w.execute_script(b"INSERT INTO t(pad) VALUES (randomblob(1000))", 0)
            .unwrap();
        slowest = slowest.max(t.elapsed());
        max_wal = max_wal.max(db.snapshot()[17]);
    }
    eprintln!("WAL bound test: max WAL {max_wal} bytes, slowest insert {slowest:?}");
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    // Bound: the limit plus the last transaction's frames (one 4 KiB page + header per row here).
    let bound = 1024 * 1024 + 64 * 1024;
    assert!(
        max_wal <= bound,
        "WAL reached {max_wal} bytes, bound {bound}"
    );
    assert!(max_wal > 0);
    drop(w);
    registry::drop_database(&url).unwrap();
}

#[test]
fn drop_deletes_the_files_of_an_unused_shm_database() {
    let d = dir();
    let url = format!("jdbc:shmlite:shm:gone?shm_dir={d}");
    {
        let mut s = open(&url);
        s.execute_script(b"CREATE TABLE t(x); INSERT INTO t VALUES (1)", 0)
            .unwrap();
    }
    let file = std::path::Path::new(&d)
        .join(format!(
            "shmlite-{}",
            shmlite_core::shm::current_uid().unwrap()
        ))
        .join("gone.db");
    assert!(file.exists());
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(registry::drop_database(&url).unwrap(), Some(0));
    assert!(!file.exists());
}

#[test]
fn unsafe_directories_and_names_are_refused() {
    let d = dir();
    let private = std::path::Path::new(&d).join(format!(
        "shmlite-{}",
        shmlite_core::shm::current_uid().unwrap()
    ));
    std::fs::create_dir_all(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = Session::open(&format!("jdbc:shmlite:shm:x?shm_dir={d}"), &[]).unwrap_err();
    assert!(err.to_string().contains("chmod 700"), "{err}");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", private.join("evil.db-wal")).unwrap();
    let err = Session::open(&format!("jdbc:shmlite:shm:evil?shm_dir={d}"), &[]).unwrap_err();
    assert!(err.to_string().contains("symlink"), "{err}");
    assert!(!private.join("evil.db").exists(), "nothing created");
    let err = Session::open("jdbc:shmlite:shm:../x", &[]).unwrap_err();
    assert!(err.to_string().contains("must not start with"), "{err}");
}

#[test]
fn a_directory_owned_by_another_user_is_refused() {
    let d = dir();
    let me = shmlite_core::shm::current_uid().unwrap();
    let private = std::path::Path::new(&d).join(format!("shmlite-{me}"));
    std::fs::create_dir_all(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    if let Err(e) = std::os::unix::fs::chown(&private, Some(me + 4242), None) {
        eprintln!("SKIPPED a_directory_owned_by_another_user_is_refused: cannot chown as uid {me} ({e}); run as root to cover it");
        return;
    }
    let err = Session::open(&format!("jdbc:shmlite:shm:x?shm_dir={d}"), &[]).unwrap_err();
    assert!(err.to_string().contains("owned by uid"), "{err}");
    assert!(!private.join("x.db").exists(), "nothing created inside");
}

#[test]
fn a_full_tmpfs_is_a_clear_error_and_loses_nothing_committed() {
    let mnt = format!("/tmp/shmlite-full-{}", std::process::id());
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs", &mnt])
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("SKIPPED a_full_tmpfs_is_a_clear_error_and_loses_nothing_committed: cannot mount a tmpfs here (needs root)");
        return;
    }
    let url = format!("jdbc:shmlite:shm:full?shm_dir={mnt}");
    let result = std::panic::catch_unwind(|| {
        let mut s = open(&url);
        s.execute_script(b"CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB)", 0)
            .unwrap();
        let mut committed = 0;
        let err = loop {
            match s.execute_script(b"INSERT INTO t(pad) VALUES (randomblob(20000))", 0) {
                Ok(_) => committed += 1,
                Err(e) => break e,
            }
            assert!(committed < 1000, "a 1 MiB tmpfs never filled up");
        };
        assert_eq!(err.jdbc().sql_state, "53100", "{err}");
        assert!(committed > 0);
        assert_eq!(
            count(&mut s, "t"),
            committed,
            "every committed row is still there"
        );
        drop(s);
        registry::drop_database(&url).unwrap();
    });
    let _ = std::process::Command::new("umount").arg(&mnt).status();
    let _ = std::fs::remove_dir(&mnt);
    result.unwrap();
}

#[test]
fn open_mode_readwrite_opens_only_an_existing_database() {
    let d = dir();
    let err = Session::open(
        &format!("jdbc:shmlite:shm:absent?shm_dir={d}&open_mode=READWRITE"),
        &[],
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let file = format!("{d}/plain.db");
    let err = Session::open(
        &format!("jdbc:shmlite:file:{file}?open_mode=READWRITE"),
        &[],
    )
    .unwrap_err();
    assert_eq!(err.jdbc().sql_state, "08001", "{err}");
    assert!(!std::path::Path::new(&file).exists(), "nothing created");
    drop(open(&format!("jdbc:shmlite:file:{file}")));
    let mut s = open(&format!("jdbc:shmlite:file:{file}?open_mode=READWRITE"));
    s.execute_script(b"CREATE TABLE t(x)", 0).unwrap();
}
