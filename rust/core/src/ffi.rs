//! The FFI layer: raw SQLite statements and the C callbacks (unlock-notify, busy, progress).
//!
//! rusqlite's `Statement` borrows its `Connection`, so it cannot live in a JNI handle between
//! calls; these wrappers own a `sqlite3_stmt*` instead. This module holds the core's SQLite
//! statement and callback `unsafe` code, and `geteuid`. The only other `unsafe` is in
//! `watch.rs` (inotify/poll/mmap), `sqlite_mutex.rs` (mutex methods, futex calls) and
//! `memvfs.rs` (the in-memory VFS's methods); the workspace lints make each block carry its
//! `// SAFETY:` comment. The invariant every block relies on: a [`Stmt`] is finalized before the
//! connection it came from is closed, which `conn::NativeConn` guarantees by owning both and
//! dropping its statements first (and `session::Session` by releasing its statements into that
//! cache before it gives the connection back).

use crate::control::Control;
use crate::reset::{Marks, Verdict};
use libsqlite3_sys as sys;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr::{self, NonNull};

/// The process's effective user id (`geteuid`), for `shm::current_uid`.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid takes no arguments, touches no memory of ours and cannot fail.
    unsafe { libc::geteuid() }
}

/// Process-wide SQLite settings, applied once before the first connection opens. Memory
/// statistics off: with them on, every SQLite allocation takes one global mutex, which all
/// connections of the process (every reader and the writer) contend on; nothing here reads them.
pub fn configure_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config with an int argument, as SQLITE_CONFIG_MEMSTATUS takes. Before
        // sqlite3_initialize it applies; after (another library in the process initialized
        // SQLite first) it returns SQLITE_MISUSE and changes nothing, which is harmless.
        unsafe {
            sys::sqlite3_config(sys::SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
        }
        let mutexes = crate::sqlite_mutex::methods();
        // SAFETY: SQLITE_CONFIG_MUTEX copies the struct of function pointers we pass; the
        // functions stay valid for the life of the library. Refused (MISUSE) once SQLite is
        // initialized, and then SQLite keeps its own mutexes, which is only slower.
        unsafe {
            sys::sqlite3_config(sys::SQLITE_CONFIG_MUTEX, &mutexes as *const _);
        }
        install_allocation_guard();
        crate::memvfs::register();
    });
}

/// SQLite's own allocator, wrapped by the allocation guard.
struct DefaultMem(sys::sqlite3_mem_methods);
// SAFETY: the methods are plain C function pointers and SQLite's app-data pointer, used by SQLite
// from any thread (SQLite's allocator is thread-safe in THREADSAFE=1 builds); we only read them.
unsafe impl Send for DefaultMem {}
// SAFETY: as for Send.
unsafe impl Sync for DefaultMem {}

static DEFAULT_MEM: std::sync::OnceLock<DefaultMem> = std::sync::OnceLock::new();

/// Wraps SQLite's allocator so that an allocation fails when the calling thread's stack is
/// nearly used up (`stack::refuse_allocation`): deep recursion then ends in SQLITE_NOMEM
/// instead of a stack overflow. Only before sqlite3_initialize; otherwise nothing changes.
fn install_allocation_guard() {
    // SAFETY: sqlite3_mem_methods is a C struct of integers, pointers and Option<fn>, for
    // which all-zero bytes are valid (NULL pointers, None).
    let mut m: sys::sqlite3_mem_methods = unsafe { std::mem::zeroed() };
    // SAFETY: SQLITE_CONFIG_GETMALLOC fills the struct we pass (defaults when none was set); it
    // refuses (MISUSE) once SQLite is initialized, and then we install nothing.
    let got = unsafe { sys::sqlite3_config(sys::SQLITE_CONFIG_GETMALLOC, &mut m as *mut _) };
    if got != sys::SQLITE_OK || m.xMalloc.is_none() || m.xRealloc.is_none() {
        return;
    }
    if DEFAULT_MEM.set(DefaultMem(m)).is_err() {
        return;
    }
    let guarded = sys::sqlite3_mem_methods {
        xMalloc: Some(guarded_malloc),
        xRealloc: Some(guarded_realloc),
        ..m
    };
    // SAFETY: SQLITE_CONFIG_MALLOC copies the struct we pass; the wrappers call the defaults
    // saved in DEFAULT_MEM just above. Refused (MISUSE) once SQLite is initialized.
    unsafe { sys::sqlite3_config(sys::SQLITE_CONFIG_MALLOC, &guarded as *const _) };
}

