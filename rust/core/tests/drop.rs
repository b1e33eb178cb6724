//! `drop` of `shm:` databases: it acts on exactly the database the URL names (its `shm_dir`
//! included), and racing opens never lose a committed row. Row counts are read from the files
//! with a plain SQLite connection, so what counts is what is on disk, not what a pooled
//! connection still holds.

mod common;
use shmlite_core::{registry, Session};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;

use common::db_file;

fn dir() -> String {
    common::test_dir("droptest")
}

fn open(url: &str) -> Session {
    Session::open(url, &[]).unwrap()
}

/// Rows on disk, read with a plain SQLite connection (None: no such file or table).
fn on_disk(file: &Path, sql: &str) -> Option<i64> {
    let c = rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ok()?;
    c.query_row(sql, [], |r| r.get(0)).ok()
}

#[test]
fn drop_acts_on_the_shm_dir_the_url_names_and_nothing_else() {
    let name = format!("twin-{}", std::process::id());
    let other_dir = dir();
    let default_url = format!("jdbc:shmlite:shm:{name}");
    let other_url = format!("jdbc:shmlite:shm:{name}?shm_dir={other_dir}");
    let default_file = db_file(shmlite_core::shm::DEFAULT_SHM_DIR, &name);
    let other_file = db_file(&other_dir, &name);
    let fill = |url: &str, rows: i64| {
        let mut s = open(url);
        s.execute_script(b"CREATE TABLE IF NOT EXISTS t(x)", 0)
            .unwrap();
        for i in 0..rows {
            s.execute_script(format!("INSERT INTO t VALUES ({i})").as_bytes(), 0)
                .unwrap();
        }
    };
    // Both live at once in this process: two databases, two keys.
    fill(&default_url, 3);
    fill(&other_url, 5);
    assert_eq!(
        registry::resolve(&default_url).unwrap().unwrap(),
        format!("shm:{name}")
    );
    let other_key = registry::resolve(&other_url).unwrap().unwrap();
    assert_eq!(other_key, format!("shm:{name}?shm_dir={other_dir}"));
    assert_eq!(
        registry::resolve(&other_key).unwrap().unwrap(),
        other_key,
        "a key is a URL of itself"
    );
    assert!(registry::databases().contains(&other_key));
    assert_eq!(
        registry::resolve(&format!("{default_url}?shm_dir=/dev/shm/")).unwrap(),
        registry::resolve(&default_url).unwrap()
    );

    assert_eq!(registry::drop_database(&other_url).unwrap(), Some(0));
    assert!(!other_file.exists(), "the named database's files are gone");
    assert!(
        default_file.exists(),
        "the same name in /dev/shm is untouched"
    );
    assert_eq!(on_disk(&default_file, "SELECT count(*) FROM t"), Some(3));
    assert!(
        registry::lookup(&default_url).unwrap().is_some(),
        "still live"
    );

    // And the other way round.
    fill(&other_url, 5);
    assert_eq!(registry::drop_database(&default_url).unwrap(), Some(0));
    assert!(!default_file.exists());
    assert_eq!(on_disk(&other_file, "SELECT count(*) FROM t"), Some(5));
    assert_eq!(registry::drop_database(&other_url).unwrap(), Some(0));
    assert_eq!(
        registry::drop_database(&other_url).unwrap(),
        None,
        "nothing left to drop"
    );
    let _ = std::fs::remove_dir_all(&other_dir);
}

#[test]
fn a_connection_left_open_on_a_dropped_database_never_touches_the_new_ones_files() {
    let d = dir();
    let url = format!("jdbc:shmlite:shm:leftopen?shm_dir={d}");
    let file = db_file(&d, "leftopen");
    let mut old = open(&url);
    old.execute_script(b"CREATE TABLE t(x); INSERT INTO t VALUES (1)", 0)
        .unwrap();
    assert_eq!(
        registry::drop_database(&url).unwrap(),
        Some(1),
        "one connection still uses it"
    );
    let err = old
        .execute_script(b"INSERT INTO t VALUES (2)", 0)
        .unwrap_err();
    assert_eq!(err.jdbc().sql_state, "08003", "{err}");
    let mut fresh = open(&url);
    fresh
        .execute_script(b"CREATE TABLE u(x); INSERT INTO u VALUES (1), (2), (3)", 0)
        .unwrap();
    assert_eq!(
        on_disk(&file, "SELECT count(*) FROM t"),
        None,
        "a fresh database"
    );
    // Closing the old connection closes SQLite's last handle of the unlinked files: without
    // PERSIST_WAL it would delete the -wal and -shm by name, i.e. the new database's.
    drop(old);
    assert!(PathBuf::from(format!("{}-wal", file.display())).exists());
    assert_eq!(on_disk(&file, "SELECT count(*) FROM u"), Some(3));
    fresh
        .execute_script(b"INSERT INTO u VALUES (4)", 0)
        .unwrap();
    drop(fresh);
    assert_eq!(on_disk(&file, "SELECT count(*) FROM u"), Some(4));
    registry::drop_database(&url).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}

