//! Column descriptions of a prepared statement as Java's `ResultSetMetaData` reads them
//! (`Native.columns`): [`FIELDS`] strings per result column.
//!
//! Everything here is read once per described statement (Java caches the description per SQL
//! until the schema changes), never per row.

use crate::ffi::Stmt;
use libsqlite3_sys as sys;

/// Strings per column: label, origin column, declared type, origin table, origin database,
/// facts. Java's `ColumnInfo.FIELDS` must match.
pub const FIELDS: usize = 6;

/// Facts letters: the origin column is declared NOT NULL or is the rowid alias.
pub const NOT_NULL: char = 'N';
/// Facts letter: the origin column is (part of) the primary key.
pub const PRIMARY_KEY: char = 'P';
/// Facts letter: the origin column is numbered automatically (the rowid alias, with or
/// without AUTOINCREMENT), as `getColumns` IS_AUTOINCREMENT reports it.
pub const AUTO_NUMBERED: char = 'A';

/// The description of every result column of `stmt`. The facts string is None for an
/// expression (no origin column), else a set of [`NOT_NULL`], [`PRIMARY_KEY`], [`AUTO_NUMBERED`].
pub fn columns(stmt: &Stmt, count: usize) -> Vec<Option<String>> {
    let mut out = Vec::with_capacity(count * FIELDS);
    for c in 0..count {
        let decltype = stmt.column_decltype(c);
        let table = stmt.column_table_name(c);
        let database = stmt.column_database_name(c);
        let facts = stmt.origin_facts(c).map(|f| {
            let rowid = f.primary_key
                && decltype
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("INTEGER"))
                && table
                    .as_deref()
                    .zip(database.as_deref())
                    .is_some_and(|(t, d)| is_rowid_alias_table(stmt, d, t));
            let mut s = String::with_capacity(3);
            if f.not_null || rowid {
                s.push(NOT_NULL);
            }
            if f.primary_key {
                s.push(PRIMARY_KEY);
            }
            if f.autoincrement || rowid {
                s.push(AUTO_NUMBERED);
            }
            s
        });
        out.push(stmt.column_name(c));
        out.push(stmt.column_origin_name(c));
        out.push(decltype);
        out.push(table);
        out.push(database);
        out.push(facts);
    }
    out
}

/// Whether `table`'s primary key is a single column on a rowid table: then an INTEGER
/// PRIMARY KEY column is the rowid alias (never NULL, numbered automatically). False when
/// SQLite cannot tell (e.g. the schema is locked by another connection): "unknown" is safer
/// than a wrong NOT NULL.
fn is_rowid_alias_table(stmt: &Stmt, database: &str, table: &str) -> bool {
    const SQL: &[u8] = b"SELECT (SELECT count(*) FROM pragma_table_info(?1, ?2) WHERE pk > 0),\
        (SELECT wr FROM pragma_table_list WHERE schema = ?2 AND name = ?1)";
    let Ok(prepared) = Stmt::prepare(stmt.db(), SQL, false) else {
        return false;
    };
    let Some(mut q) = prepared.stmt else {
        return false;
    };
    q.bind_text(1, table.as_bytes());
    q.bind_text(2, database.as_bytes());
    q.step() == sys::SQLITE_ROW && q.column_i64(0) == 1 && q.column_i64(1) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::Db;

    fn describe(conn: &rusqlite::Connection, sql: &str) -> Vec<Option<String>> {
        let stmt = Stmt::prepare(Db::of(conn), sql.as_bytes(), false)
            .unwrap()
            .stmt
            .unwrap();
        columns(&stmt, stmt.column_count())
    }

    #[test]
    fn origin_facts_of_table_columns_and_none_for_expressions() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n NUMERIC);
             CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
             CREATE TABLE wr (k INTEGER PRIMARY KEY, v) WITHOUT ROWID;
             CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT);",
        )
        .unwrap();
        let d = describe(&conn, "SELECT id, name, n, 1 + 1 FROM p");
        assert_eq!(d.len(), 4 * FIELDS);
        let facts = |i: usize| d[i * FIELDS + 5].clone();
        assert_eq!(facts(0).as_deref(), Some("NPA"));
        assert_eq!(facts(1).as_deref(), Some("N"));
        assert_eq!(facts(2).as_deref(), Some(""));
        assert_eq!(facts(3), None);
        assert_eq!(d[4].as_deref(), Some("main"));
        let d = describe(&conn, "SELECT a, k, s.id FROM pair, wr, seq s");
        assert_eq!(d[5].as_deref(), Some("P"));
        assert_eq!(d[FIELDS + 5].as_deref(), Some("NP"));
        assert_eq!(d[2 * FIELDS + 5].as_deref(), Some("NPA"));
    }
}