unsafe extern "C" fn guarded_malloc(n: c_int) -> *mut c_void {
    if crate::stack::refuse_allocation() {
        return ptr::null_mut();
    }
    match DEFAULT_MEM.get().and_then(|m| m.0.xMalloc) {
        // SAFETY: SQLite's own xMalloc (set before this wrapper was installed), called as
        // SQLite would call it.
        Some(malloc) => unsafe { malloc(n) },
        None => ptr::null_mut(),
    }
}

unsafe extern "C" fn guarded_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    if crate::stack::refuse_allocation() {
        return ptr::null_mut(); // SQLite keeps `p` valid when a realloc fails
    }
    match DEFAULT_MEM.get().and_then(|m| m.0.xRealloc) {
        // SAFETY: SQLite's own xRealloc, with the pointer SQLite passed.
        Some(realloc) => unsafe { realloc(p, n) },
        None => ptr::null_mut(),
    }
}

/// A connection handle owned elsewhere (by a `rusqlite::Connection` in `conn::NativeConn`).
#[derive(Debug, Clone, Copy)]
pub struct Db(NonNull<sys::sqlite3>);

// SAFETY: SQLite is built THREADSAFE=1, so a connection may move between threads as long as one
// thread uses it at a time; the session/pool ownership rules guarantee that.
unsafe impl Send for Db {}

impl Db {
    /// The raw handle of a rusqlite connection.
    pub fn of(conn: &rusqlite::Connection) -> Db {
        // SAFETY: `handle()` returns the live handle of an open connection; we never close it
        // through this copy, and `NativeConn` keeps the connection alive while a `Db` is used.
        let raw = unsafe { conn.handle() };
        Db(NonNull::new(raw).expect("an open rusqlite connection has a handle"))
    }

    fn raw(self) -> *mut sys::sqlite3 {
        self.0.as_ptr()
    }

    /// SQL of this connection's statements that are running (stepped, not reset or done), but
    /// `except`: what holds a table when SQLite says SQLITE_LOCKED to this connection.
    pub fn running_statements_except(self, except: &Stmt) -> Vec<String> {
        /// Bound on how many are named in an error message.
        const MAX: usize = 8;
        let mut out = Vec::new();
        // The connection is live and used by this thread only (session rule); nothing changes
        // its statement list during the walk, and each pointer is a live statement whose SQL is
        // copied at once.
        // SAFETY: as above; a null previous statement starts the walk.
        let mut p = unsafe { sys::sqlite3_next_stmt(self.raw(), ptr::null_mut()) };
        while !p.is_null() && out.len() < MAX {
            // SAFETY: `p` is a live statement of this connection (from sqlite3_next_stmt).
            let busy = p != except.raw() && unsafe { sys::sqlite3_stmt_busy(p) } != 0;
            if busy {
                // SAFETY: as above; the text is owned by the statement.
                let sql = unsafe { sys::sqlite3_sql(p) };
                if !sql.is_null() {
                    // SAFETY: a NUL-terminated string valid while the statement lives.
                    let text = unsafe { CStr::from_ptr(sql) };
                    out.push(text.to_string_lossy().into_owned());
                }
            }
            // SAFETY: `p` is a live statement of this connection.
            p = unsafe { sys::sqlite3_next_stmt(self.raw(), p) };
        }
        out
    }

