//! `ATTACH 'mem:NAME' AS x` and `ATTACH 'shm:NAME' AS x` (also with `jdbc:shmlite:` in front):
//! the live shmlite database of that name, the same data its own connections see.
//!
//! SQLite knows a `mem:` database by an internal `memvfs` URI (a new one per incarnation)
//! and a `shm:` one by a file in the private tmpfs directory, so the string literal is replaced
//! by that name before SQLite compiles the statement; the name is parsed and validated by the
//! driver's URL rules (`url::parse`), and opening it goes through the registry like a
//! connection would (a `mem:` database that does not exist yet is created, database-level
//! properties are checked). The caller keeps the returned [`Database`] while the connection is
//! attached, so a `keep_alive=false` database is not closed under it.

use crate::config::Config;
use crate::conn::skip_trivia;
use crate::database::Database;
use crate::error::{Error, Result};
use crate::registry;
use crate::url::{self, Target};
use std::sync::Arc;

/// The first statement of some SQL with its ATTACH target replaced.
pub struct Rewritten {
    /// The SQL to compile instead.
    pub sql: Vec<u8>,
    /// `sql.len()` minus the original length (to map SQLite's tail offset back).
    pub delta: isize,
    /// The attached database, to keep while attached.
    pub db: Arc<Database>,
}

fn keyword(sql: &[u8], i: usize, word: &[u8]) -> bool {
    sql.len() >= i + word.len()
        && sql[i..i + word.len()].eq_ignore_ascii_case(word)
        && sql
            .get(i + word.len())
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
}

/// `Some` when `sql` starts with `ATTACH [DATABASE] '<shmlite name>'`; `Err` for a shmlite
/// name that is invalid or cannot be opened.
pub fn rewrite(sql: &[u8]) -> Result<Option<Rewritten>> {
    let mut i = skip_trivia(sql, b"");
    if !keyword(sql, i, b"ATTACH") {
        return Ok(None);
    }
    i = skip_trivia_from(sql, i + 6);
    if keyword(sql, i, b"DATABASE") {
        i = skip_trivia_from(sql, i + 8);
    }
    if sql.get(i) != Some(&b'\'') {
        return Ok(None);
    }
    // The string literal, '' standing for one quote.
    let start = i;
    let mut text = Vec::new();
    let mut j = i + 1;
    loop {
        match sql.get(j) {
            None => return Ok(None), // unterminated: SQLite reports it
            Some(b'\'') if sql.get(j + 1) == Some(&b'\'') => {
                text.push(b'\'');
                j += 2;
            }
            Some(b'\'') => break,
            Some(b) => {
                text.push(*b);
                j += 1;
            }
        }
    }
    let end = j + 1;
    let Ok(text) = String::from_utf8(text) else {
        return Ok(None);
    };
    let Some(db) = open_by_name(&text, sql)? else {
        return Ok(None);
    };
    let file = db.attach_name();
    let mut out = Vec::with_capacity(sql.len() + file.len());
    out.extend_from_slice(&sql[..start]);
    out.push(b'\'');
    out.extend_from_slice(file.replace('\'', "''").as_bytes());
    out.push(b'\'');
    out.extend_from_slice(&sql[end..]);
    let delta = out.len() as isize - sql.len() as isize;
    Ok(Some(Rewritten {
        sql: out,
        delta,
        db,
    }))
}

