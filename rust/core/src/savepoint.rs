//! The savepoint operations of `java.sql.Connection` (`setSavepoint`, `rollback(Savepoint)`,
//! `releaseSavepoint`), run by [`Session::savepoint`](crate::session::Session::savepoint), which
//! also enforces their rule: a savepoint needs autoCommit off (in autocommit a SAVEPOINT would
//! open a transaction behind the driver's back), SQLState 25000 otherwise.

use crate::error::{Error, Result};

/// One savepoint operation; its code is what Java's `Native.SAVEPOINT_*` constants pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavepointOp {
    /// `SAVEPOINT name`.
    Set = 0,
    /// `ROLLBACK TO name` (the savepoint stays active).
    RollbackTo = 1,
    /// `RELEASE name` (and the savepoints after it).
    Release = 2,
}

impl SavepointOp {
    /// Every operation with its Java constant name, for `Native.layout()`.
    pub const LAYOUT: [(&'static str, SavepointOp); 3] = [
        ("SAVEPOINT_SET", SavepointOp::Set),
        ("SAVEPOINT_ROLLBACK_TO", SavepointOp::RollbackTo),
        ("SAVEPOINT_RELEASE", SavepointOp::Release),
    ];

    /// The operation of a Java code; another code is a driver bug (HY000).
    pub fn from_code(code: i32) -> Result<Self> {
        Self::LAYOUT
            .iter()
            .map(|(_, op)| *op)
            .find(|op| *op as i32 == code)
            .ok_or_else(|| Error::Misuse(format!("unknown savepoint operation {code}")))
    }

    /// The SQL verb, as the 25000 message names it.
    pub fn verb(self) -> &'static str {
        match self {
            SavepointOp::Set => "SAVEPOINT",
            SavepointOp::RollbackTo => "ROLLBACK TO",
            SavepointOp::Release => "RELEASE",
        }
    }

    /// The statement for savepoint `name` (any text: quoted as an identifier).
    pub fn sql(self, name: &str) -> String {
        format!("{} \"{}\"", self.verb(), name.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_sql() {
        for (i, (_, op)) in SavepointOp::LAYOUT.iter().enumerate() {
            assert_eq!(SavepointOp::from_code(i as i32).unwrap(), *op);
        }
        assert!(SavepointOp::from_code(3).is_err());
        assert_eq!(SavepointOp::Set.sql("SP_1"), "SAVEPOINT \"SP_1\"");
        assert_eq!(
            SavepointOp::RollbackTo.sql("a\"b"),
            "ROLLBACK TO \"a\"\"b\""
        );
    }
}
