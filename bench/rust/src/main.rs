//! Raw rusqlite harness for W1 (point select), W2 (batched insert) and W3 (full scan): the same
//! SQL, rows and sizes as the JMH benchmarks in `bench/src/main/java`, with no JNI. It is the
//! physical limit of the bridge: shmlite's cost is rusqlite's throughput / shmlite's.
//!
//! Usage: `shmlite-bench-rusqlite MODE OUT.json [W1,W2,W3]` with MODE smoke | quick | full
//! (`bench/run.sh` runs it for each workload right before the JMH benchmark of the same workload,
//! so that both see the same machine load).
//! Peers: `rusqlite-mem` opens a WAL database in process memory on shmlite's own VFS, with SQLite
//! set up as the driver sets it up (`shmlite_core::bench_mem_uri`: its mutexes, memory statistics
//! off), synchronous=NORMAL, as shmlite `mem:` does; `rusqlite-shm` a WAL file on /dev/shm with
//! synchronous=NORMAL, as `shm:`. So the ratio measures the bridge (JNI, the driver's session and
//! wire format), not two SQLite configurations.
//! Output: JSON `{"harness", "rusqlite", "sqlite", "mode", "results": [{"workload", "peer",
//! "unit", "samples": [...]}]}`; a sample is one measured iteration.

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OpenFlags};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

const BATCH: i64 = 1000;

struct Mode {
    name: &'static str,
    w1_rows: i64,
    w2_rows: i64,
    warmups: usize,
    iterations: usize,
    iteration: Duration,
    w2_warmups: usize,
    w2_iterations: usize,
}

fn mode(name: &str) -> Mode {
    match name {
        "smoke" => Mode { name: "smoke", w1_rows: 2_000, w2_rows: 2_000, warmups: 0, iterations: 1,
            iteration: Duration::from_millis(200), w2_warmups: 0, w2_iterations: 1 },
        "quick" => Mode { name: "quick", w1_rows: 100_000, w2_rows: 1_000_000, warmups: 2, iterations: 4,
            iteration: Duration::from_secs(1), w2_warmups: 1, w2_iterations: 4 },
        "full" => Mode { name: "full", w1_rows: 100_000, w2_rows: 1_000_000, warmups: 3, iterations: 10,
            iteration: Duration::from_secs(2), w2_warmups: 2, w2_iterations: 12 },
        other => panic!("mode must be smoke, quick or full, not {other}"),
    }
}

/// 16 distinct 100-byte blobs; byte j of blob k is (k * 31 + j) & 0xff (as `Rows.BLOBS`).
fn blobs() -> Vec<Vec<u8>> {
    (0..16).map(|k| (0..100).map(|j| ((k * 31 + j) & 0xff) as u8).collect()).collect()
}

/// xorshift64* as `Rows.Keys`.
struct Keys(u64);

impl Keys {
    fn next(&mut self, bound: u64) -> u64 {
        let mut s = self.0;
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        self.0 = s;
        s.wrapping_mul(0x2545F4914F6CDD1D) % bound
    }
}

struct Db {
    peer: &'static str,
    conn: Connection,
    cleanup: Option<std::path::PathBuf>,
}

