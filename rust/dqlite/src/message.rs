//! Request encoders and response decoders, one per message type of the subset this client
//! speaks. Pure functions over [`Writer`]/[`Reader`], so they are tested without a server.

use crate::error::{DecodeError, Error, Result};
use crate::value::{put_params, ValueRef};
use crate::wire::{Reader, Writer};

/// Request type codes (`DQLITE_REQUEST_*`).
pub mod request {
    /// Ask a node who the leader is.
    pub const LEADER: u8 = 0;
    /// Register as a client.
    pub const CLIENT: u8 = 1;
    /// Legacy heartbeat.
    pub const HEARTBEAT: u8 = 2;
    /// Open a database by name.
    pub const OPEN: u8 = 3;
    /// Prepare a statement.
    pub const PREPARE: u8 = 4;
    /// Execute a prepared statement.
    pub const EXEC: u8 = 5;
    /// Query with a prepared statement.
    pub const QUERY: u8 = 6;
    /// Finalize a prepared statement.
    pub const FINALIZE: u8 = 7;
    /// Execute SQL text (may contain several statements).
    pub const EXEC_SQL: u8 = 8;
    /// Query with SQL text.
    pub const QUERY_SQL: u8 = 9;
    /// Interrupt the running query of a database.
    pub const INTERRUPT: u8 = 10;
    /// Add a node to the cluster (as a spare).
    pub const ADD: u8 = 12;
    /// Assign a role to a node.
    pub const ASSIGN: u8 = 13;
    /// Remove a node from the cluster.
    pub const REMOVE: u8 = 14;
    /// List the cluster's nodes.
    pub const CLUSTER: u8 = 16;
    /// Transfer leadership to a node.
    pub const TRANSFER: u8 = 17;
}

/// Response type codes (`DQLITE_RESPONSE_*`).
pub mod response {
    /// Error code and message.
    pub const FAILURE: u8 = 0;
    /// One node (answer to LEADER).
    pub const SERVER: u8 = 1;
    /// Answer to CLIENT.
    pub const WELCOME: u8 = 2;
    /// A node list (answer to CLUSTER).
    pub const SERVERS: u8 = 3;
    /// A database id (answer to OPEN).
    pub const DB: u8 = 4;
    /// A statement id (answer to PREPARE).
    pub const STMT: u8 = 5;
    /// Last insert id and rows affected.
    pub const RESULT: u8 = 6;
    /// A batch of rows.
    pub const ROWS: u8 = 7;
    /// Nothing (acknowledgement).
    pub const EMPTY: u8 = 8;
}

/// CLUSTER request format asking for id, address and role.
pub const CLUSTER_FORMAT_V1: u64 = 1;

/// The VFS name go-dqlite passes on OPEN; the server uses its own VFS regardless.
pub const OPEN_VFS: &[u8] = b"volatile";

/// A node's role in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Votes and replicates.
    Voter,
    /// Replicates, does not vote.
    Standby,
    /// Neither (a member in name only).
    Spare,
    /// A role code this client does not know.
    Other(u64),
}

impl Role {
    /// The wire code.
    pub fn code(self) -> u64 {
        match self {
            Role::Voter => 0,
            Role::Standby => 1,
            Role::Spare => 2,
            Role::Other(c) => c,
        }
    }

    fn from_code(c: u64) -> Self {
        match c {
            0 => Role::Voter,
            1 => Role::Standby,
            2 => Role::Spare,
            c => Role::Other(c),
        }
    }
}

/// A cluster member as CLUSTER lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// Raft id.
    pub id: u64,
    /// Its protocol address (host:port).
    pub address: String,
    /// Its role.
    pub role: Role,
}

/// A prepared statement's identity on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StmtInfo {
    /// Database id.
    pub db: u32,
    /// Statement id.
    pub id: u32,
    /// Number of parameters the statement takes.
    pub params: u64,
}

/// Outcome of EXEC / EXEC_SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExecResult {
    /// `sqlite3_last_insert_rowid` after the statement.
    pub last_insert_id: u64,
    /// `sqlite3_changes` of the statement.
    pub rows_affected: u64,
}

/// Encodes a request whose body is one u64 word (LEADER, CLIENT, HEARTBEAT, INTERRUPT, REMOVE,
/// CLUSTER, TRANSFER).
pub fn encode_word(w: &mut Writer, mtype: u8, word: u64) -> Result<&[u8]> {
    w.begin().put_u64(word);
    w.finish(mtype, 0)
}

/// OPEN: name, flags, vfs.
pub fn encode_open<'w>(w: &'w mut Writer, name: &str) -> Result<&'w [u8]> {
    w.begin()
        .put_text(name.as_bytes())?
        .put_u64(0)
        .put_text(OPEN_VFS)?;
    w.finish(request::OPEN, 0)
}

