//! Writer preference inside the process (`gate`, README "Writer preference"): a connection that
//! waits for a lock to write closes its database's gate; a new transaction of another
//! connection of the database waits at the gate (bounded), a connection inside a transaction
//! never does. Real threads; every wait here ends by an event, none by its deadline.

mod common;
use common::{count, exec, n, open_with as open};
use shmlite_core::{registry, Session};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Lock waits and the gate's bound: long enough that no wait here reaches it unless the rule
/// under test is broken (then the test fails at an assertion, after this long at most).
const BUSY: &str = "5000";

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

fn session(url: &str) -> Session {
    open(url, &[("busy_timeout", BUSY)])
}

fn gate(url: &str) -> Arc<shmlite_core::database::Database> {
    registry::lookup(url).unwrap().unwrap()
}

/// The database of `url`, its gate's wait bound raised so that every step of a test happens
/// while a reader waits at the gate, however slow the machine (the default bound is tested in
/// `a_thread_with_an_open_transaction_elsewhere_waits_at_most_the_gate_bound`).
fn gate_patient(url: &str) -> Arc<shmlite_core::database::Database> {
    let db = gate(url);
    db.gate.set_max_wait(Duration::from_secs(30));
    db
}

/// On `shm:` and `mem:` (both WAL) a writer waits for another writer's write lock (SQLITE_BUSY,
/// the busy handler): the gate is closed meanwhile, the lock holder runs on inside its
/// transaction without waiting at the gate, and a reader that starts a transaction then waits
/// until the waiting writer has committed, so it sees both rows.
#[test]
fn a_writer_waiting_for_the_write_lock_holds_new_readers_but_not_the_lock_holder() {
    let d = common::test_dir("gate");
    writer_waiting_for_the_write_lock(&format!("jdbc:shmlite:shm:gate-shm?shm_dir={d}"));
    writer_waiting_for_the_write_lock(&format!(
        "jdbc:shmlite:mem:gate-mem-{}-{}",
        std::process::id(),
        n()
    ));
    let _ = std::fs::remove_dir_all(&d);
}

fn writer_waiting_for_the_write_lock(url: &str) {
    let url = url.to_string();
    let mut holder = session(&url);
    exec(&mut holder, "CREATE TABLE t(x)").unwrap();
    let db = gate_patient(&url);
    holder.set_autocommit(false).unwrap();
    exec(&mut holder, "INSERT INTO t VALUES (1)").unwrap(); // holds the write lock
    let mut w = session(&url);
    let writer = thread::spawn(move || {
        let done = exec(&mut w, "INSERT INTO t VALUES (2)"); // autocommit: waits, then commits
        (w, done)
    });
    wait_until("the writer waits for the write lock", || {
        db.gate.is_closed()
    });
    let mut r = session(&url);
    r.set_read_only(true);
    let started = Arc::new(AtomicBool::new(false));
    let started2 = started.clone();
    let reader = thread::spawn(move || {
        r.set_autocommit(false).unwrap();
        let seen = count(&mut r, "SELECT count(*) FROM t");
        started2.store(true, Ordering::SeqCst);
        r.commit().unwrap();
        seen
    });
    wait_until("the reader waits at the gate", || {
        db.gate.counts().waiting == 1 || started.load(Ordering::SeqCst)
    });
    // The lock holder is inside its transaction: it never waits at the gate.
    exec(&mut holder, "INSERT INTO t VALUES (3)").unwrap();
    assert_eq!(
        db.gate.counts().waits,
        1,
        "only the new reader waited at the gate"
    );
    holder.commit().unwrap();
    let (w, done) = writer.join().unwrap();
    done.unwrap();
    let seen = reader.join().unwrap();
    assert_eq!(
        seen, 3,
        "the reader's transaction began after the waiting writer's commit"
    );
    let counts = db.gate.counts();
    eprintln!("{url}: gate {counts:?}");
    assert_eq!(counts.waits_bounded, 0);
    drop((w, holder, db));
    registry::drop_database(&url).unwrap();
}

/// The gate's default bound ([`shmlite_core::gate::GATE_WAIT_MAX`]) is what keeps this from
/// stalling to a timeout: a thread keeps a transaction open on one connection (an outer
/// transaction that wrote) while a writer waits for its write lock, and reads on a second
/// connection of the same database (a REQUIRES_NEW read). The second read waits at the gate at most the bound,
/// then the thread ends its outer transaction and the writer gets in. Were the bound the
/// reader's busy_timeout, the writer's own busy_timeout would run out first and it would fail.
#[test]
fn a_thread_with_an_open_transaction_elsewhere_waits_at_most_the_gate_bound() {
    let url = format!("jdbc:shmlite:mem:gate-self-{}-{}", std::process::id(), n());
    let mut setup = session(&url);
    exec(&mut setup, "CREATE TABLE t(x)").unwrap();
    exec(&mut setup, "CREATE TABLE u(x)").unwrap();
    let db = gate(&url);
    assert_eq!(db.gate.max_wait(), shmlite_core::gate::GATE_WAIT_MAX);
    let mut outer = session(&url);
    outer.set_autocommit(false).unwrap();
    exec(&mut outer, "INSERT INTO u VALUES (0)").unwrap(); // holds the write lock
    let mut w = session(&url);
    let writer = thread::spawn(move || {
        let done = exec(&mut w, "INSERT INTO t VALUES (1)");
        (w, done)
    });
    wait_until("the writer waits for the outer transaction", || {
        db.gate.is_closed()
    });
    let mut inner = session(&url);
    assert_eq!(
        count(&mut inner, "SELECT count(*) FROM u"),
        0,
        "the outer insert is not committed"
    );
    let counts = db.gate.counts();
    assert_eq!((counts.waits, counts.waits_bounded), (1, 1), "{counts:?}");
    outer.commit().unwrap();
    let (w, done) = writer.join().unwrap();
    done.unwrap_or_else(|e| panic!("the writer did not get in: {e}"));
    drop((w, outer, inner, setup, db));
    registry::drop_database(&url).unwrap();
}

