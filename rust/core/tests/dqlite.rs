//! The remote session (`jdbc:shmlite:dqlite://…`) against a real 3-node dqlite cluster:
//! scripts/test-dqlite.sh starts one and sets `SHMLITE_DQLITE_SEEDS`; without it every test
//! prints why it is skipped.

mod common;

use common::{count, exec, n, query};
use shmlite_core::wire::{self, Header, Value, FLAG_DONE, FLAG_NEED_SPACE, HEADER};
use shmlite_core::{Error, Session};

const SEEDS_ENV: &str = "SHMLITE_DQLITE_SEEDS";

/// A `dqlite://` URL of a database no other test (or run) uses, or None after saying why not.
fn url(test: &str) -> Option<String> {
    match std::env::var(SEEDS_ENV) {
        Ok(s) if !s.trim().is_empty() => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            Some(format!(
                "jdbc:shmlite:dqlite://{}/{test}-{}-{nanos}-{}",
                s.trim(),
                std::process::id(),
                n()
            ))
        }
        _ => {
            eprintln!("SKIPPED {test}: {SEEDS_ENV} is not set; run scripts/test-dqlite.sh");
            None
        }
    }
}

fn open(url: &str) -> Session {
    Session::open(url, &[]).unwrap()
}

/// Executes a prepared statement with parameters; (update count, last rowid).
fn update(s: &mut Session, sql: &str, params: &[Value]) -> shmlite_core::Result<(i64, i64)> {
    let info = s.prepare(sql.as_bytes())?;
    let mut buf = Vec::new();
    for p in params {
        wire::push_value(&mut buf, p);
    }
    let mut out = vec![0u8; 4096];
    let r = s.execute(info.handle, &buf, &mut out, 0);
    s.release(info.handle)?;
    r?;
    let h = Header::read(&out);
    Ok((h.changes, h.last_rowid))
}

#[test]
fn every_parameter_type_round_trips() {
    let Some(url) = url("types") else { return };
    let mut s = open(&url);
    exec(
        &mut s,
        "CREATE TABLE t(i INTEGER, r REAL, x TEXT, b BLOB, n)",
    )
    .unwrap();
    let row = vec![
        Value::Integer(i64::MIN),
        Value::Real(2.5),
        Value::Text("héllo; 'x'".into()),
        Value::Blob(vec![0, 1, 255]),
        Value::Null,
    ];
    let (changes, rowid) = update(&mut s, "INSERT INTO t VALUES(?,?,?,?,?)", &row).unwrap();
    assert_eq!((changes, rowid), (1, 1));
    let got = query(&mut s, "SELECT i, r, x, b, n FROM t WHERE i = ?", &row[..1]).unwrap();
    assert_eq!(got, vec![row]);
}

#[test]
fn result_sets_larger_than_a_batch_and_the_out_buffer_stream() {
    let Some(url) = url("stream") else { return };
    let mut s = open(&url);
    exec(
        &mut s,
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 5000)
         INSERT INTO t SELECT x, printf('%0100d', x) FROM c;",
    )
    .unwrap();
    let info = s.prepare(b"SELECT id, v FROM t ORDER BY id").unwrap();
    // 1 KiB out buffer: ~9 rows per fetch, so both dqlite's batches and the buffer cut rows.
    let mut out = vec![0u8; 1024];
    s.execute(info.handle, &[], &mut out, 0).unwrap();
    let mut next = 1i64;
    let mut fetches = 0;
    loop {
        let h = Header::read(&out);
        assert_eq!(h.flags & FLAG_NEED_SPACE, 0);
        for row in wire::decode_rows(&out[HEADER..], h.rows as usize, 2) {
            assert_eq!(row[0], Value::Integer(next));
            assert_eq!(row[1], Value::Text(format!("{next:0100}")));
            next += 1;
        }
        if h.flags & FLAG_DONE != 0 {
            break;
        }
        fetches += 1;
        s.fetch(info.handle, &mut out).unwrap();
    }
    assert_eq!(next, 5001);
    assert!(fetches > 100, "{fetches}");
    // Another statement while a result set is open: the first one's rows are kept.
    s.execute(info.handle, &[], &mut out, 0).unwrap();
    let first = Header::read(&out).rows as i64;
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 5000);
    let mut seen = first;
    loop {
        s.fetch(info.handle, &mut out).unwrap();
        let h = Header::read(&out);
        seen += h.rows as i64;
        if h.flags & FLAG_DONE != 0 {
            break;
        }
    }
    assert_eq!(seen, 5000);
    s.release(info.handle).unwrap();
}

