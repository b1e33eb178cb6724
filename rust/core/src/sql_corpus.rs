//! The shared corpus of tricky SQL (`tests/data/sql_corpus.txt`), run against the core's
//! scanner: `conn::skip_trivia` finds the first word and `session::kind_of` classifies the
//! statement. Java's `SqlCorpusTest` runs the same file against `SqlLexer`, so both sides skip
//! the same trivia and see the same first keyword.

use crate::conn::skip_trivia;
use crate::session::{kind_of, Kind};

/// One corpus line: (line number, word, kind, sql).
fn cases() -> Vec<(usize, String, String, Vec<u8>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sql_corpus.txt");
    let text = std::fs::read_to_string(path).expect("the SQL corpus");
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.splitn(5, '|').collect();
        assert_eq!(fields.len(), 5, "line {}: five fields", i + 1);
        let sql = fields[4].strip_prefix(' ').unwrap_or(fields[4]);
        cases.push((
            i + 1,
            fields[0].trim().to_owned(),
            fields[1].trim().to_owned(),
            unescape(sql),
        ));
    }
    assert!(cases.len() >= 40, "the corpus lost its cases");
    cases
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        out.push(match bytes.next() {
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'f') => b'\x0c',
            Some(b'\\') => b'\\',
            other => panic!("bad escape \\{other:?} in {s}"),
        });
    }
    out
}

fn first_word(sql: &[u8]) -> String {
    let i = skip_trivia(sql, b";");
    let word: String = sql[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .map(|b| b.to_ascii_uppercase() as char)
        .collect();
    if word.is_empty() {
        "-".to_owned()
    } else {
        word
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Normal => "NORMAL",
        Kind::TxnControl => "TXN",
        Kind::Pragma => "PRAGMA",
        Kind::NoTxn => "NOTXN",
        Kind::Savepoint => "SAVEPOINT",
    }
}

#[test]
fn the_core_scanner_classifies_the_shared_corpus() {
    let mut wrong = Vec::new();
    for (line, word, kind, sql) in cases() {
        let text = String::from_utf8_lossy(&sql).into_owned();
        if first_word(&sql) != word {
            wrong.push(format!(
                "line {line}: word {} != {word}: {text:?}",
                first_word(&sql)
            ));
        }
        let got = kind_name(kind_of(&sql));
        if got != kind {
            wrong.push(format!("line {line}: kind {got} != {kind}: {text:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_leading_semicolon_does_not_hide_the_users_begin() {
    // kind_of once stopped at ';', so "; BEGIN" was a NORMAL statement: with autoCommit off the
    // session began its own transaction first and the user's BEGIN then failed inside it.
    let url = format!("jdbc:shmlite:mem:corpus-begin-{}", std::process::id());
    let mut s = crate::Session::open(&url, &[]).unwrap();
    s.set_autocommit(false).unwrap();
    s.execute_script(b"; BEGIN IMMEDIATE", 0).unwrap();
    s.execute_script(b"CREATE TABLE t(x); INSERT INTO t VALUES (1)", 0)
        .unwrap();
    s.commit().unwrap();
    assert!(!s.in_transaction().unwrap());
}
