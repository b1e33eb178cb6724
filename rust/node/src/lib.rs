//! shmlite-node: runs one dqlite node in this process (what `shmlite node` does).
//!
//! - [`ffi`]: libdqlite's node API loaded at run time (`dlopen` of `libdqlite.so.0`), so the
//!   driver, and `mem:`/`shm:` users, never need libdqlite; a missing library is
//!   [`Error::LibraryMissing`], naming the Debian package.
//! - [`NodeConfig`]: id, address, bind address, data directory and `--join` seeds, validated
//!   before libdqlite sees them.
//! - [`Node`]: a started node; [`Node::stop`] (or drop) stops and destroys it.
//! - [`join`]: adds a started node to an existing cluster through the protocol's membership
//!   requests (CLUSTER, ADD, ASSIGN voter) with shmlite-dqlite's client, idempotently.

pub mod error;
pub mod ffi;
pub mod join;

use std::net::Ipv4Addr;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::PathBuf;

pub use error::{Error, Result, DEBIAN_PACKAGE};
pub use join::{join, Joined, JOIN_TIMEOUT};

/// The ids libdqlite bootstraps a new one-node cluster with when their data directory is empty:
/// 1 (dqlite.h: "the very first node ... must have ID #1") and go-dqlite's bootstrap id, which
/// Debian's `dqlite-demo` gives its first node.
pub const BOOTSTRAP_IDS: [u64; 2] = [1, 0x2dc1_7185_8c31_55be];

/// The file in the data directory a running node holds locked (`flock`), so that a second
/// node on the same directory is refused. libdqlite ignores files it does not know.
pub const LOCK_FILE: &str = "shmlite-node.lock";

/// What a node is started with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    /// Raft id: unique in the cluster, the same on every restart.
    pub id: u64,
    /// The address other nodes and clients reach this node at (IPv4:port).
    pub address: String,
    /// The address the node listens on, when it differs (e.g. `0.0.0.0:9001`); None: `address`.
    pub bind: Option<String>,
    /// Where the node keeps its Raft log and snapshots (created, owner-only, when missing).
    pub data_dir: PathBuf,
    /// Nodes of the cluster to join (host:port each); empty: bootstrap (id 1) or restart.
    pub join: Vec<String>,
}

/// Checks a node or bind address: libdqlite 1.11 parses it as `a.b.c.d:port` (its own parser,
/// `uv_ip4_addr`, IPv4 only, into a 256-byte buffer), so anything else is refused here with the
/// reason instead of failing later inside libdqlite.
pub fn validate_node_address(what: &'static str, addr: &str) -> Result<()> {
    let bad = |reason: &str| Error::BadAddress {
        what,
        addr: addr.to_owned(),
        reason: reason.to_owned(),
    };
    let Some((host, port)) = addr.rsplit_once(':') else {
        return Err(bad("expected IPv4:PORT, e.g. 10.0.0.1:9001"));
    };
    if host.parse::<Ipv4Addr>().is_err() {
        return Err(bad(
            "the host must be an IPv4 address such as 10.0.0.1 or 127.0.0.1: libdqlite's node \
             transport does not resolve names or speak IPv6",
        ));
    }
    check_port(port).map_err(|r| bad(&r))
}

/// Checks a `--join` address: host:port, any host the client can resolve.
pub fn validate_join_address(addr: &str) -> Result<()> {
    let bad = |reason: String| Error::BadAddress {
        what: "join address",
        addr: addr.to_owned(),
        reason,
    };
    let Some((host, port)) = addr.rsplit_once(':') else {
        return Err(bad("expected HOST:PORT, e.g. 10.0.0.1:9001".into()));
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '\0') {
        return Err(bad("empty host or whitespace in it".into()));
    }
    check_port(port).map_err(bad)
}

fn check_port(port: &str) -> std::result::Result<(), String> {
    match port.parse::<u16>() {
        Ok(0) => Err("port 0 is not a port a cluster can reach".into()),
        Ok(_) if port.starts_with('+') => Err(format!("bad port {port:?}")),
        Ok(_) => Ok(()),
        Err(_) => Err(format!("bad port {port:?}: 1 to 65535")),
    }
}

impl NodeConfig {
    /// Checks everything that can be checked without libdqlite: id, addresses, seeds.
    pub fn validate(&self) -> Result<()> {
        if self.id == 0 {
            return Err(Error::BadId { id: 0 });
        }
        validate_node_address("node address", &self.address)?;
        if let Some(b) = &self.bind {
            validate_node_address("bind address", b)?;
        }
        for seed in &self.join {
            validate_join_address(seed)?;
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(Error::DataDir {
                path: self.data_dir.clone(),
                reason: "empty path".into(),
            });
        }
        Ok(())
    }

