//! Helpers shared by the integration tests (each test binary uses some of them).
#![allow(dead_code)]

use shmlite_core::wire::{self, Header, Value, FLAG_DONE};
use shmlite_core::Session;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Index of a statistics field by its name (`Stats::FIELDS`), so tests never hard-code the layout.
pub fn ix(name: &str) -> usize {
    shmlite_core::stats::Stats::FIELDS
        .iter()
        .position(|f| *f == name)
        .unwrap_or_else(|| panic!("no statistics field {name}"))
}

/// A number no other call in this process returned (unique names and directories).
pub fn n() -> usize {
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A fresh owner-only directory for `shm_dir` (tmpfs, as in production: a disk directory would
/// add fsyncs at every checkpoint): shm_dir must not be writable by others.
pub fn test_dir(tag: &str) -> String {
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    fresh_dir(&base, tag).display().to_string()
}

#[path = "../../src/test_dir.rs"]
mod dirs;
pub use dirs::fresh_in as fresh_dir;

/// The database file of `shm:NAME` in `shm_dir`.
pub fn db_file(shm_dir: &str, name: &str) -> PathBuf {
    Path::new(shm_dir)
        .join(format!("shmlite-{}", shmlite_core::shm::current_uid()))
        .join(format!("{name}.db"))
}

/// Opens a session with extra properties.
pub fn open_with(url: &str, props: &[(&str, &str)]) -> Session {
    let props: Vec<(String, String)> = props
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Session::open(url, &props).unwrap()
}

/// Runs a script; its update count.
pub fn exec(s: &mut Session, sql: &str) -> shmlite_core::Result<i64> {
    s.execute_script(sql.as_bytes(), 0)
}

/// Runs a query with parameters and returns every row.
pub fn query(
    s: &mut Session,
    sql: &str,
    params: &[Value],
) -> shmlite_core::Result<Vec<Vec<Value>>> {
    let info = s.prepare(sql.as_bytes())?;
    let mut buf = Vec::new();
    for p in params {
        wire::push_value(&mut buf, p);
    }
    let mut out = vec![0u8; 1 << 16];
    let mut rows = Vec::new();
    let mut result = s.execute(info.handle, &buf, &mut out, 0);
    loop {
        if let Err(e) = result {
            s.release(info.handle).unwrap();
            return Err(e);
        }
        let h = Header::read(&out);
        rows.extend(wire::decode_rows(
            &out[wire::HEADER..],
            h.rows as usize,
            info.columns,
        ));
        if h.flags & FLAG_DONE != 0 {
            break;
        }
        result = s.fetch(info.handle, &mut out);
    }
    s.release(info.handle).unwrap();
    Ok(rows)
}

/// The single integer a query returns.
pub fn count(s: &mut Session, sql: &str) -> i64 {
    match &query(s, sql, &[]).unwrap()[0][0] {
        Value::Integer(n) => *n,
        other => panic!("not a count: {other:?}"),
    }
}