    /// The most recent error message of the connection.
    pub fn errmsg(self) -> String {
        // SAFETY: live handle (module invariant).
        let p = unsafe { sys::sqlite3_errmsg(self.raw()) };
        // SAFETY: sqlite3_errmsg never returns NULL for a live handle; the NUL-terminated text
        // is copied before any other call on the connection.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    /// Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
    pub fn changes(self) -> i64 {
        // SAFETY: live handle.
        unsafe { sys::sqlite3_changes64(self.raw()) }
    }

    /// The update count of what ran since `total_changes` read `before`: the last DML
    /// statement's `changes`, or 0 when no DML statement ran since (`changes` would still
    /// report an earlier statement's count).
    pub fn changes_since(self, before: i64) -> i64 {
        if self.total_changes() != before {
            self.changes()
        } else {
            0
        }
    }

    /// Rows changed since the connection opened (grows only when a DML statement ran).
    pub fn total_changes(self) -> i64 {
        // SAFETY: live handle.
        unsafe { sys::sqlite3_total_changes64(self.raw()) }
    }

    /// Rowid of the most recent successful INSERT on this connection.
    pub fn last_insert_rowid(self) -> i64 {
        // SAFETY: live handle.
        unsafe { sys::sqlite3_last_insert_rowid(self.raw()) }
    }

    /// True when no transaction is open.
    pub fn autocommit(self) -> bool {
        // SAFETY: live handle.
        unsafe { sys::sqlite3_get_autocommit(self.raw()) != 0 }
    }

    /// True when the connection holds no transaction (not even the read transaction of an
    /// unfinished statement in autocommit mode): it holds no lock another connection waits for.
    pub fn holds_no_transaction(self) -> bool {
        // SAFETY: live handle; a NULL schema asks for the highest state over all schemas.
        let state = unsafe { sys::sqlite3_txn_state(self.raw(), ptr::null()) };
        state == sys::SQLITE_TXN_NONE
    }

    /// True when the connection holds a read transaction and no write transaction on any of its
    /// databases: a write now is an upgrade, for which SQLite does not call the busy handler.
    pub fn holds_read_only(self) -> bool {
        // SAFETY: live handle; a NULL schema asks for the highest state over all schemas.
        let state = unsafe { sys::sqlite3_txn_state(self.raw(), ptr::null()) };
        state == sys::SQLITE_TXN_READ
    }

    /// Installs the busy and progress handlers that consult `ctl` (deadlines and cancellation).
    pub fn install_handlers(self, ctl: &Control) {
        let arg = ctl as *const Control as *mut c_void;
        // SAFETY: live handle; `ctl` is kept alive by `NativeConn` for as long as the connection
        // is open (it is dropped after the connection), so the callbacks never see a dangling arg.
        unsafe { sys::sqlite3_busy_handler(self.raw(), Some(busy_callback), arg) };
        // SAFETY: as for the busy handler just above.
        unsafe {
            sys::sqlite3_progress_handler(self.raw(), PROGRESS_OPS, Some(progress_callback), arg)
        };
    }

    /// Installs the WAL hook that checkpoints by `ctl`'s limits (replaces SQLite's autocheckpoint).
    pub fn install_wal_hook(self, ctl: &Control) {
        let arg = ctl as *const Control as *mut c_void;
        // SAFETY: as install_handlers: `ctl` outlives the open connection.
        unsafe {
            sys::sqlite3_wal_hook(self.raw(), Some(wal_callback), arg);
        }
    }

    /// Installs the authorizer that records in `marks` what statements being prepared change
    /// on the connection (pragmas, ATTACH, TEMP objects) and refuses process-wide pragmas.
    pub fn install_authorizer(self, marks: &Marks) {
        let arg = marks as *const Marks as *mut c_void;
        // SAFETY: live handle; `marks` is owned by `NativeConn` (boxed, so it does not move) and
        // dropped after the connection closes, so the callback never sees a dangling arg.
        unsafe {
            sys::sqlite3_set_authorizer(self.raw(), Some(authorizer_callback), arg);
        }
    }

    /// Sets an on/off `sqlite3_db_config` option (e.g. SQLITE_DBCONFIG_DEFENSIVE) without SQL,
    /// so it needs no lock; returns the value now in effect.
    pub fn set_config_flag(self, op: c_int, on: bool) -> bool {
        let mut now: c_int = -1;
        // SAFETY: live handle; the on/off options take (int, int*) as documented for
        // c3ref/c_dbconfig_defensive.html; `now` is a valid local.
        unsafe {
            sys::sqlite3_db_config(self.raw(), op, on as c_int, &mut now as *mut c_int);
        }
        now == 1
    }

    /// Reads an on/off `sqlite3_db_config` option.
    pub fn config_flag(self, op: c_int) -> bool {
        let mut now: c_int = -1;
        // SAFETY: as set_config_flag; a negative first argument only reads the option.
        unsafe {
            sys::sqlite3_db_config(self.raw(), op, -1 as c_int, &mut now as *mut c_int);
        }
        now == 1
    }

    /// Sets what `last_insert_rowid()` reports (0 on a fresh connection).
    pub fn set_last_insert_rowid(self, rowid: i64) {
        // SAFETY: live handle.
        unsafe { sys::sqlite3_set_last_insert_rowid(self.raw(), rowid) }
    }

    /// Puts SQLite's own WAL auto-checkpoint (every `pages` frames) back as the WAL hook.
    pub fn set_wal_autocheckpoint(self, pages: c_int) {
        // SAFETY: live handle.
        unsafe {
            sys::sqlite3_wal_autocheckpoint(self.raw(), pages);
        }
    }

    /// Keeps the WAL and `-shm` files when this connection closes (`SQLITE_FCNTL_PERSIST_WAL`).
    pub fn set_persist_wal(self) {
        let mut on: c_int = 1;
        // SAFETY: live handle; PERSIST_WAL takes a pointer to an int, read (and written back)
        // during the call only. The main schema's file always exists once the db is open.
        unsafe {
            sys::sqlite3_file_control(
                self.raw(),
                c"main".as_ptr(),
                sys::SQLITE_FCNTL_PERSIST_WAL,
                &mut on as *mut c_int as *mut c_void,
            );
        }
    }

    /// Registers `ctl` to be notified when the connection blocking this one ends its transaction.
    /// Returns SQLITE_OK, or SQLITE_LOCKED when waiting would deadlock (nothing is registered then).
    pub fn unlock_notify(self, ctl: &Control) -> c_int {
        let arg = ctl as *const Control as *mut c_void;
        // SAFETY: live handle; the registration is either fired or cancelled by
        // `cancel_unlock_notify` before `ctl` can go away (control::Control::wait_unlock).
        unsafe { sys::sqlite3_unlock_notify(self.raw(), Some(unlock_callback), arg) }
    }

    /// Cancels a pending unlock-notify registration. Once this returns no callback can run for
    /// this connection: callbacks fire under SQLite's main mutex, which this call also takes.
    pub fn cancel_unlock_notify(self) {
        // SAFETY: live handle; a NULL callback cancels (c3ref/unlock_notify.html).
        unsafe {
            sys::sqlite3_unlock_notify(self.raw(), None, ptr::null_mut());
        }
    }
}

/// Virtual-machine instructions between two progress checks (cancel and query timeout).
pub const PROGRESS_OPS: c_int = 1000;

unsafe extern "C" fn unlock_callback(args: *mut *mut c_void, n: c_int) {
    // SAFETY: SQLite passes the `n` args we registered, each a `*const Control` that is alive
    // (see `Db::unlock_notify`). Control::notify does not call into SQLite.
    let args = unsafe { std::slice::from_raw_parts(args, n.max(0) as usize) };
    for &arg in args {
        // SAFETY: each arg is a live `*const Control` (above).
        let ctl = unsafe { &*(arg as *const Control) };
        ctl.notify();
    }
}

unsafe extern "C" fn wal_callback(
    arg: *mut c_void,
    db: *mut sys::sqlite3,
    schema: *const c_char,
    pages: c_int,
) -> c_int {
    // SAFETY: `arg` is the Control installed in `install_wal_hook`, alive while the db is open.
    let ctl = unsafe { &*(arg as *const Control) };
    if let Ok(Some(mode)) = std::panic::catch_unwind(|| ctl.checkpoint_due(pages)) {
        // Writer preference: while the TRUNCATE waits for readers to leave the WAL, no new
        // transaction of this database in this process starts (gate.rs), so readers that
        // overlap cannot keep it waiting to the deadline. Opened when the checkpoint ends.
        let _hold = (mode == sys::SQLITE_CHECKPOINT_TRUNCATE)
            .then(|| ctl.gate().map(|g| g.close()))
            .flatten();
        let mut busy = 0;
        loop {
            // SAFETY: SQLite calls this hook after the commit released its write lock, on the
            // committing connection, where running a checkpoint is allowed (the default hook
            // does). A checkpoint still busy at the deadline is retried at the next commit.
            let rc = unsafe {
                sys::sqlite3_wal_checkpoint_v2(db, schema, mode, ptr::null_mut(), ptr::null_mut())
            };
            // SQLite takes the checkpointer lock without its busy handler: another process
            // checkpointing in a loop would make every attempt fail at once. Retry under the
            // commit's lock deadline, with the busy handler's back-off.
            if rc != sys::SQLITE_BUSY
                || mode == sys::SQLITE_CHECKPOINT_PASSIVE
                || !std::panic::catch_unwind(|| ctl.on_busy(busy)).unwrap_or(false)
            {
                break;
            }
            busy += 1;
        }
    }
    // The commit already happened: report success whatever the checkpoint did.
    sys::SQLITE_OK
}

unsafe extern "C" fn authorizer_callback(
    arg: *mut c_void,
    action: c_int,
    a3: *const c_char,
    a4: *const c_char,
    a5: *const c_char,
    _a6: *const c_char,
) -> c_int {
    // SAFETY: `arg` is the Marks installed in `install_authorizer`, alive while the db is open.
    let marks = unsafe { &*(arg as *const Marks) };
    // SAFETY: SQLite passes NULL or NUL-terminated strings valid for the duration of the call.
    let text = |p: *const c_char| (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes());
    let verdict =
        std::panic::catch_unwind(|| marks.authorize(action, text(a3), text(a4), text(a5)));
    match verdict {
        Ok(Verdict::Allow) => sys::SQLITE_OK,
        // A panic refuses the statement rather than let something unrecorded through.
        Ok(Verdict::Deny) | Err(_) => sys::SQLITE_DENY,
    }
}

unsafe extern "C" fn busy_callback(arg: *mut c_void, count: c_int) -> c_int {
    // SAFETY: `arg` is the Control installed in `install_handlers`, alive while the db is open.
    let ctl = unsafe { &*(arg as *const Control) };
    // A panic must not unwind into SQLite's C frames: give up the wait instead.
    std::panic::catch_unwind(|| ctl.on_busy(count)).unwrap_or(false) as c_int
}

unsafe extern "C" fn progress_callback(arg: *mut c_void) -> c_int {
    // SAFETY: as for busy_callback.
    let ctl = unsafe { &*(arg as *const Control) };
    std::panic::catch_unwind(|| ctl.should_interrupt()).unwrap_or(true) as c_int
}

/// Schema facts of a table column (`sqlite3_table_column_metadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginFacts {
    /// Declared NOT NULL.
    pub not_null: bool,
    /// Part of the PRIMARY KEY.
    pub primary_key: bool,
    /// The rowid alias declared AUTOINCREMENT.
    pub autoincrement: bool,
}