    /// Creates the data directory when missing (mode 0700) and checks that it is a directory
    /// owned by this user that nobody else can write; returns whether it holds no files yet
    /// (a node that was never started).
    pub fn prepare_data_dir(&self) -> Result<bool> {
        let dir = &self.data_dir;
        let fail = |reason: String| Error::DataDir {
            path: dir.clone(),
            reason,
        };
        let meta = match std::fs::metadata(dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| fail(format!("cannot create it: {e}")))?;
                std::fs::metadata(dir).map_err(|e| fail(e.to_string()))?
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        if !meta.is_dir() {
            return Err(fail("not a directory".into()));
        }
        let me = ffi::euid();
        if meta.uid() != me {
            return Err(fail(format!(
                "owned by uid {}, not by this user (uid {me}): the Raft log must be this node's alone",
                meta.uid()
            )));
        }
        if meta.permissions().mode() & 0o022 != 0 {
            return Err(fail(format!(
                "writable by group or others (mode {:o}): chmod go-w it",
                meta.permissions().mode() & 0o7777
            )));
        }
        let empty = std::fs::read_dir(dir)
            .map_err(|e| fail(e.to_string()))?
            .filter_map(|entry| entry.ok())
            .all(|entry| entry.file_name() == LOCK_FILE);
        Ok(empty)
    }

    /// Opens (creating it owner-only, never through a symlink) and locks the data directory's
    /// [`LOCK_FILE`]: two nodes on one Raft log would corrupt it, so a second node on the same
    /// directory is refused while the first runs. Held as long as the returned file is open.
    pub fn lock_data_dir(&self) -> Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.data_dir.join(LOCK_FILE);
        let fail = |reason: String| Error::DataDir {
            path: self.data_dir.clone(),
            reason,
        };
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| fail(format!("cannot open {LOCK_FILE}: {e}")))?;
        match ffi::try_lock_exclusive(&file) {
            Ok(true) => Ok(file),
            Ok(false) => Err(fail(
                "another node is running on it (its lock file is held): one data directory per node"
                    .into(),
            )),
            Err(e) => Err(fail(format!("cannot lock {LOCK_FILE}: {e}"))),
        }
    }

    /// Refuses the combinations that would split or orphan a cluster, given whether the data
    /// directory is still empty (a node's first start).
    pub fn check_role(&self, empty_data_dir: bool) -> Result<()> {
        if !empty_data_dir {
            return Ok(()); // a restart: the node knows its cluster from its Raft log
        }
        let bootstraps = BOOTSTRAP_IDS.contains(&self.id);
        if bootstraps && !self.join.is_empty() {
            return Err(Error::Refused(format!(
                "node id {} bootstraps a new cluster of its own when its data directory is empty, \
                 so it cannot --join another one: give the joining node another id",
                self.id
            )));
        }
        if !bootstraps && self.join.is_empty() {
            return Err(Error::Refused(format!(
                "node {} is new (empty data directory {}) and would belong to no cluster: give \
                 --join HOST:PORT of a running node, or start the first node with --id 1",
                self.id,
                self.data_dir.display()
            )));
        }
        Ok(())
    }
}

/// A running dqlite node. [`Node::stop`] stops it; dropping a running node stops it too.
#[derive(Debug)]
pub struct Node {
    raw: ffi::RawNode,
    /// The data directory's lock, released after the node is stopped and destroyed (fields drop
    /// in declaration order, `raw` first).
    _lock: std::fs::File,
    running: bool,
    id: u64,
    address: String,
}

impl Node {
    /// Validates `config`, prepares the data directory, loads libdqlite, creates, binds and
    /// starts the node (it then accepts connections), and with `--join` seeds adds it to their
    /// cluster as a voter ([`join`], bounded by [`JOIN_TIMEOUT`]). A failed join stops the node
    /// again.
    pub fn start(config: &NodeConfig) -> Result<(Node, Option<Joined>)> {
        config.validate()?;
        let empty = config.prepare_data_dir()?;
        let lock = config.lock_data_dir()?;
        config.check_role(empty)?;
        let lib = ffi::library()?;
        let data_dir = config.data_dir.to_str().ok_or_else(|| Error::DataDir {
            path: config.data_dir.clone(),
            reason: "not valid UTF-8".into(),
        })?;
        let mut raw = ffi::RawNode::create(lib, config.id, &config.address, data_dir)?;
        raw.set_bind_address(config.bind.as_deref().unwrap_or(&config.address))?;
        raw.start()?;
        let mut node = Node {
            raw,
            _lock: lock,
            running: true,
            id: config.id,
            address: config.address.clone(),
        };
        if config.join.is_empty() {
            return Ok((node, None));
        }
        match join(config.id, &config.address, &config.join, JOIN_TIMEOUT) {
            Ok(joined) => Ok((node, Some(joined))),
            Err(e) => {
                let _ = node.stop_in_place();
                Err(e)
            }
        }
    }

    /// The node's Raft id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The node's cluster address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Which libdqlite file was loaded, and its version number.
    pub fn library() -> Result<(&'static str, i32)> {
        let lib = ffi::library()?;
        Ok((lib.name(), lib.version()))
    }

