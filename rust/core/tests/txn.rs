//! The transaction rules of README "Transactions", with real threads on `mem:` (shared cache),
//! `shm:` and `file:` (WAL): read-first transactions take no write lock, upgrades never write
//! on stale reads (40001 instead), isolation levels, transaction_mode, BEGIN statistics.

mod common;
use common::{count, exec, ix, n, open_with as open, query};
use shmlite_core::wire::{self, Header, Value, FLAG_DONE};
use shmlite_core::{registry, Error, Session};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};

use std::thread;

/// One URL per kind of database: shared-cache `mem:`, `shm:` (WAL) and a WAL `file:`.
fn urls(name: &str) -> Vec<String> {
    let pid = std::process::id();
    vec![
        format!("jdbc:shmlite:mem:{name}-{pid}-{}", n()),
        format!(
            "jdbc:shmlite:shm:{name}?shm_dir={}",
            common::test_dir("txn")
        ),
        format!(
            "jdbc:shmlite:file:{}/{name}.db?journal_mode=WAL",
            common::test_dir("txn")
        ),
    ]
}

fn stats(url: &str) -> Vec<i64> {
    let key = Session::open(url, &[])
        .unwrap()
        .database_key()
        .unwrap()
        .to_owned();
    registry::lookup(&key).unwrap().unwrap().snapshot().to_vec()
}

fn is_40001(e: &Error) -> bool {
    e.jdbc().sql_state == "40001"
}

#[test]
fn a_read_transaction_never_blocks_another_connections_write() {
    for url in urls("repro") {
        let mut c1 = open(&url, &[]);
        exec(&mut c1, "CREATE TABLE a(x); CREATE TABLE b(x)").unwrap();
        // busy_timeout=0: any wait for c1 would fail at once.
        let mut c2 = open(&url, &[("busy_timeout", "0")]);
        let before = stats(&url);
        c1.set_autocommit(false).unwrap();
        assert_eq!(count(&mut c1, "SELECT count(*) FROM a"), 0);
        assert!(
            c1.in_transaction().unwrap(),
            "{url}: a read transaction is open"
        );
        exec(&mut c2, "INSERT INTO b VALUES (1)").unwrap();
        // Other connections see c2's row; c1's transaction is still open and can finish.
        assert_eq!(count(&mut c1, "SELECT count(*) FROM a"), 0);
        c1.commit().unwrap();
        assert_eq!(count(&mut c1, "SELECT count(*) FROM b"), 1, "{url}");
        c1.commit().unwrap();
        let after = stats(&url);
        assert_eq!(
            after[ix("lockWaits")],
            before[ix("lockWaits")],
            "{url}: nobody waited"
        );
        assert_eq!(
            after[ix("readTransactions")] - before[ix("readTransactions")],
            2,
            "{url}"
        );
        assert_eq!(
            after[ix("beginsDeferred")] - before[ix("beginsDeferred")],
            2,
            "{url}"
        );
        assert_eq!(
            after[ix("beginsImmediate")],
            before[ix("beginsImmediate")],
            "{url}"
        );
    }
}

#[test]
fn a_write_first_transaction_begins_immediate_and_a_read_first_one_upgrades() {
    for url in urls("kinds") {
        let mut a = open(&url, &[]);
        exec(&mut a, "CREATE TABLE t(x)").unwrap();
        let before = stats(&url);
        a.set_autocommit(false).unwrap();
        exec(&mut a, "INSERT INTO t VALUES (1)").unwrap();
        a.commit().unwrap();
        assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 1);
        exec(&mut a, "INSERT INTO t VALUES (2)").unwrap();
        exec(&mut a, "INSERT INTO t VALUES (3)").unwrap();
        a.commit().unwrap();
        // A script that reads first and then writes upgrades too.
        exec(&mut a, "SELECT * FROM t; INSERT INTO t VALUES (4)").unwrap();
        a.commit().unwrap();
        let s = stats(&url);
        let d = |i: usize| s[i] - before[i];
        assert_eq!(
            (
                d(ix("writeTransactions")),
                d(ix("readTransactions")),
                d(ix("upgrades")),
                d(ix("upgradeConflicts"))
            ),
            (1, 2, 2, 0),
            "{url}"
        );
        assert_eq!(
            (d(ix("beginsImmediate")), d(ix("beginsDeferred"))),
            (1, 2),
            "{url}"
        );
        assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 4);
    }
}