/// PREPARE: db id, SQL.
pub fn encode_prepare<'w>(w: &'w mut Writer, db: u32, sql: &str) -> Result<&'w [u8]> {
    w.begin().put_u64(db as u64).put_text(sql.as_bytes())?;
    w.finish(request::PREPARE, 0)
}

/// EXEC or QUERY of a prepared statement: db id, statement id, parameters.
pub fn encode_stmt_call<'w>(
    w: &'w mut Writer,
    mtype: u8,
    stmt: StmtInfo,
    params: &[ValueRef<'_>],
) -> Result<&'w [u8]> {
    w.begin().put_u32(stmt.db).put_u32(stmt.id);
    let schema = put_params(w, params)?;
    w.finish(mtype, schema)
}

/// FINALIZE: db id, statement id.
pub fn encode_finalize(w: &mut Writer, stmt: StmtInfo) -> Result<&[u8]> {
    w.begin().put_u32(stmt.db).put_u32(stmt.id);
    w.finish(request::FINALIZE, 0)
}

/// EXEC_SQL or QUERY_SQL: db id, SQL, parameters.
pub fn encode_sql<'w>(
    w: &'w mut Writer,
    mtype: u8,
    db: u32,
    sql: &str,
    params: &[ValueRef<'_>],
) -> Result<&'w [u8]> {
    w.begin().put_u64(db as u64).put_text(sql.as_bytes())?;
    let schema = put_params(w, params)?;
    w.finish(mtype, schema)
}

/// ADD: node id, address.
pub fn encode_add<'w>(w: &'w mut Writer, id: u64, address: &str) -> Result<&'w [u8]> {
    w.begin().put_u64(id).put_text(address.as_bytes())?;
    w.finish(request::ADD, 0)
}

/// ASSIGN: node id, role.
pub fn encode_assign(w: &mut Writer, id: u64, role: Role) -> Result<&[u8]> {
    w.begin().put_u64(id).put_u64(role.code());
    w.finish(request::ASSIGN, 0)
}

/// FAILURE body: code and message.
pub fn decode_failure(body: &[u8]) -> Result<Error, DecodeError> {
    let mut r = Reader::new(body);
    let code = r.get_u64()?;
    // SQLite messages are UTF-8; a stray byte must not hide the code, so decode lossily.
    let message = String::from_utf8_lossy(r.get_text()?).into_owned();
    Ok(Error::Server { code, message })
}

/// SERVER body: id and address; id 0 with an empty address means "no leader known".
pub fn decode_server(body: &[u8]) -> Result<Option<(u64, String)>, DecodeError> {
    let mut r = Reader::new(body);
    let id = r.get_u64()?;
    let address = r.get_str()?;
    r.finish()?;
    Ok(if address.is_empty() {
        None
    } else {
        Some((id, address.to_string()))
    })
}

/// WELCOME body: the heartbeat timeout in milliseconds.
pub fn decode_welcome(body: &[u8]) -> Result<u64, DecodeError> {
    let mut r = Reader::new(body);
    let v = r.get_u64()?;
    r.finish()?;
    Ok(v)
}

/// SERVERS body (format 1): count, then id, address, role per node.
pub fn decode_servers(body: &[u8]) -> Result<Vec<NodeInfo>, DecodeError> {
    let mut r = Reader::new(body);
    let at = r.pos();
    let n = r.get_u64()?;
    // Each entry takes at least three words.
    if n > (r.remaining() / 24) as u64 {
        return Err(DecodeError::BadCount { at, count: n });
    }
    let mut nodes = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let id = r.get_u64()?;
        let address = r.get_str()?.to_string();
        let role = Role::from_code(r.get_u64()?);
        nodes.push(NodeInfo { id, address, role });
    }
    r.finish()?;
    Ok(nodes)
}

/// DB body: database id (u32) and padding.
pub fn decode_db(body: &[u8]) -> Result<u32, DecodeError> {
    let mut r = Reader::new(body);
    let id = r.get_u32()?;
    r.get_u32()?;
    r.finish()?;
    Ok(id)
}

/// STMT body: db id, statement id, parameter count (schema 1 adds the tail offset, ignored).
pub fn decode_stmt(body: &[u8], schema: u8) -> Result<StmtInfo, DecodeError> {
    let mut r = Reader::new(body);
    let db = r.get_u32()?;
    let id = r.get_u32()?;
    let params = r.get_u64()?;
    if schema >= 1 {
        r.get_u64()?;
    }
    r.finish()?;
    Ok(StmtInfo { db, id, params })
}