#[test]
fn transactions_commit_roll_back_and_begin_lazily() {
    let Some(url) = url("txn") else { return };
    let mut a = open(&url);
    let mut b = open(&url);
    exec(&mut a, "CREATE TABLE t(x)").unwrap();
    a.set_autocommit(false).unwrap();
    assert!(
        !a.in_transaction().unwrap(),
        "setAutoCommit(false) begins nothing"
    );
    assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 0);
    assert!(
        a.in_transaction().unwrap(),
        "a read begins a read transaction"
    );
    update(&mut a, "INSERT INTO t VALUES(1)", &[]).unwrap();
    assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 0, "uncommitted");
    a.rollback().unwrap();
    assert!(!a.in_transaction().unwrap());
    assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 0);
    update(&mut a, "INSERT INTO t VALUES(2)", &[]).unwrap();
    exec(
        &mut a,
        "SAVEPOINT sp; INSERT INTO t VALUES(3); ROLLBACK TO sp; RELEASE sp",
    )
    .unwrap();
    a.commit().unwrap();
    assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 1);
    assert_eq!(count(&mut b, "SELECT x FROM t"), 2);
    let stats = a_stats(&a);
    assert!(stats[common::ix("readTransactions")] >= 1);
    assert!(stats[common::ix("upgrades")] >= 1);
}

fn a_stats(s: &Session) -> [i64; 28] {
    shmlite_core::remote::pool::lookup(s.database_key().unwrap())
        .unwrap()
        .snapshot()
}

#[test]
fn a_locked_database_is_waited_out_and_times_out_with_hyt00() {
    let Some(url) = url("busy") else { return };
    let mut holder = open(&url);
    exec(&mut holder, "CREATE TABLE t(x)").unwrap();
    holder.set_autocommit(false).unwrap();
    update(&mut holder, "INSERT INTO t VALUES(1)", &[]).unwrap(); // holds the write lock
                                                                  // Another JVM-local session queues on the writer gate; busy_timeout bounds it.
    let props = [("busy_timeout".to_string(), "200".to_string())];
    let mut other = Session::open(&url, &props).unwrap();
    let e = update(&mut other, "INSERT INTO t VALUES(2)", &[]).unwrap_err();
    assert!(matches!(e, Error::LockTimeout { .. }), "{e}");
    assert_eq!(e.jdbc().sql_state, "HYT00");
    holder.commit().unwrap();
    update(&mut other, "INSERT INTO t VALUES(2)", &[]).unwrap();
    assert_eq!(count(&mut other, "SELECT count(*) FROM t"), 2);
}

#[test]
fn eight_sessions_hundred_inserts_each_lose_nothing() {
    let Some(url) = url("writers") else { return };
    let mut s = open(&url);
    exec(&mut s, "CREATE TABLE t(w INTEGER, i INTEGER)").unwrap();
    let threads: Vec<_> = (0..8)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut s = open(&url);
                let mut errors = 0;
                for i in 0..100 {
                    if update(
                        &mut s,
                        "INSERT INTO t VALUES(?, ?)",
                        &[Value::Integer(w), Value::Integer(i)],
                    )
                    .is_err()
                    {
                        errors += 1;
                    }
                }
                errors
            })
        })
        .collect();
    let errors: i32 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(errors, 0);
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 800);
    assert_eq!(
        count(&mut s, "SELECT count(DISTINCT w * 1000 + i) FROM t"),
        800
    );
}

#[test]
fn errors_map_to_the_local_sqlstates_and_local_properties_are_refused() {
    let Some(url) = url("errors") else { return };
    let mut s = open(&url);
    exec(&mut s, "CREATE TABLE t(id INTEGER PRIMARY KEY)").unwrap();
    update(&mut s, "INSERT INTO t VALUES(1)", &[]).unwrap();
    let dup = update(&mut s, "INSERT INTO t VALUES(1)", &[]).unwrap_err();
    assert_eq!(dup.jdbc().sql_state, "23505", "{dup}");
    let missing = s.prepare(b"SELECT * FROM nope").unwrap_err();
    assert_eq!(missing.jdbc().sql_state, "42S02", "{missing}");
    let returning = update(&mut s, "INSERT INTO t VALUES(2) RETURNING id", &[]).unwrap_err();
    assert_eq!(returning.jdbc().sql_state, "0A000", "{returning}");
    assert_eq!(
        count(&mut s, "SELECT count(*) FROM t"),
        1,
        "the refused write did not run"
    );
    for prop in [
        "journal_mode",
        "shm_dir",
        "wal_limit_mb",
        "read_uncommitted",
        "mmap_size",
    ] {
        let value = if prop == "shm_dir" { "/dev/shm" } else { "1" };
        let props = [(prop.to_string(), value.to_string())];
        let e = Session::open(&url, &props).unwrap_err();
        assert_eq!(e.jdbc().sql_state, "08001", "{prop}: {e}");
        assert!(e.to_string().contains(prop), "{e}");
    }
}

