//! The WAL bound of `shm:` databases (`wal_limit_mb`): cut back once readers allow it, and held
//! while another process checkpoints in a loop (that process is this test binary, re-run in
//! the child mode of `checkpointer_child`).

mod common;
use shmlite_core::{registry, Session};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;
/// One WAL frame of a 4 KiB page: the page plus its 24-byte frame header.
const FRAME: u64 = 4096 + 24;

use common::db_file;

fn dir() -> String {
    common::test_dir("walbound")
}

fn wal_size(db: &Path) -> u64 {
    std::fs::metadata(format!("{}-wal", db.display())).map_or(0, |m| m.len())
}

fn open(url: &str) -> Session {
    Session::open(url, &[]).unwrap()
}

/// Frames one commit of `rows` rows of `randomblob(3000)` writes at most: a 3000-byte row fits
/// one 4 KiB page, so a row dirties at most its leaf page; splits add interior pages. Measured
/// by the test itself (the WAL growth of one commit when nothing restarts it) rather than
/// assumed; this is only the upper limit the measurement is checked against.
fn txn_frames_max(rows: u64) -> u64 {
    2 * rows + 4
}

#[test]
fn the_wal_is_cut_back_to_the_limit_once_a_stalled_reader_leaves() {
    let d = dir();
    let url = format!("jdbc:shmlite:shm:stalled?shm_dir={d}&wal_limit_mb=1");
    let file = db_file(&d, "stalled");
    stalled_reader_then_cut_back(&url, &format!("{url}&busy_timeout=20"), || wal_size(&file));
    let _ = std::fs::remove_dir_all(&d);
}

/// A reader pins its snapshot while a writer commits past 2.5 MiB (limit 1 MiB); once the
/// reader leaves, the next commit must bring the WAL (`wal()` bytes) back within the limit.
/// `writer_url` is `url` with a short busy_timeout: commits past the limit wait that long for
/// the reader.
fn stalled_reader_then_cut_back(url: &str, writer_url: &str, wal: impl Fn() -> u64) {
    let mut w = open(writer_url);
    w.execute_script(b"CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB)", 0)
        .unwrap();
    let mut r = open(url);
    r.set_read_only(true);
    r.set_autocommit(false).unwrap();
    r.execute_script(b"SELECT count(*) FROM t", 0).unwrap(); // pins its snapshot
    let mut high = 0;
    while high < 2 * MIB + MIB / 2 {
        w.execute_script(
            b"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 20) \
              INSERT INTO t(pad) SELECT randomblob(3000) FROM s",
            0,
        )
        .unwrap();
        high = high.max(wal());
    }
    r.commit().unwrap(); // the reader leaves
    w.execute_script(b"INSERT INTO t(pad) VALUES (randomblob(3000))", 0)
        .unwrap();
    let after = wal();
    eprintln!("{url}: stalled reader: WAL high-water mark {high} bytes, after the reader left and one commit {after} bytes");
    // Promise: the first commit that finds no reader in the way checkpoints and truncates.
    assert!(
        after <= MIB,
        "WAL still {after} bytes (high-water mark {high})"
    );
    drop((w, r));
    registry::drop_database(url).unwrap();
}

/// Runs `PRAGMA wal_checkpoint` (PASSIVE, as sqlite3's shell and most tools do) in a loop on the
/// database named by SHMLITE_CHECKPOINT_DB, with a plain SQLite connection, until the file
/// named by SHMLITE_CHECKPOINT_STOP exists (at most 60 s). Does nothing in a normal test run.
#[test]
fn checkpointer_child() {
    let (Ok(db), Ok(stop)) = (
        std::env::var("SHMLITE_CHECKPOINT_DB"),
        std::env::var("SHMLITE_CHECKPOINT_STOP"),
    ) else {
        return;
    };
    let c = rusqlite::Connection::open(&db).unwrap();
    c.busy_timeout(Duration::from_millis(100)).unwrap();
    std::fs::write(format!("{stop}.ready"), b"").unwrap();
    let start = Instant::now();
    let mut n = 0u64;
    while !Path::new(&stop).exists() && start.elapsed() < Duration::from_secs(60) {
        let _ = c.query_row("PRAGMA wal_checkpoint", [], |_| Ok(()));
        n += 1;
    }
    eprintln!("checkpointer child: {n} checkpoints");
}