/// RESULT body: last insert id, rows affected.
pub fn decode_result(body: &[u8]) -> Result<ExecResult, DecodeError> {
    let mut r = Reader::new(body);
    let last_insert_id = r.get_u64()?;
    let rows_affected = r.get_u64()?;
    // Newer servers may append fields; extra words are tolerated here.
    Ok(ExecResult {
        last_insert_id,
        rows_affected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::get_params;
    use crate::wire::{Header, WORD};

    fn split(msg: &[u8]) -> (Header, &[u8]) {
        let mut h = [0; WORD];
        h.copy_from_slice(&msg[..WORD]);
        let header = Header::decode(h).unwrap();
        assert_eq!(header.body_len(), msg.len() - WORD);
        (header, &msg[WORD..])
    }

    #[test]
    fn requests_have_the_documented_layout() {
        let mut w = Writer::default();
        let (h, body) = split(encode_word(&mut w, request::LEADER, 0).unwrap());
        assert_eq!((h.mtype, h.words, body), (0, 1, &[0u8; 8][..]));

        let (h, body) = split(encode_open(&mut w, "orders").unwrap());
        assert_eq!(h.mtype, request::OPEN);
        let mut r = Reader::new(body);
        assert_eq!(r.get_text().unwrap(), b"orders");
        assert_eq!(r.get_u64().unwrap(), 0);
        assert_eq!(r.get_text().unwrap(), OPEN_VFS);
        r.finish().unwrap();

        let params = [ValueRef::Integer(1), ValueRef::Text(b"x")];
        let (h, body) =
            split(encode_sql(&mut w, request::EXEC_SQL, 3, "SELECT ?, ?", &params).unwrap());
        assert_eq!((h.mtype, h.schema), (request::EXEC_SQL, 0));
        let mut r = Reader::new(body);
        assert_eq!(r.get_u64().unwrap(), 3);
        assert_eq!(r.get_text().unwrap(), b"SELECT ?, ?");
        assert_eq!(get_params(&mut r, h.schema).unwrap(), params);
        r.finish().unwrap();

        let stmt = StmtInfo {
            db: 1,
            id: 2,
            params: 0,
        };
        let (h, body) = split(encode_stmt_call(&mut w, request::QUERY, stmt, &[]).unwrap());
        assert_eq!(
            (h.mtype, body),
            (request::QUERY, &[1, 0, 0, 0, 2, 0, 0, 0][..])
        );

        let (h, body) = split(encode_assign(&mut w, 7, Role::Voter).unwrap());
        assert_eq!((h.mtype, body.len()), (request::ASSIGN, 16));

        assert!(matches!(
            encode_prepare(&mut w, 0, "SELECT '\0'"),
            Err(Error::NulInText)
        ));
    }

    #[test]
    fn responses_decode() {
        let mut w = Writer::default();
        w.begin()
            .put_u64(5)
            .put_text(b"database is locked")
            .unwrap();
        let e = decode_failure(&w.as_bytes()[WORD..]).unwrap();
        assert!(e.is_busy());
        assert_eq!(e.to_string(), "database is locked (dqlite code 5)");

        w.begin().put_u64(2).put_text(b"127.0.0.1:9001").unwrap();
        assert_eq!(
            decode_server(&w.as_bytes()[WORD..]).unwrap(),
            Some((2, "127.0.0.1:9001".to_string()))
        );
        w.begin().put_u64(0).put_text(b"").unwrap();
        assert_eq!(decode_server(&w.as_bytes()[WORD..]).unwrap(), None);

        w.begin().put_u64(2);
        for (id, addr, role) in [(1u64, "a:1", 0u64), (2, "b:2", 2)] {
            w.put_u64(id)
                .put_text(addr.as_bytes())
                .unwrap()
                .put_u64(role);
        }
        let nodes = decode_servers(&w.as_bytes()[WORD..]).unwrap();
        assert_eq!(nodes[1].role, Role::Spare);
        assert_eq!(nodes[0].address, "a:1");

        w.begin().put_u32(1).put_u32(9).put_u64(2);
        let s = decode_stmt(&w.as_bytes()[WORD..], 0).unwrap();
        assert_eq!((s.db, s.id, s.params), (1, 9, 2));
        assert!(decode_stmt(&w.as_bytes()[WORD..], 1).is_err());

        w.begin().put_u64(10).put_u64(1);
        assert_eq!(
            decode_result(&w.as_bytes()[WORD..]).unwrap(),
            ExecResult {
                last_insert_id: 10,
                rows_affected: 1
            }
        );
        assert!(decode_result(&[0; 8]).is_err());
        assert!(decode_db(&[0; 4]).is_err());
    }
}
