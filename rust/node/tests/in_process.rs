//! Three dqlite nodes in this test process through libdqlite (loaded at run time): bootstrap,
//! two joins (ADD + ASSIGN voter), a restart with --join (nothing to do), a commit seen by the
//! cluster, a port already in use, and stop. Skipped, with the reason printed, when libdqlite is
//! not installed (`apt-get install libdqlite0`).

use std::net::TcpListener;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use shmlite_dqlite::{Cluster, Options, Role, ValueRef};
use shmlite_node::join::Action;
use shmlite_node::{Error, Node, NodeConfig};

/// Bound on waiting for the member list to show three voters.
const MEMBERS_TIMEOUT: Duration = Duration::from_secs(60);

/// Lowest port `free_port` hands out.
const PORT_FLOOR: u16 = 20000;
/// How many random ports `free_port` tries to bind before it gives up.
const PORT_TRIES: u32 = 200;

/// A port that was free a moment ago and lies below the kernel's ephemeral range, for a node to
/// listen on. Not port 0's choice: the kernel takes that from the ephemeral range, from which it
/// also gives every outgoing connection (the joins between these nodes among them) its local
/// port, so one could hold the port by the time the node binds it.
fn free_port() -> u16 {
    let range =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let low: u16 = range
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32768);
    assert!(low > PORT_FLOOR + 1000, "ephemeral range starts at {low}");
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id()
        | 1;
    // the ports handed out already in this process (a test takes three before it binds any)
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap();
    for _ in 0..PORT_TRIES {
        // xorshift: a different candidate each try, without a dependency
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let port = PORT_FLOOR + (seed % u32::from(low - PORT_FLOOR)) as u16;
        if !given.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.push(port);
            return port;
        }
    }
    panic!("no free port in {PORT_FLOOR}..{low} after {PORT_TRIES} tries");
}

fn private_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir =
        std::env::temp_dir().join(format!("shmlite-node-test-{}-{nanos}", std::process::id()));
    std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
    dir
}

#[test]
fn three_nodes_bootstrap_join_commit_and_stop() {
    if let Err(e) = Node::library() {
        eprintln!("SKIPPED three_nodes_bootstrap_join_commit_and_stop: {e}");
        return;
    }
    let dir = private_dir();
    let addrs: Vec<String> = (0..3)
        .map(|_| format!("127.0.0.1:{}", free_port()))
        .collect();
    let config = |i: usize, join: bool| NodeConfig {
        id: i as u64 + 1,
        address: addrs[i].clone(),
        bind: None,
        data_dir: dir.join(format!("node{}", i + 1)),
        join: if join { vec![addrs[0].clone()] } else { vec![] },
    };

    let (n1, joined) = Node::start(&config(0, false)).unwrap();
    assert!(joined.is_none());
    let (n2, joined) = Node::start(&config(1, true)).unwrap();
    assert_eq!(joined.unwrap().action, Action::Added);
    let (n3, joined) = Node::start(&config(2, true)).unwrap();
    let joined = joined.unwrap();
    assert_eq!(joined.action, Action::Added);
    assert_eq!(joined.members.len(), 3, "{:?}", joined.members);

    let cluster = Cluster::new(addrs.clone(), Options::default());
    let start = Instant::now();
    loop {
        let nodes = cluster.nodes().unwrap();
        if nodes.len() == 3 && nodes.iter().all(|n| n.role == Role::Voter) {
            break;
        }
        assert!(
            start.elapsed() < MEMBERS_TIMEOUT,
            "never 3 voters: {nodes:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut conn = cluster.open("in_process").unwrap();
    conn.exec_sql("CREATE TABLE t (x INTEGER)", &[]).unwrap();
    conn.exec_sql("INSERT INTO t VALUES (?)", &[ValueRef::Integer(42)])
        .unwrap();
    drop(conn);

    // A second node on node 3's data directory is refused while node 3 runs.
    let mut c = config(2, false);
    c.id = 4;
    c.address = format!("127.0.0.1:{}", free_port());
    c.join = vec![addrs[0].clone()];
    let e = Node::start(&c).unwrap_err();
    assert!(
        e.to_string().contains("another node is running on it"),
        "{e}"
    );

    // Restart node 3 with --join again: it is a voter already, nothing is sent.
    n3.stop().unwrap();
    let (n3, joined) = Node::start(&config(2, true)).unwrap();
    assert_eq!(joined.unwrap().action, Action::AlreadyVoter);

    // A second node on a bound port fails before starting, with libdqlite's call named.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = config(0, false);
    c.id = 9;
    c.address = taken.local_addr().unwrap().to_string();
    c.data_dir = dir.join("node9");
    c.join = vec![addrs[0].clone()];
    let e = Node::start(&c).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Dqlite {
                call: "dqlite_node_set_bind_address",
                ..
            }
        ),
        "{e}"
    );

    // Id 1 is a member at another address: joining with it is refused before any change.
    let mut c = config(1, true);
    c.id = 1;
    c.data_dir = dir.join("node1-again");
    c.address = format!("127.0.0.1:{}", free_port());
    // (check_role refuses id 1 + --join on an empty directory first; with a used one the
    // member list does)
    assert!(Node::start(&c).unwrap_err().is_bad_input());

    let mut conn = cluster.open("in_process").unwrap();
    let mut rows = conn.query_sql("SELECT sum(x) FROM t", &[]).unwrap();
    assert_eq!(
        rows.next().unwrap().unwrap().get(0),
        Some(ValueRef::Integer(42))
    );
    drop(rows);
    drop(conn);

    n3.stop().unwrap();
    n2.stop().unwrap();
    n1.stop().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
