//! Against a real 3-node dqlite cluster (scripts/test-dqlite.sh): every value type, prepared
//! statements, transactions, streaming, errors, 8 concurrent writers, leader discovery.
//! Skipped, with the reason printed, when SHMLITE_DQLITE_SEEDS is not set.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use shmlite_dqlite::{codes, Cluster, Connection, Error, Options, Role, Value, ValueRef};

fn count(conn: &mut Connection, sql: &str) -> i64 {
    let mut rows = conn.query_sql(sql, &[]).unwrap();
    let row = rows.next().unwrap().expect("one row");
    row.get(0).unwrap().as_i64().unwrap()
}

fn open(test: &str) -> Option<(Cluster, Connection)> {
    let seeds = common::seeds(test)?;
    let cluster = common::cluster(&seeds);
    let conn = cluster.open(&common::db_name(test)).unwrap();
    Some((cluster, conn))
}

#[test]
fn every_value_type_round_trips() {
    let Some((_cluster, mut conn)) = open("every_value_type_round_trips") else {
        return;
    };
    conn.exec_sql(
        "CREATE TABLE t (i INTEGER, f REAL, s TEXT, b BLOB, n INTEGER, at DATETIME, iso DATETIME, \
         flag BOOLEAN)",
        &[],
    )
    .unwrap();
    let blob: Vec<u8> = (0..=255u8).collect();
    let params = [
        ValueRef::Integer(i64::MIN),
        ValueRef::Float(-1.5e300),
        ValueRef::Text("héllo, wörld".as_bytes()),
        ValueRef::Blob(&blob),
        ValueRef::Null,
        ValueRef::UnixTime(1_764_582_300),
        ValueRef::Iso8601(b"2026-12-01 09:45:00"),
        ValueRef::Boolean(true),
    ];
    let r = conn
        .exec_sql("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &params)
        .unwrap();
    assert_eq!((r.last_insert_id, r.rows_affected), (1, 1));
    let mut rows = conn.query_sql("SELECT * FROM t", &[]).unwrap();
    assert_eq!(
        rows.columns(),
        ["i", "f", "s", "b", "n", "at", "iso", "flag"]
    );
    let row = rows.next().unwrap().expect("a row");
    let got: Vec<Value> = (0..row.len())
        .map(|i| row.get(i).unwrap().to_owned())
        .collect();
    let want: Vec<Value> = params.iter().map(|v| v.to_owned()).collect();
    assert_eq!(got, want);
    assert!(rows.next().unwrap().is_none());
    drop(rows);
    // The fundamental types through expressions (no declared type).
    let mut rows = conn
        .query_sql("SELECT 7, 2.5, 'x', x'00ff', NULL", &[])
        .unwrap();
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get(0), Some(ValueRef::Integer(7)));
    assert_eq!(row.get(1), Some(ValueRef::Float(2.5)));
    assert_eq!(row.get(2), Some(ValueRef::Text(b"x")));
    assert_eq!(row.get(3), Some(ValueRef::Blob(&[0, 0xff])));
    assert_eq!(row.get(4), Some(ValueRef::Null));
    assert_eq!(row.get(5), None);
}

#[test]
fn prepared_statements_with_parameters() {
    let Some((_cluster, mut conn)) = open("prepared_statements_with_parameters") else {
        return;
    };
    conn.exec_sql(
        "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT, score REAL)",
        &[],
    )
    .unwrap();
    let insert = conn
        .prepare("INSERT INTO p (id, name, score) VALUES (?, ?, ?)")
        .unwrap();
    assert_eq!(insert.params, 3);
    conn.exec_sql("BEGIN", &[]).unwrap();
    for i in 0..100i64 {
        let name = format!("n{i}");
        let r = conn
            .exec(
                insert,
                &[
                    ValueRef::Integer(i),
                    ValueRef::Text(name.as_bytes()),
                    ValueRef::Float(i as f64 / 2.0),
                ],
            )
            .unwrap();
        assert_eq!(r.rows_affected, 1);
    }
    conn.exec_sql("COMMIT", &[]).unwrap();
    conn.finalize(insert).unwrap();
    let select = conn
        .prepare("SELECT name, score FROM p WHERE id = ?")
        .unwrap();
    for i in [0i64, 42, 99] {
        let mut rows = conn.query(select, &[ValueRef::Integer(i)]).unwrap();
        let row = rows.next().unwrap().unwrap();
        assert_eq!(row.get(0).unwrap().as_str(), Some(format!("n{i}").as_str()));
        assert_eq!(row.get(1), Some(ValueRef::Float(i as f64 / 2.0)));
        assert!(rows.next().unwrap().is_none());
    }
    conn.finalize(select).unwrap();
    // A finalized statement is gone on the server.
    let err = conn.exec(select, &[ValueRef::Integer(1)]).unwrap_err();
    assert!(err.code().is_some(), "{err}");
    // More than 255 parameters switch the tuple to the 4-byte count schema.
    let sql = format!("SELECT {}", vec!["?"; 300].join(" + "));
    let params: Vec<ValueRef<'_>> = (0..300).map(ValueRef::Integer).collect();
    // Debian's dqlite 1.11 predates that schema and refuses it with a typed error; newer servers
    // accept it. Either way the connection stays in sync.
    match conn.query_sql(&sql, &params) {
        Ok(mut rows) => {
            let sum = rows
                .next()
                .unwrap()
                .unwrap()
                .get(0)
                .unwrap()
                .as_i64()
                .unwrap();
            assert_eq!(sum, (0..300).sum::<i64>());
        }
        Err(e) => assert!(e.code().is_some(), "{e}"),
    }
    assert!(!conn.is_broken());
    assert_eq!(count(&mut conn, "SELECT count(*) FROM p"), 100);
}