/// A writer outside this JVM's gate (a raw protocol connection, as another process would be)
/// holds the write lock: dqlite answers "database is locked" at once; the session waits it out
/// with back-off under busy_timeout (counted), and times out with HYT00 when it lasts longer.
#[test]
fn another_clients_write_lock_is_waited_out_with_back_off() {
    let Some(url) = url("foreign") else { return };
    let seeds: Vec<String> = std::env::var(SEEDS_ENV)
        .unwrap()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let name = url.rsplit('/').next().unwrap().to_string();
    let mut s = open(&url);
    exec(&mut s, "CREATE TABLE t(x)").unwrap();
    let cluster = shmlite_dqlite::Cluster::new(seeds, shmlite_dqlite::Options::default());
    let mut raw = cluster.open(&name).unwrap();
    raw.exec_sql("BEGIN IMMEDIATE", &[]).unwrap();
    raw.exec_sql("INSERT INTO t VALUES(0)", &[]).unwrap();
    let props = [("busy_timeout".to_string(), "300".to_string())];
    let mut short = Session::open(&url, &props).unwrap();
    let e = update(&mut short, "INSERT INTO t VALUES(1)", &[]).unwrap_err();
    assert_eq!(e.jdbc().sql_state, "HYT00", "{e}");
    let before = a_stats(&s);
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        raw.exec_sql("COMMIT", &[]).unwrap();
    });
    update(&mut s, "INSERT INTO t VALUES(2)", &[]).unwrap();
    releaser.join().unwrap();
    let after = a_stats(&s);
    assert!(after[common::ix("lockWaits")] > before[common::ix("lockWaits")]);
    assert!(after[common::ix("remoteBusyRetries")] > before[common::ix("remoteBusyRetries")]);
    assert!(after[common::ix("remoteRequests")] > before[common::ix("remoteRequests")]);
    assert!(
        after[common::ix("remoteRequestNanosTotal")]
            > before[common::ix("remoteRequestNanosTotal")]
    );
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 2);
}

/// A BEGIN that times out on another client's write lock leaves this JVM's writer gate free
/// (it was taken before the BEGIN): other sessions of the JVM write at once afterwards.
#[test]
fn a_failed_begin_does_not_keep_the_writer_gate() {
    let Some(url) = url("gate") else { return };
    let seeds: Vec<String> = std::env::var(SEEDS_ENV)
        .unwrap()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let name = url.rsplit('/').next().unwrap().to_string();
    let mut s = open(&url);
    exec(&mut s, "CREATE TABLE t(x)").unwrap();
    let cluster = shmlite_dqlite::Cluster::new(seeds, shmlite_dqlite::Options::default());
    let mut raw = cluster.open(&name).unwrap();
    raw.exec_sql("BEGIN IMMEDIATE", &[]).unwrap();
    let props = [("busy_timeout".to_string(), "200".to_string())];
    let mut a = Session::open(&url, &props).unwrap();
    a.set_autocommit(false).unwrap();
    let e = update(&mut a, "INSERT INTO t VALUES(1)", &[]).unwrap_err();
    assert_eq!(e.jdbc().sql_state, "HYT00", "{e}");
    assert!(!a.in_transaction().unwrap());
    raw.exec_sql("ROLLBACK", &[]).unwrap();
    let mut b = Session::open(&url, &props).unwrap();
    update(&mut b, "INSERT INTO t VALUES(2)", &[]).unwrap();
    update(&mut a, "INSERT INTO t VALUES(3)", &[]).unwrap();
    a.commit().unwrap();
    assert_eq!(count(&mut b, "SELECT count(*) FROM t"), 2);
}