#[test]
fn always_immediate_takes_the_write_lock_at_a_first_select() {
    for url in urls("always") {
        let mut a = open(&url, &[("transaction_mode", "ALWAYS_IMMEDIATE")]);
        exec(&mut a, "CREATE TABLE t(x)").unwrap();
        let mut b = open(&url, &[("busy_timeout", "0")]);
        a.set_autocommit(false).unwrap();
        count(&mut a, "SELECT count(*) FROM t");
        let e = exec(&mut b, "INSERT INTO t VALUES (1)").unwrap_err();
        assert_eq!(e.jdbc().sql_state, "HYT00", "{url}: {e}");
        a.commit().unwrap();
        exec(&mut b, "INSERT INTO t VALUES (1)").unwrap();
        let s = stats(&url);
        assert!(
            s[ix("writeTransactions")] >= 1 && s[ix("readTransactions")] == 0,
            "{url}: {s:?}"
        );
    }
}

#[test]
fn deferred_mode_begins_every_transaction_deferred() {
    for url in urls("deferred") {
        let mut a = open(&url, &[("transaction_mode", "DEFERRED")]);
        exec(&mut a, "CREATE TABLE t(x)").unwrap();
        let before = stats(&url);
        a.set_autocommit(false).unwrap();
        exec(&mut a, "INSERT INTO t VALUES (1)").unwrap();
        a.commit().unwrap();
        let s = stats(&url);
        assert_eq!(
            s[ix("beginsDeferred")] - before[ix("beginsDeferred")],
            1,
            "{url}"
        );
        assert_eq!(
            s[ix("writeTransactions")] - before[ix("writeTransactions")],
            1,
            "{url}"
        );
    }
}

/// WAL: SQLite refuses a read transaction's upgrade while another connection holds the write
/// lock (SQLITE_BUSY without calling the busy handler); the driver waits, bounded by
/// busy_timeout. If the other ends without a change the upgrade gets the lock; if it commits,
/// the snapshot is stale: 40001.
#[test]
fn wal_upgrade_waits_for_the_writer_then_succeeds_or_fails_with_40001() {
    for url in urls("upgrade").into_iter().skip(1) {
        let mut setup = open(&url, &[]);
        exec(&mut setup, "CREATE TABLE t(x); INSERT INTO t VALUES (0)").unwrap();
        let mut w = open(&url, &[]);
        // The writer never ends: the upgrade waits its whole busy_timeout, then HYT00.
        let mut a = open(&url, &[("busy_timeout", "200")]);
        a.set_autocommit(false).unwrap();
        count(&mut a, "SELECT count(*) FROM t");
        w.set_autocommit(false).unwrap();
        exec(&mut w, "INSERT INTO t VALUES (1)").unwrap(); // w holds the write lock
        let waits = stats(&url)[ix("lockWaits")];
        match exec(&mut a, "INSERT INTO t VALUES (2)").unwrap_err() {
            Error::LockTimeout { waited_ms, .. } => assert!(waited_ms >= 200, "{url}"),
            e => panic!("{url}: {e}"),
        }
        assert_eq!(stats(&url)[ix("lockWaits")], waits + 1, "{url}: one wait");
        a.rollback().unwrap();
        w.rollback().unwrap();
        for writer_commits in [false, true] {
            let mut a = open(&url, &[("busy_timeout", "20000")]);
            a.set_autocommit(false).unwrap();
            count(&mut a, "SELECT count(*) FROM t");
            w.set_autocommit(false).unwrap();
            exec(&mut w, "INSERT INTO t VALUES (1)").unwrap();
            let upgrader = thread::spawn(move || {
                let r = exec(&mut a, "INSERT INTO t VALUES (2)");
                (a, r)
            });
            // Whether or not the upgrader is already waiting, the outcome is the same.
            if writer_commits {
                w.commit().unwrap();
            } else {
                w.rollback().unwrap();
            }
            let (mut a, r) = upgrader.join().unwrap();
            if writer_commits {
                let e = r.unwrap_err();
                assert!(matches!(e, Error::SnapshotConflict { .. }), "{url}: {e}");
                assert!(is_40001(&e));
                a.rollback().unwrap();
            } else {
                r.unwrap();
                a.commit().unwrap();
            }
        }
        let s = stats(&url);
        assert_eq!(
            (s[ix("upgrades")], s[ix("upgradeConflicts")]),
            (3, 1),
            "{url}: {s:?}"
        );
        // Rows: 0, the upgrade of the rolled-back round (2), w's commit (1).
        assert_eq!(count(&mut setup, "SELECT count(*) FROM t"), 3, "{url}");
    }
}

