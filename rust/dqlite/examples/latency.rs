//! Rough latency of the client against a running cluster: autocommit INSERT and point SELECT,
//! p50/p99, through EXEC_SQL/QUERY_SQL and through prepared statements.
//!
//!     SHMLITE_DQLITE_SEEDS=127.0.0.1:39101,... cargo run --release -p shmlite-dqlite --example latency [N]
//!
//! N (default [`DEFAULT_N`]) operations per measurement; keep it small on a shared machine.

use std::time::{Duration, Instant};

use shmlite_dqlite::{Cluster, Options, ValueRef};

/// Operations per measurement unless given on the command line.
const DEFAULT_N: usize = 500;

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{what:<34} n={:<5} p50={:>9.1?} p99={:>9.1?}",
        samples.len(),
        p(0.50),
        p(0.99)
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seeds = std::env::var("SHMLITE_DQLITE_SEEDS")?;
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(DEFAULT_N);
    let cluster = Cluster::new(seeds.split(','), Options::default());
    let name = format!("latency-{}", std::process::id());
    let mut conn = cluster.open(&name)?;
    conn.exec_sql(
        "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)",
        &[],
    )?;

    let mut t = Vec::with_capacity(n);
    for k in 0..n as i64 {
        let s = Instant::now();
        conn.exec_sql(
            "INSERT INTO kv (k, v) VALUES (?, ?)",
            &[ValueRef::Integer(k), ValueRef::Text(b"value")],
        )?;
        t.push(s.elapsed());
    }
    report("autocommit INSERT (EXEC_SQL)", t);

    let insert = conn.prepare("INSERT INTO kv (k, v) VALUES (?, ?)")?;
    let mut t = Vec::with_capacity(n);
    for k in n as i64..2 * n as i64 {
        let s = Instant::now();
        conn.exec(insert, &[ValueRef::Integer(k), ValueRef::Text(b"value")])?;
        t.push(s.elapsed());
    }
    report("autocommit INSERT (prepared EXEC)", t);
    conn.finalize(insert)?;

    let mut t = Vec::with_capacity(n);
    for k in 0..n as i64 {
        let s = Instant::now();
        let mut rows = conn.query_sql("SELECT v FROM kv WHERE k = ?", &[ValueRef::Integer(k)])?;
        let row = rows.next()?.ok_or("row missing")?;
        assert_eq!(row.get(0).and_then(|v| v.as_str().map(str::len)), Some(5));
        while rows.next()?.is_some() {}
        drop(rows);
        t.push(s.elapsed());
    }
    report("point SELECT (QUERY_SQL)", t);

    let select = conn.prepare("SELECT v FROM kv WHERE k = ?")?;
    let mut t = Vec::with_capacity(n);
    for k in 0..n as i64 {
        let s = Instant::now();
        let mut rows = conn.query(select, &[ValueRef::Integer(k)])?;
        rows.next()?.ok_or("row missing")?;
        while rows.next()?.is_some() {}
        drop(rows);
        t.push(s.elapsed());
    }
    report("point SELECT (prepared QUERY)", t);
    conn.finalize(select)?;
    Ok(())
}
