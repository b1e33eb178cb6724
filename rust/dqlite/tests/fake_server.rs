//! The connection's protocol logic against a scripted fake server on loopback (no dqlite
//! needed, runs in plain `cargo test`): timeouts are bounded and break the connection, corrupt
//! headers are typed errors, rows stream across batches, an abandoned result set is interrupted
//! and drained so the next request reads its own answer.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use shmlite_dqlite::message::{request, response};
use shmlite_dqlite::value::put_rows;
use shmlite_dqlite::wire::{Header, Writer, PROTOCOL_VERSION, WORD};
use shmlite_dqlite::{Cluster, Connection, DecodeError, Error, Options, ValueRef};

/// Read timeout the tests give the client: short, so the timeout test is quick.
const TEST_READ_TIMEOUT: Duration = Duration::from_millis(200);

fn opts() -> Options {
    Options {
        read_timeout: TEST_READ_TIMEOUT,
        ..Options::default()
    }
}

/// Reads one request; `None` when the client closed the connection.
fn read_request(s: &mut TcpStream) -> Option<(Header, Vec<u8>)> {
    let mut word = [0; WORD];
    s.read_exact(&mut word).ok()?;
    let h = Header::decode(word).unwrap();
    let mut body = vec![0; h.body_len()];
    s.read_exact(&mut body).ok()?;
    Some((h, body))
}

fn send(s: &mut TcpStream, w: &mut Writer, mtype: u8) {
    let msg = w.finish(mtype, 0).unwrap();
    s.write_all(msg).unwrap();
}

/// Accepts one client, checks the handshake word, then runs `script`.
fn serve(script: impl FnOnce(&mut TcpStream) + Send + 'static) -> (String, JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let h = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut v = [0; WORD];
        s.read_exact(&mut v).unwrap();
        assert_eq!(u64::from_le_bytes(v), PROTOCOL_VERSION);
        script(&mut s);
    });
    (addr, h)
}

