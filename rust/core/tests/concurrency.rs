//! The concurrency core with real threads: lock waits instead of SQLITE_LOCKED, lazy
//! transactions, deadlock and timeout outcomes, keep-alive, drop and pool bounds.

mod common;
use common::{count, exec, ix, open_with as open, query};
use shmlite_core::wire::Value;
use shmlite_core::{registry, Error, Session};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

fn unique(name: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "jdbc:shmlite:mem:{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

#[test]
fn one_writer_four_flipping_readers_see_no_lock_errors() {
    let url = unique("seed");
    let mut setup = open(&url, &[]);
    exec(
        &mut setup,
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, txn INTEGER)",
    )
    .unwrap();
    const TXNS: i64 = 300;
    const ROWS_PER_TXN: i64 = 3;
    let writer = {
        let url = url.clone();
        thread::spawn(move || {
            let mut w = open(&url, &[]);
            for txn in 0..TXNS {
                w.set_autocommit(false).unwrap();
                for _ in 0..ROWS_PER_TXN {
                    query(
                        &mut w,
                        "INSERT INTO t(v, txn) VALUES ('x', ?)",
                        &[Value::Integer(txn)],
                    )
                    .unwrap();
                }
                w.commit().unwrap();
                w.set_autocommit(true).unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            thread::spawn(move || {
                let mut r = open(&url, &[]);
                let mut reads = 0;
                for _ in 0..300 {
                    // The flip MyBatis does around every SqlSession.
                    r.set_autocommit(false).unwrap();
                    let rows =
                        query(&mut r, "SELECT txn, count(*) FROM t GROUP BY txn", &[]).unwrap();
                    for row in rows {
                        // read_uncommitted=0: never a partial transaction.
                        assert_eq!(
                            row[1],
                            Value::Integer(ROWS_PER_TXN),
                            "saw part of a transaction"
                        );
                    }
                    r.commit().unwrap();
                    r.set_autocommit(true).unwrap();
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        assert_eq!(r.join().unwrap(), 300);
    }
    assert_eq!(
        count(&mut setup, "SELECT count(*) FROM t"),
        TXNS * ROWS_PER_TXN
    );
    let stats = registry::lookup(&url).unwrap().unwrap().snapshot();
    assert_eq!(stats[ix("lockTimeouts")], 0, "no lock timeouts");
    assert_eq!(stats[ix("deadlocks")], 0, "no deadlocks");
}

// read-modify-write with retries on 40001: tests/txn.rs (on mem:, shm: and file:).

#[test]
fn autocommit_flips_do_no_native_work() {
    let url = unique("flip");
    let mut a = open(&url, &[]);
    exec(&mut a, "CREATE TABLE t(x)").unwrap();
    for _ in 0..100 {
        a.set_autocommit(false).unwrap();
        a.commit().unwrap();
        a.rollback().unwrap();
        a.set_autocommit(true).unwrap();
    }
    let stats = registry::lookup(&url).unwrap().unwrap().snapshot();
    assert_eq!(
        stats[ix("beginsDeferred")] + stats[ix("beginsImmediate")] + stats[ix("beginsExclusive")],
        0,
        "no BEGIN issued"
    );
    assert_eq!(
        stats[ix("commits")] + stats[ix("rollbacks")],
        0,
        "no COMMIT or ROLLBACK issued"
    );
    // While A idles inside an un-begun transaction, B writes freely.
    a.set_autocommit(false).unwrap();
    let mut b = open(&url, &[("busy_timeout", "0")]);
    exec(&mut b, "INSERT INTO t VALUES (1)").unwrap();
    assert!(!a.in_transaction().unwrap());
}

/// `mem:` is WAL: the table-lock cycle of a shared cache (A writes t and wants u, B read u and
/// wants t) cannot form, B reads its snapshot without waiting. When B then writes too, it gets
/// the write lock after A's commit with a stale snapshot whose reads changed (A's row in u), so
/// it fails with 40001 and is rolled back; A's transaction is unaffected and nothing is lost.
#[test]
fn deadlock_rolls_back_one_side_and_the_other_completes() {
    let url = unique("deadlock");
    let mut setup = open(&url, &[]);
    exec(
        &mut setup,
        "CREATE TABLE t(x); CREATE TABLE u(x); INSERT INTO t VALUES (0); INSERT INTO u VALUES (0)",
    )
    .unwrap();
    let props = [("transaction_mode", "DEFERRED"), ("busy_timeout", "10000")];
    let mut a = open(&url, &props);
    let mut b = open(&url, &props);
    a.set_autocommit(false).unwrap();
    b.set_autocommit(false).unwrap();
    exec(&mut a, "INSERT INTO t VALUES (1)").unwrap(); // A: the write lock
    assert_eq!(count(&mut b, "SELECT count(*) FROM u"), 1);
    assert_eq!(
        count(&mut b, "SELECT count(*) FROM t"),
        1,
        "B reads its snapshot at once"
    );
    let b_thread = thread::spawn(move || {
        let r = exec(&mut b, "INSERT INTO t VALUES (2)"); // waits for A's write lock
        (b, r)
    });
    exec(&mut a, "INSERT INTO u VALUES (1)").unwrap();
    a.commit().unwrap();
    let (mut b, b_result) = b_thread.join().unwrap();
    let err = b_result.unwrap_err();
    assert_eq!(err.jdbc().sql_state, "40001", "{err}");
    b.rollback().unwrap();
    assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 2);
    assert_eq!(count(&mut b, "SELECT count(*) FROM u"), 2);
    assert_eq!(
        registry::lookup(&url).unwrap().unwrap().snapshot()[ix("upgradeConflicts")],
        1
    );
}

#[test]
fn waiting_past_busy_timeout_is_a_timeout_and_cancel_ends_a_wait() {
    let url = unique("timeout");
    let mut a = open(&url, &[]);
    exec(&mut a, "CREATE TABLE t(x)").unwrap();
    a.set_autocommit(false).unwrap();
    exec(&mut a, "INSERT INTO t VALUES (1)").unwrap(); // holds the write transaction

    let mut b = open(&url, &[("busy_timeout", "150")]);
    let err = exec(&mut b, "INSERT INTO t VALUES (2)").unwrap_err();
    assert!(matches!(err, Error::LockTimeout { .. }), "{err}");
    assert_eq!(err.jdbc().class, "java/sql/SQLTimeoutException");
    assert!(err.to_string().contains("locked"), "names the lock: {err}");

    let mut c = open(&url, &[("busy_timeout", "60000")]);
    let slot = c.cancel_slot();
    let waiter = thread::spawn(move || {
        c.set_call_owner(5);
        let r = exec(&mut c, "INSERT INTO t VALUES (3)");
        (c, r)
    });
    // Cancel until the waiter has returned (a cancel before the call began finds no call of
    // statement 5 and does nothing).
    while !waiter.is_finished() {
        slot.cancel(5);
        thread::sleep(std::time::Duration::from_millis(5));
    }
    let (mut c, r) = waiter.join().unwrap();
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    a.commit().unwrap();
    // Everyone is usable afterwards.
    exec(&mut b, "INSERT INTO t VALUES (4)").unwrap();
    exec(&mut c, "INSERT INTO t VALUES (5)").unwrap();
    assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 3);
}

#[test]
fn query_timeout_stops_a_long_query() {
    let url = unique("qt");
    let mut s = open(&url, &[]);
    let err = s
        .execute_script(b"WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r", 50)
        .unwrap_err();
    assert!(matches!(err, Error::QueryTimeout(_)), "{err}");
    assert_eq!(count(&mut s, "SELECT 41 + 1"), 42);
}

#[test]
fn data_outlives_connections_until_dropped_and_names_are_isolated() {
    let url = unique("keep");
    let other = unique("other");
    {
        let mut s = open(&url, &[]);
        exec(&mut s, "CREATE TABLE t(x); INSERT INTO t VALUES (1)").unwrap();
        let mut o = open(&other, &[]);
        exec(&mut o, "CREATE TABLE t(x)").unwrap();
    }
    let mut s = open(&url, &[]);
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 1);
    let mut o = open(&other, &[]);
    assert_eq!(count(&mut o, "SELECT count(*) FROM t"), 0);
    drop(o);
    drop(s);
    assert_eq!(registry::drop_database(&url).unwrap(), Some(0));
    assert!(registry::lookup(&url).unwrap().is_none());
    let mut s = open(&url, &[]);
    let err = query(&mut s, "SELECT count(*) FROM t", &[]).unwrap_err();
    assert_eq!(err.jdbc().sql_state, "42S02");
}

#[test]
fn keep_alive_false_forgets_with_the_last_connection() {
    let url = unique("gone");
    {
        let mut s = open(&url, &[("keep_alive", "false")]);
        exec(&mut s, "CREATE TABLE t(x)").unwrap();
    }
    assert!(registry::lookup(&url).unwrap().is_none());
}

#[test]
fn pool_is_bounded_and_returned_connections_are_clean() {
    let url = unique("pool");
    let props = [("pool_size", "2"), ("pool_timeout", "100")];
    let mut a = open(&url, &props);
    let _b = open(&url, &props);
    let props: Vec<(String, String)> = props
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let err = Session::open(&url, &props).unwrap_err();
    assert!(matches!(err, Error::PoolExhausted { .. }), "{err}");
    assert_eq!(err.jdbc().class, "java/sql/SQLTransientConnectionException");

    exec(&mut a, "CREATE TABLE t(x)").unwrap();
    a.set_read_only(true);
    a.set_autocommit(false).unwrap();
    exec(&mut a, "SELECT 1").unwrap();
    drop(a); // returns mid-transaction and read-only
    let mut c = Session::open(&url, &props).unwrap();
    assert!(!c.in_transaction().unwrap());
    exec(&mut c, "INSERT INTO t VALUES (1)").expect("read-only state did not leak");
    let stats = registry::lookup(&url).unwrap().unwrap().snapshot();
    assert_eq!(
        stats[ix("nativeConnectionsOpened")],
        3,
        "the keeper plus two pooled connections for three sessions"
    );
    assert_eq!(stats[ix("poolTimeouts")], 1, "one pool timeout");
}

#[test]
fn read_only_sessions_refuse_writes() {
    let url = unique("ro");
    let mut s = open(&url, &[]);
    exec(&mut s, "CREATE TABLE t(x)").unwrap();
    s.set_read_only(true);
    let err = exec(&mut s, "INSERT INTO t VALUES (1)").unwrap_err();
    assert_eq!(err.jdbc().sql_state, "25006", "{err}");
    s.set_read_only(false);
    exec(&mut s, "INSERT INTO t VALUES (1)").unwrap();
}

#[test]
fn an_open_during_uncommitted_ddl_does_not_wait_and_returns_its_connection() {
    // Opening used to run SQL (settings, data_version) that another connection's uncommitted
    // DDL blocks, so getConnection() failed after busy_timeout (issue 12, item 11). Now it
    // runs none: the open succeeds at once, and the first statement is what waits.
    let url = unique("schema-lock");
    let mut a = open(&url, &[]);
    a.set_autocommit(false).unwrap();
    exec(&mut a, "CREATE TABLE t(x)").unwrap(); // uncommitted DDL: the schema is write-locked
    let props = vec![
        ("busy_timeout".to_string(), "30".to_string()),
        ("foreign_keys".to_string(), "true".to_string()),
    ];
    let before = registry::lookup(&url).unwrap().unwrap().snapshot();
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(Session::open(&url, &props).unwrap());
    }
    let stats = registry::lookup(&url).unwrap().unwrap().snapshot();
    assert_eq!(
        stats[ix("lockWaits")],
        before[ix("lockWaits")],
        "no open waited for a lock"
    );
    // mem: is WAL: the first statement does not wait either; it reads the last committed
    // schema, in which t does not exist yet.
    let err = exec(&mut sessions[0], "SELECT count(*) FROM t").unwrap_err();
    assert!(err.to_string().contains("no such table: t"), "{err}");
    let after = registry::lookup(&url).unwrap().unwrap().snapshot();
    assert_eq!(
        after[ix("lockWaits")],
        before[ix("lockWaits")],
        "nothing waited"
    );
    let mut waiter = sessions.pop().unwrap();
    drop(sessions);
    let stats = registry::lookup(&url).unwrap().unwrap().snapshot();
    assert_eq!(
        stats[ix("connectionsInUse")],
        2,
        "only A's and the waiter's connections are in use"
    );
    a.commit().unwrap();
    // The waiter's change baseline was taken without waiting: A's commit after its open counts.
    assert!(
        waiter.await_change(1000).unwrap(),
        "a commit after the open was missed"
    );
    assert!(!waiter.await_change(0).unwrap());
    drop(waiter);
    let mut b = open(&url, &[]);
    assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 0);
}

#[test]
fn a_write_interrupted_inside_a_transaction_refuses_work_until_rolled_back() {
    // SQLite rolls back the whole transaction when a write statement is interrupted; the
    // session must not let later statements run in a fresh transaction without saying so.
    let url = unique("interrupted");
    let mut s = open(&url, &[]);
    exec(&mut s, "CREATE TABLE t(x)").unwrap();
    s.set_autocommit(false).unwrap();
    exec(&mut s, "INSERT INTO t VALUES (1)").unwrap();
    let err = s
        .execute_script(b"INSERT INTO t WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT i FROM r", 30)
        .unwrap_err();
    assert!(matches!(err, Error::QueryTimeout(_)), "{err}");
    let refused = exec(&mut s, "INSERT INTO t VALUES (2)").unwrap_err();
    assert_eq!(refused.jdbc().sql_state, "25P02", "{refused}");
    let commit = s.commit().unwrap_err();
    assert_eq!(commit.jdbc().sql_state, "40000", "{commit}");
    // After the failed commit the session is usable again, and nothing of the lost transaction exists.
    exec(&mut s, "INSERT INTO t VALUES (3)").unwrap();
    s.commit().unwrap();
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 1);
}

#[test]
fn a_dropped_database_is_not_rejoined_by_new_connections() {
    let url = unique("rejoin");
    let mut old = open(&url, &[]);
    exec(&mut old, "CREATE TABLE t(x); INSERT INTO t VALUES (1)").unwrap();
    assert_eq!(
        registry::drop_database(&url).unwrap(),
        Some(1),
        "one connection still uses it"
    );
    let mut fresh = open(&url, &[]);
    let err = query(&mut fresh, "SELECT * FROM t", &[]).unwrap_err();
    assert_eq!(
        err.jdbc().sql_state,
        "42S02",
        "the new database is empty: {err}"
    );
    drop(old);
    let err = query(&mut fresh, "SELECT * FROM t", &[]).unwrap_err();
    assert_eq!(err.jdbc().sql_state, "42S02");
}