    fn stop_in_place(&mut self) -> Result<()> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        self.raw.stop()
    }

    /// Stops the node (`dqlite_node_stop`: no new connections, in-flight requests finish, the
    /// node's thread is joined) and destroys it.
    pub fn stop(mut self) -> Result<()> {
        self.stop_in_place()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.stop_in_place();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(id: u64, address: &str, join: &[&str]) -> NodeConfig {
        NodeConfig {
            id,
            address: address.into(),
            bind: None,
            data_dir: PathBuf::from("/nonexistent/data"),
            join: join.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn node_addresses_must_be_ipv4_with_a_port() {
        for ok in ["127.0.0.1:9001", "10.0.0.1:1", "0.0.0.0:65535"] {
            validate_node_address("node address", ok).unwrap();
        }
        for (bad, why) in [
            ("127.0.0.1", "expected IPv4:PORT"),
            ("localhost:9001", "IPv4 address"),
            ("[::1]:9001", "IPv4 address"),
            ("h1:9001", "IPv4 address"),
            ("127.0.0.1:0", "port 0"),
            ("127.0.0.1:65536", "1 to 65535"),
            ("127.0.0.1:+80", "bad port"),
            ("127.0.0.1:x", "bad port"),
            ("", "expected IPv4:PORT"),
        ] {
            let e = validate_node_address("node address", bad).unwrap_err();
            assert!(e.is_bad_input());
            assert!(e.to_string().contains(why), "{bad}: {e}");
            assert!(e.to_string().contains("node address"), "{e}");
        }
    }

    #[test]
    fn join_addresses_may_be_names() {
        validate_join_address("h1.example:9001").unwrap();
        validate_join_address("127.0.0.1:39301").unwrap();
        for bad in ["h1", ":9001", "h 1:9001", "h1:0", "h1:99999"] {
            let e = validate_join_address(bad).unwrap_err();
            assert!(e.to_string().contains("join address"), "{e}");
        }
    }

    #[test]
    fn id_zero_is_refused() {
        let e = config(0, "127.0.0.1:9001", &[]).validate().unwrap_err();
        assert!(matches!(e, Error::BadId { id: 0 }), "{e}");
        assert!(e.to_string().contains("id 1 bootstraps"), "{e}");
    }

    #[test]
    fn a_bad_join_seed_is_named() {
        let e = config(2, "127.0.0.1:9002", &["127.0.0.1:9001", "nope"])
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
    }

    #[test]
    fn first_starts_that_would_split_or_orphan_a_cluster_are_refused() {
        // id 1 on an empty directory bootstraps: joining as well would make two clusters.
        let e = config(1, "127.0.0.1:9001", &["127.0.0.1:9002"])
            .check_role(true)
            .unwrap_err();
        assert!(e.to_string().contains("cannot --join"), "{e}");
        let e = config(BOOTSTRAP_IDS[1], "127.0.0.1:9001", &["127.0.0.1:9002"])
            .check_role(true)
            .unwrap_err();
        assert!(e.is_bad_input(), "{e}");
        // any other id on an empty directory without --join belongs to no cluster.
        let e = config(2, "127.0.0.1:9002", &[])
            .check_role(true)
            .unwrap_err();
        assert!(e.to_string().contains("--join"), "{e}");
        // allowed: bootstrap, join, and every restart.
        config(1, "127.0.0.1:9001", &[]).check_role(true).unwrap();
        config(2, "127.0.0.1:9002", &["127.0.0.1:9001"])
            .check_role(true)
            .unwrap();
        config(2, "127.0.0.1:9002", &[]).check_role(false).unwrap();
        config(1, "127.0.0.1:9001", &["127.0.0.1:9002"])
            .check_role(false)
            .unwrap();
    }

    fn temp_dir(test: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let base = std::env::temp_dir().join(format!(
            "shmlite-node-{test}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&base)
            .unwrap();
        base
    }

    #[test]
    fn the_data_dir_is_created_owner_only_and_checked() {
        let base = temp_dir("datadir");
        let mut c = config(1, "127.0.0.1:9001", &[]);
        c.data_dir = base.join("a/b");
        assert!(c.prepare_data_dir().unwrap(), "new directory is empty");
        let mode = std::fs::metadata(&c.data_dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        std::fs::write(c.data_dir.join("metadata1"), b"x").unwrap();
        assert!(!c.prepare_data_dir().unwrap(), "not empty after a start");

        std::fs::set_permissions(&c.data_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = c.prepare_data_dir().unwrap_err();
        assert!(e.to_string().contains("writable by group or others"), "{e}");

        std::fs::set_permissions(&c.data_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let held = c.lock_data_dir().unwrap();
        let e = c.lock_data_dir().unwrap_err();
        assert!(
            e.to_string().contains("another node is running on it"),
            "{e}"
        );
        drop(held);
        let again = c.lock_data_dir().unwrap();
        drop(again);
        std::fs::remove_file(c.data_dir.join("metadata1")).unwrap();
        assert!(
            c.prepare_data_dir().unwrap(),
            "the lock file alone leaves it empty"
        );

        std::fs::write(base.join("a/file"), b"x").unwrap();
        c.data_dir = base.join("a/file");
        let e = c.prepare_data_dir().unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
