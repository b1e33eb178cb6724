//! Failover through the JDBC session (`jdbc:shmlite:dqlite://…`): two sessions insert in
//! autocommit while the leader is SIGKILLed [`KILLS`] times (restarted each time). Every insert
//! the session acknowledged must be present afterwards, `integrity_check` must say ok, and the
//! only failures allowed are the documented "outcome unknown" (08007) of a write in flight when
//! the leader died. Its own test binary (cargo runs binaries one after another), behind
//! SHMLITE_DQLITE_CLUSTER_DIR like the client's failover test; scripts/test-dqlite.sh skips it
//! with SHMLITE_DQLITE_SKIP_FAILOVER=1 (test-all.sh).

mod common;

use common::{count, exec, query};
use shmlite_core::wire::{self, Value};
use shmlite_core::Session;
use std::collections::HashSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many times the leader is killed.
const KILLS: usize = 2;
/// Acknowledged inserts required before each kill and after it (proof that writes resumed).
const PROGRESS_ROWS: usize = 20;
/// Bound on waiting for that progress (an election after SIGKILL took 5-12 s here).
const PROGRESS_TIMEOUT: Duration = Duration::from_secs(90);
/// Bound on waiting for a restarted node to be a member again.
const REJOIN_TIMEOUT: Duration = Duration::from_secs(60);

fn script(args: &[&str]) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/dqlite-cluster.sh"
    );
    let status = Command::new("bash").arg(path).args(args).status().unwrap();
    assert!(status.success(), "dqlite-cluster.sh {args:?}: {status}");
}

/// Restarts a killed node when dropped, also when the test fails while it is down (the next
/// tests need all three).
struct Restart<'a>(&'a str, &'a str);

impl Drop for Restart<'_> {
    fn drop(&mut self) {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/dqlite-cluster.sh"
        );
        // No assertion here: this may run while a failed assertion unwinds.
        let status = Command::new("bash")
            .arg(path)
            .args(["start-node", self.0, self.1])
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("restarting node {} failed: {status:?}", self.1);
        }
    }
}

/// Runs the writer's prepared INSERT (prepared once, as a JDBC PreparedStatement is reused:
/// after a leader change the execute itself finds the new leader).
fn insert(s: &mut Session, handle: i64, id: i64) -> shmlite_core::Result<()> {
    let mut buf = Vec::new();
    wire::push_value(&mut buf, &Value::Integer(id));
    let mut out = vec![0u8; 256];
    s.execute(handle, &buf, &mut out, 0)
}

#[derive(Default)]
struct Shared {
    acked: Mutex<Vec<i64>>,
    unknown: AtomicU64,
    errors: Mutex<Vec<String>>,
    stop: AtomicBool,
}