/// Kills the child process if the test fails before stopping it.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_wal_bound_holds_while_another_process_checkpoints_in_a_loop() {
    let d = dir();
    let url = format!("jdbc:shmlite:shm:foreignckpt?shm_dir={d}&wal_limit_mb=1&busy_timeout=500");
    let file = db_file(&d, "foreignckpt");
    let mut w = open(&url);
    w.execute_script(b"CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB)", 0)
        .unwrap();
    let stop_file = format!("{d}/stop");
    let mut child = Child(
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "checkpointer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SHMLITE_CHECKPOINT_DB", &file)
            .env("SHMLITE_CHECKPOINT_STOP", &stop_file)
            .spawn()
            .unwrap(),
    );
    let ready = Instant::now();
    while !Path::new(&format!("{stop_file}.ready")).exists() {
        assert!(
            ready.elapsed() < Duration::from_secs(30),
            "child did not start"
        );
        thread::sleep(Duration::from_millis(5));
    }
    // Two readers, each always inside a read transaction, overlapping: checkpoint starvation
    // unless the writer waits for them.
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (url, stop) = (url.clone(), stop.clone());
            thread::spawn(move || {
                let mut r = open(&url);
                r.set_read_only(true);
                while !stop.load(Ordering::Relaxed) {
                    r.set_autocommit(false).unwrap();
                    r.execute_script(b"SELECT count(*) FROM t", 0).unwrap();
                    thread::sleep(Duration::from_millis(5));
                    r.commit().unwrap();
                }
            })
        })
        .collect();
    const COMMITS: usize = 1500;
    const ROWS: u64 = 2;
    let mut max_wal = 0;
    for _ in 0..COMMITS {
        w.execute_script(
            b"INSERT INTO t(pad) VALUES (randomblob(3000)), (randomblob(3000))",
            0,
        )
        .unwrap();
        max_wal = max_wal.max(wal_size(&file));
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    std::fs::write(&stop_file, b"").unwrap();
    assert!(child.0.wait().unwrap().success());
    // Bound: the limit plus one transaction's frames (the commit that crosses the limit is
    // written whole before its checkpoint runs).
    let bound = MIB + txn_frames_max(ROWS) * FRAME;
    eprintln!(
        "WAL with another process checkpointing: max {max_wal} bytes over {COMMITS} commits, bound {bound}"
    );
    assert!(
        max_wal <= bound,
        "WAL reached {max_wal} bytes, bound {bound}"
    );
    drop(w);
    registry::drop_database(&url).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}

/// Polls `cond` until it holds; panics after 30 s (a liveness bound, not a measurement).
fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

/// Writer preference (`gate`): while a commit's TRUNCATE checkpoint waits for a reader to leave
/// the WAL, a reader of this process that starts a new transaction waits at the gate instead of
/// taking a WAL read mark, so the checkpoint empties the WAL as soon as the old reader leaves.
/// Without the gate the new reader holds the WAL too, the checkpoint waits to its deadline and
/// the WAL stays over the limit (the CI failure of the test above, made deterministic).
#[test]
fn a_reader_that_starts_while_a_truncate_waits_lets_it_empty_the_wal_first() {
    let d = dir();
    // Every wait here ends by an event, none by its deadline (unless the gate fails).
    let url = format!("jdbc:shmlite:shm:gated?shm_dir={d}&wal_limit_mb=1&busy_timeout=5000");
    let file = db_file(&d, "gated");
    let mut w = open(&url);
    w.execute_script(b"CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB)", 0)
        .unwrap();
    let db = registry::lookup(&url).unwrap().unwrap();
    // Every step below happens while the new reader waits, however slow the machine.
    db.gate.set_max_wait(Duration::from_secs(30));
    let mut old = open(&url);
    old.set_read_only(true);
    old.set_autocommit(false).unwrap();
    old.execute_script(b"SELECT count(*) FROM t", 0).unwrap(); // pins its snapshot
    let mut new = open(&url);
    new.set_read_only(true);
    let (gdb, wal) = (db.clone(), file.clone());
    let writer = thread::spawn(move || loop {
        let closings = gdb.gate.counts().closings;
        w.execute_script(
            b"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 20) \
              INSERT INTO t(pad) SELECT randomblob(3000) FROM s",
            0,
        )
        .unwrap();
        if gdb.gate.counts().closings > closings {
            // This commit crossed the limit and ran the TRUNCATE checkpoint.
            return (w, wal_size(&wal));
        }
    });
    wait_until("the commit past the limit waits for the old reader", || {
        db.gate.is_closed()
    });
    let (go, hold) = std::sync::mpsc::channel::<()>();
    let started = Arc::new(AtomicBool::new(false));
    let started2 = started.clone();
    let reader = thread::spawn(move || {
        new.set_autocommit(false).unwrap();
        let rows = new.execute_script(b"SELECT count(*) FROM t", 0).unwrap();
        started2.store(true, Ordering::SeqCst);
        hold.recv().unwrap(); // keeps its read transaction until the writer is done
        new.commit().unwrap();
        rows
    });
    // Without writer preference the reader starts its transaction at once (and the assertion
    // below fails); with it, it waits at the gate.
    wait_until("the new reader waits at the gate or has started", || {
        db.gate.counts().waiting == 1 || started.load(Ordering::SeqCst)
    });
    old.commit().unwrap(); // the old reader leaves: the TRUNCATE can run
    let (w, after) = writer.join().unwrap();
    go.send(()).unwrap();
    reader.join().unwrap();
    let counts = db.gate.counts();
    eprintln!("gate: {counts:?}; WAL after the commit past the limit: {after} bytes");
    assert_eq!(
        after, 0,
        "the TRUNCATE emptied the WAL before the new reader started"
    );
    assert_eq!(
        counts.waits_bounded, 0,
        "the reader's wait ended with the gate open"
    );
    drop((w, old, db));
    registry::drop_database(&url).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}

/// `mem:` is WAL in process memory: the same bound holds, so a continuous writer with readers
/// that overlap does not grow the process without end. The WAL's size is the `walBytes`
/// statistic (the VFS's WAL file).
#[test]
fn a_mem_wal_is_cut_back_to_the_limit_once_a_stalled_reader_leaves() {
    let url = format!(
        "jdbc:shmlite:mem:walbound-{}-{}?wal_limit_mb=1",
        std::process::id(),
        common::n()
    );
    let key = url.split('?').next().unwrap().to_string();
    let wal = || registry::lookup(&key).unwrap().unwrap().snapshot()[common::ix("walBytes")] as u64;
    stalled_reader_then_cut_back(&url, &format!("{url}&busy_timeout=20"), wal);
}