/// One writer connection of a round: whether it was opened after `drop` returned, and how many
/// rows it committed.
struct Conn {
    id: usize,
    after_drop: bool,
    committed: i64,
    /// The error that ended it, if any (SQLState and message).
    error: Option<(String, String)>,
}

/// What one or more rounds found.
#[derive(Debug, Default, PartialEq, Eq)]
struct Findings {
    /// Rows committed on connections opened after drop returned, missing from the files.
    lost: i64,
    rounds_with_loss: usize,
    /// Pre-drop connections with some but not all of their rows in the new database.
    partial: usize,
    /// Connections opened after drop returned that failed.
    failed_after_drop: usize,
    /// Connections opened before that failed with anything but 08003 (dropped).
    unclear_errors: usize,
}

const ROWS_PER_CONN: i64 = 4;
const WRITERS: usize = 3;
/// Connections each writer opens after `drop` returned, per round.
const CONNS_AFTER_DROP: usize = 2;

/// One round: writers open, commit and close connections in a loop while the main thread drops
/// the database once.
fn race_round(url: &str, file: &Path, round: usize, f: &mut Findings) {
    let dropped = Arc::new(AtomicBool::new(false));
    let commits = Arc::new(AtomicUsize::new(0));
    let conns = Arc::new(Mutex::new(Vec::<Conn>::new()));
    static IDS: AtomicUsize = AtomicUsize::new(0);
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (url, dropped, commits, conns) = (
                url.to_owned(),
                dropped.clone(),
                commits.clone(),
                conns.clone(),
            );
            thread::spawn(move || {
                let mut after = 0;
                while after < CONNS_AFTER_DROP {
                    let after_drop = dropped.load(SeqCst);
                    after += after_drop as usize;
                    let id = IDS.fetch_add(1, SeqCst);
                    let mut committed = 0;
                    let result = (|| -> shmlite_core::Result<()> {
                        let mut s = Session::open(&url, &[])?;
                        s.execute_script(b"CREATE TABLE IF NOT EXISTS t(round, conn, seq)", 0)?;
                        for seq in 0..ROWS_PER_CONN {
                            s.execute_script(
                                format!("INSERT INTO t VALUES ({round}, {id}, {seq})").as_bytes(),
                                0,
                            )?;
                            committed += 1;
                            commits.fetch_add(1, SeqCst);
                        }
                        Ok(())
                    })();
                    let error = result
                        .err()
                        .map(|e| (e.jdbc().sql_state.to_owned(), e.to_string()));
                    conns.lock().unwrap().push(Conn {
                        id,
                        after_drop,
                        committed,
                        error,
                    });
                }
            })
        })
        .collect();
    let start = std::time::Instant::now();
    while commits.load(SeqCst) < 3 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "round {round}: writers committed nothing in 30 s"
        );
        thread::yield_now();
    }
    registry::drop_database(url).unwrap();
    dropped.store(true, SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let mut lost = 0;
    for c in conns.lock().unwrap().iter() {
        let found = on_disk(
            file,
            &format!(
                "SELECT count(*) FROM t WHERE round = {round} AND conn = {}",
                c.id
            ),
        )
        .unwrap_or(0);
        match (&c.error, c.after_drop) {
            (Some(e), true) => {
                eprintln!("round {round}: a connection opened after drop failed: {e:?}");
                f.failed_after_drop += 1;
            }
            // Only a connection that may be on the dropped database may fail, by saying so.
            (Some(e), false) if e.0 != "08003" => {
                eprintln!("round {round}: {e:?}");
                f.unclear_errors += 1;
            }
            _ => {}
        }
        if c.after_drop {
            lost += c.committed - found;
        } else if found != 0 && found != c.committed {
            f.partial += 1; // a connection is on one database: all its rows or none
        }
    }
    f.lost += lost;
    f.rounds_with_loss += (lost > 0) as usize;
}

fn race(rounds: usize) {
    let d = dir();
    let url = format!("jdbc:shmlite:shm:race?shm_dir={d}");
    let file = db_file(&d, "race");
    let mut f = Findings::default();
    for round in 0..rounds {
        race_round(&url, &file, round, &mut f);
    }
    eprintln!("drop racing opens, {rounds} rounds: {f:?}");
    assert_eq!(f, Findings::default());
    registry::drop_database(&url).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}

/// Rounds of the race in the normal run (4–7 s on 2 shared cores; in 300 rounds the old code
/// lost 53 rows in 5 rounds, or 64 in 4, with 58030, HYT00 and XX001 failures), and with
/// `SHMLITE_SOAK=1`.
const RACE_ROUNDS: usize = 300;
const RACE_ROUNDS_SOAK: usize = 3000;

#[test]
fn drop_racing_opens_and_commits_loses_no_committed_row() {
    let soak = std::env::var_os("SHMLITE_SOAK").is_some_and(|v| v == "1");
    race(if soak { RACE_ROUNDS_SOAK } else { RACE_ROUNDS });
}