#[test]
fn a_stale_wal_snapshot_fails_the_upgrade_with_40001_and_rolls_back() {
    for url in urls("stale").into_iter().skip(1) {
        let mut a = open(&url, &[]);
        exec(&mut a, "CREATE TABLE t(x); INSERT INTO t VALUES (0)").unwrap();
        let mut b = open(&url, &[]);
        a.set_autocommit(false).unwrap();
        assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 1);
        exec(&mut b, "INSERT INTO t VALUES (1)").unwrap();
        let e = exec(&mut a, "UPDATE t SET x = x + 1").unwrap_err();
        assert!(matches!(e, Error::SnapshotConflict { .. }), "{url}: {e}");
        assert_eq!(
            exec(&mut a, "SELECT 1").unwrap_err().jdbc().sql_state,
            "25P02"
        );
        a.rollback().unwrap();
        assert_eq!(
            count(&mut a, "SELECT sum(x) FROM t"),
            1,
            "{url}: no write on stale reads"
        );
        assert_eq!(stats(&url)[ix("upgradeConflicts")], 1, "{url}");
    }
}

/// WAL: a commit that changed nothing the read transaction read does not fail its upgrade: the
/// reads are run again under the write lock, give the same rows, and the write goes on.
#[test]
fn a_stale_snapshot_whose_reads_still_hold_is_revalidated() {
    for url in urls("reval").into_iter().skip(1) {
        let mut a = open(&url, &[]);
        exec(
            &mut a,
            "CREATE TABLE t(x); CREATE TABLE seq(n); INSERT INTO t VALUES (0); INSERT INTO seq VALUES (0)",
        )
        .unwrap();
        let mut b = open(&url, &[]);
        a.set_autocommit(false).unwrap();
        assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 1);
        let rows = query(&mut a, "SELECT x FROM t WHERE x = ?", &[Value::Integer(0)]).unwrap();
        assert_eq!(rows.len(), 1);
        // Another connection commits to a table a has not read (an id allocation, an audit row).
        exec(&mut b, "UPDATE seq SET n = n + 1").unwrap();
        exec(&mut a, "INSERT INTO t VALUES (1)").unwrap();
        a.commit().unwrap();
        assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 2, "{url}");
        let s = stats(&url);
        assert_eq!(
            (s[ix("revalidations")], s[ix("upgradeConflicts")]),
            (1, 0),
            "{url}: {s:?}"
        );
        // The same with a read whose rows did change: 40001, nothing written.
        assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 2);
        exec(&mut b, "INSERT INTO t VALUES (2)").unwrap();
        let e = exec(&mut a, "INSERT INTO t VALUES (3)").unwrap_err();
        assert!(matches!(e, Error::SnapshotConflict { .. }), "{url}: {e}");
        a.rollback().unwrap();
        // A read left open (not run to its end) cannot be re-validated: 40001.
        let info = a.prepare(b"SELECT x FROM t").unwrap();
        let mut out = vec![0u8; wire::HEADER + 12]; // room for one row only
        a.execute(info.handle, &[], &mut out, 0).unwrap();
        assert_eq!(
            Header::read(&out).flags & FLAG_DONE,
            0,
            "the read is still open"
        );
        exec(&mut b, "UPDATE seq SET n = n + 1").unwrap();
        let e = exec(&mut a, "INSERT INTO seq VALUES (9)").unwrap_err();
        assert!(matches!(e, Error::SnapshotConflict { .. }), "{url}: {e}");
        a.release(info.handle).unwrap();
        a.rollback().unwrap();
        let s = stats(&url);
        assert_eq!(
            (s[ix("revalidations")], s[ix("upgradeConflicts")]),
            (1, 2),
            "{url}: {s:?}"
        );
        assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 3, "{url}");
    }
}

