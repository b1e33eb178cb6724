//! `shm:` databases within one process (the cross-process tests are in Java): change
//! notification, the WAL bound, drop, and the private directory's checks.

mod common;
use common::ix;
use shmlite_core::{registry, wire, Session};
use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

fn dir() -> String {
    common::test_dir("test")
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
        // At least one wait, even when the writer already finished: every commit after the
        // timed-out wait above moved the data version, so each wait must return true at once or
        // on the next commit; a missed commit shows as a 10 s time-out while rows are missing.
        loop {
            assert!(
                r.await_change(10_000).unwrap(),
                "{url}: timed out while rows were missing"
            );
            if count(&mut r, "t") >= 20 {
                break;
            }
        }
        writer.join().unwrap();
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
        max_wal = max_wal.max(db.snapshot()[ix("walBytes")]);
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
        .join(format!("shmlite-{}", shmlite_core::shm::current_uid()))
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
    let private =
        std::path::Path::new(&d).join(format!("shmlite-{}", shmlite_core::shm::current_uid()));
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
    let me = shmlite_core::shm::current_uid();
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

fn uid() -> u32 {
    shmlite_core::shm::current_uid()
}

fn chmod(p: &std::path::Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn refused(url: &str) -> String {
    let err = Session::open(url, &[]).unwrap_err();
    assert_eq!(err.jdbc().sql_state, "08001", "{err}");
    err.to_string()
}

#[test]
fn an_shm_dir_others_can_write_without_the_sticky_bit_is_refused() {
    let d = std::path::PathBuf::from(dir());
    let shared = d.join("shared");
    std::fs::create_dir(&shared).unwrap();
    let url = format!("jdbc:shmlite:shm:parents?shm_dir={}", shared.display());
    for (mode, who) in [(0o777, "all"), (0o773, "all"), (0o770, "group")] {
        chmod(&shared, mode);
        let msg = refused(&url);
        assert!(
            msg.contains(&format!(
                "{} is writable by other users ({who}",
                shared.display()
            )) && msg.contains("without the sticky bit"),
            "mode {mode:o}: {msg}"
        );
        assert!(
            !shared.join(format!("shmlite-{}", uid())).exists(),
            "nothing created"
        );
    }
    // The same directory with the sticky bit (as /dev/shm and /tmp) is fine.
    chmod(&shared, 0o1777);
    drop(open(&url));
    registry::drop_database(&url).unwrap();
    // An unsafe ancestor is named, even when shm_dir itself is owner-only.
    let inner = shared.join("inner");
    std::fs::create_dir(&inner).unwrap();
    chmod(&inner, 0o700);
    chmod(&shared, 0o777);
    let msg = refused(&format!(
        "jdbc:shmlite:shm:parents?shm_dir={}",
        inner.display()
    ));
    assert!(
        msg.contains(&format!(
            "shm_dir {}: {} is writable",
            inner.display(),
            shared.display()
        )),
        "{msg}"
    );
    // A symlink on the way is followed (it is ours) and its target is checked by the same rule.
    let link = d.join("link");
    std::os::unix::fs::symlink(&inner, &link).unwrap();
    let msg = refused(&format!(
        "jdbc:shmlite:shm:parents?shm_dir={}",
        link.display()
    ));
    assert!(
        msg.contains(&format!("{} is writable", shared.display())),
        "{msg}"
    );
    chmod(&shared, 0o755);
    let url = format!("jdbc:shmlite:shm:parents?shm_dir={}", link.display());
    drop(open(&url));
    assert!(inner.join(format!("shmlite-{}/parents.db", uid())).exists());
    registry::drop_database(&url).unwrap();
}

#[test]
fn an_shm_dir_owned_by_another_non_root_user_is_refused() {
    let d = std::path::PathBuf::from(dir());
    let theirs = d.join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    chmod(&theirs, 0o755);
    let other = uid() + 4242;
    if let Err(e) = std::os::unix::fs::chown(&theirs, Some(other), None) {
        eprintln!("SKIPPED an_shm_dir_owned_by_another_non_root_user_is_refused: cannot chown as uid {} ({e}); run as root to cover it", uid());
        return;
    }
    let msg = refused(&format!(
        "jdbc:shmlite:shm:owners?shm_dir={}",
        theirs.display()
    ));
    assert!(
        msg.contains(&format!(
            "{} is owned by uid {other}, neither root nor this user",
            theirs.display()
        )),
        "{msg}"
    );
    // A symlink owned by another user is not followed either (in a sticky directory its owner
    // could replace it).
    let mine = d.join("mine");
    std::fs::create_dir(&mine).unwrap();
    chmod(&mine, 0o700);
    let link = d.join("their-link");
    std::os::unix::fs::symlink(&mine, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(other), None).unwrap();
    let msg = refused(&format!(
        "jdbc:shmlite:shm:owners?shm_dir={}",
        link.display()
    ));
    assert!(msg.contains("is a symlink owned by uid"), "{msg}");
}

/// The attack of issue 12 item 8, done by this process itself (it owns shm_dir, so it can do
/// what another user could do in a world-writable shm_dir before those were refused): after the
/// first open, the private directory is replaced by a symlink to a directory holding a file
/// anyone can read. The next native connection must be refused, not opened through the link.
#[test]
fn a_private_directory_swapped_for_a_symlink_after_the_first_open_is_refused() {
    let d = std::path::PathBuf::from(dir());
    let url = format!("jdbc:shmlite:shm:swap?shm_dir={}", d.display());
    let mut first = open(&url);
    first
        .execute_script(
            b"CREATE TABLE secret(v TEXT); INSERT INTO secret VALUES ('before')",
            0,
        )
        .unwrap();
    let private = d.join(format!("shmlite-{}", uid()));
    let trap = d.join("trap");
    std::fs::create_dir(&trap).unwrap();
    chmod(&trap, 0o777);
    std::fs::write(trap.join("swap.db"), b"").unwrap();
    chmod(&trap.join("swap.db"), 0o666);
    std::fs::rename(&private, d.join("moved")).unwrap();
    std::os::unix::fs::symlink(&trap, &private).unwrap();
    let leaked = |trap: &std::path::Path| {
        std::fs::read_dir(trap).unwrap().any(|e| {
            let bytes = std::fs::read(e.unwrap().path()).unwrap_or_default();
            bytes.windows(10).any(|w| w == b"TOP SECRET")
        })
    };
    // `first` is lent out, so this open needs a new native connection.
    match Session::open(&url, &[]) {
        Ok(mut second) => {
            let _ = second.execute_script(
                b"CREATE TABLE IF NOT EXISTS secret(v TEXT); INSERT INTO secret VALUES ('TOP SECRET')",
                0,
            );
            drop(second);
            panic!(
                "the open after the swap followed the symlink; TOP SECRET in the trap: {}",
                leaked(&trap)
            );
        }
        Err(e) => {
            assert_eq!(e.jdbc().sql_state, "08001", "{e}");
            assert!(e.to_string().contains("symlink"), "{e}");
        }
    }
    // The same for the database file itself, with the directory back in place.
    std::fs::remove_file(&private).unwrap();
    std::fs::rename(d.join("moved"), &private).unwrap();
    std::fs::rename(private.join("swap.db"), d.join("swap.db.moved")).unwrap();
    std::os::unix::fs::symlink(trap.join("swap.db"), private.join("swap.db")).unwrap();
    let err = Session::open(&url, &[]).unwrap_err();
    assert_eq!(err.jdbc().sql_state, "08001", "{err}");
    assert!(err.to_string().contains("swap.db is a symlink"), "{err}");
    assert!(!leaked(&trap), "nothing written through the links");
    // The connection opened before the swap still works on the real file.
    first
        .execute_script(b"INSERT INTO secret VALUES ('after')", 0)
        .unwrap();
    assert_eq!(count(&mut first, "secret"), 2);
    drop(first);
    let _ = registry::drop_database(&url);
}

/// The unprivileged user `shmlite-attacker` (created when missing), or None (with a printed
/// reason) when this test cannot run as root or cannot create it.
fn attacker(test: &str) -> Option<(u32, u32)> {
    if uid() != 0 {
        eprintln!("SKIPPED {test}: not root (needs root to create a second user)");
        return None;
    }
    let id = |flag: &str| -> Option<u32> {
        let out = std::process::Command::new("id")
            .args([flag, "shmlite-attacker"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    if id("-u").is_none() {
        let made = std::process::Command::new("useradd")
            .args(["-M", "-r", "-s", "/usr/sbin/nologin", "shmlite-attacker"])
            .status();
        if !made.as_ref().is_ok_and(|s| s.success()) && id("-u").is_none() {
            eprintln!(
                "SKIPPED {test}: cannot create user shmlite-attacker with useradd ({made:?})"
            );
            return None;
        }
    }
    match (id("-u"), id("-g")) {
        (Some(u), Some(g)) => Some((u, g)),
        _ => {
            eprintln!("SKIPPED {test}: no uid/gid for shmlite-attacker");
            None
        }
    }
}

/// Runs `script` with `sh -c` as the attacker; returns its exit status and output.
fn as_attacker((u, g): (u32, u32), script: &str) -> (bool, String) {
    let out = std::process::Command::new("setpriv")
        .args([
            format!("--reuid={u}"),
            format!("--regid={g}"),
            "--clear-groups".to_owned(),
            "sh".to_owned(),
            "-c".to_owned(),
            script.to_owned(),
        ])
        .output()
        .expect("setpriv");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Issue 12 item 8 with a real second user: in a world-writable shm_dir without the sticky bit
/// the attacker could swap the victim's private directory after its first open; such an
/// shm_dir is now refused up front. With the sticky bit, the attacker's swap fails and the
/// victim's next open writes to its own file.
#[test]
fn a_second_user_cannot_swap_the_private_directory() {
    let test = "a_second_user_cannot_swap_the_private_directory";
    let Some(who) = attacker(test) else { return };
    let pid = std::process::id();
    let d = std::path::PathBuf::from(format!("/tmp/shmlite-ww-{pid}"));
    let trap = std::path::PathBuf::from(format!("/tmp/shmlite-trap-{pid}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir(&d).unwrap();
    let private = d.join(format!("shmlite-{}", uid()));
    let swap = format!(
        "mkdir -p {t} && chmod 777 {t} && : > {t}/ww.db && chmod 666 {t}/ww.db && mv {p} {d}/moved && ln -s {t} {p}",
        t = trap.display(),
        p = private.display(),
        d = d.display()
    );
    let url = format!("jdbc:shmlite:shm:ww?shm_dir={}", d.display());
    let insert = b"CREATE TABLE IF NOT EXISTS secret(v TEXT); INSERT INTO secret VALUES ('TOP SECRET written by the victim')";
    let result = std::panic::catch_unwind(|| {
        chmod(&d, 0o777);
        match Session::open(&url, &[]) {
            Err(e) => {
                assert_eq!(e.jdbc().sql_state, "08001", "{e}");
                assert!(e.to_string().contains("without the sticky bit"), "{e}");
            }
            Ok(mut first) => {
                first.execute_script(insert, 0).unwrap();
                let (swapped, out) = as_attacker(who, &swap);
                let mut second = Session::open(&url, &[]);
                if let Ok(s) = &mut second {
                    let _ = s.execute_script(insert, 0);
                }
                let (leaked, _) = as_attacker(
                    who,
                    &format!("cat {}/ww.db* | grep -a -q 'TOP SECRET'", trap.display()),
                );
                panic!(
                    "a world-writable non-sticky shm_dir was accepted; attacker's swap succeeded: {swapped} ({out}); victim's next open: {}; TOP SECRET read by the attacker: {leaked}",
                    if second.is_ok() { "succeeded" } else { "failed" }
                );
            }
        }
        // Sticky: accepted, and the second user cannot move the victim's directory.
        chmod(&d, 0o1777);
        let mut first = open(&url);
        first.execute_script(insert, 0).unwrap();
        let (swapped, out) = as_attacker(who, &swap);
        assert!(!swapped, "the attacker moved the private directory: {out}");
        let mut second = open(&url);
        second.execute_script(insert, 0).unwrap();
        assert_eq!(count(&mut second, "secret"), 2);
        drop((first, second));
        let (leaked, _) = as_attacker(
            who,
            &format!("cat {}/ww.db* | grep -a -q 'TOP SECRET'", trap.display()),
        );
        assert!(!leaked, "the attacker read the victim's data");
        registry::drop_database(&url).unwrap();
    });
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&trap);
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}
