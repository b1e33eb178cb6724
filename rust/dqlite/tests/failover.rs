//! Failover against a real cluster: writers insert continuously while the leader is SIGKILLed
//! [`KILLS`] times (restarted each time). Every acknowledged row must be present afterwards,
//! `PRAGMA integrity_check` must say ok, and every wait is bounded.
//!
//! Its own test binary, so it does not disturb the other cluster tests (cargo runs test binaries
//! one after another). Needs SHMLITE_DQLITE_SEEDS and SHMLITE_DQLITE_CLUSTER_DIR, which
//! scripts/test-dqlite.sh sets; skipped with the reason printed otherwise.

mod common;

use std::collections::HashSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shmlite_dqlite::{Connection, Options, ValueRef};

/// How many times the leader is killed.
const KILLS: usize = 5;
/// Concurrent writers during the test.
const WRITERS: i64 = 2;
/// Acknowledged inserts required before each kill and after it (proof that writes resumed).
const PROGRESS_ROWS: usize = 20;
/// Bound on waiting for that progress (an election after SIGKILL took ~10 s here).
const PROGRESS_TIMEOUT: Duration = Duration::from_secs(90);
/// Bound on waiting for a restarted node to rejoin (it must know the leader again).
const REJOIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Environment variable naming the cluster's directory (PID files), set by the script.
const DIR_ENV: &str = "SHMLITE_DQLITE_CLUSTER_DIR";

fn script(args: &[&str]) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/dqlite-cluster.sh"
    );
    let status = Command::new("bash").arg(path).args(args).status().unwrap();
    assert!(
        status.success(),
        "dqlite-cluster.sh {args:?} failed: {status}"
    );
}

#[derive(Default)]
struct Shared {
    acked: Mutex<Vec<i64>>,
    unknown: AtomicU64,
    errors: Mutex<Vec<String>>,
    stop: AtomicBool,
}

impl Shared {
    fn acked_len(&self) -> usize {
        self.acked.lock().unwrap().len()
    }

    /// Waits until `rows` more inserts were acknowledged; returns how long that took.
    fn wait_progress(&self, rows: usize, what: &str) -> Duration {
        let start = Instant::now();
        let target = self.acked_len() + rows;
        while self.acked_len() < target {
            let errors = self.errors.lock().unwrap();
            assert!(errors.is_empty(), "writer errors: {errors:?}");
            drop(errors);
            assert!(
                start.elapsed() < PROGRESS_TIMEOUT,
                "no progress for {PROGRESS_TIMEOUT:?} {what}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        start.elapsed()
    }
}

#[test]
fn leader_sigkilled_five_times_loses_no_acknowledged_row() {
    let Some(seeds) = common::seeds("leader_sigkilled_five_times") else {
        return;
    };
    let Ok(dir) = std::env::var(DIR_ENV) else {
        eprintln!("SKIPPED leader_sigkilled_five_times: {DIR_ENV} is not set (run scripts/test-dqlite.sh)");
        return;
    };
    let cluster = Arc::new(common::cluster(&seeds));
    let name = common::db_name("failover");
    cluster
        .open(&name)
        .unwrap()
        .exec_sql("CREATE TABLE f (id INTEGER PRIMARY KEY, at INTEGER)", &[])
        .unwrap();
    let shared = Arc::new(Shared::default());
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (cluster, shared, name) = (Arc::clone(&cluster), Arc::clone(&shared), name.clone());
            std::thread::spawn(move || {
                let mut slot = None;
                let mut seq = 0i64;
                while !shared.stop.load(Ordering::Relaxed) {
                    let id = w * 100_000_000 + seq;
                    seq += 1;
                    let r = cluster.run(&mut slot, &name, common::deadline(), |c| {
                        c.exec_sql(
                            "INSERT INTO f VALUES (?, ?)",
                            &[ValueRef::Integer(id), ValueRef::Integer(seq)],
                        )
                    });
                    match r {
                        Ok(_) => shared.acked.lock().unwrap().push(id),
                        // Connection lost or leadership lost mid-request: the row may or may
                        // not be there, and it is not counted as acknowledged.
                        Err(e) if e.needs_rediscovery() && !e.is_unapplied() => {
                            shared.unknown.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => shared.errors.lock().unwrap().push(e.to_string()),
                    }
                }
            })
        })
        .collect();

    let mut failovers = Vec::new();
    for kill in 0..KILLS {
        shared.wait_progress(PROGRESS_ROWS, "before a kill");
        let leader = cluster.connect_leader().unwrap().addr().to_string();
        let node = seeds
            .iter()
            .position(|s| *s == leader)
            .expect("leader is a seed")
            + 1;
        let node_arg = node.to_string();
        eprintln!("kill {}: SIGKILL node {node} ({leader})", kill + 1);
        script(&["kill-node", &dir, &node_arg]);
        failovers.push(shared.wait_progress(PROGRESS_ROWS, "after a kill"));
        script(&["start-node", &dir, &node_arg]);
        // Rejoined once it knows the leader again (it then receives the log it missed).
        let start = Instant::now();
        loop {
            let known = Connection::connect(&leader, &Options::default())
                .and_then(|mut c| c.leader())
                .ok()
                .flatten();
            if known.is_some() && cluster.nodes().map(|n| n.len()).unwrap_or(0) == 3 {
                break;
            }
            assert!(
                start.elapsed() < REJOIN_TIMEOUT,
                "node {node} did not rejoin"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    shared.wait_progress(PROGRESS_ROWS, "after the last restart");
    shared.stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let errors = shared.errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "writer errors: {errors:?}");

    let mut conn = cluster.open(&name).unwrap();
    let mut present = HashSet::new();
    let mut rows = conn.query_sql("SELECT id FROM f", &[]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        present.insert(row.get(0).unwrap().as_i64().unwrap());
    }
    drop(rows);
    let acked = shared.acked.lock().unwrap();
    let missing: Vec<_> = acked.iter().filter(|id| !present.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged rows missing: {missing:?}",
        missing.len()
    );
    let mut rows = conn.query_sql("PRAGMA integrity_check", &[]).unwrap();
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get(0).unwrap().as_str(), Some("ok"));
    drop(rows);
    eprintln!(
        "failover: {KILLS} leader kills, {} acknowledged rows all present ({} rows in table, {} \
         outcomes unknown), leader changes seen {}, time to 20 acknowledged writes after each kill: {:?}",
        acked.len(),
        present.len(),
        shared.unknown.load(Ordering::Relaxed),
        cluster.leader_changes(),
        failovers
    );
}