fn open(peer: &'static str, tag: &str) -> Db {
    let pid = std::process::id();
    match peer {
        "rusqlite-mem" => {
            let uri = shmlite_core::bench_mem_uri(&format!("rusqlite-bench-{tag}-{pid}"));
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_PRIVATE_CACHE;
            let conn = Connection::open_with_flags(uri, flags).expect("open mem");
            conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").expect("pragmas");
            Db { peer, conn, cleanup: None }
        }
        "rusqlite-shm" => {
            let dir = std::path::PathBuf::from(format!("/dev/shm/rusqlite-bench-{tag}-{pid}"));
            std::fs::create_dir_all(&dir).expect("mkdir /dev/shm");
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_PRIVATE_CACHE;
            let conn = Connection::open_with_flags(dir.join("bench.db"), flags).expect("open shm");
            conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").expect("pragmas");
            Db { peer, conn, cleanup: Some(dir) }
        }
        _ => unreachable!(),
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(dir) = self.cleanup.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

const CREATE: &str = "CREATE TABLE bench(id INTEGER PRIMARY KEY, r REAL, s TEXT, b BLOB, n INTEGER)";
const INSERT: &str = "INSERT INTO bench(id, r, s, b, n) VALUES (?, ?, ?, ?, ?)";
const SELECT_BY_ID: &str = "SELECT id, r, s, b, n FROM bench WHERE id = ?";
const SCAN: &str = "SELECT id, r, s, b, n FROM bench";

/// W2's load: batches of 1000 rows, one `BEGIN IMMEDIATE` ... `COMMIT` per batch (shmlite's
/// default transaction_mode), the statement prepared once and reused.
fn insert(conn: &Connection, first: i64, count: i64, blobs: &[Vec<u8>]) {
    let mut ins = conn.prepare(INSERT).expect("prepare insert");
    let end = first + count;
    let mut i = first;
    let mut text = String::with_capacity(32);
    while i < end {
        let batch_end = end.min(i + BATCH);
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        while i < batch_end {
            text.clear();
            write!(text, "name-{i}").unwrap();
            ins.execute(params![i, i as f64 * 0.5, text.as_str(), blobs[(i & 15) as usize].as_slice(), None::<i64>])
                .expect("insert");
            i += 1;
        }
        conn.execute_batch("COMMIT").expect("commit");
    }
}

/// Reads every column of a row without copying (the least any driver must do).
fn read_row(row: &rusqlite::Row<'_>) -> i64 {
    let id = row.get_ref(0).unwrap().as_i64().unwrap();
    let r = row.get_ref(1).unwrap().as_f64().unwrap();
    let s = row.get_ref(2).unwrap().as_str().unwrap().len() as i64;
    let b = row.get_ref(3).unwrap().as_blob().unwrap().len() as i64;
    let n = match row.get_ref(4).unwrap() {
        ValueRef::Null => 1,
        v => v.as_i64().unwrap(),
    };
    id + r as i64 + s + b + n
}

fn w1(db: &Db, m: &Mode, blobs: &[Vec<u8>]) -> Vec<f64> {
    db.conn.execute_batch(CREATE).unwrap();
    insert(&db.conn, 0, m.w1_rows, blobs);
    let mut stmt = db.conn.prepare(SELECT_BY_ID).unwrap();
    let mut keys = Keys(42);
    let mut samples = Vec::new();
    for it in 0..m.warmups + m.iterations {
        let start = Instant::now();
        let mut ops = 0u64;
        while start.elapsed() < m.iteration {
            for _ in 0..256 {
                let mut rows = stmt.query([keys.next(m.w1_rows as u64) as i64]).unwrap();
                let row = rows.next().unwrap().expect("row missing");
                black_box(read_row(row));
                ops += 1;
            }
        }
        let rate = ops as f64 / start.elapsed().as_secs_f64();
        eprintln!("  rusqlite W1 {:<13} iteration {}{}: {:>12.0} queries/s", db.peer, it + 1,
            if it < m.warmups { " (warmup)" } else { "" }, rate);
        if it >= m.warmups {
            samples.push(rate);
        }
    }
    samples
}

fn w2(db: &Db, m: &Mode, blobs: &[Vec<u8>]) -> Vec<f64> {
    let mut samples = Vec::new();
    for it in 0..m.w2_warmups + m.w2_iterations {
        db.conn.execute_batch("DROP TABLE IF EXISTS bench").unwrap();
        db.conn.execute_batch(CREATE).unwrap();
        let start = Instant::now();
        insert(&db.conn, 0, m.w2_rows, blobs);
        let rate = m.w2_rows as f64 / start.elapsed().as_secs_f64();
        eprintln!("  rusqlite W2 {:<13} iteration {}{}: {:>12.0} rows/s", db.peer, it + 1,
            if it < m.w2_warmups { " (warmup)" } else { "" }, rate);
        if it >= m.w2_warmups {
            samples.push(rate);
        }
    }
    samples
}

fn w3(db: &Db, m: &Mode, blobs: &[Vec<u8>]) -> Vec<f64> {
    db.conn.execute_batch(CREATE).unwrap();
    insert(&db.conn, 0, m.w2_rows, blobs);
    let mut stmt = db.conn.prepare(SCAN).unwrap();
    let mut samples = Vec::new();
    for it in 0..m.warmups + m.iterations {
        // One iteration = whole scans for at least the iteration time (as JMH's AverageTime).
        let start = Instant::now();
        let mut rows_read = 0i64;
        loop {
            let mut rows = stmt.query([]).unwrap();
            let mut sum = 0i64;
            let mut n = 0i64;
            while let Some(row) = rows.next().unwrap() {
                sum += read_row(row);
                n += 1;
            }
            assert_eq!(n, m.w2_rows, "scan saw {n} rows");
            black_box(sum);
            rows_read += n;
            if start.elapsed() >= m.iteration {
                break;
            }
        }
        let rate = rows_read as f64 / start.elapsed().as_secs_f64();
        eprintln!("  rusqlite W3 {:<13} iteration {}{}: {:>12.0} rows/s", db.peer, it + 1,
            if it < m.warmups { " (warmup)" } else { "" }, rate);
        if it >= m.warmups {
            samples.push(rate);
        }
    }
    samples
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 && args.len() != 4 {
        eprintln!("usage: shmlite-bench-rusqlite smoke|quick|full OUT.json [W1,W2,W3]");
        std::process::exit(2);
    }
    let m = mode(&args[1]);
    // As shmlite configures SQLite (rust/core/src/ffi.rs `configure_library`): no memory
    // statistics, so no global mutex per allocation.
    // SAFETY: before the first connection opens, i.e. before sqlite3_initialize.
    unsafe {
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::os::raw::c_int);
    }
    let only = args.get(3).map_or("W1,W2,W3", |s| s.as_str());
    let wanted = |w: &str| only.split(',').any(|x| x == w);
    let blobs = blobs();
    let mut results = String::new();
    let mut push = |workload: &str, peer: &str, unit: &str, samples: Vec<f64>| {
        let s: Vec<String> = samples.iter().map(|v| format!("{v:.3}")).collect();
        if !results.is_empty() {
            results.push_str(",\n    ");
        }
        write!(results, "{{\"workload\": \"{workload}\", \"peer\": \"{peer}\", \"unit\": \"{unit}\", \"samples\": [{}]}}",
            s.join(", ")).unwrap();
    };
    // Optional: RUSQLITE_PEERS=rusqlite-mem runs one peer only (for profiling).
    let peers_env = std::env::var("RUSQLITE_PEERS").unwrap_or_default();
    for peer in ["rusqlite-mem", "rusqlite-shm"] {
        if !peers_env.is_empty() && !peers_env.split(',').any(|p| p == peer) {
            continue;
        }
        if wanted("W1") {
            let db = open(peer, "w1");
            push("W1", peer, "queries/s", w1(&db, &m, &blobs));
        }
        if wanted("W2") {
            let db = open(peer, "w2");
            push("W2", peer, "rows/s", w2(&db, &m, &blobs));
        }
        if wanted("W3") {
            let db = open(peer, "w3");
            push("W3", peer, "rows/s", w3(&db, &m, &blobs));
        }
    }
    let json = format!(
        "{{\n  \"harness\": \"rusqlite\",\n  \"rusqlite\": \"0.42\",\n  \"sqlite\": \"{}\",\n  \"mode\": \"{}\",\n  \"results\": [\n    {}\n  ]\n}}\n",
        rusqlite::version(), m.name, results);
    std::fs::write(&args[2], json).expect("write results");
    eprintln!("rusqlite harness: wrote {}", args[2]);
}
