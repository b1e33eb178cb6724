//! Shared by the cluster tests: the seeds of the real cluster scripts/test-dqlite.sh starts.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use shmlite_dqlite::{Cluster, Options};

/// Environment variable naming the cluster's seeds (set by scripts/dqlite-cluster.sh's `env`).
pub const SEEDS_ENV: &str = "SHMLITE_DQLITE_SEEDS";

/// Bound on any one statement in the tests, leader elections included.
pub const STATEMENT_DEADLINE: Duration = Duration::from_secs(60);

/// The seeds, or `None` after printing why the test is skipped.
pub fn seeds(test: &str) -> Option<Vec<String>> {
    match std::env::var(SEEDS_ENV) {
        Ok(s) if !s.trim().is_empty() => Some(s.split(',').map(|x| x.trim().to_string()).collect()),
        _ => {
            eprintln!(
                "SKIPPED {test}: {SEEDS_ENV} is not set; run scripts/test-dqlite.sh to start a \
                 3-node dqlite cluster and run these tests against it"
            );
            None
        }
    }
}

pub fn cluster(seeds: &[String]) -> Cluster {
    Cluster::new(seeds.iter().cloned(), Options::default())
}

/// A database name no other test (or earlier run) uses.
pub fn db_name(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{test}-{}-{nanos}", std::process::id())
}

pub fn deadline() -> Instant {
    Instant::now() + STATEMENT_DEADLINE
}
