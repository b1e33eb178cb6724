//! Joining a running node to a cluster through the protocol: ask the leader for the members
//! (CLUSTER), then ADD this node (it joins as a spare) and ASSIGN it the voter role. Idempotent:
//! a node already listed as a voter with its address is left alone (a restart with `--join`), a
//! node listed in another role is only promoted. Every request goes through shmlite-dqlite's
//! leader discovery, so seeds that are followers, or a leader change meanwhile, are fine.

use std::time::{Duration, Instant};

use shmlite_dqlite::{Cluster, NodeInfo, Options, Role};

use crate::error::{Error, Result};

/// Bound on joining: leader discovery, ADD, ASSIGN (the leader first catches the new node up),
/// and the retries while another membership change is in progress (two nodes joining at once).
/// A request already sent when it expires still gets its read timeout
/// (`shmlite_dqlite::conn::DEFAULT_READ_TIMEOUT`, 10 s) to answer.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(60);
/// First pause after a failed attempt (doubling up to [`JOIN_BACKOFF_MAX`]).
pub const JOIN_BACKOFF_MIN: Duration = Duration::from_millis(100);
/// Longest pause between attempts.
pub const JOIN_BACKOFF_MAX: Duration = Duration::from_secs(2);

/// What joining did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// ADD, then ASSIGN voter: the node is new to the cluster.
    Added,
    /// ASSIGN voter only: the node was a member in another role.
    Promoted,
    /// Nothing: the node was a voter already (a restart).
    AlreadyVoter,
}

/// The result of [`join`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// What was done.
    pub action: Action,
    /// The members as the leader listed them at the end (this node a voter among them).
    pub members: Vec<NodeInfo>,
}

/// The next request, given the member list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Done,
    Assign,
    Add,
}

fn plan(id: u64, address: &str, members: &[NodeInfo]) -> Result<Step> {
    match members.iter().find(|m| m.id == id) {
        Some(m) if m.address != address => Err(Error::Conflict(format!(
            "node id {id} is already a member with address {}, this node's address is {address}: \
             give this node another id, or remove the old member first",
            m.address
        ))),
        Some(m) if m.role == Role::Voter => Ok(Step::Done),
        Some(_) => Ok(Step::Assign),
        None => match members.iter().find(|m| m.address == address) {
            Some(m) => Err(Error::Conflict(format!(
                "address {address} already belongs to member {} (this node has id {id}): a \
                 restarted node must keep its id",
                m.id
            ))),
            None => Ok(Step::Add),
        },
    }
}

/// Why one attempt did not finish.
enum Attempt {
    /// Give up now (the member list conflicts with this node).
    Fatal(Error),
    /// Try again after a pause, until the deadline.
    Retry(String),
}

impl From<shmlite_dqlite::Error> for Attempt {
    fn from(e: shmlite_dqlite::Error) -> Self {
        Attempt::Retry(e.to_string())
    }
}

/// Makes node `id` at `address` (already started, so the leader can reach it) a voter of the
/// cluster `seeds` belong to, within `timeout`.
pub fn join(id: u64, address: &str, seeds: &[String], timeout: Duration) -> Result<Joined> {
    let started = Instant::now();
    let deadline = started + timeout;
    let cluster =
        Cluster::new(seeds.iter().cloned(), Options::default()).with_leader_timeout(timeout);
    let mut action: Option<Action> = None;
    let mut backoff = JOIN_BACKOFF_MIN;
    loop {
        let attempt = (|| -> std::result::Result<Option<Vec<NodeInfo>>, Attempt> {
            let mut leader = cluster.connect_leader_until(deadline)?;
            let members = leader.cluster()?;
            match plan(id, address, &members).map_err(Attempt::Fatal)? {
                Step::Done => return Ok(Some(members)),
                Step::Add => {
                    leader.add_node(id, address)?;
                    action.get_or_insert(Action::Added);
                    leader.assign_role(id, Role::Voter)?;
                }
                Step::Assign => {
                    leader.assign_role(id, Role::Voter)?;
                    action.get_or_insert(Action::Promoted);
                }
            }
            Ok(None) // verify with a fresh CLUSTER in the next round
        })();
        let last = match attempt {
            Ok(Some(members)) => {
                return Ok(Joined {
                    action: action.unwrap_or(Action::AlreadyVoter),
                    members,
                })
            }
            Ok(None) => {
                backoff = JOIN_BACKOFF_MIN;
                "the member list did not show this node as a voter yet".to_owned()
            }
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Retry(e)) => e,
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::Join {
                seeds: seeds.join(","),
                waited: now - started,
                last,
            });
        }
        std::thread::sleep(backoff.min(deadline - now));
        backoff = (backoff * 2).min(JOIN_BACKOFF_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: u64, address: &str, role: Role) -> NodeInfo {
        NodeInfo {
            id,
            address: address.into(),
            role,
        }
    }

    #[test]
    fn plan_adds_promotes_or_leaves_alone() {
        let a = "127.0.0.1:9002";
        let one = member(1, "127.0.0.1:9001", Role::Voter);
        assert_eq!(plan(2, a, std::slice::from_ref(&one)).unwrap(), Step::Add);
        assert_eq!(
            plan(2, a, &[one.clone(), member(2, a, Role::Spare)]).unwrap(),
            Step::Assign
        );
        assert_eq!(
            plan(2, a, &[one.clone(), member(2, a, Role::Standby)]).unwrap(),
            Step::Assign
        );
        assert_eq!(
            plan(2, a, &[one.clone(), member(2, a, Role::Voter)]).unwrap(),
            Step::Done
        );
    }

    #[test]
    fn plan_refuses_an_id_or_address_taken_by_another_member() {
        let one = member(1, "127.0.0.1:9001", Role::Voter);
        let e = plan(1, "127.0.0.1:9002", std::slice::from_ref(&one)).unwrap_err();
        assert!(
            e.to_string().contains("node id 1 is already a member"),
            "{e}"
        );
        let e = plan(7, "127.0.0.1:9001", &[one]).unwrap_err();
        assert!(e.to_string().contains("already belongs to member 1"), "{e}");
    }

    #[test]
    fn join_is_bounded_when_no_seed_answers() {
        // Port 1 on loopback: connection refused at once, so the bound is what ends it.
        let seeds = vec!["127.0.0.1:1".to_string()];
        let e = join(2, "127.0.0.1:9002", &seeds, Duration::from_millis(600)).unwrap_err();
        assert!(matches!(e, Error::Join { .. }), "{e}");
        assert!(e.to_string().contains("127.0.0.1:1"), "{e}");
    }
}