/// The live database `text` names when it is a shmlite name (`mem:NAME`, `shm:NAME`, with or
/// without `jdbc:shmlite:`), opened through the registry; None for anything else (a file path
/// or an SQLite URI); an error (42000) for a bad shmlite name.
fn open_by_name(text: &str, sql: &[u8]) -> Result<Option<Arc<Database>>> {
    let name = text.strip_prefix(url::PREFIX).unwrap_or(text);
    let is_shmlite = |p: &str| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p);
    if !(is_shmlite("mem:") || is_shmlite("shm:")) {
        return Ok(None);
    }
    // A bad name is this statement's error (42000), never a connection-class one (08xxx),
    // which would make pools evict a healthy connection.
    let fail = |e: Error| {
        Error::sqlite(
            libsqlite3_sys::SQLITE_ERROR,
            format!("ATTACH '{text}': {e}"),
            Some(&String::from_utf8_lossy(sql)),
            true,
        )
    };
    let parsed = url::parse(&format!("{}{name}", url::PREFIX)).map_err(fail)?;
    if !matches!(parsed.target, Target::Mem(_) | Target::Shm(_)) {
        return Err(Error::sqlite(
            libsqlite3_sys::SQLITE_ERROR,
            format!("ATTACH '{text}': mem: without a name is private to one connection; ATTACH ':memory:' for a private database, or 'mem:NAME' for a named one"),
            Some(&String::from_utf8_lossy(sql)),
            true,
        ));
    }
    let pairs = parsed
        .properties
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let config = Config::from_pairs(&parsed.target, pairs).map_err(fail)?;
    let db = registry::acquire(&parsed.target, &config).map_err(fail)?;
    // The connection keeps the Database itself; the user count is only for open sessions.
    registry::release(&db);
    Ok(Some(db))
}

/// For a prepared ATTACH whose file name is bound (`ATTACH ? AS x`), after its row was bound
/// from `params`: each text parameter that is a shmlite name is bound again as the name SQLite
/// knows that live database by, so it attaches as the literal form does; the databases returned
/// are to be kept while attached. A text parameter with another scheme (`mme:aux`) is refused
/// (42000), as the literal is, instead of SQLite creating a file of that name.
///
/// SQLite's authorizer, which checks the literal form, is called at prepare time and never sees
/// a bound value, hence this check at bind time.
pub(crate) fn bind_names(
    stmt: &mut crate::ffi::Stmt,
    params: &[u8],
    count: usize,
) -> Result<Vec<Arc<Database>>> {
    let i = skip_trivia(stmt.sql_bytes(), b"");
    if !keyword(stmt.sql_bytes(), i, b"ATTACH") {
        return Ok(Vec::new()); // VACUUM, DETACH: nothing to look at
    }
    let sql = stmt.sql_bytes().to_vec(); // for error texts, while `stmt` is bound again
    let mut texts = Vec::new();
    crate::wire::read_params(params, count, |i, p| {
        if let crate::wire::Param::Text(b) = p {
            texts.push((i, String::from_utf8_lossy(b).into_owned()));
        }
        Ok(())
    })?;
    let mut dbs = Vec::new();
    for (i, text) in texts {
        if let Some(db) = open_by_name(&text, &sql)? {
            crate::wire::bound(i, stmt.bind_text(i, db.attach_name().as_bytes()))?;
            dbs.push(db);
        } else if let Some(e) = url::attach_target_error(&text) {
            return Err(e);
        }
    }
    Ok(dbs)
}

fn skip_trivia_from(sql: &[u8], i: usize) -> usize {
    i + skip_trivia(&sql[i.min(sql.len())..], b"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_shmlite_names_in_an_attach_literal_are_rewritten() {
        for sql in [
            "SELECT 'mem:x'",
            "ATTACH 'aux.db' AS a",
            "ATTACH ':memory:' AS a",
            "ATTACH ? AS a",
            "ATTACH 'file:x?mode=memory' AS a",
            "ATTACH 'mem:x",
        ] {
            assert!(rewrite(sql.as_bytes()).unwrap().is_none(), "{sql}");
        }
        let r = rewrite(b"/* c */ attach database 'jdbc:shmlite:mem:attach-unit' AS a; SELECT 1")
            .unwrap()
            .unwrap();
        let text = String::from_utf8(r.sql).unwrap();
        assert!(
            text.starts_with("/* c */ attach database 'file:/dev/null/shmlite-mem/attach-unit-"),
            "{text}"
        );
        assert!(text.ends_with("?vfs=shmlite-mem' AS a; SELECT 1"), "{text}");
        let e = rewrite(b"ATTACH 'mem:' AS a").err().unwrap();
        assert!(e.to_string().contains("private"), "{e}");
        let e = rewrite(b"ATTACH 'mem:bad/name' AS a").err().unwrap();
        assert_eq!(e.jdbc().sql_state, "42000", "{e}");
    }
}
