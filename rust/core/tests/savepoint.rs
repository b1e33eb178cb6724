//! The savepoint rule lives with the transaction state (`Session::savepoint`): autoCommit on
//! refuses every savepoint operation with 25000 and runs nothing; off, they act as SQLite's.

mod common;

use common::{count, exec, n, open_with};
use shmlite_core::savepoint::SavepointOp;

#[test]
fn savepoints_need_autocommit_off_and_run_nothing_otherwise() {
    let url = format!("jdbc:shmlite:mem:savepoint-rule-{}", n());
    let mut s = open_with(&url, &[]);
    exec(&mut s, "CREATE TABLE t(x)").unwrap();
    for op in [
        SavepointOp::Set,
        SavepointOp::RollbackTo,
        SavepointOp::Release,
    ] {
        let err = s.savepoint(op, "sp").unwrap_err();
        let face = err.jdbc();
        assert_eq!(
            (face.class, face.sql_state),
            ("java/sql/SQLException", "25000"),
            "{op:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("{} needs autoCommit false", op.verb())
        );
        assert!(!s.in_transaction().unwrap(), "{op:?} opened a transaction");
    }

    s.set_autocommit(false).unwrap();
    exec(&mut s, "INSERT INTO t VALUES (1)").unwrap();
    s.savepoint(SavepointOp::Set, "a \"quoted\" name").unwrap();
    exec(&mut s, "INSERT INTO t VALUES (2)").unwrap();
    s.savepoint(SavepointOp::RollbackTo, "a \"quoted\" name")
        .unwrap();
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 1);
    s.savepoint(SavepointOp::Release, "a \"quoted\" name")
        .unwrap();
    s.commit().unwrap();
    s.set_autocommit(true).unwrap();
    assert_eq!(count(&mut s, "SELECT count(*) FROM t"), 1);
}