#[test]
fn rollback_journal_upgrade_against_a_writer_is_a_deadlock_not_a_wait() {
    let url = format!(
        "jdbc:shmlite:file:{}/rj.db?journal_mode=DELETE",
        common::test_dir("txn")
    );
    let mut a = open(&url, &[("busy_timeout", "20000")]);
    exec(&mut a, "CREATE TABLE t(x); INSERT INTO t VALUES (0)").unwrap();
    let mut w = open(&url, &[("busy_timeout", "20000")]);
    a.set_autocommit(false).unwrap();
    count(&mut a, "SELECT count(*) FROM t"); // a: SHARED
    w.set_autocommit(false).unwrap();
    exec(&mut w, "INSERT INTO t VALUES (1)").unwrap(); // w: RESERVED
    let e = exec(&mut a, "INSERT INTO t VALUES (2)").unwrap_err();
    assert!(matches!(e, Error::Deadlock { .. }), "{e}");
    a.rollback().unwrap();
    w.commit().unwrap(); // possible now that a's SHARED lock is gone
    assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 2);
}

/// The 8 × 200 read-modify-write: exact sums, retried on 40001 only.
#[test]
fn read_modify_write_sums_exactly_with_retries_on_40001_only() {
    for url in urls("rmw") {
        let mut setup = open(&url, &[]);
        exec(
            &mut setup,
            "CREATE TABLE c(id INTEGER PRIMARY KEY, n INTEGER); INSERT INTO c VALUES (1, 0), (2, 0)",
        )
        .unwrap();
        let retries = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (url, retries) = (url.clone(), retries.clone());
                thread::spawn(move || {
                    let mut s = open(&url, &[("busy_timeout", "30000")]);
                    s.set_autocommit(false).unwrap();
                    for i in 0..200 {
                        let id = 1 + (i % 2);
                        loop {
                            let attempt = (|| {
                                let rows = query(
                                    &mut s,
                                    "SELECT n FROM c WHERE id = ?",
                                    &[Value::Integer(id)],
                                )?;
                                let Value::Integer(n) = rows[0][0] else {
                                    panic!()
                                };
                                query(
                                    &mut s,
                                    "UPDATE c SET n = ? WHERE id = ?",
                                    &[Value::Integer(n + 1), Value::Integer(id)],
                                )?;
                                s.commit()
                            })();
                            match attempt {
                                Ok(()) => break,
                                Err(e) if is_40001(&e) => {
                                    retries.fetch_add(1, Ordering::Relaxed);
                                    s.rollback().unwrap();
                                }
                                Err(e) => panic!("{url}: not a 40001: {e}"),
                            }
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(count(&mut setup, "SELECT sum(n) FROM c"), 1600, "{url}");
        let s = stats(&url);
        let retries = retries.load(Ordering::Relaxed);
        assert_eq!(
            s[ix("upgradeConflicts")] as u64,
            retries,
            "{url}: every retry was an upgrade conflict"
        );
        println!(
            "{url}: 1600 increments, {retries} retries on 40001; upgrades {}, deadlocks {}, lock waits {}",
            s[ix("upgrades")], s[ix("deadlocks")], s[ix("lockWaits")]
        );
    }
}

/// Two read-first transactions that read the same row and then both update it: the second to
/// get the write lock finds its snapshot stale and its read changed (re-validation fails), so it
/// fails with 40001; the other completes. Neither update is lost.
#[test]
fn two_upgrading_read_transactions_deadlock_and_exactly_one_fails() {
    let url = format!("jdbc:shmlite:mem:updl-{}-{}", std::process::id(), n());
    let mut setup = open(&url, &[]);
    exec(&mut setup, "CREATE TABLE t(x); INSERT INTO t VALUES (0)").unwrap();
    let props = [("busy_timeout", "30000")];
    let mut a = open(&url, &props);
    let mut b = open(&url, &props);
    a.set_autocommit(false).unwrap();
    b.set_autocommit(false).unwrap();
    assert_eq!(count(&mut a, "SELECT x FROM t"), 0);
    assert_eq!(count(&mut b, "SELECT x FROM t"), 0);
    let barrier = Arc::new(Barrier::new(2));
    let other = {
        let barrier = barrier.clone();
        thread::spawn(move || {
            barrier.wait();
            let r = exec(&mut b, "UPDATE t SET x = x + 1");
            if r.is_ok() {
                b.commit().unwrap();
            }
            r
        })
    };
    barrier.wait();
    let ra = exec(&mut a, "UPDATE t SET x = x + 1");
    if ra.is_ok() {
        a.commit().unwrap();
    }
    let rb = other.join().unwrap();
    let errors: Vec<_> = [&ra, &rb]
        .into_iter()
        .filter_map(|r| r.as_ref().err())
        .collect();
    assert_eq!(errors.len(), 1, "exactly one side fails: {ra:?} / {rb:?}");
    assert!(is_40001(errors[0]), "{}", errors[0]);
    assert_eq!(count(&mut setup, "SELECT x FROM t"), 1);
    let s = stats(&url);
    assert_eq!(s[ix("upgradeConflicts")], 1);
}

#[test]
fn read_committed_reads_run_outside_a_transaction_until_the_first_write() {
    for url in urls("rc") {
        let mut a = open(&url, &[]);
        exec(&mut a, "CREATE TABLE t(x)").unwrap();
        let mut b = open(&url, &[("busy_timeout", "0")]);
        a.set_isolation(2);
        a.set_autocommit(false).unwrap();
        assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 0);
        assert!(
            !a.in_transaction().unwrap(),
            "{url}: no transaction for a read"
        );
        exec(&mut b, "INSERT INTO t VALUES (1)").unwrap();
        // The next read sees the latest commit, also on WAL.
        assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 1, "{url}");
        exec(&mut a, "INSERT INTO t VALUES (2)").unwrap();
        assert!(a.in_transaction().unwrap());
        a.commit().unwrap();
        // A savepoint needs the transaction even at READ_COMMITTED.
        exec(&mut a, "SAVEPOINT s").unwrap();
        assert!(a.in_transaction().unwrap());
        a.rollback().unwrap();
        let s = stats(&url);
        assert_eq!(
            (
                s[ix("writeTransactions")],
                s[ix("readTransactions")],
                s[ix("upgrades")]
            ),
            (1, 1, 0),
            "{url}: {s:?}"
        );
    }
}

/// `mem:` is WAL: at READ_UNCOMMITTED and at SERIALIZABLE a reader reads the last commit at
/// once while a writer's transaction is open (no table locks, so no dirty reads and no waits).
#[test]
fn reads_on_mem_never_wait_for_an_open_write_transaction() {
    let url = format!("jdbc:shmlite:mem:ru-{}-{}", std::process::id(), n());
    let mut w = open(&url, &[]);
    exec(&mut w, "CREATE TABLE t(x)").unwrap();
    let mut r = open(&url, &[("busy_timeout", "0")]);
    w.set_autocommit(false).unwrap();
    exec(&mut w, "INSERT INTO t VALUES (1)").unwrap();
    for level in [1, 8] {
        r.set_isolation(level);
        r.set_autocommit(false).unwrap();
        assert_eq!(
            count(&mut r, "SELECT count(*) FROM t"),
            0,
            "isolation {level}"
        );
        r.commit().unwrap();
    }
    w.commit().unwrap();
    assert_eq!(count(&mut r, "SELECT count(*) FROM t"), 1);
}

/// Cost of the read log (WAL re-validation) per read transaction: the same 10-row read
/// transactions on one WAL file, with the log (`journal_mode=WAL` given, so the session knows the
/// database is WAL) and without it (the file is WAL, the session was not told). Prints timings;
/// run with `cargo test --release -p shmlite-core --test txn -- --ignored --nocapture`.
#[test]
#[ignore]
fn read_log_cost() {
    let path = format!("{}/cost.db", common::test_dir("txn"));
    let logged = format!("jdbc:shmlite:file:{path}?journal_mode=WAL");
    let unlogged = format!("jdbc:shmlite:file:{path}");
    let mut setup = open(&logged, &[]);
    exec(
        &mut setup,
        "CREATE TABLE e(id INTEGER PRIMARY KEY, payload TEXT, created INTEGER)",
    )
    .unwrap();
    exec(&mut setup, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO e(payload, created) SELECT 'event', i FROM n").unwrap();
    const TXNS: u32 = 20_000;
    for round in 0..3 {
        for (name, url) in [("with log", &logged), ("without log", &unlogged)] {
            let mut s = open(url, &[]);
            s.set_autocommit(false).unwrap();
            let info = s
                .prepare(b"SELECT id, payload, created FROM e ORDER BY id DESC LIMIT 10")
                .unwrap();
            let mut out = vec![0u8; 1 << 16];
            let start = std::time::Instant::now();
            for _ in 0..TXNS {
                s.execute(info.handle, &[], &mut out, 0).unwrap();
                s.commit().unwrap();
            }
            let ns = start.elapsed().as_nanos() as f64 / TXNS as f64;
            println!("round {round} {name}: {ns:.0} ns per read transaction");
            s.release(info.handle).unwrap();
        }
    }
}

/// A file made WAL by another program, opened without `journal_mode=WAL`: the session does not
/// log its reads, so a read-first transaction whose snapshot another commit made stale must
/// fail its upgrade with 40001. It used to "re-validate" an empty read log and write over the
/// stale read: a lost update.
#[test]
fn a_wal_file_the_session_was_not_told_about_never_loses_an_update() {
    let path = format!("{}/untold.db", common::test_dir("txn"));
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (0)")
            .unwrap();
    }
    let url = format!("jdbc:shmlite:file:{path}");
    let mut a = open(&url, &[]);
    let mut b = open(&url, &[]);
    a.set_autocommit(false).unwrap();
    b.set_autocommit(false).unwrap();
    assert_eq!(count(&mut a, "SELECT x FROM t"), 0);
    assert_eq!(count(&mut b, "SELECT x FROM t"), 0);
    exec(&mut a, "UPDATE t SET x = 10").unwrap();
    a.commit().unwrap();
    let e = exec(&mut b, "UPDATE t SET x = 20").unwrap_err();
    assert!(is_40001(&e), "{e}");
    b.rollback().unwrap();
    assert_eq!(count(&mut b, "SELECT x FROM t"), 10);
}