#[test]
fn silent_server_times_out_and_breaks_the_connection() {
    let (addr, h) = serve(|s| {
        let _ = read_request(s);
        // Never answer; wait for the client to give up and close.
        let _ = read_request(s);
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    let err = c.leader().unwrap_err();
    assert!(matches!(err, Error::Timeout { op: "read", .. }), "{err:?}");
    assert!(err.is_connection_lost() && c.is_broken());
    assert!(matches!(c.leader(), Err(Error::Broken)));
    drop(c);
    h.join().unwrap();
}

#[test]
fn oversized_header_is_a_typed_error() {
    let (addr, h) = serve(|s| {
        let _ = read_request(s);
        let huge = Header {
            words: u32::MAX,
            mtype: response::SERVER,
            schema: 0,
        };
        s.write_all(&huge.encode()).unwrap();
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    let err = c.leader().unwrap_err();
    assert!(
        matches!(err, Error::Decode(DecodeError::TooLarge { .. })),
        "{err:?}"
    );
    assert!(c.is_broken());
    h.join().unwrap();
}

#[test]
fn wrong_response_type_is_a_typed_error() {
    let (addr, h) = serve(|s| {
        let _ = read_request(s);
        let mut w = Writer::default();
        w.begin().put_u64(0);
        send(s, &mut w, response::EMPTY);
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    let err = c.leader().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unexpected {
                request: request::LEADER,
                expected: response::SERVER,
                got: response::EMPTY
            }
        ),
        "{err:?}"
    );
    h.join().unwrap();
}

fn open_db(s: &mut TcpStream, w: &mut Writer) {
    let (h, _) = read_request(s).unwrap();
    assert_eq!(h.mtype, request::OPEN);
    w.begin().put_u32(3).put_u32(0);
    send(s, w, response::DB);
}

#[test]
fn rows_stream_across_batches_and_abandoned_rows_are_drained() {
    let (addr, h) = serve(|s| {
        let mut w = Writer::default();
        open_db(s, &mut w);
        // First query: two batches of two rows.
        let (h, _) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::QUERY_SQL);
        for (base, more) in [(0, true), (2, false)] {
            w.begin();
            let rows: Vec<Vec<ValueRef<'_>>> = (base..base + 2)
                .map(|i| vec![ValueRef::Integer(i), ValueRef::Text(b"t")])
                .collect();
            put_rows(&mut w, &["n", "s"], &rows, more).unwrap();
            send(s, &mut w, response::ROWS);
        }
        // Second query: the client stops after one row of the first batch.
        let (h, _) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::QUERY_SQL);
        w.begin();
        let seven = vec![vec![ValueRef::Integer(7)]; 3];
        put_rows(&mut w, &["n"], &seven, true).unwrap();
        send(s, &mut w, response::ROWS);
        // The client must now interrupt; answer with one more batch, then EMPTY.
        let (h, body) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::INTERRUPT);
        assert_eq!(u64::from_le_bytes(body[..8].try_into().unwrap()), 3);
        w.begin();
        put_rows(&mut w, &["n"], &[vec![ValueRef::Integer(8)]], true).unwrap();
        send(s, &mut w, response::ROWS);
        w.begin().put_u64(0);
        send(s, &mut w, response::EMPTY);
        // Third request, answered in sync.
        let (h, _) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::EXEC_SQL);
        w.begin().put_u64(42).put_u64(1);
        send(s, &mut w, response::RESULT);
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    assert_eq!(c.open("db").unwrap(), 3);
    let mut rows = c.query_sql("SELECT n, s", &[]).unwrap();
    assert_eq!(rows.columns(), ["n", "s"]);
    let mut seen = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        seen.push(row.get(0).unwrap().as_i64().unwrap());
        assert_eq!(row.get(1), Some(ValueRef::Text(b"t")));
    }
    assert_eq!(seen, [0, 1, 2, 3]);
    assert_eq!(rows.batches(), 2);
    drop(rows);
    let mut rows = c.query_sql("SELECT n", &[]).unwrap();
    assert_eq!(
        rows.next().unwrap().unwrap().get(0),
        Some(ValueRef::Integer(7))
    );
    drop(rows); // interrupts and drains
    assert!(!c.is_broken());
    let r = c.exec_sql("INSERT", &[]).unwrap();
    assert_eq!((r.last_insert_id, r.rows_affected), (42, 1));
    h.join().unwrap();
}

#[test]
fn failure_mid_stream_ends_the_result_and_keeps_the_connection() {
    let (addr, h) = serve(|s| {
        let mut w = Writer::default();
        open_db(s, &mut w);
        let _ = read_request(s).unwrap();
        w.begin();
        put_rows(&mut w, &["n"], &[vec![ValueRef::Integer(1)]], true).unwrap();
        send(s, &mut w, response::ROWS);
        w.begin().put_u64(9).put_text(b"interrupted").unwrap();
        send(s, &mut w, response::FAILURE);
        let _ = read_request(s).unwrap();
        w.begin().put_u64(0).put_u64(0);
        send(s, &mut w, response::RESULT);
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    c.open("db").unwrap();
    let mut rows = c.query_sql("SELECT n", &[]).unwrap();
    assert!(rows.next().unwrap().is_some());
    let err = rows.next().unwrap_err();
    assert_eq!(err.code(), Some(9));
    drop(rows);
    assert!(!c.is_broken());
    c.exec_sql("SELECT 1", &[]).unwrap();
    h.join().unwrap();
}

#[test]
fn leader_search_over_dead_seeds_ends_at_its_bound() {
    // Port 1 on loopback refuses connections.
    let cluster = Cluster::new(["127.0.0.1:1", "127.0.0.1:1"], Options::default())
        .with_leader_timeout(Duration::from_millis(200));
    let err = cluster.connect_leader().unwrap_err();
    assert!(matches!(err, Error::NoLeader { .. }), "{err:?}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
    let bad = Cluster::new(["no-such-host.invalid:9001"], Options::default())
        .with_leader_timeout(Duration::from_millis(100));
    assert!(matches!(bad.connect_leader(), Err(Error::NoLeader { .. })));
}

#[test]
fn borrow_free_rows_are_closed_by_the_next_request() {
    let (addr, h) = serve(|s| {
        let mut w = Writer::default();
        open_db(s, &mut w);
        let (h, _) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::QUERY_SQL);
        w.begin();
        put_rows(&mut w, &["n"], &[vec![ValueRef::Integer(7)]], true).unwrap();
        send(s, &mut w, response::ROWS);
        // The client's next request must be preceded by INTERRUPT.
        let (h, _) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::INTERRUPT);
        w.begin();
        put_rows(&mut w, &["n"], &[vec![ValueRef::Integer(8)]], false).unwrap();
        send(s, &mut w, response::ROWS);
        w.begin().put_u64(0);
        send(s, &mut w, response::EMPTY);
        let (h, _) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::EXEC_SQL);
        w.begin().put_u64(5).put_u64(1);
        send(s, &mut w, response::RESULT);
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    c.open("db").unwrap();
    c.start_query_sql("SELECT n", &[]).unwrap();
    assert_eq!(c.columns(), ["n"]);
    let first = c.next_row().unwrap().unwrap().get(0);
    assert_eq!(first, Some(ValueRef::Integer(7)));
    let r = c.exec_sql("INSERT", &[]).unwrap();
    assert_eq!(r.last_insert_id, 5);
    assert!(!c.is_broken());
    assert!(c.next_row().unwrap().is_none());
    assert!(c.columns().is_empty());
    h.join().unwrap();
}

#[test]
fn statements_before_open_are_refused_without_a_round_trip() {
    let (addr, h) = serve(|s| {
        // Only the LEADER request arrives: the refused calls send nothing.
        let (h, _) = read_request(s).unwrap();
        assert_eq!(h.mtype, request::LEADER);
        let mut w = Writer::default();
        w.begin().put_u64(0).put_text(b"").unwrap();
        send(s, &mut w, response::SERVER);
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    assert!(matches!(
        c.exec_sql("SELECT 1", &[]),
        Err(Error::NoDatabase)
    ));
    assert!(matches!(c.prepare("SELECT 1"), Err(Error::NoDatabase)));
    assert!(matches!(
        c.query_sql("SELECT 1", &[]),
        Err(Error::NoDatabase)
    ));
    assert_eq!(c.leader().unwrap(), None);
    h.join().unwrap();
}

/// A server that trickles a response one byte at a time, each byte well within the per-read
/// timeout: the whole message must still arrive within `read_timeout`, or the call fails.
#[test]
fn trickling_server_cannot_stretch_the_read_bound() {
    /// Pause between two trickled bytes: half the client's read timeout.
    const DRIP: Duration = Duration::from_millis(100);
    let (addr, h) = serve(|s| {
        let _ = read_request(s);
        let mut w = Writer::default();
        w.begin().put_u64(1).put_text(b"127.0.0.1:1").unwrap();
        let msg = w.finish(response::SERVER, 0).unwrap().to_vec();
        for b in msg {
            if s.write_all(&[b]).is_err() {
                return; // the client gave up
            }
            std::thread::sleep(DRIP);
        }
    });
    let mut c = Connection::connect(&addr, &opts()).unwrap();
    let err = c.leader().unwrap_err();
    assert!(matches!(err, Error::Timeout { op: "read", .. }), "{err:?}");
    assert!(c.is_broken());
    drop(c);
    h.join().unwrap();
}

/// A server that reads a large request slowly, each read well within the per-write timeout: the
/// whole request must still be sent within `write_timeout`, or the call fails.
#[test]
fn slow_reading_server_cannot_stretch_the_write_bound() {
    /// Bytes the fake server reads per sip, and the pause between sips.
    const SIP: usize = 4096;
    const PAUSE: Duration = Duration::from_millis(20);
    /// Far more than the kernel's socket buffers absorb.
    const BLOB: usize = 48 << 20;
    let stop = Arc::new(AtomicBool::new(false));
    let server_stop = Arc::clone(&stop);
    let (addr, h) = serve(move |s| {
        let mut w = Writer::default();
        open_db(s, &mut w);
        let mut buf = [0u8; SIP];
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 || server_stop.load(Ordering::Relaxed) {
                return; // the client gave up
            }
            std::thread::sleep(PAUSE);
        }
    });
    let o = Options {
        write_timeout: Duration::from_millis(300),
        ..opts()
    };
    let mut c = Connection::connect(&addr, &o).unwrap();
    c.open("db").unwrap();
    let blob = vec![7u8; BLOB];
    let err = c
        .exec_sql("INSERT INTO t VALUES (?)", &[ValueRef::Blob(&blob)])
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { op: "write", .. }), "{err:?}");
    assert!(c.is_broken());
    stop.store(true, Ordering::Relaxed);
    drop(c);
    h.join().unwrap();
}
