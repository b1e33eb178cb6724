//! The native methods of `dev.shmlite.jdbc.DqliteNode` (the `shmlite node` command): start one
//! dqlite node through shmlite-node (libdqlite loaded at run time, only here), report how it
//! joined, stop it. Cold paths, called once per node.
//!
//! Handle contract (DqliteNode.java): a node handle is a `Box<NodeHandle>` pointer, used only
//! under the owning Java object's lock and zeroed there before `nativeStop` frees it.

use jni::objects::{JClass, JObjectArray, JString};
use jni::sys::{jlong, jobjectArray, jstring};
use jni::{Env, EnvUnowned};
use shmlite_node::join::Action;
use shmlite_node::{Error, Node, NodeConfig};
use std::path::PathBuf;

use crate::boundary::{self, cold, Failure};

/// A started node and what its start did.
struct NodeHandle {
    node: Node,
    joined: String,
}

/// Throws `e` as the `java.sql` exception the CLI maps: 22023 (bad argument, fix the command
/// line), 58P01 (libdqlite missing, PostgreSQL's "undefined file"), 08001 otherwise (the node
/// could not be started or joined; transient when joining ran out of time).
fn throw(env: &mut Env<'_>, e: &Error) {
    let (class, state) = match e {
        _ if e.is_bad_input() => ("java/sql/SQLNonTransientException", "22023"),
        Error::LibraryMissing { .. } => ("java/sql/SQLNonTransientException", "58P01"),
        Error::Join { .. } => ("java/sql/SQLTransientConnectionException", "08001"),
        _ => ("java/sql/SQLNonTransientConnectionException", "08001"),
    };
    boundary::throw(env, class, &e.to_string(), state, 0);
}

/// Runs `f` under [`cold`] (panics become SQLExceptions); a node error is thrown as [`throw`]
/// maps it and `T::default()` returned.
fn node_guard<'local, T: Default>(
    env: &mut EnvUnowned<'local>,
    f: impl FnOnce(&mut Env<'local>) -> Result<Result<T, Error>, Failure>,
) -> T {
    cold(env, |env| match f(env)? {
        Ok(v) => Ok(v),
        Err(e) => {
            throw(env, &e);
            Ok(T::default())
        }
    })
}

fn describe(joined: Option<shmlite_node::Joined>) -> String {
    let Some(j) = joined else {
        return String::new();
    };
    let what = match j.action {
        Action::Added => "added and assigned the voter role",
        Action::Promoted => "a member already, assigned the voter role",
        Action::AlreadyVoter => "a voter already, nothing to change",
    };
    let members: Vec<String> = j
        .members
        .iter()
        .map(|m| format!("{} {} {:?}", m.id, m.address, m.role).to_lowercase())
        .collect();
    format!("{what}; members: {}", members.join(", "))
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_DqliteNode_nativeStart<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    id: jlong,
    address: JString<'local>,
    bind: JString<'local>,
    data_dir: JString<'local>,
    join: JObjectArray<'local, JString<'local>>,
) -> jlong {
    node_guard(&mut env, |env| {
        let bind = if bind.is_null() {
            None
        } else {
            Some(boundary::read_string(env, &bind)?)
        };
        let config = NodeConfig {
            id: id as u64, // Java passes the unsigned id's bits
            address: boundary::read_string(env, &address)?,
            bind,
            data_dir: PathBuf::from(boundary::read_string(env, &data_dir)?),
            join: boundary::read_string_array(env, &join)?,
        };
        Ok(Node::start(&config).map(|(node, joined)| {
            let h = Box::new(NodeHandle {
                node,
                joined: describe(joined),
            });
            Box::into_raw(h) as jlong
        }))
    })
}

/// The node behind a handle from `nativeStart`.
///
/// # Safety
/// `ptr` is a handle `nativeStart` returned that `nativeStop` has not freed, used under the Java
/// object's lock (module contract).
unsafe fn node_handle<'a>(ptr: jlong) -> Option<&'a NodeHandle> {
    // SAFETY: the caller's contract: 0 or a live `Box<NodeHandle>` pointer.
    unsafe { (ptr as *const NodeHandle).as_ref() }
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_DqliteNode_nativeJoined<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    handle: jlong,
) -> jstring {
    cold(&mut env, |env| {
        // SAFETY: `handle` comes from DqliteNode under its lock (module contract).
        let joined = unsafe { node_handle(handle) }.map_or("", |h| h.joined.as_str());
        boundary::new_string(env, joined)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_DqliteNode_nativeStop<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    handle: jlong,
) {
    node_guard(&mut env, |_| {
        if handle == 0 {
            return Ok(Ok(()));
        }
        // SAFETY: a live `Box<NodeHandle>` from nativeStart; Java zeroed its copy under the
        // object's lock before this call, so this is the only owner and it is freed once.
        let h = unsafe { Box::from_raw(handle as *mut NodeHandle) };
        Ok(h.node.stop())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_DqliteNode_nativeLibrary<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
) -> jstring {
    node_guard(&mut env, |env| match Node::library() {
        Ok((name, version)) => {
            let text = format!(
                "{name} {}.{}.{}",
                version / 10000,
                version / 100 % 100,
                version % 100
            );
            Ok(Ok(boundary::new_string(env, &text)?))
        }
        Err(e) => Ok(Err(e)),
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_DqliteNode_nativeSignatures<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
) -> jobjectArray {
    cold(&mut env, |env| {
        let lines: Vec<Option<String>> = crate::register::NODE_SIGNATURES
            .iter()
            .map(|(n, sig)| Some(format!("{n}={sig}")))
            .collect();
        boundary::new_string_array(env, &lines)
    })
}