/// An owned prepared statement.
#[derive(Debug)]
pub struct Stmt {
    ptr: NonNull<sys::sqlite3_stmt>,
    /// Unique in the process, so a cached description of the columns can be keyed by it.
    serial: u64,
}

/// Source of `Stmt::serial`.
static NEXT_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

// SAFETY: as for `Db`: used by one thread at a time, finalized before its connection closes.
unsafe impl Send for Stmt {}

/// Outcome of preparing the first statement of some SQL.
pub struct Prepared {
    /// None when the SQL held only whitespace or comments.
    pub stmt: Option<Stmt>,
    /// Byte offset of the first unparsed byte.
    pub tail: usize,
}

impl Stmt {
    /// Prepares the first statement of `sql`; on error returns the extended result code.
    pub fn prepare(db: Db, sql: &[u8], persistent: bool) -> Result<Prepared, c_int> {
        let mut raw = ptr::null_mut();
        let mut tail: *const c_char = ptr::null();
        let flags = if persistent {
            sys::SQLITE_PREPARE_PERSISTENT
        } else {
            0
        };
        let len = c_int::try_from(sql.len()).map_err(|_| sys::SQLITE_TOOBIG)?;
        // SAFETY: live handle; `sql` is valid for `len` bytes (SQLite does not need a NUL when a
        // length is given) and outlives the call; out-pointers are valid locals.
        let rc = unsafe {
            sys::sqlite3_prepare_v3(
                db.raw(),
                sql.as_ptr().cast(),
                len,
                flags,
                &mut raw,
                &mut tail,
            )
        };
        if rc != sys::SQLITE_OK {
            return Err(rc);
        }
        let tail = if tail.is_null() {
            sql.len()
        } else {
            // SAFETY: SQLite sets `tail` inside (or one past the end of) `sql`.
            (unsafe { tail.offset_from(sql.as_ptr().cast()) }) as usize
        };
        Ok(Prepared {
            stmt: NonNull::new(raw).map(|ptr| Stmt {
                ptr,
                serial: NEXT_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            }),
            tail,
        })
    }