#[test]
fn transactions_commit_and_roll_back() {
    let Some((cluster, mut conn)) = open("transactions_commit_and_roll_back") else {
        return;
    };
    let name = common::db_name("transactions_other");
    conn.exec_sql("CREATE TABLE t (x INTEGER)", &[]).unwrap();
    conn.exec_sql("BEGIN", &[]).unwrap();
    conn.exec_sql("INSERT INTO t VALUES (1)", &[]).unwrap();
    assert_eq!(count(&mut conn, "SELECT count(*) FROM t"), 1);
    conn.exec_sql("ROLLBACK", &[]).unwrap();
    assert_eq!(count(&mut conn, "SELECT count(*) FROM t"), 0);
    conn.exec_sql("BEGIN IMMEDIATE", &[]).unwrap();
    conn.exec_sql("INSERT INTO t VALUES (2)", &[]).unwrap();
    conn.exec_sql("INSERT INTO t VALUES (3)", &[]).unwrap();
    conn.exec_sql("COMMIT", &[]).unwrap();
    assert_eq!(count(&mut conn, "SELECT count(*) FROM t"), 2);
    // Several statements in one EXEC_SQL, and a different database on another connection.
    conn.exec_sql("BEGIN; INSERT INTO t VALUES (4); COMMIT", &[])
        .unwrap();
    assert_eq!(count(&mut conn, "SELECT sum(x) FROM t"), 9);
    let mut other = cluster.open(&name).unwrap();
    let err = other.query_sql("SELECT * FROM t", &[]).unwrap_err();
    assert!(err.to_string().contains("no such table"), "{err}");
}

#[test]
fn results_stream_in_batches_and_can_be_abandoned() {
    let Some((_cluster, mut conn)) = open("results_stream_in_batches") else {
        return;
    };
    const ROWS: i64 = 20_000;
    conn.exec_sql("CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT)", &[])
        .unwrap();
    conn.exec_sql(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) \
         INSERT INTO big SELECT x, printf('%040d', x) FROM c",
        &[ValueRef::Integer(ROWS)],
    )
    .unwrap();
    // ~1 MB of rows: many batches (dqlite's are a few KiB).
    let mut rows = conn
        .query_sql("SELECT id, pad FROM big ORDER BY id", &[])
        .unwrap();
    let (mut n, mut sum) = (0i64, 0i64);
    while let Some(row) = rows.next().unwrap() {
        let id = row.get(0).unwrap().as_i64().unwrap();
        assert_eq!(row.get(1).unwrap().as_str().unwrap().len(), 40);
        n += 1;
        sum += id;
    }
    assert!(rows.batches() > 1, "{} batch(es)", rows.batches());
    drop(rows);
    assert_eq!((n, sum), (ROWS, ROWS * (ROWS + 1) / 2));
    // Abandoned after a few rows: Drop interrupts and drains, the connection stays in sync.
    for _ in 0..3 {
        let mut rows = conn.query_sql("SELECT id FROM big", &[]).unwrap();
        for _ in 0..5 {
            rows.next().unwrap().unwrap();
        }
    }
    assert!(!conn.is_broken());
    assert_eq!(count(&mut conn, "SELECT count(*) FROM big"), ROWS);
    // The callback form.
    let mut seen = 0;
    conn.query_sql("SELECT id FROM big WHERE id <= 10", &[])
        .unwrap()
        .for_each(|_| {
            seen += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, 10);
    // INTERRUPT with no query running is harmless.
    conn.interrupt().unwrap();
    assert_eq!(count(&mut conn, "SELECT 1"), 1);
}

#[test]
fn errors_carry_codes_and_leave_the_connection_usable() {
    let Some((_cluster, mut conn)) = open("errors_carry_codes") else {
        return;
    };
    let err = conn.exec_sql("SELEKT 1", &[]).unwrap_err();
    assert_eq!(err.code().map(|c| c & 0xff), Some(codes::ERROR), "{err}");
    assert!(err.to_string().contains("syntax error"), "{err}");
    conn.exec_sql("CREATE TABLE u (x INTEGER UNIQUE)", &[])
        .unwrap();
    conn.exec_sql("INSERT INTO u VALUES (1)", &[]).unwrap();
    let err = conn.exec_sql("INSERT INTO u VALUES (1)", &[]).unwrap_err();
    assert_eq!(
        err.code().map(|c| c & 0xff),
        Some(codes::CONSTRAINT),
        "{err}"
    );
    assert!(matches!(
        conn.exec_sql("INSERT INTO u VALUES (?)", &[ValueRef::Text(b"a\0b")]),
        Err(Error::NulInText)
    ));
    let err = conn.query_sql("SELECT * FROM nope", &[]).unwrap_err();
    assert!(err.to_string().contains("no such table"), "{err}");
    assert!(!conn.is_broken());
    assert_eq!(count(&mut conn, "SELECT count(*) FROM u"), 1);
}

