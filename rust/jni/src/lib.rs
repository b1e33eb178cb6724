//! shmlite-jni: the native methods of `dev.shmlite.jdbc.Native`, each a thin call into
//! shmlite-core wrapped in [`boundary::cold`] (jni's safe `Env` API) or, when it can run per
//! statement or per transaction, [`boundary::guard`] (raw jni-sys); no panic crosses into the
//! JVM either way (see `boundary`).
//!
//! Handle contract (Native.java): a session handle is a `Box<Handle>` pointer, used only under
//! the owning Java connection's lock and zeroed there before `close` frees it, so the pointer
//! is valid and exclusively ours in every call. Cancel handles are `Arc<CancelSlot>` pointers,
//! freed only when Java guarantees no concurrent `cancel`.

// The raw JNI calls on the hot paths (`boundary::raw`) go through the function table
// (`((**env).v1_1.F)(env, ...)`: a pointer read and a call per JNI function), several to a block
// under one SAFETY comment that states the block's contract; splitting them per operation would
// only repeat it.
#![allow(clippy::multiple_unsafe_ops_per_block)]

mod boundary;
mod interrupt;
mod node;
mod register;

use boundary::{cold, guard, raw, Failure};
use jni::objects::{JClass, JIntArray, JObjectArray, JString};
use jni::sys::{
    jboolean, jbyteArray, jclass, jint, jintArray, jlong, jlongArray, jobjectArray, jstring, JNIEnv,
};
use jni::EnvUnowned;
use shmlite_core::backup::Transfer;
use shmlite_core::control::CancelSlot;
use shmlite_core::savepoint::SavepointOp;
use shmlite_core::session::StmtInfo;
use shmlite_core::wire::{Header, HEADER};
use shmlite_core::{registry, Error, Session};
use std::sync::Arc;

/// A session plus staging buffers reused across calls (no allocation per execute).
struct Handle {
    session: Session,
    params: Vec<u8>,
    out: Vec<u8>,
}

/// The session behind a handle from `Native.open` (0: closed).
///
/// # Safety
/// `ptr` is 0 or a handle `open` returned and `close` has not freed, and the caller runs under
/// the owning Java connection's lock (module contract), so the returned reference is the only
/// one for as long as it is used.
unsafe fn handle<'a>(ptr: jlong) -> Result<&'a mut Handle, Failure> {
    if ptr == 0 {
        return Err(Error::Closed("connection").into());
    }
    // SAFETY: the caller's contract: a live `Box<Handle>` pointer, used by this call alone.
    Ok(unsafe { &mut *(ptr as *mut Handle) })
}

fn millis(v: jint) -> u32 {
    v.max(0) as u32
}

