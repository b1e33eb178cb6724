//! Database-level properties (the table's `Level::Database*` entries) are fixed by the first
//! opener: a later opener that asks for another value is refused naming both values, one that
//! asks for the live value (or sets nothing) gets in, and connection-level ones never conflict.

mod common;
use shmlite_core::properties::{Level, PROPERTIES};
use shmlite_core::{registry, Session};

fn open(url: &str, props: &[(&str, &str)]) -> shmlite_core::Result<Session> {
    let props: Vec<(String, String)> = props
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Session::open(url, &props)
}

#[test]
fn a_later_opener_must_ask_for_the_live_database_level_values() {
    let url = format!("jdbc:shmlite:mem:props-{}", common::n());
    let mut first = open(&url, &[("pool_size", "3"), ("keep_alive", "true")]).unwrap();
    common::exec(&mut first, "CREATE TABLE t(x)").unwrap();
    // Asking for the live values, or nothing, is fine.
    drop(open(&url, &[("pool_size", "3")]).unwrap());
    drop(open(&url, &[]).unwrap());
    // open_mode compares only read-only or not: creating a missing file does not matter to a
    // live database.
    drop(open(&url, &[("open_mode", "READWRITE")]).unwrap());
    // Connection-level properties differ freely.
    drop(open(&url, &[("busy_timeout", "1"), ("foreign_keys", "true")]).unwrap());
    for (name, value, live) in [
        ("pool_size", "4", "3"),
        ("keep_alive", "false", "true"),
        ("open_mode", "READONLY", "READWRITE"),
        ("wal_limit_mb", "1", "16"),
    ] {
        let Err(e) = open(&url, &[(name, value)]) else {
            panic!("{name}={value} was accepted on a live database");
        };
        assert_eq!(e.jdbc().sql_state, "08001", "{e}");
        let text = e.to_string();
        assert!(
            text.contains(&format!("property '{name}' is '{live}'"))
                && text.contains(&format!("not '{value}'")),
            "{text}"
        );
    }
    first.close(false);
    registry::drop_database(&url).unwrap();
    // journal_mode: mem:NAME is always WAL, so compare it on a file database.
    let dir = common::test_dir("props");
    let file = format!("jdbc:shmlite:file:{dir}/p.db?journal_mode=DELETE");
    let live = open(&file, &[]).unwrap();
    let e = open(
        &format!("jdbc:shmlite:file:{dir}/p.db?journal_mode=WAL"),
        &[],
    )
    .unwrap_err();
    assert_eq!(e.jdbc().sql_state, "08001", "{e}");
    let text = e.to_string();
    assert!(
        text.contains("property 'journal_mode' is 'DELETE'") && text.contains("not 'WAL'"),
        "{text}"
    );
    drop(live);
}

/// Every database-level property of the table is one of the compared ones above or `init_from`
/// (which `backup.rs` tests cover), so a new one is not left out of this test unnoticed.
#[test]
fn the_database_level_properties_are_the_known_ones() {
    let compared: Vec<&str> = PROPERTIES
        .iter()
        .filter(|p| matches!(p.level, Level::Database | Level::DatabaseAs(_)))
        .map(|p| p.name)
        .collect();
    assert_eq!(
        compared,
        [
            "journal_mode",
            "open_mode",
            "pool_size",
            "keep_alive",
            "wal_limit_mb",
            "init_from"
        ]
    );
}