impl Shared {
    fn wait_progress(&self, rows: usize, what: &str) -> Duration {
        let start = Instant::now();
        let target = self.acked.lock().unwrap().len() + rows;
        while self.acked.lock().unwrap().len() < target {
            let errors = self.errors.lock().unwrap();
            assert!(errors.is_empty(), "writer errors: {errors:?}");
            drop(errors);
            assert!(start.elapsed() < PROGRESS_TIMEOUT, "no progress {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
        start.elapsed()
    }
}

#[test]
fn leader_sigkilled_under_two_jdbc_writers_loses_no_acknowledged_row() {
    let (Ok(seeds), Ok(dir)) = (
        std::env::var("SHMLITE_DQLITE_SEEDS"),
        std::env::var("SHMLITE_DQLITE_CLUSTER_DIR"),
    ) else {
        eprintln!("SKIPPED leader_sigkilled_under_two_jdbc_writers: SHMLITE_DQLITE_SEEDS/SHMLITE_DQLITE_CLUSTER_DIR not set (run scripts/test-dqlite.sh)");
        return;
    };
    let seeds: Vec<String> = seeds.split(',').map(|s| s.trim().to_string()).collect();
    let url = format!(
        "jdbc:shmlite:dqlite://{}/jdbc-failover-{}-{}",
        seeds.join(","),
        std::process::id(),
        common::n()
    );
    let mut admin = Session::open(&url, &[]).unwrap();
    exec(&mut admin, "CREATE TABLE f(id INTEGER PRIMARY KEY)").unwrap();
    let shared = Arc::new(Shared::default());
    let writers: Vec<_> = (0..2i64)
        .map(|w| {
            let (url, shared) = (url.clone(), Arc::clone(&shared));
            std::thread::spawn(move || {
                // A busy_timeout far below an election's length: a writer queued behind another
                // on the JVM's writer gate must wait for the new leader, not time out on the
                // gate while the other searches for it.
                let props = [("busy_timeout".to_string(), "200".to_string())];
                let mut s = Session::open(&url, &props).unwrap();
                let handle = s.prepare(b"INSERT INTO f VALUES(?)").unwrap().handle;
                let mut seq = 0i64;
                while !shared.stop.load(Ordering::Relaxed) {
                    let id = w * 100_000_000 + seq;
                    seq += 1;
                    match insert(&mut s, handle, id) {
                        Ok(()) => shared.acked.lock().unwrap().push(id),
                        // In flight when the leader died: may or may not be there.
                        Err(e) if e.jdbc().sql_state == "08007" => {
                            shared.unknown.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => shared
                            .errors
                            .lock()
                            .unwrap()
                            .push(format!("{} {e}", e.jdbc().sql_state)),
                    }
                }
            })
        })
        .collect();
    for kill in 0..KILLS {
        shared.wait_progress(PROGRESS_ROWS, "before a kill");
        let leader = shmlite_dqlite::Cluster::new(seeds.clone(), Default::default())
            .connect_leader()
            .unwrap()
            .addr()
            .to_string();
        let node = (seeds
            .iter()
            .position(|s| *s == leader)
            .expect("leader is a seed")
            + 1)
        .to_string();
        eprintln!("kill {}: SIGKILL node {node} ({leader})", kill + 1);
        script(&["kill-node", &dir, &node]);
        let restart = Restart(&dir, &node);
        let took = shared.wait_progress(PROGRESS_ROWS, "after a kill");
        eprintln!("  writes resumed after {took:?}");
        drop(restart);
        let start = Instant::now();
        let cluster = shmlite_dqlite::Cluster::new(seeds.clone(), Default::default());
        while cluster.nodes().map_or(0, |n| n.len()) != 3 {
            assert!(
                start.elapsed() < REJOIN_TIMEOUT,
                "node {node} did not rejoin"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    shared.stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let errors = shared.errors.lock().unwrap().clone();
    assert!(errors.is_empty(), "{errors:?}");
    let acked = shared.acked.lock().unwrap().clone();
    let rows: HashSet<i64> = query(&mut admin, "SELECT id FROM f", &[])
        .unwrap()
        .into_iter()
        .map(|r| match r[0] {
            Value::Integer(i) => i,
            ref v => panic!("{v:?}"),
        })
        .collect();
    let missing: Vec<&i64> = acked.iter().filter(|id| !rows.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged rows missing: {missing:?}");
    assert_eq!(
        query(&mut admin, "PRAGMA integrity_check", &[]).unwrap(),
        vec![vec![Value::Text("ok".into())]]
    );
    let stats = shmlite_core::remote::pool::lookup(admin.database_key().unwrap())
        .unwrap()
        .snapshot();
    assert!(
        stats[common::ix("leaderChanges")] >= KILLS as i64,
        "{stats:?}"
    );
    eprintln!(
        "jdbc failover: {} acknowledged, {} rows, {} outcome unknown (08007)",
        acked.len(),
        count(&mut admin, "SELECT count(*) FROM f"),
        shared.unknown.load(Ordering::Relaxed)
    );
}