/// A session that set a pragma (or made a TEMP object) does not hand its protocol connection
/// to the next session: it is closed, and the next session gets one in the default state.
#[test]
fn connection_state_a_session_set_does_not_reach_the_next_session() {
    let Some(url) = url("state") else { return };
    let props = [("pool_size".to_string(), "1".to_string())];
    let mut s = Session::open(&url, &props).unwrap();
    exec(
        &mut s,
        "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(p REFERENCES p(id))",
    )
    .unwrap();
    drop(s);
    let mut s = Session::open(&url, &props).unwrap();
    exec(
        &mut s,
        "PRAGMA foreign_keys=ON; CREATE TEMP TABLE scratch(x)",
    )
    .unwrap();
    assert!(
        update(&mut s, "INSERT INTO c VALUES(42)", &[]).is_err(),
        "foreign keys on"
    );
    drop(s);
    let mut s = Session::open(&url, &props).unwrap();
    assert_eq!(
        count(&mut s, "PRAGMA foreign_keys"),
        0,
        "the next session has the default"
    );
    assert!(
        s.prepare(b"SELECT * FROM scratch").is_err(),
        "no TEMP table of another session"
    );
    update(&mut s, "INSERT INTO c VALUES(42)", &[]).unwrap();
    drop(s);
    // The property applies per protocol connection, pooled or new (dqlite's own default is on,
    // shmlite's is off as on every URL form).
    let fk = [
        ("pool_size".to_string(), "1".to_string()),
        ("foreign_keys".to_string(), "true".to_string()),
    ];
    let mut s = Session::open(&url, &fk).unwrap();
    let e = update(&mut s, "INSERT INTO c VALUES(43)", &[]).unwrap_err();
    assert_eq!(e.jdbc().sql_state, "23503", "{e}");
}

/// SQLite on the server rolled the transaction back by itself (INSERT OR ROLLBACK): COMMIT is
/// 40000 rather than a success or a generic error, ROLLBACK succeeds, and the session goes on.
#[test]
fn a_transaction_the_server_rolled_back_fails_its_commit_with_40000() {
    let Some(url) = url("srvrollback") else {
        return;
    };
    let mut s = open(&url);
    exec(&mut s, "CREATE TABLE t(id INTEGER PRIMARY KEY)").unwrap();
    s.set_autocommit(false).unwrap();
    update(&mut s, "INSERT INTO t VALUES(1)", &[]).unwrap();
    let dup = update(&mut s, "INSERT OR ROLLBACK INTO t VALUES(1)", &[]).unwrap_err();
    assert_eq!(dup.jdbc().sql_state, "23505", "{dup}");
    let e = s.commit().unwrap_err();
    assert_eq!(e.jdbc().sql_state, "40000", "{e}");
    s.rollback().unwrap();
    update(&mut s, "INSERT INTO t VALUES(2)", &[]).unwrap();
    s.commit().unwrap();
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 1);
}

/// The query timeout counts from execute through every fetch (as locally): a fetch after it
/// ends the result set with HYT00, the server's query is interrupted and drained, and the
/// connection answers the next statement.
#[test]
fn the_query_timeout_interrupts_a_streaming_result_set() {
    let Some(url) = url("qtimeout") else { return };
    let mut s = open(&url);
    let info = s
        .prepare(b"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000000) SELECT x, printf('%0200d', x) FROM c")
        .unwrap();
    let mut out = vec![0u8; 4096];
    s.execute(info.handle, &[], &mut out, 50).unwrap();
    assert_eq!(Header::read(&out).flags & FLAG_DONE, 0, "more rows follow");
    std::thread::sleep(std::time::Duration::from_millis(80));
    let e = s.fetch(info.handle, &mut out).unwrap_err();
    assert_eq!(e.jdbc().sql_state, "HYT00", "{e}");
    s.release(info.handle).unwrap();
    assert_eq!(count(&mut s, "SELECT 41 + 1"), 42);
}

/// awaitChange on dqlite: another session's commit wakes it (polled `data_version`); with no
/// commit it returns false at its timeout.
#[test]
fn await_change_sees_another_sessions_commit() {
    let Some(url) = url("await") else { return };
    let mut a = open(&url);
    exec(&mut a, "CREATE TABLE t(x)").unwrap();
    assert!(a.await_change(0).is_ok());
    assert!(
        !a.await_change(60).unwrap(),
        "nothing committed since the last call"
    );
    let writer = {
        let url = url.clone();
        std::thread::spawn(move || {
            let mut b = open(&url);
            std::thread::sleep(std::time::Duration::from_millis(100));
            update(&mut b, "INSERT INTO t VALUES(1)", &[]).unwrap();
        })
    };
    assert!(a.await_change(10_000).unwrap(), "the commit was seen");
    writer.join().unwrap();
    assert_eq!(count(&mut a, "SELECT count(*) FROM t"), 1);
}