/// When the JVM loads the library: registers the native methods with their checked signatures
/// (a mismatch fails the load, see `register`) and the interrupt probe (Thread.interrupt() ends
/// lock and pool waits).
#[no_mangle]
pub extern "system" fn JNI_OnLoad(
    vm: *mut jni::sys::JavaVM,
    _reserved: *mut std::ffi::c_void,
) -> jint {
    if let Some(env) = (!vm.is_null())
        .then(|| interrupt::current_env(vm))
        .flatten()
    {
        if !register::register(env) {
            // The JVM's NoClassDefFoundError/NoSuchMethodError stays pending: System.load throws it.
            return jni::sys::JNI_ERR;
        }
    }
    interrupt::install(vm);
    jni::sys::JNI_VERSION_1_6
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_open<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    url: JString<'local>,
    keys: JObjectArray<'local, JString<'local>>,
    values: JObjectArray<'local, JString<'local>>,
) -> jlong {
    cold(&mut env, |env| {
        let url = boundary::read_string(env, &url)?;
        let keys = boundary::read_string_array(env, &keys)?;
        let values = boundary::read_string_array(env, &values)?;
        if keys.len() != values.len() {
            return Err(Error::Misuse("keys and values differ in length".into()).into());
        }
        let pairs: Vec<(String, String)> = keys.into_iter().zip(values).collect();
        let session = Session::open(&url, &pairs)?;
        let h = Box::new(Handle {
            session,
            params: Vec::new(),
            out: Vec::new(),
        });
        Ok(Box::into_raw(h) as jlong)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_settings<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    session: jlong,
) -> jobjectArray {
    cold(&mut env, |env| {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let h = unsafe { handle(session) }?;
        let mut items = Vec::new();
        for (k, v) in h.session.config().settings() {
            items.push(Some(k.to_owned()));
            items.push(Some(v));
        }
        items.push(Some("database_key".to_owned()));
        items.push(h.session.database_key().map(str::to_owned));
        items.push(Some("sqlite_version".to_owned()));
        items.push(Some(h.session.sqlite_version()?));
        boundary::new_string_array(env, &items)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_close<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    session: jlong,
    reclaimed: jboolean,
) {
    cold(&mut env, |_| {
        if session == 0 {
            return Ok(());
        }
        // SAFETY: Java zeroes the handle under the connection lock before calling close, so this
        // is the last use of the pointer; it came from Box::into_raw in `open`.
        let mut h = unsafe { Box::from_raw(session as *mut Handle) };
        h.session.close(reclaimed);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_cancelHandle<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    session: jlong,
) -> jlong {
    cold(&mut env, |_| {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(Arc::into_raw(unsafe { handle(session) }?.session.cancel_slot()) as jlong)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_cancel<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    cancel: jlong,
    statement_id: jlong,
) {
    cold(&mut env, |_| {
        if cancel != 0 {
            // SAFETY: a live Arc<CancelSlot> pointer from cancelHandle; Java frees it only when no
            // cancel can run concurrently. CancelSlot is Sync.
            let slot = unsafe { &*(cancel as *const CancelSlot) };
            slot.cancel(statement_id as u64);
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_abort<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    cancel: jlong,
) {
    cold(&mut env, |_| {
        if cancel != 0 {
            // SAFETY: as in `cancel`.
            let slot = unsafe { &*(cancel as *const CancelSlot) };
            slot.abort();
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_freeCancelHandle<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    cancel: jlong,
) {
    cold(&mut env, |_| {
        if cancel != 0 {
            // SAFETY: from Arc::into_raw in cancelHandle, freed exactly once (Java zeroes it).
            drop(unsafe { Arc::from_raw(cancel as *const CancelSlot) });
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_prepare(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    statement_id: jlong,
    sql: jbyteArray,
    info: jintArray,
) -> jlong {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let h = unsafe { handle(session) }?;
        h.session.set_call_owner(statement_id as u64);
        let len = raw::byte_len(env, sql)?;
        raw::read_bytes(env, sql, len, &mut h.params)?;
        let i = h.session.prepare(&h.params)?;
        raw::write_ints(env, info, &info_ints(&i))?;
        Ok(i.handle)
    })
}

/// `Native.prepare`'s info slots, by their names in Native.java (reported by `Native.layout`).
const INFO_PARAMS: usize = 0;
const INFO_COLUMNS: usize = 1;
const INFO_READONLY: usize = 2;
const INFO_TAIL: usize = 3;
const INFO_COLUMNS_ID_HI: usize = 4;
const INFO_COLUMNS_ID_LO: usize = 5;
const INFO_SIZE: usize = 6;

/// `Native.prepare`'s info slots filled from `i`.
fn info_ints(i: &StmtInfo) -> [i32; INFO_SIZE] {
    let mut info = [0; INFO_SIZE];
    info[INFO_PARAMS] = i.params as i32;
    info[INFO_COLUMNS] = i.columns as i32;
    info[INFO_READONLY] = i.readonly as i32;
    info[INFO_TAIL] = i.tail as i32;
    info[INFO_COLUMNS_ID_HI] = (i.columns_id >> 32) as i32;
    info[INFO_COLUMNS_ID_LO] = i.columns_id as i32;
    info
}

/// The layout the Java side mirrors, as `NAME=value` (wire constants, info slots) and
/// the field order of `Native.properties` rows (`PROP_*`), savepoint operation codes,
/// `describe.FIELDS=n` (strings per column of `Native.columns`, Java's `ColumnInfo.FIELDS`),
/// `stats.INDEX=fieldName` (`Stats::FIELDS`) and `native.name=signature` (the registered
/// methods) lines; compared by `NativeLayoutTest` (cold path,
/// called by tests only).
fn layout() -> Vec<Option<String>> {
    let info = [
        ("INFO_PARAMS", INFO_PARAMS),
        ("INFO_COLUMNS", INFO_COLUMNS),
        ("INFO_READONLY", INFO_READONLY),
        ("INFO_TAIL", INFO_TAIL),
        ("INFO_COLUMNS_ID_HI", INFO_COLUMNS_ID_HI),
        ("INFO_COLUMNS_ID_LO", INFO_COLUMNS_ID_LO),
        ("INFO_SIZE", INFO_SIZE),
    ];
    let wire = shmlite_core::wire::LAYOUT
        .iter()
        .map(|(n, v)| format!("{n}={v}"));
    let info = info.iter().map(|(n, v)| format!("{n}={v}"));
    let rows = shmlite_core::properties::ROW_FIELDS;
    let props = (rows.iter().enumerate())
        .map(|(i, n)| format!("PROP_{n}={i}"))
        .chain(std::iter::once(format!("PROP_FIELDS={}", rows.len())));
    let savepoint = SavepointOp::LAYOUT
        .iter()
        .map(|(n, op)| format!("{n}={}", *op as i32));
    let natives = register::SIGNATURES
        .iter()
        .map(|(n, sig)| format!("native.{n}={sig}"));
    let describe = std::iter::once(format!(
        "describe.FIELDS={}",
        shmlite_core::describe::FIELDS
    ));
    let stats = shmlite_core::stats::Stats::FIELDS
        .iter()
        .enumerate()
        .map(|(i, n)| format!("stats.{i}={n}"));
    wire.chain(info)
        .chain(props)
        .chain(savepoint)
        .chain(describe)
        .chain(stats)
        .chain(natives)
        .map(Some)
        .collect()
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_layout<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
) -> jobjectArray {
    cold(&mut env, |env| boundary::new_string_array(env, &layout()))
}

/// The property table (`shmlite_core::properties::rows`), flattened: `PROP_FIELDS` strings per
/// property in `ROW_FIELDS` order, an empty default as null; defaults for `url`'s target (may
/// be null). Cold: `Driver.getPropertyInfo` only.
#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_properties<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    url: JString<'local>,
) -> jobjectArray {
    cold(&mut env, |env| {
        let url = if url.is_null() {
            None
        } else {
            Some(boundary::read_string(env, &url)?)
        };
        let items: Vec<Option<String>> = shmlite_core::properties::rows(url.as_deref())
            .into_iter()
            .flatten()
            .map(|s| (!s.is_empty()).then_some(s))
            .collect();
        boundary::new_string_array(env, &items)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_describe<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    session: jlong,
    stmt: jlong,
    info: JIntArray<'local>,
) {
    cold(&mut env, |env| {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let i = unsafe { handle(session) }?.session.describe(stmt)?;
        boundary::write_ints(env, &info, &info_ints(&i))
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_columns<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    session: jlong,
    stmt: jlong,
) -> jobjectArray {
    cold(&mut env, |env| {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let cols = unsafe { handle(session) }?.session.columns(stmt)?;
        boundary::new_string_array(env, &cols)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_release(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    stmt: jlong,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(unsafe { handle(session) }?.session.release(stmt)?)
    })
}

/// Runs `f` with the staging out buffer sized like `out`, then copies what was written back to
/// `out` — also when `f` failed, so a failed batch still reports its completed rows.
fn with_out(
    env: *mut JNIEnv,
    h: &mut Handle,
    out: jbyteArray,
    f: impl FnOnce(&mut Session, &[u8], &mut [u8]) -> shmlite_core::Result<()>,
) -> Result<(), Failure> {
    let len = raw::byte_len(env, out)?;
    if len < HEADER {
        return Err(Error::Misuse(format!(
            "out buffer of {len} bytes is smaller than the {HEADER}-byte header"
        ))
        .into());
    }
    if h.out.len() < len {
        h.out.resize(len, 0);
    }
    let buf = &mut h.out[..len];
    // A call that fails before writing a header must not hand back a stale one.
    buf[..HEADER].fill(0);
    let result = f(&mut h.session, &h.params, buf);
    let end = (Header::read(buf).end.max(HEADER as i32) as usize).min(len);
    raw::write_bytes(env, out, &buf[..end]);
    Ok(result?)
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_execute(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    statement_id: jlong,
    stmt: jlong,
    params: jbyteArray,
    param_len: jint,
    out: jbyteArray,
    timeout_ms: jint,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let h = unsafe { handle(session) }?;
        h.session.set_call_owner(statement_id as u64);
        raw::read_bytes(env, params, param_len.max(0) as usize, &mut h.params)?;
        with_out(env, h, out, |s, p, o| {
            s.execute(stmt, p, o, millis(timeout_ms))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_fetch(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    statement_id: jlong,
    stmt: jlong,
    out: jbyteArray,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let h = unsafe { handle(session) }?;
        h.session.set_call_owner(statement_id as u64);
        with_out(env, h, out, |s, _, o| s.fetch(stmt, o))
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_reset(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    stmt: jlong,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(unsafe { handle(session) }?.session.reset(stmt)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_executeBatch(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    statement_id: jlong,
    stmt: jlong,
    params: jbyteArray,
    param_len: jint,
    rows: jint,
    out: jbyteArray,
    timeout_ms: jint,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let h = unsafe { handle(session) }?;
        h.session.set_call_owner(statement_id as u64);
        raw::read_bytes(env, params, param_len.max(0) as usize, &mut h.params)?;
        let rows = rows.max(0) as usize;
        with_out(env, h, out, |s, p, o| {
            s.execute_batch(stmt, p, rows, o, millis(timeout_ms))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_executeScript(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    statement_id: jlong,
    sql: jbyteArray,
    timeout_ms: jint,
) -> jlong {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let h = unsafe { handle(session) }?;
        h.session.set_call_owner(statement_id as u64);
        let len = raw::byte_len(env, sql)?;
        raw::read_bytes(env, sql, len, &mut h.params)?;
        Ok(h.session.execute_script(&h.params, millis(timeout_ms))?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_savepoint<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    session: jlong,
    op: jint,
    name: JString<'local>,
) {
    cold(&mut env, |env| {
        let op = SavepointOp::from_code(op)?;
        let name = boundary::read_string(env, &name)?;
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        let h = unsafe { handle(session) }?;
        h.session.set_call_owner(0); // no statement of the connection owns it
        Ok(h.session.savepoint(op, &name)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_setAutoCommit(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    on: jboolean,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(unsafe { handle(session) }?.session.set_autocommit(on)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_commit(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
) {
    // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
    guard(env, || Ok(unsafe { handle(session) }?.session.commit()?))
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_rollback(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(unsafe { handle(session) }?.session.rollback()?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_inTransaction(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
) -> jboolean {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(unsafe { handle(session) }?.session.in_transaction()?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_setReadOnly(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    on: jboolean,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        unsafe { handle(session) }?.session.set_read_only(on);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_setIsolation(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
    level: jint,
) {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        unsafe { handle(session) }?.session.set_isolation(level);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_ping(
    env: *mut JNIEnv,
    _cls: jclass,
    session: jlong,
) -> jboolean {
    guard(env, || {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(session != 0 && unsafe { handle(session) }?.session.ping())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_databases<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
) -> jobjectArray {
    cold(&mut env, |env| {
        let keys: Vec<Option<String>> = registry::databases().into_iter().map(Some).collect();
        boundary::new_string_array(env, &keys)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_stats<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    key: JString<'local>,
) -> jlongArray {
    cold(&mut env, |env| {
        let key = boundary::read_string(env, &key)?;
        if let Some(db) = registry::lookup(&key)? {
            return boundary::new_long_array(env, &db.snapshot());
        }
        // A dqlite:// database is not in the local registry but in the remote layer's.
        match registry::resolve(&key)?.and_then(|k| shmlite_core::remote::pool::lookup(&k)) {
            Some(remote) => boundary::new_long_array(env, &remote.snapshot()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_drop<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    key: JString<'local>,
) -> jint {
    cold(&mut env, |env| {
        let key = boundary::read_string(env, &key)?;
        Ok(registry::drop_database(&key)?.map_or(-1, |n| n as jint))
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_key<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    url: JString<'local>,
) -> jstring {
    cold(&mut env, |env| {
        let url = boundary::read_string(env, &url)?;
        Ok(match registry::resolve(&url)? {
            Some(key) => boundary::new_string(env, &key)?,
            None => std::ptr::null_mut(),
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_sqliteVersion<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
) -> jstring {
    cold(&mut env, |env| {
        boundary::new_string(env, shmlite_core::sqlite_version())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_awaitChange<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    session: jlong,
    timeout_ms: jint,
) -> jboolean {
    cold(&mut env, |_| {
        // SAFETY: `session` comes from Java's Native call, made under its connection's lock.
        Ok(unsafe { handle(session) }?
            .session
            .await_change(millis(timeout_ms))?)
    })
}

/// Backup handles are `Box<Transfer>` pointers owned by one Java call of `Shmlite.backup` or
/// `Shmlite.restore` (never shared between threads), freed by `backupClose` in its `finally`.
fn transfer<'a>(ptr: jlong) -> Result<&'a mut Transfer, Failure> {
    if ptr == 0 {
        return Err(Error::Closed("backup").into());
    }
    // SAFETY: non-zero handles are live `Box<Transfer>` pointers used by one thread (above).
    Ok(unsafe { &mut *(ptr as *mut Transfer) })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_backupOpen<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    url: JString<'local>,
    path: JString<'local>,
    restore: jboolean,
) -> jlong {
    cold(&mut env, |env| {
        let url = boundary::read_string(env, &url)?;
        let path = boundary::read_string(env, &path)?;
        let t = Transfer::open(&url, std::path::Path::new(&path), restore)?;
        Ok(Box::into_raw(Box::new(t)) as jlong)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_backupStep<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    handle: jlong,
    progress: JIntArray<'local>,
) -> jboolean {
    cold(&mut env, |env| {
        let (remaining, total, done) = transfer(handle)?.step()?;
        boundary::write_ints(env, &progress, &[remaining, total])?;
        Ok(done)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_shmlite_jdbc_Native_backupClose<'local>(
    mut env: EnvUnowned<'local>,
    _cls: JClass<'local>,
    handle: jlong,
) {
    cold(&mut env, |_| {
        if handle != 0 {
            // SAFETY: a live `Box<Transfer>` from backupOpen, freed exactly once (Java's finally).
            drop(unsafe { Box::from_raw(handle as *mut Transfer) });
        }
        Ok(())
    })
}