    fn raw(&self) -> *mut sys::sqlite3_stmt {
        self.ptr.as_ptr()
    }

    /// Runs the statement one step: SQLITE_ROW, SQLITE_DONE or an extended error code.
    pub fn step(&mut self) -> c_int {
        // SAFETY: live statement (finalized only in Drop) on a live connection.
        unsafe { sys::sqlite3_step(self.raw()) }
    }

    /// Resets the statement so it can run again; bindings are kept.
    pub fn reset(&mut self) {
        // SAFETY: live statement. The return code repeats the last step's error, already handled.
        unsafe {
            sys::sqlite3_reset(self.raw());
        }
    }

    /// Sets every parameter back to NULL.
    pub fn clear_bindings(&mut self) {
        // SAFETY: live statement.
        unsafe {
            sys::sqlite3_clear_bindings(self.raw());
        }
    }

    /// Number of `?` parameters.
    pub fn param_count(&self) -> usize {
        // SAFETY: live statement.
        unsafe { sys::sqlite3_bind_parameter_count(self.raw()) as usize }
    }

    /// Number of result columns (0 for statements that return no rows).
    pub fn column_count(&self) -> usize {
        // SAFETY: live statement.
        unsafe { sys::sqlite3_column_count(self.raw()) as usize }
    }

    /// Identifies what the columns look like: a new value for every compiled statement and for
    /// every recompilation SQLite did after a schema change (which can change the columns).
    pub fn columns_id(&self) -> i64 {
        // SAFETY: live statement; reading a counter without resetting it.
        let recompiled =
            unsafe { sys::sqlite3_stmt_status(self.raw(), sys::SQLITE_STMTSTATUS_REPREPARE, 0) };
        ((self.serial << 16) | (recompiled as u64 & 0xffff)) as i64
    }

