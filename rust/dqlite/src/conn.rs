//! One protocol connection to one dqlite node: handshake, request/response, streamed rows.
//!
//! dqlite serves one request at a time per connection, so a [`Connection`] is `&mut`-driven and
//! a result set ([`Rows`]) borrows it mutably until it is read to the end or dropped; dropping it
//! early sends INTERRUPT and drains the rest, so the stream is never left mid-response. Any
//! transport or decoding failure marks the connection broken: later calls fail with
//! [`Error::Broken`] instead of reading a desynchronised stream.

use std::io::{self, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::message::{self, request, response, ExecResult, NodeInfo, Role, StmtInfo};
use crate::value::{get_columns, next_row, Cell, RowStep, ValueRef};
use crate::wire::{Header, Reader, Writer, PROTOCOL_VERSION, WORD};

/// Default bound on establishing the TCP connection to one node.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default bound on waiting for any one response message. A commit waits for a Raft quorum, so
/// this must exceed the cluster's worst commit latency (p99 was ~14 ms on a loaded loopback;
/// elections take seconds, and a request stuck on a dying leader ends here).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on sending one request.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on draining a result set after INTERRUPT (the server stops at its next batch).
pub const INTERRUPT_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Read buffer per connection: a dqlite row batch is a few KiB, so most responses arrive in one
/// `read` call.
pub const READ_BUFFER_BYTES: usize = 64 * 1024;

/// Connection settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Bound on the TCP connect ([`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// Bound on each response ([`DEFAULT_READ_TIMEOUT`]).
    pub read_timeout: Duration,
    /// Bound on each request ([`DEFAULT_WRITE_TIMEOUT`]).
    pub write_timeout: Duration,
    /// Id sent with CLIENT (dqlite only logs it).
    pub client_id: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            client_id: 0,
        }
    }
}

/// A connection to one dqlite node.
#[derive(Debug)]
pub struct Connection {
    addr: String,
    stream: BufReader<TcpStream>,
    w: Writer,
    body: Vec<u8>,
    schema: u8,
    db: Option<u32>,
    broken: bool,
    opts: Options,
    cursor: Cursor,
    /// The socket's read timeout was shortened to a message's remaining time and must be
    /// restored before the next message.
    timeout_shortened: bool,
}

/// The state of the result set being streamed on a connection. Kept in the connection (not in
/// [`Rows`]) so a caller that must hold a result set across calls — the JDBC session, between
/// `ResultSet.next()` batches — can do so without a borrow; its vectors are reused by the next
/// query.
#[derive(Debug, Default)]
struct Cursor {
    /// A result set was started and not yet closed.
    active: bool,
    /// Its last batch (or a FAILURE ending it) was received.
    done: bool,
    pos: usize,
    names: Vec<String>,
    cells: Vec<Cell>,
    batches: u64,
}

impl Connection {
    /// Connects to `addr` (host:port) within `opts.connect_timeout` and sends the protocol
    /// version. Nothing comes back until the first request.
    pub fn connect(addr: &str, opts: &Options) -> Result<Self> {
        Self::connect_within(addr, opts, opts.connect_timeout)
    }

