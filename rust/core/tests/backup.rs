//! Backup, restore and ATTACH by name at the core's level: files are checked with a plain
//! SQLite connection, so what counts is what is on disk.

use shmlite_core::backup::Transfer;
use shmlite_core::{registry, Error, Session};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

mod common;

fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, SeqCst))
}

fn temp_file(name: &str) -> PathBuf {
    common::fresh_dir(&std::env::temp_dir(), "backuptest").join(name)
}

fn run_to_end(url: &str, path: &Path, restore: bool) -> shmlite_core::Result<usize> {
    let mut t = Transfer::open(url, path, restore)?;
    let mut steps = 0;
    loop {
        steps += 1;
        let (remaining, total, done) = t.step()?;
        assert!(remaining <= total);
        if done {
            return Ok(steps);
        }
    }
}

fn count_in_file(path: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn writes_through_an_attached_name_reach_the_live_database_and_its_backup() {
    let (a, b) = (
        format!("mem:{}", unique("ma")),
        format!("mem:{}", unique("mb")),
    );
    let mut sb = Session::open(&b, &[]).unwrap();
    sb.execute_script(b"CREATE TABLE t (v INTEGER)", 0).unwrap();
    let mut sa = Session::open(&a, &[]).unwrap();
    let sql = format!("ATTACH '{b}' AS b; INSERT INTO b.t VALUES (1), (2)");
    assert_eq!(sa.execute_script(sql.as_bytes(), 0).unwrap(), 2);
    let file = temp_file("b.db");
    run_to_end(&b, &file, false).unwrap();
    assert_eq!(count_in_file(&file, "t"), 2);
    // Restore the copy into a, which now also has t.
    run_to_end(&a, &file, true).unwrap();
    drop(sa);
    drop(sb);
    for url in [a, b] {
        registry::drop_database(&url).unwrap();
    }
}

#[test]
fn file_problems_are_58030_and_name_the_path() {
    let url = format!("mem:{}", unique("mf"));
    let s = Session::open(&url, &[]).unwrap();
    let missing = temp_file("missing.db");
    let e = run_to_end(&url, &missing, true).unwrap_err();
    assert!(matches!(e, Error::BackupFile { .. }), "{e}");
    assert_eq!(e.jdbc().sql_state, "58030");
    assert!(e.to_string().contains("missing.db"), "{e}");
    let junk = temp_file("junk.db");
    std::fs::write(&junk, vec![0x5au8; 8192]).unwrap();
    let e = run_to_end(&url, &junk, true).unwrap_err();
    assert_eq!(e.jdbc().sql_state, "58030", "{e}");
    let e = run_to_end(&url, Path::new("/nonexistent-dir/x/y.db"), false).unwrap_err();
    assert_eq!(e.jdbc().sql_state, "58030", "{e}");
    drop(s);
    registry::drop_database(&url).unwrap();
}

#[test]
fn init_from_loads_a_new_mem_database() {
    let src = format!("mem:{}", unique("src"));
    let mut s = Session::open(&src, &[]).unwrap();
    s.execute_script(
        b"CREATE TABLE seed (v); INSERT INTO seed VALUES (1), (2), (3)",
        0,
    )
    .unwrap();
    let file = temp_file("seed.db");
    run_to_end(&src, &file, false).unwrap();
    let name = format!("mem:{}", unique("init"));
    let url = format!("{name}?init_from={}", file.display());
    let mut t = Session::open(&url, &[]).unwrap();
    // The loaded table is there: a write into it succeeds.
    assert_eq!(t.execute_script(b"DELETE FROM seed", 0).unwrap(), 3);
    drop(t);
    drop(s);
    for u in [src, name] {
        registry::drop_database(&u).unwrap();
    }
}

/// A backup of a WAL database (`mem:` is WAL) is one rollback-journal file: opening and closing
/// it leaves nothing beside it, and it restores into a fresh `mem:` database.
#[test]
fn a_backup_of_a_wal_database_is_one_self_contained_file() {
    let url = format!("jdbc:shmlite:mem:{}", unique("walcopy"));
    let mut s = Session::open(&url, &[]).unwrap();
    s.execute_script(b"CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)", 0)
        .unwrap();
    let path = temp_file("copy.db");
    run_to_end(&url, &path, false).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    drop(c);
    assert_eq!(count_in_file(&path, "t"), 2);
    let dir = path.parent().unwrap();
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["copy.db"]);
    let fresh = format!("jdbc:shmlite:mem:{}", unique("walcopy-restored"));
    let mut r = Session::open(&fresh, &[]).unwrap();
    run_to_end(&fresh, &path, true).unwrap();
    r.execute_script(b"INSERT INTO t VALUES (3)", 0).unwrap();
    drop((s, r));
    registry::drop_database(&url).unwrap();
    registry::drop_database(&fresh).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