    /// True when the statement cannot write the database.
    pub fn readonly(&self) -> bool {
        // SAFETY: live statement.
        unsafe { sys::sqlite3_stmt_readonly(self.raw()) != 0 }
    }

    /// True after a step and before the statement was reset or ran to completion.
    pub fn busy(&self) -> bool {
        // SAFETY: live statement.
        unsafe { sys::sqlite3_stmt_busy(self.raw()) != 0 }
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        // SAFETY: live statement; the text lives as long as the statement and is copied here.
        let p = unsafe { sys::sqlite3_sql(self.raw()) };
        if p.is_null() {
            return String::new();
        }
        // SAFETY: non-null, NUL-terminated, owned by the statement.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    /// The statement's SQL text as SQLite keeps it, without copying.
    pub fn sql_bytes(&self) -> &[u8] {
        // SAFETY: live statement; the text is owned by it and lives until it is finalized,
        // which cannot happen while `self` is borrowed.
        let p = unsafe { sys::sqlite3_sql(self.raw()) };
        if p.is_null() {
            return b"";
        }
        // SAFETY: non-null, NUL-terminated, owned by the statement (as above).
        unsafe { CStr::from_ptr(p) }.to_bytes()
    }

    /// Binds NULL to parameter `i` (1-based).
    pub fn bind_null(&mut self, i: usize) -> c_int {
        // SAFETY: live statement; out-of-range indexes return SQLITE_RANGE.
        unsafe { sys::sqlite3_bind_null(self.raw(), i as c_int) }
    }

    /// Binds an integer.
    pub fn bind_i64(&mut self, i: usize, v: i64) -> c_int {
        // SAFETY: live statement.
        unsafe { sys::sqlite3_bind_int64(self.raw(), i as c_int, v) }
    }

    /// Binds a double.
    pub fn bind_f64(&mut self, i: usize, v: f64) -> c_int {
        // SAFETY: live statement.
        unsafe { sys::sqlite3_bind_double(self.raw(), i as c_int, v) }
    }

    /// Binds UTF-8 text; SQLite copies it (SQLITE_TRANSIENT), so `v` may be reused at once.
    pub fn bind_text(&mut self, i: usize, v: &[u8]) -> c_int {
        // SAFETY: live statement; `v` is valid for its length during the call and SQLite copies.
        unsafe {
            sys::sqlite3_bind_text64(
                self.raw(),
                i as c_int,
                v.as_ptr().cast(),
                v.len() as u64,
                sys::SQLITE_TRANSIENT(),
                sys::SQLITE_UTF8 as u8,
            )
        }
    }

    /// Binds a blob; SQLite copies it. An empty blob stays a blob, not NULL.
    pub fn bind_blob(&mut self, i: usize, v: &[u8]) -> c_int {
        if v.is_empty() {
            // SAFETY: live statement (a NULL data pointer would bind NULL instead).
            return unsafe { sys::sqlite3_bind_zeroblob(self.raw(), i as c_int, 0) };
        }
        // SAFETY: live statement; `v` is valid for its length and SQLite copies it.
        unsafe {
            sys::sqlite3_bind_blob64(
                self.raw(),
                i as c_int,
                v.as_ptr().cast(),
                v.len() as u64,
                sys::SQLITE_TRANSIENT(),
            )
        }
    }

    /// Storage class of column `i` (0-based) of the current row.
    pub fn column_type(&self, i: usize) -> c_int {
        // SAFETY: live statement positioned on a row (callers only read after SQLITE_ROW).
        unsafe { sys::sqlite3_column_type(self.raw(), i as c_int) }
    }

    /// Column value as an integer.
    pub fn column_i64(&self, i: usize) -> i64 {
        // SAFETY: as column_type.
        unsafe { sys::sqlite3_column_int64(self.raw(), i as c_int) }
    }

    /// Column value as a double.
    pub fn column_f64(&self, i: usize) -> f64 {
        // SAFETY: as column_type.
        unsafe { sys::sqlite3_column_double(self.raw(), i as c_int) }
    }

    /// Column value as UTF-8 text; valid until the next step, reset or type conversion.
    pub fn column_text(&self, i: usize) -> &[u8] {
        // SAFETY: as column_type; text first, then its length (the order SQLite documents); the
        // slice borrows `self`, so no step or reset can happen while it is alive.
        let p = unsafe { sys::sqlite3_column_text(self.raw(), i as c_int) };
        // SAFETY: as column_type; asked after the text, as SQLite documents.
        let n = unsafe { sys::sqlite3_column_bytes(self.raw(), i as c_int) };
        if p.is_null() || n <= 0 {
            &[]
        } else {
            // SAFETY: SQLite holds `n` bytes at `p` until the next step, reset or conversion.
            unsafe { std::slice::from_raw_parts(p, n as usize) }
        }
    }

    /// Length in bytes of a TEXT (as UTF-8) or BLOB column value, without materializing a
    /// zeroblob (the value itself may be far bigger than any buffer it could go to).
    pub fn column_bytes(&self, i: usize) -> usize {
        // SAFETY: as column_type. sqlite3_column_bytes reports a zeroblob's size without
        // expanding it, and converts UTF-16 text to UTF-8 first (never the case here).
        unsafe { sys::sqlite3_column_bytes(self.raw(), i as c_int).max(0) as usize }
    }

    /// Column value as bytes; valid until the next step or reset.
    pub fn column_blob(&self, i: usize) -> &[u8] {
        // SAFETY: as column_text.
        let p = unsafe { sys::sqlite3_column_blob(self.raw(), i as c_int) };
        // SAFETY: as column_type; asked after the blob, as SQLite documents.
        let n = unsafe { sys::sqlite3_column_bytes(self.raw(), i as c_int) };
        if p.is_null() || n <= 0 {
            &[]
        } else {
            // SAFETY: SQLite holds `n` bytes at `p` until the next step or reset.
            unsafe { std::slice::from_raw_parts(p.cast::<u8>(), n as usize) }
        }
    }

    fn column_str(
        &self,
        f: unsafe extern "C" fn(*mut sys::sqlite3_stmt, c_int) -> *const c_char,
        i: usize,
    ) -> Option<String> {
        // SAFETY: live statement; `f` is one of SQLite's column-metadata getters, which return
        // NULL or a NUL-terminated string owned by the statement, copied here at once.
        let p = unsafe { f(self.raw(), i as c_int) };
        // SAFETY: a non-NULL result is a NUL-terminated string owned by the statement.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    /// Column label (honours `AS`).
    pub fn column_name(&self, i: usize) -> Option<String> {
        self.column_str(sys::sqlite3_column_name, i)
    }

    /// Declared type of the column's origin, if it is a table column.
    pub fn column_decltype(&self, i: usize) -> Option<String> {
        self.column_str(sys::sqlite3_column_decltype, i)
    }

    /// Name of the table column the result column comes from.
    pub fn column_origin_name(&self, i: usize) -> Option<String> {
        self.column_str(sys::sqlite3_column_origin_name, i)
    }

    /// Name of the table the result column comes from.
    pub fn column_table_name(&self, i: usize) -> Option<String> {
        self.column_str(sys::sqlite3_column_table_name, i)
    }

    /// Name of the database (`main`, `temp`, an attached name) of the table the result column
    /// comes from.
    pub fn column_database_name(&self, i: usize) -> Option<String> {
        self.column_str(sys::sqlite3_column_database_name, i)
    }

    /// The connection this statement belongs to.
    pub fn db(&self) -> Db {
        // SAFETY: live statement; sqlite3_db_handle returns its (live, non-null) connection.
        Db(NonNull::new(unsafe { sys::sqlite3_db_handle(self.raw()) })
            .expect("a prepared statement has a connection"))
    }

    /// What the schema says of the table column result column `i` comes from
    /// (`sqlite3_table_column_metadata`); None for an expression or when SQLite cannot tell.
    pub fn origin_facts(&self, i: usize) -> Option<OriginFacts> {
        let db = self.column_str(sys::sqlite3_column_database_name, i)?;
        let table = self.column_str(sys::sqlite3_column_table_name, i)?;
        let column = self.column_str(sys::sqlite3_column_origin_name, i)?;
        let (db, table, column) = (
            CString::new(db).ok()?,
            CString::new(table).ok()?,
            CString::new(column).ok()?,
        );
        let (mut not_null, mut pk, mut autoinc): (c_int, c_int, c_int) = (0, 0, 0);
        // SAFETY: live connection; NUL-terminated names; the type and collation out-pointers may
        // be NULL (not wanted); the int out-pointers are valid locals.
        let rc = unsafe {
            sys::sqlite3_table_column_metadata(
                self.db().raw(),
                db.as_ptr(),
                table.as_ptr(),
                column.as_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
                &mut not_null,
                &mut pk,
                &mut autoinc,
            )
        };
        (rc == sys::SQLITE_OK).then_some(OriginFacts {
            not_null: not_null != 0,
            primary_key: pk != 0,
            autoincrement: autoinc != 0,
        })
    }
}

impl Drop for Stmt {
    fn drop(&mut self) {
        // SAFETY: live statement, finalized exactly once; its connection is still open (module
        // invariant).
        unsafe {
            sys::sqlite3_finalize(self.raw());
        }
    }
}

/// True when `sql` ends with a complete SQL statement: SQLite's own `sqlite3_complete` (a
/// semicolon outside literals, identifiers, comments and trigger bodies). Used to find where the
/// first statement of a text ends without compiling it (remote statements, `crate::remote`).
pub fn is_complete(sql: &CStr) -> bool {
    // SAFETY: `sql` is a valid NUL-terminated string for the duration of the call; the function
    // only reads it.
    unsafe { sys::sqlite3_complete(sql.as_ptr()) != 0 }
}

/// The SQLite library version, e.g. "3.54.1".
pub fn sqlite_version() -> &'static str {
    // SAFETY: sqlite3_libversion has no preconditions.
    let p = unsafe { sys::sqlite3_libversion() };
    // SAFETY: it returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("unknown")
}

/// The lowest address of the calling thread's stack (its usable end, as the thread library
/// reports it), or None when it cannot be found.
pub fn thread_stack_low() -> Option<usize> {
    // SAFETY: pthread_getattr_np fills an attribute object for the calling thread, which is
    // destroyed after its stack bounds are read; all out-pointers are valid locals.
    // SAFETY (all blocks below): pthread_attr_t is plain data for which zeroed bytes are a
    // valid placeholder; pthread_self has no preconditions; the out-pointers are valid locals.
    let mut attr: libc::pthread_attr_t = unsafe { std::mem::zeroed() };
    // SAFETY: see above.
    let me = unsafe { libc::pthread_self() };
    // SAFETY: see above.
    if unsafe { libc::pthread_getattr_np(me, &mut attr) } != 0 {
        return None;
    }
    let mut addr: *mut c_void = ptr::null_mut();
    let mut size: libc::size_t = 0;
    // SAFETY: `attr` was initialized by pthread_getattr_np.
    let rc = unsafe { libc::pthread_attr_getstack(&attr, &mut addr, &mut size) };
    // SAFETY: `attr` was initialized and is destroyed once.
    unsafe { libc::pthread_attr_destroy(&mut attr) };
    (rc == 0 && !addr.is_null()).then_some(addr as usize)
}

impl Db {
    /// Sets one of SQLite's run-time limits (`SQLITE_LIMIT_*`); returns the previous value.
    /// SQLite lowers a value above the compile-time bound to it; an unknown id is ignored (-1).
    pub fn set_limit(self, id: c_int, value: c_int) -> c_int {
        // SAFETY: live handle; sqlite3_limit only reads/writes the connection's limit array.
        unsafe { sys::sqlite3_limit(self.raw(), id, value) }
    }
}

/// One `sqlite3_backup` run (online backup API), finished on drop. Both connections must
/// outlive it (the owner declares it before them).
#[derive(Debug)]
pub struct BackupRun(NonNull<sys::sqlite3_backup>);

// SAFETY: used by one thread at a time (the owner is moved, never shared); SQLite allows a
// backup object on another thread than its creator when the connections are not used
// concurrently, which the owner guarantees.
unsafe impl Send for BackupRun {}

impl BackupRun {
    /// Starts copying `src`'s main database into `dest`'s; Err carries `dest`'s message.
    pub fn init(dest: Db, src: Db) -> Result<BackupRun, (c_int, String)> {
        // SAFETY: live handles; the schema names are NUL-terminated literals.
        let p = unsafe {
            sys::sqlite3_backup_init(dest.raw(), c"main".as_ptr(), src.raw(), c"main".as_ptr())
        };
        match NonNull::new(p) {
            Some(p) => Ok(BackupRun(p)),
            // SAFETY: live handle.
            None => Err((
                unsafe { sys::sqlite3_extended_errcode(dest.raw()) },
                dest.errmsg(),
            )),
        }
    }

    /// Copies up to `pages` pages (-1: all); SQLITE_OK, SQLITE_DONE or an error code.
    pub fn step(&mut self, pages: c_int) -> c_int {
        // SAFETY: live backup object, not finished yet.
        unsafe { sys::sqlite3_backup_step(self.0.as_ptr(), pages) }
    }

    /// (pages still to copy, pages in the source) as of the last step.
    pub fn progress(&self) -> (c_int, c_int) {
        // SAFETY: live backup object.
        let remaining = unsafe { sys::sqlite3_backup_remaining(self.0.as_ptr()) };
        // SAFETY: live backup object.
        let total = unsafe { sys::sqlite3_backup_pagecount(self.0.as_ptr()) };
        (remaining, total)
    }
}

impl Drop for BackupRun {
    fn drop(&mut self) {
        // SAFETY: finished exactly once, here; releases the locks the run holds.
        unsafe { sys::sqlite3_backup_finish(self.0.as_ptr()) };
    }
}