    /// As [`Connection::connect`], with the connect bound capped at `limit` (a caller's
    /// deadline).
    pub fn connect_within(addr: &str, opts: &Options, limit: Duration) -> Result<Self> {
        let bad = |reason: String| Error::BadAddress {
            addr: addr.to_string(),
            reason,
        };
        let addrs: Vec<_> = addr
            .to_socket_addrs()
            .map_err(|e| bad(e.to_string()))?
            .collect();
        if addrs.is_empty() {
            return Err(bad("resolves to no address".into()));
        }
        let timeout = opts
            .connect_timeout
            .min(limit)
            .max(Duration::from_millis(1));
        let mut last = None;
        let mut stream = None;
        for sa in &addrs {
            match TcpStream::connect_timeout(sa, timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let io_err = |op, e: io::Error| classify_io(addr, op, e, timeout);
        let stream = match stream {
            Some(s) => s,
            None => {
                let e = last.unwrap_or_else(|| io::Error::other("no address to connect to"));
                return Err(io_err("connect", e));
            }
        };
        let setup = |s: &TcpStream| -> io::Result<()> {
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(opts.read_timeout))?;
            s.set_write_timeout(Some(opts.write_timeout))
        };
        setup(&stream).map_err(|e| io_err("connect", e))?;
        let mut conn = Connection {
            addr: addr.to_string(),
            stream: BufReader::with_capacity(READ_BUFFER_BYTES, stream),
            w: Writer::default(),
            body: Vec::new(),
            schema: 0,
            db: None,
            broken: false,
            opts: opts.clone(),
            cursor: Cursor::default(),
            timeout_shortened: false,
        };
        let version = PROTOCOL_VERSION.to_le_bytes();
        conn.write_raw(&version)?;
        Ok(conn)
    }

    /// The address this connection was opened to.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Whether an earlier failure made the connection unusable.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// The database id of the OPEN done on this connection, if any.
    pub fn db(&self) -> Option<u32> {
        self.db
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<()> {
        let r = write_within(self.stream.get_ref(), bytes, &self.opts);
        r.map_err(|e| self.fail_io("write", e))
    }

    fn fail_io(&mut self, op: &'static str, e: io::Error) -> Error {
        self.broken = true;
        let after = match op {
            "read" => self.opts.read_timeout,
            _ => self.opts.write_timeout,
        };
        classify_io(&self.addr, op, e, after)
    }

    /// Reads one message into `self.body`, within `read_timeout` for the whole message (not per
    /// `read` call: a server trickling bytes cannot stretch the wait).
    fn recv(&mut self) -> Result<Header> {
        if self.timeout_shortened {
            let r = self
                .stream
                .get_ref()
                .set_read_timeout(Some(self.opts.read_timeout));
            r.map_err(|e| self.fail_io("read", e))?;
            self.timeout_shortened = false;
        }
        let deadline = Instant::now() + self.opts.read_timeout;
        let mut first = true;
        let mut word = [0; WORD];
        if let Err(e) = self.read_within(&mut word, deadline, &mut first) {
            return Err(self.fail_io("read", e));
        }
        let header = Header::decode(word).inspect_err(|_| self.broken = true)?;
        let mut body = std::mem::take(&mut self.body);
        body.clear();
        body.resize(header.body_len(), 0);
        let r = self.read_within(&mut body, deadline, &mut first);
        self.body = body;
        if let Err(e) = r {
            return Err(self.fail_io("read", e));
        }
        self.schema = header.schema;
        Ok(header)
    }

    /// `read_exact` bounded by `deadline`. The first socket read of a message runs under the
    /// socket's standing timeout (the whole budget), so the common one-read message costs no
    /// extra system call; later reads get only what is left.
    fn read_within(
        &mut self,
        buf: &mut [u8],
        deadline: Instant,
        first: &mut bool,
    ) -> io::Result<()> {
        let mut filled = 0;
        while filled < buf.len() {
            if self.stream.buffer().is_empty() {
                if !*first {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(io::ErrorKind::TimedOut.into());
                    }
                    self.stream.get_ref().set_read_timeout(Some(left))?;
                    self.timeout_shortened = true;
                }
                *first = false;
            }
            match self.stream.read(&mut buf[filled..]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sends the request in `self.w` and reads the response, which must be `expected` or FAILURE
    /// (returned as [`Error::Server`]; the stream stays usable).
    fn call(&mut self, request: u8, expected: u8) -> Result<()> {
        if self.broken {
            return Err(Error::Broken);
        }
        // A result set still open would put its batches before our response.
        self.close_rows()?;
        let r = write_within(self.stream.get_ref(), self.w.as_bytes(), &self.opts);
        r.map_err(|e| self.fail_io("write", e))?;
        self.expect(request, expected)
    }

    fn expect(&mut self, request: u8, expected: u8) -> Result<()> {
        let header = self.recv()?;
        match header.mtype {
            t if t == expected => Ok(()),
            response::FAILURE => {
                Err(message::decode_failure(&self.body).inspect_err(|_| self.broken = true)?)
            }
            got => {
                self.broken = true;
                Err(Error::Unexpected {
                    request,
                    expected,
                    got,
                })
            }
        }
    }

    fn decoded<T>(&mut self, r: std::result::Result<T, crate::DecodeError>) -> Result<T> {
        r.map_err(|e| {
            self.broken = true;
            Error::Decode(e)
        })
    }

    /// LEADER: the node's view of the current leader, `None` while there is none.
    pub fn leader(&mut self) -> Result<Option<(u64, String)>> {
        message::encode_word(&mut self.w, request::LEADER, 0)?;
        self.call(request::LEADER, response::SERVER)?;
        let r = message::decode_server(&self.body);
        self.decoded(r)
    }

    /// CLIENT: registers this connection as a client; returns the heartbeat timeout (ms).
    pub fn register_client(&mut self) -> Result<u64> {
        message::encode_word(&mut self.w, request::CLIENT, self.opts.client_id)?;
        self.call(request::CLIENT, response::WELCOME)?;
        let r = message::decode_welcome(&self.body);
        self.decoded(r)
    }

    /// OPEN: opens (creating if needed) the database `name` on this connection.
    pub fn open(&mut self, name: &str) -> Result<u32> {
        message::encode_open(&mut self.w, name)?;
        self.call(request::OPEN, response::DB)?;
        let r = message::decode_db(&self.body);
        let id = self.decoded(r)?;
        self.db = Some(id);
        Ok(id)
    }

    fn db_id(&self) -> Result<u32> {
        self.db.ok_or(Error::NoDatabase)
    }

    /// PREPARE: compiles one statement on the leader.
    pub fn prepare(&mut self, sql: &str) -> Result<StmtInfo> {
        let db = self.db_id()?;
        message::encode_prepare(&mut self.w, db, sql)?;
        self.call(request::PREPARE, response::STMT)?;
        let r = message::decode_stmt(&self.body, self.schema);
        self.decoded(r)
    }

    /// EXEC: runs a prepared statement with `params`.
    pub fn exec(&mut self, stmt: StmtInfo, params: &[ValueRef<'_>]) -> Result<ExecResult> {
        message::encode_stmt_call(&mut self.w, request::EXEC, stmt, params)?;
        self.call(request::EXEC, response::RESULT)?;
        let r = message::decode_result(&self.body);
        self.decoded(r)
    }

    /// QUERY: runs a prepared statement and streams its rows.
    pub fn query(&mut self, stmt: StmtInfo, params: &[ValueRef<'_>]) -> Result<Rows<'_>> {
        message::encode_stmt_call(&mut self.w, request::QUERY, stmt, params)?;
        self.call(request::QUERY, response::ROWS)?;
        self.start_rows()?;
        Ok(Rows { conn: self })
    }

    /// QUERY without a borrow: the rows are then read with [`Connection::next_row`] until it
    /// returns `None`, or abandoned with [`Connection::close_rows`] (any other request closes
    /// them too).
    pub fn start_query(&mut self, stmt: StmtInfo, params: &[ValueRef<'_>]) -> Result<()> {
        message::encode_stmt_call(&mut self.w, request::QUERY, stmt, params)?;
        self.call(request::QUERY, response::ROWS)?;
        self.start_rows()
    }

    /// FINALIZE: releases a prepared statement.
    pub fn finalize(&mut self, stmt: StmtInfo) -> Result<()> {
        message::encode_finalize(&mut self.w, stmt)?;
        self.call(request::FINALIZE, response::EMPTY)
    }

    /// EXEC_SQL: runs SQL text (several statements allowed; parameters bind to the first).
    pub fn exec_sql(&mut self, sql: &str, params: &[ValueRef<'_>]) -> Result<ExecResult> {
        let db = self.db_id()?;
        message::encode_sql(&mut self.w, request::EXEC_SQL, db, sql, params)?;
        self.call(request::EXEC_SQL, response::RESULT)?;
        let r = message::decode_result(&self.body);
        self.decoded(r)
    }

    /// QUERY_SQL: runs one query given as text and streams its rows.
    pub fn query_sql(&mut self, sql: &str, params: &[ValueRef<'_>]) -> Result<Rows<'_>> {
        let db = self.db_id()?;
        message::encode_sql(&mut self.w, request::QUERY_SQL, db, sql, params)?;
        self.call(request::QUERY_SQL, response::ROWS)?;
        self.start_rows()?;
        Ok(Rows { conn: self })
    }

    /// QUERY_SQL without a borrow; see [`Connection::start_query`].
    pub fn start_query_sql(&mut self, sql: &str, params: &[ValueRef<'_>]) -> Result<()> {
        let db = self.db_id()?;
        message::encode_sql(&mut self.w, request::QUERY_SQL, db, sql, params)?;
        self.call(request::QUERY_SQL, response::ROWS)?;
        self.start_rows()
    }

    fn start_rows(&mut self) -> Result<()> {
        let c = &mut self.cursor;
        c.names.clear();
        let mut r = Reader::new(&self.body);
        let n = get_columns(&mut r, |s| c.names.push(s.to_string())).map(|n| (n, r.pos()));
        let (n, pos) = match n {
            Ok(v) => v,
            Err(e) => {
                self.broken = true;
                return Err(Error::Decode(e));
            }
        };
        c.cells.clear();
        c.cells.resize(n, Cell::default());
        c.pos = pos;
        c.batches = 1;
        c.done = false;
        c.active = true;
        Ok(())
    }

    /// Column names of the current result set (empty when none is open).
    pub fn columns(&self) -> &[String] {
        if self.cursor.active {
            &self.cursor.names
        } else {
            &[]
        }
    }

    /// How many ROWS messages (batches) the current result set has received so far.
    pub fn batches(&self) -> u64 {
        self.cursor.batches
    }

    /// The next row of the current result set, `None` at its end or when none is open. Rows
    /// are decoded in place from the batch just received: nothing is allocated per row or
    /// value. Batches after the first are read as the previous one is used up.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        loop {
            let c = &mut self.cursor;
            if !c.active || c.done {
                return Ok(None);
            }
            let mut r = Reader::new(&self.body);
            let step = r
                .take(c.pos)
                .and_then(|_| next_row(&mut r, c.cells.len(), &mut c.cells).map(|s| (s, r.pos())));
            let (step, pos) = match step {
                Ok(v) => v,
                Err(e) => {
                    self.broken = true;
                    return Err(Error::Decode(e));
                }
            };
            c.pos = pos;
            match step {
                RowStep::Row => {
                    return Ok(Some(Row {
                        body: &self.body,
                        cells: &self.cursor.cells,
                    }))
                }
                RowStep::Done => {
                    c.done = true;
                    return Ok(None);
                }
                RowStep::Part => self.next_batch()?,
            }
        }
    }

    fn next_batch(&mut self) -> Result<()> {
        if let Err(e) = self.expect(request::QUERY, response::ROWS) {
            // A FAILURE ends the response cleanly; anything else broke the stream.
            self.cursor.done = true;
            return Err(e);
        }
        let mut r = Reader::new(&self.body);
        let n = get_columns(&mut r, |_| {}).map(|n| (n, r.pos()));
        let (n, pos) = self.decoded(n)?;
        if n != self.cursor.cells.len() {
            self.broken = true;
            return Err(Error::Decode(crate::DecodeError::BadCount {
                at: 0,
                count: n as u64,
            }));
        }
        self.cursor.pos = pos;
        self.cursor.batches += 1;
        Ok(())
    }

    /// Closes the current result set: if the server may still be sending it, INTERRUPT and
    /// drain (bounded by [`INTERRUPT_DRAIN_TIMEOUT`]). A no-op when none is open.
    pub fn close_rows(&mut self) -> Result<()> {
        let c = &mut self.cursor;
        let pending = c.active && !c.done;
        c.active = false;
        if pending && !self.broken {
            self.interrupt_and_drain()
        } else {
            Ok(())
        }
    }

    /// INTERRUPT: stops the query running on this connection's database and drains its
    /// remaining batches (bounded by [`INTERRUPT_DRAIN_TIMEOUT`]). Harmless when none runs.
    pub fn interrupt(&mut self) -> Result<()> {
        if self.broken {
            return Err(Error::Broken);
        }
        self.cursor.active = false;
        self.interrupt_and_drain()
    }

    fn interrupt_and_drain(&mut self) -> Result<()> {
        let db = self.db_id()?;
        // Encoded apart from `self.w`, which may hold the request that made us close the rows.
        let header = Header {
            words: 1,
            mtype: request::INTERRUPT,
            schema: 0,
        };
        let mut msg = [0u8; 2 * WORD];
        msg[..WORD].copy_from_slice(&header.encode());
        msg[WORD..].copy_from_slice(&(db as u64).to_le_bytes());
        let r = write_within(self.stream.get_ref(), &msg, &self.opts);
        r.map_err(|e| self.fail_io("write", e))?;
        let deadline = Instant::now() + INTERRUPT_DRAIN_TIMEOUT;
        loop {
            let header = self.recv()?;
            match header.mtype {
                response::EMPTY => return Ok(()),
                // Batches of the interrupted query, or its FAILURE ("interrupted"): skip.
                response::ROWS | response::FAILURE => {}
                got => {
                    self.broken = true;
                    return Err(Error::Unexpected {
                        request: request::INTERRUPT,
                        expected: response::EMPTY,
                        got,
                    });
                }
            }
            if Instant::now() >= deadline {
                self.broken = true;
                return Err(Error::Timeout {
                    addr: self.addr.clone(),
                    op: "interrupt drain",
                    after: INTERRUPT_DRAIN_TIMEOUT,
                });
            }
        }
    }

    /// CLUSTER: the members with their roles.
    pub fn cluster(&mut self) -> Result<Vec<NodeInfo>> {
        message::encode_word(&mut self.w, request::CLUSTER, message::CLUSTER_FORMAT_V1)?;
        self.call(request::CLUSTER, response::SERVERS)?;
        let r = message::decode_servers(&self.body);
        self.decoded(r)
    }

    /// ADD: adds node `id` at `address` as a spare (send to the leader).
    pub fn add_node(&mut self, id: u64, address: &str) -> Result<()> {
        message::encode_add(&mut self.w, id, address)?;
        self.call(request::ADD, response::EMPTY)
    }

    /// ASSIGN: gives node `id` a role (send to the leader).
    pub fn assign_role(&mut self, id: u64, role: Role) -> Result<()> {
        message::encode_assign(&mut self.w, id, role)?;
        self.call(request::ASSIGN, response::EMPTY)
    }

    /// REMOVE: removes node `id` from the cluster (send to the leader).
    pub fn remove_node(&mut self, id: u64) -> Result<()> {
        message::encode_word(&mut self.w, request::REMOVE, id)?;
        self.call(request::REMOVE, response::EMPTY)
    }

    /// TRANSFER: hands leadership to node `id` (send to the leader).
    pub fn transfer_leadership(&mut self, id: u64) -> Result<()> {
        message::encode_word(&mut self.w, request::TRANSFER, id)?;
        self.call(request::TRANSFER, response::EMPTY)
    }
}

/// `write_all` bounded by `write_timeout` for the whole request: the first `write` runs under
/// the socket's standing timeout (one call for the usual small request), later ones get only the
/// time left, so a server that reads slowly cannot stretch the wait.
fn write_within(mut s: &TcpStream, bytes: &[u8], opts: &Options) -> io::Result<()> {
    let deadline = Instant::now() + opts.write_timeout;
    let mut sent = 0;
    let mut shortened = false;
    let r = loop {
        if sent == bytes.len() {
            break Ok(());
        }
        if sent > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Err(io::ErrorKind::TimedOut.into());
            }
            if let Err(e) = s.set_write_timeout(Some(left)) {
                break Err(e);
            }
            shortened = true;
        }
        match s.write(&bytes[sent..]) {
            Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => sent += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    if shortened {
        s.set_write_timeout(Some(opts.write_timeout))?;
    }
    r
}

fn classify_io(addr: &str, op: &'static str, e: io::Error, after: Duration) -> Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout {
            addr: addr.to_string(),
            op,
            after,
        },
        _ => Error::Io {
            addr: addr.to_string(),
            source: e,
        },
    }
}

/// A result set being streamed, borrowing its connection until it is read to the end or
/// dropped (dropping it early interrupts the query and drains it). The borrow-free form is
/// [`Connection::start_query_sql`] + [`Connection::next_row`].
#[derive(Debug)]
pub struct Rows<'c> {
    conn: &'c mut Connection,
}

impl Rows<'_> {
    /// Column names.
    pub fn columns(&self) -> &[String] {
        self.conn.columns()
    }

    /// How many ROWS messages (batches) were received so far.
    pub fn batches(&self) -> u64 {
        self.conn.batches()
    }

    /// The next row, `None` at the end; see [`Connection::next_row`].
    #[allow(clippy::should_implement_trait)] // a lending iterator: rows borrow the batch buffer
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        self.conn.next_row()
    }

    /// Calls `f` for every remaining row; stops at the first error `f` or the stream returns.
    pub fn for_each(mut self, mut f: impl FnMut(&Row<'_>) -> Result<()>) -> Result<()> {
        while let Some(row) = self.next()? {
            f(&row)?;
        }
        Ok(())
    }
}

impl Drop for Rows<'_> {
    fn drop(&mut self) {
        // Abandoned mid-stream: stop the server and swallow the rest so the next request reads
        // its own response. A failure here leaves the connection marked broken.
        let _ = self.conn.close_rows();
    }
}

/// One row of a [`Rows`] stream, valid until the next call to [`Rows::next`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    body: &'a [u8],
    cells: &'a [Cell],
}

impl<'a> Row<'a> {
    /// Number of columns.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The value of column `i` (0-based), `None` past the last column.
    pub fn get(&self, i: usize) -> Option<ValueRef<'a>> {
        let cell = self.cells.get(i)?;
        let mut r = Reader::new(self.body);
        r.take(cell.start as usize).ok()?;
        // Validated when the row was decoded, so this cannot fail.
        crate::value::get_value(&mut r, cell.ty).ok()
    }
}
