//! Membership requests against a real cluster (what `shmlite node --join` will use): ASSIGN a
//! follower's role away and back, REMOVE it and ADD it again as a voter, TRANSFER leadership to
//! it. Its own test binary: it changes the cluster under the other tests' feet otherwise.
//! Skipped, with the reason printed, when SHMLITE_DQLITE_SEEDS is not set.

mod common;

use std::time::{Duration, Instant};

use shmlite_dqlite::{Cluster, NodeInfo, Role, ValueRef};

/// Bound on waiting for the cluster to show a membership change.
const CHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Polls the member list until `ok` holds, within [`CHANGE_TIMEOUT`].
fn wait_for(cluster: &Cluster, what: &str, ok: impl Fn(&[NodeInfo]) -> bool) -> Vec<NodeInfo> {
    let start = Instant::now();
    loop {
        if let Ok(nodes) = cluster.nodes() {
            if ok(&nodes) {
                return nodes;
            }
        }
        assert!(
            start.elapsed() < CHANGE_TIMEOUT,
            "cluster never showed: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn role_of(nodes: &[NodeInfo], id: u64) -> Option<Role> {
    nodes.iter().find(|n| n.id == id).map(|n| n.role)
}

#[test]
fn assign_remove_add_and_transfer() {
    let Some(seeds) = common::seeds("assign_remove_add_and_transfer") else {
        return;
    };
    let cluster = common::cluster(&seeds);
    let nodes = wait_for(&cluster, "3 voters", |n| {
        n.len() == 3 && n.iter().all(|x| x.role == Role::Voter)
    });
    let leader_addr = cluster.connect_leader().unwrap().addr().to_string();
    let follower = nodes
        .iter()
        .find(|n| n.address != leader_addr)
        .unwrap()
        .clone();

    // ASSIGN: voter → standby → voter.
    cluster
        .connect_leader()
        .unwrap()
        .assign_role(follower.id, Role::Standby)
        .unwrap();
    wait_for(&cluster, "follower standby", |n| {
        role_of(n, follower.id) == Some(Role::Standby)
    });
    cluster
        .connect_leader()
        .unwrap()
        .assign_role(follower.id, Role::Voter)
        .unwrap();
    wait_for(&cluster, "follower voter again", |n| {
        role_of(n, follower.id) == Some(Role::Voter)
    });

    // REMOVE, then ADD (joins as a spare) and ASSIGN voter: what a joining node does.
    cluster
        .connect_leader()
        .unwrap()
        .remove_node(follower.id)
        .unwrap();
    wait_for(&cluster, "follower removed", |n| {
        n.len() == 2 && role_of(n, follower.id).is_none()
    });
    let mut leader = cluster.connect_leader().unwrap();
    leader.add_node(follower.id, &follower.address).unwrap();
    leader.assign_role(follower.id, Role::Voter).unwrap();
    drop(leader);
    wait_for(&cluster, "follower back as voter", |n| {
        n.len() == 3 && n.iter().all(|x| x.role == Role::Voter)
    });

    // The cluster still commits.
    let name = common::db_name("membership");
    let mut conn = cluster.open(&name).unwrap();
    conn.exec_sql("CREATE TABLE m (x INTEGER)", &[]).unwrap();
    conn.exec_sql("INSERT INTO m VALUES (?)", &[ValueRef::Integer(1)])
        .unwrap();
    drop(conn);

    // TRANSFER leadership to the re-added node; discovery follows it.
    let changes = cluster.leader_changes();
    cluster
        .connect_leader()
        .unwrap()
        .transfer_leadership(follower.id)
        .unwrap();
    let start = Instant::now();
    loop {
        if let Ok(c) = cluster.connect_leader() {
            if c.addr() == follower.address {
                break;
            }
        }
        assert!(start.elapsed() < CHANGE_TIMEOUT, "leadership never moved");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(cluster.leader_changes() > changes);
    let mut conn = cluster.open(&name).unwrap();
    let mut rows = conn.query_sql("SELECT count(*) FROM m", &[]).unwrap();
    assert_eq!(
        rows.next().unwrap().unwrap().get(0),
        Some(ValueRef::Integer(1))
    );
}