/// 8 writers × 100 autocommit inserts on one table: dqlite refuses concurrent writers with
/// "database is locked" at once; Cluster::run waits it out with back-off. 0 errors, every row.
#[test]
fn eight_writers_hundred_inserts_each() {
    const WRITERS: i64 = 8;
    const INSERTS: i64 = 100;
    let Some(seeds) = common::seeds("eight_writers_hundred_inserts_each") else {
        return;
    };
    let cluster = Arc::new(common::cluster(&seeds));
    let name = common::db_name("eight_writers");
    cluster
        .open(&name)
        .unwrap()
        .exec_sql(
            "CREATE TABLE w (writer INTEGER, seq INTEGER, PRIMARY KEY (writer, seq))",
            &[],
        )
        .unwrap();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let cluster = Arc::clone(&cluster);
            let name = name.clone();
            std::thread::spawn(move || {
                let mut slot = None;
                let mut errors = Vec::new();
                for s in 0..INSERTS {
                    let r = cluster.run(&mut slot, &name, common::deadline(), |c| {
                        c.exec_sql(
                            "INSERT INTO w VALUES (?, ?)",
                            &[ValueRef::Integer(w), ValueRef::Integer(s)],
                        )
                    });
                    if let Err(e) = r {
                        errors.push(e.to_string());
                    }
                }
                errors
            })
        })
        .collect();
    let errors: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    let mut conn = cluster.open(&name).unwrap();
    let mut present = HashSet::new();
    let mut rows = conn.query_sql("SELECT writer, seq FROM w", &[]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        present.insert((
            row.get(0).unwrap().as_i64().unwrap(),
            row.get(1).unwrap().as_i64().unwrap(),
        ));
    }
    drop(rows);
    assert_eq!(present.len() as i64, WRITERS * INSERTS);
    for w in 0..WRITERS {
        for s in 0..INSERTS {
            assert!(present.contains(&(w, s)), "row ({w}, {s}) missing");
        }
    }
    eprintln!(
        "eight_writers_hundred_inserts_each: 0 errors, {} rows, {} 'database is locked' retries",
        present.len(),
        cluster.busy_retries()
    );
}

#[test]
fn leader_discovery_from_any_seed() {
    let Some(seeds) = common::seeds("leader_discovery_from_any_seed") else {
        return;
    };
    let mut leaders = HashSet::new();
    for seed in &seeds {
        // One seed at a time: a follower must redirect to the leader.
        let cluster = Cluster::new([seed.clone()], Options::default());
        let conn = cluster.connect_leader().unwrap();
        leaders.insert(conn.addr().to_string());
        // A plain connection to the seed names the same leader.
        let mut raw = Connection::connect(seed, &Options::default()).unwrap();
        let (_, named) = raw.leader().unwrap().expect("a leader");
        assert_eq!(named, conn.addr());
    }
    assert_eq!(leaders.len(), 1, "{leaders:?}");
    let nodes = common::cluster(&seeds).nodes().unwrap();
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    assert!(nodes.iter().all(|n| n.role == Role::Voter), "{nodes:?}");
    let mut addrs: Vec<_> = nodes.iter().map(|n| n.address.clone()).collect();
    addrs.sort();
    let mut want = seeds.clone();
    want.sort();
    assert_eq!(addrs, want);
    // A follower refuses statements with "not leader": nothing is executed, and
    // the error says to look for the leader again.
    let leader = leaders.into_iter().next().unwrap();
    let follower = seeds.iter().find(|s| **s != leader).unwrap();
    let mut f = Connection::connect(follower, &Options::default()).unwrap();
    f.register_client().unwrap();
    let r = f
        .open("leader_discovery")
        .and_then(|_| f.exec_sql("SELECT 1", &[]));
    let err = r.unwrap_err();
    assert!(err.is_not_leader() && err.is_unapplied(), "{err}");
    // Unreachable seeds are skipped; a cluster of only dead seeds fails within its bound.
    let dead = Cluster::new(["127.0.0.1:1"], Options::default())
        .with_leader_timeout(std::time::Duration::from_millis(300));
    assert!(matches!(dead.connect_leader(), Err(Error::NoLeader { .. })));
    let mixed = Cluster::new(
        std::iter::once("127.0.0.1:1".to_string()).chain(seeds.iter().cloned()),
        Options::default(),
    );
    assert_eq!(mixed.connect_leader().unwrap().addr(), leader);
}