/// The gate's wait is bounded: a writer that waits for a write lock held by a transaction that
/// outlives every deadline holds the gate to its own busy_timeout, and a reader at the gate proceeds after its
/// own bound (busy_timeout) without an error.
#[test]
fn a_reader_proceeds_after_its_bound_when_the_gate_stays_closed() {
    let url = format!("jdbc:shmlite:mem:gate-bound-{}-{}", std::process::id(), n());
    let mut setup = session(&url);
    exec(&mut setup, "CREATE TABLE t(x)").unwrap();
    exec(&mut setup, "CREATE TABLE u(x)").unwrap();
    let db = gate(&url);
    let mut pin = session(&url);
    pin.set_autocommit(false).unwrap();
    exec(&mut pin, "INSERT INTO t VALUES (0)").unwrap(); // holds the write lock to the end
    let mut w = open(&url, &[("busy_timeout", "60000")]);
    let writer = thread::spawn(move || {
        let done = exec(&mut w, "INSERT INTO t VALUES (1)");
        (w, done)
    });
    wait_until("the writer waits", || db.gate.is_closed());
    // A reader of another table with a short bound: it waits at the gate, then reads anyway.
    let mut r = open(&url, &[("busy_timeout", "50")]);
    assert_eq!(count(&mut r, "SELECT count(*) FROM u"), 0);
    let counts = db.gate.counts();
    assert_eq!((counts.waits, counts.waits_bounded), (1, 1), "{counts:?}");
    pin.commit().unwrap();
    let (w, done) = writer.join().unwrap();
    done.unwrap();
    assert!(!db.gate.is_closed());
    drop((w, pin, r, setup, db));
    registry::drop_database(&url).unwrap();
}

/// The seed workload's shape (bench W4: 1 writer committing 5-row transactions, 4 readers each
/// looping autoCommit off / SELECT / commit) for 3 s per database kind and transaction_mode,
/// printing writer commits and reader queries. A measurement, not a test: runs only with
/// SHMLITE_SOAK=1 (`SHMLITE_SOAK=1 cargo test --release -p shmlite-core --test gate w4 -- --nocapture`).
#[test]
fn w4_shape_soak() {
    if std::env::var_os("SHMLITE_SOAK").is_none() {
        return;
    }
    use common::query;
    use shmlite_core::wire::Value;
    use std::sync::atomic::AtomicU64;
    let secs = 3;
    for (kind, mode) in [
        ("mem", "IMMEDIATE"),
        ("mem", "ALWAYS_IMMEDIATE"),
        ("shm", "IMMEDIATE"),
        ("shm", "ALWAYS_IMMEDIATE"),
    ] {
        let d = common::test_dir("gatew4");
        let url = match kind {
            "mem" => format!("jdbc:shmlite:mem:w4-{}-{}", std::process::id(), n()),
            _ => format!("jdbc:shmlite:shm:w4?shm_dir={d}"),
        };
        let props = [("transaction_mode", mode)];
        let mut setup = open(&url, &props);
        exec(
            &mut setup,
            "CREATE TABLE events(id INTEGER PRIMARY KEY, payload TEXT NOT NULL, created INTEGER NOT NULL)",
        )
        .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (commits, queries, errors) = (
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicU64::new(0)),
        );
        let mut threads = Vec::new();
        for reader in [false, true, true, true, true] {
            let (url, stop, commits, queries, errors) = (
                url.clone(),
                stop.clone(),
                commits.clone(),
                queries.clone(),
                errors.clone(),
            );
            threads.push(thread::spawn(move || {
                let mut s = open(&url, &props);
                while !stop.load(Ordering::Relaxed) {
                    s.set_autocommit(false).unwrap();
                    let ok = if reader {
                        query(
                            &mut s,
                            "SELECT id, payload, created FROM events ORDER BY id DESC LIMIT 10",
                            &[],
                        )
                        .is_ok()
                    } else {
                        (0..5).all(|i| {
                            query(
                                &mut s,
                                "INSERT INTO events(payload, created) VALUES (?, ?)",
                                &[Value::Text("payload".into()), Value::Integer(i)],
                            )
                            .is_ok()
                        })
                    };
                    let ok = s.commit().is_ok() && ok;
                    s.set_autocommit(true).unwrap();
                    match (ok, reader) {
                        (false, _) => &errors,
                        (true, true) => &queries,
                        (true, false) => &commits,
                    }
                    .fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        thread::sleep(Duration::from_secs(secs));
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            t.join().unwrap();
        }
        let db = gate(&url);
        eprintln!(
            "W4 shape {kind} {mode}: {} commits/s, {} queries/s, {} errors, gate {:?}",
            commits.load(Ordering::Relaxed) / secs,
            queries.load(Ordering::Relaxed) / secs,
            errors.load(Ordering::Relaxed),
            db.gate.counts()
        );
        drop((setup, db));
        registry::drop_database(&url).unwrap();
        let _ = std::fs::remove_dir_all(&d);
    }
}
