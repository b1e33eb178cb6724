//! `shmlite-mem`: an SQLite VFS whose files live in this process's memory, with WAL's shared
//! memory and locks kept in the process too. `mem:` databases use it in WAL mode.
//!
//! Why not SQLite's shared cache (what `mem:` used before): every connection of a shared cache
//! steps under one btree mutex, so readers never run in parallel, and at SERIALIZABLE its table
//! locks make a writer and the readers of a table take turns. In W4 (1 writer, 4 readers, 2
//! cores) that capped `mem:` at 0.7× H2's reader queries while `shm:` (WAL, private caches)
//! reached 2×. WAL on a file would do, but every read transaction then takes `fcntl` locks on the
//! `-shm` file, needed between processes and pure cost inside one: here they are a counter under
//! a mutex.
//!
//! Files are named (the registry below; SQLite opens `NAME`, `NAME-wal`, `NAME-journal`) or
//! anonymous (temporary files); their bytes are `membytes::MemBytes` chunks. A database lives
//! while a handle on its main file is open: when the last one closes, the database and its WAL
//! and journal are forgotten — as SQLite's own memory databases behave; `mem:`'s keep-alive
//! connection holds one open.
//!
//! Locking follows SQLite's os_unix.c within one process: the main file's SHARED / RESERVED /
//! PENDING / EXCLUSIVE levels, and the WAL-index's eight lock slots (shared counts or one
//! exclusive holder). Everything is under the file's mutexes; nothing blocks (SQLite retries
//! on SQLITE_BUSY through its busy handler, as with files).

use libsqlite3_sys as sys;
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use crate::membytes::MemBytes;

/// The VFS's name, as `vfs=` in a URI or the `zVfs` of `sqlite3_open_v2`.
pub const VFS_NAME: &CStr = c"shmlite-mem";

/// Where this VFS's files are: names under it live in memory. Any other name (a `VACUUM INTO`
/// target, an `ATTACH`ed file, both opened through the VFS of the database they come from) goes
/// to the default VFS, on disk. No real file can have this path (`/dev/null` is no directory).
pub const NAMESPACE: &str = "/dev/null/shmlite-mem/";

/// The SQLite URI of the in-memory file `file` (a name without '/', '?' or '#') on this VFS.
pub fn uri(file: &str) -> String {
    format!(
        "file:{NAMESPACE}{file}?vfs={}",
        VFS_NAME.to_str().unwrap_or_default()
    )
}

/// The default VFS (unix), which serves every name outside [`NAMESPACE`].
fn base() -> *mut sys::sqlite3_vfs {
    static BASE: OnceLock<usize> = OnceLock::new();
    // SAFETY: sqlite3_vfs_find(NULL) returns the default VFS, which lives as long as the
    // process (shmlite never unregisters it); stored as an address to be Sync.
    *BASE.get_or_init(|| unsafe { sys::sqlite3_vfs_find(ptr::null()) } as usize)
        as *mut sys::sqlite3_vfs
}

/// Calls the default VFS's method `$method` with SQLite's arguments (a name outside
/// [`NAMESPACE`] is the default VFS's business), or returns `$missing` if it has none.
macro_rules! to_base {
    ($method:ident($($arg:expr),*) else $missing:expr) => {{
        let base = base();
        // SAFETY: `base` is the default VFS, which lives as long as the process.
        match unsafe { (*base).$method } {
            // SAFETY: its own method, called with the arguments SQLite passed to ours.
            Some(method) => unsafe { method(base, $($arg),*) },
            None => $missing,
        }
    }};
}

/// True for a name this VFS keeps in memory (anonymous temporary files included).
///
/// # Safety
/// `z` is NULL or a NUL-terminated string.
unsafe fn ours(z: *const c_char) -> bool {
    // SAFETY: per the contract.
    z.is_null()
        || unsafe { CStr::from_ptr(z) }
            .to_bytes()
            .starts_with(NAMESPACE.as_bytes())
}

/// Registers the VFS (once; not as the default). Returns false when SQLite refused it.
pub(crate) fn register() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        let base = base();
        if base.is_null() {
            return false;
        }
        // SAFETY: `base` points to a valid sqlite3_vfs; a bitwise copy keeps its function
        // pointers (randomness, sleep, time, dlopen), which ignore the VFS pointer they get.
        let mut vfs: sys::sqlite3_vfs = unsafe { ptr::read(base) };
        // Version 2: no system-call overrides through this VFS.
        vfs.iVersion = 2;
        // Room for our handle or the default VFS's file (names outside the namespace).
        vfs.szOsFile = (std::mem::size_of::<Handle>() as c_int).max(vfs.szOsFile);
        vfs.mxPathname = 512;
        vfs.pNext = ptr::null_mut();
        vfs.zName = VFS_NAME.as_ptr();
        vfs.pAppData = ptr::null_mut();
        vfs.xOpen = Some(x_open);
        vfs.xDelete = Some(x_delete);
        vfs.xAccess = Some(x_access);
        vfs.xFullPathname = Some(x_full_pathname);
        // Leaked on purpose: SQLite keeps the pointer for the life of the process.
        let vfs = Box::leak(Box::new(vfs));
        // SAFETY: registers a fully initialized sqlite3_vfs that is never freed; 0: not the
        // default VFS.
        unsafe { sys::sqlite3_vfs_register(vfs, 0) == sys::SQLITE_OK }
    })
}

/// One file's bytes, locks and (for a main database file) WAL-index.
#[derive(Default)]
struct File {
    data: RwLock<MemBytes>,
    locks: Mutex<Locks>,
    shm: Mutex<Shm>,
}

/// The main file's lock levels across handles (os_unix.c's `unixInodeInfo`, in one process).
#[derive(Default)]
struct Locks {
    shared: u32,
    reserved: bool,
    pending: bool,
    exclusive: bool,
    /// Handles open on the file (the registry forgets a database when this reaches 0).
    handles: u32,
}

/// WAL-index regions and lock slots.
#[derive(Default)]
struct Shm {
    /// Regions as SQLite maps them; boxed so their addresses never move. `AtomicU64` cells:
    /// SQLite reads and writes them through raw pointers from several threads (its own protocol
    /// orders that), which Rust allows only for interior-mutable memory.
    regions: Vec<Box<[AtomicU64]>>,
    /// Per slot: > 0 that many shared holders, -1 one exclusive holder.
    slots: [i32; sys::SQLITE_SHM_NLOCK as usize],
    /// Handles that mapped the regions; the last unmap frees them.
    users: u32,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic cannot happen while these are held (no code that panics runs under them); if one
    // did, the state is still consistent field by field.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl File {
    /// The bytes, for reading (poisoning ignored, as in [`lock`]).
    fn bytes(&self) -> std::sync::RwLockReadGuard<'_, MemBytes> {
        self.data.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The bytes, for writing.
    fn bytes_mut(&self) -> std::sync::RwLockWriteGuard<'_, MemBytes> {
        self.data.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// Named files of every `shmlite-mem` database in the process.
fn registry() -> MutexGuard<'static, HashMap<String, Arc<File>>> {
    static FILES: OnceLock<Mutex<HashMap<String, Arc<File>>>> = OnceLock::new();
    lock(FILES.get_or_init(Default::default))
}

/// What SQLite allocates for an open file (`szOsFile` bytes): the `sqlite3_file` header it
/// reads, and our state behind a pointer (SQLite's memory is uninitialized, so no Rust value
/// lives in it directly).
#[repr(C)]
struct Handle {
    base: sys::sqlite3_file,
    state: *mut HandleState,
}

struct HandleState {
    file: Arc<File>,
    /// The registry name, kept for closing (None: anonymous).
    name: Option<String>,
    main_db: bool,
    delete_on_close: bool,
    /// This handle's main-file lock.
    main: MainLock,
    /// WAL-index slots this handle holds, shared and exclusive (bit i: slot i).
    shm_shared: u16,
    shm_excl: u16,
    shm_mapped: bool,
}

/// A handle's main-file lock level (SQLITE_LOCK_*), and which exclusive marks it owns. A field of
/// its own so that it can change while the handle's `file` is borrowed (no `Arc` clone, whose
/// shared count every reader thread would bump on every lock call).
#[derive(Default)]
struct MainLock {
    level: c_int,
    owns_reserved: bool,
    owns_pending: bool,
}

/// The state of an open handle.
///
/// # Safety
/// `f` is a file this VFS opened successfully (SQLite calls the io methods only on those) and
/// not yet closed, and SQLite uses one handle from one thread at a time.
unsafe fn state<'a>(f: *mut sys::sqlite3_file) -> &'a mut HandleState {
    // SAFETY: per the contract, `f` is our Handle, whose `state` x_open set.
    let st = unsafe { (*(f as *mut Handle)).state };
    // SAFETY: `st` is the live Box x_open leaked for this handle; one thread uses it at a time.
    unsafe { &mut *st }
}

static METHODS: sys::sqlite3_io_methods = sys::sqlite3_io_methods {
    iVersion: 2, // WAL-index methods, no memory-mapped I/O
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

/// The name SQLite passes, as a registry key (None for anonymous temporary files).
///
/// # Safety
/// `z` is NULL or a NUL-terminated string.
unsafe fn name_of(z: *const c_char) -> Option<String> {
    if z.is_null() {
        return None;
    }
    // SAFETY: per the contract.
    Some(unsafe { CStr::from_ptr(z) }.to_string_lossy().into_owned())
}

unsafe extern "C" fn x_open(
    _vfs: *mut sys::sqlite3_vfs,
    z_name: sys::sqlite3_filename,
    f: *mut sys::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: SQLite passes NULL or a NUL-terminated name.
    if !unsafe { ours(z_name) } {
        // The default VFS opens into the same szOsFile bytes (at least its own size) and sets
        // its own methods; SQLite then calls those directly.
        return to_base!(xOpen(z_name, f, flags, out_flags) else sys::SQLITE_CANTOPEN);
    }
    // SAFETY: f points to szOsFile writable bytes; SQLite reads pMethods to know whether the
    // open succeeded, so it is NULL until the end.
    unsafe { (*f).pMethods = ptr::null() };
    // SAFETY: zName is NULL or a NUL-terminated file name.
    let name = unsafe { name_of(z_name) };
    let file = match &name {
        None => Arc::new(File::default()),
        Some(n) => {
            let mut reg = registry();
            let file = match reg.get(n) {
                Some(f) => f.clone(),
                // A main database always exists once named (a read-only open of a new `mem:`
                // database too); other files only when SQLite creates them.
                None if flags & (sys::SQLITE_OPEN_CREATE | sys::SQLITE_OPEN_MAIN_DB) != 0 => {
                    let f = Arc::new(File::default());
                    reg.insert(n.clone(), f.clone());
                    f
                }
                None => return sys::SQLITE_CANTOPEN,
            };
            // Under the registry lock (see x_close).
            lock(&file.locks).handles += 1;
            file
        }
    };
    let st = Box::new(HandleState {
        file,
        name,
        main_db: flags & sys::SQLITE_OPEN_MAIN_DB != 0,
        delete_on_close: flags & sys::SQLITE_OPEN_DELETEONCLOSE != 0,
        main: MainLock::default(), // level 0: SQLITE_LOCK_NONE
        shm_shared: 0,
        shm_excl: 0,
        shm_mapped: false,
    });
    let h = f as *mut Handle;
    // SAFETY: `h` is SQLite's szOsFile bytes, sized and aligned for Handle (szOsFile is its
    // size; SQLite allocates with 8-byte alignment); a place expression, nothing is read.
    let slot = unsafe { ptr::addr_of_mut!((*h).state) };
    // SAFETY: `slot` is valid for a write of one pointer (above); the old bytes are not read.
    unsafe { slot.write(Box::into_raw(st)) };
    if !out_flags.is_null() {
        // SAFETY: SQLite passes a writable int or NULL.
        unsafe { *out_flags = flags };
    }
    // SAFETY: as above; from here SQLite will call x_close.
    unsafe { (*f).pMethods = &METHODS };
    sys::SQLITE_OK
}

unsafe extern "C" fn x_close(f: *mut sys::sqlite3_file) -> c_int {
    // SAFETY: SQLite closes a file it opened through x_open exactly once.
    let h = unsafe { &mut *(f as *mut Handle) };
    // SAFETY: set by x_open from Box::into_raw; taken back once here.
    let mut st = unsafe { Box::from_raw(h.state) };
    h.state = ptr::null_mut();
    unmap(&mut st);
    release_file_lock(
        &mut st.main,
        &mut lock(&st.file.locks),
        sys::SQLITE_LOCK_NONE,
    );
    let file = &st.file;
    let Some(name) = &st.name else {
        return sys::SQLITE_OK; // anonymous: its bytes go with the last Arc
    };
    // Counted under the registry lock, like x_open: an open cannot find the file between the
    // last close and its removal.
    let mut reg = registry();
    let last = {
        let mut l = lock(&file.locks);
        l.handles -= 1;
        l.handles == 0
    };
    let ours = reg.get(name).is_some_and(|f| Arc::ptr_eq(f, file));
    if ours && st.delete_on_close {
        reg.remove(name);
    }
    if ours && last && st.main_db {
        // The last handle on a main database file: the database is gone (see the module doc).
        reg.remove(name);
        reg.remove(&format!("{name}-wal"));
        reg.remove(&format!("{name}-journal"));
    }
    sys::SQLITE_OK
}

unsafe extern "C" fn x_read(
    f: *mut sys::sqlite3_file,
    buf: *mut c_void,
    amt: c_int,
    off: sys::sqlite3_int64,
) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let (Ok(amt), Ok(off)) = (usize::try_from(amt), usize::try_from(off)) else {
        return sys::SQLITE_IOERR_READ;
    };
    // SAFETY: SQLite passes `amt` writable bytes at `buf`.
    let out = unsafe { std::slice::from_raw_parts_mut(buf as *mut u8, amt) };
    let have = st.file.bytes().read(off, out);
    if have < amt {
        out[have..].fill(0); // SQLite requires a short read to zero the rest
        return sys::SQLITE_IOERR_SHORT_READ;
    }
    sys::SQLITE_OK
}

unsafe extern "C" fn x_write(
    f: *mut sys::sqlite3_file,
    buf: *const c_void,
    amt: c_int,
    off: sys::sqlite3_int64,
) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let (Ok(amt), Ok(off)) = (usize::try_from(amt), usize::try_from(off)) else {
        return sys::SQLITE_IOERR_WRITE;
    };
    if off.checked_add(amt).is_none() {
        return sys::SQLITE_FULL; // MemBytes::write adds them
    }
    // SAFETY: SQLite passes `amt` readable bytes at `buf`.
    let src = unsafe { std::slice::from_raw_parts(buf as *const u8, amt) };
    let mut data = st.file.bytes_mut();
    // Out of memory is SQLITE_FULL for the statement, never an abort of the process.
    match data.write(off, src) {
        Ok(()) => sys::SQLITE_OK,
        Err(_) => sys::SQLITE_FULL,
    }
}

unsafe extern "C" fn x_truncate(f: *mut sys::sqlite3_file, size: sys::sqlite3_int64) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let Ok(size) = usize::try_from(size) else {
        return sys::SQLITE_IOERR_TRUNCATE;
    };
    let mut data = st.file.bytes_mut();
    // A truncated WAL gives its memory back.
    match data.set_len(size) {
        Ok(()) => sys::SQLITE_OK,
        Err(_) => sys::SQLITE_FULL,
    }
}

unsafe extern "C" fn x_sync(_f: *mut sys::sqlite3_file, _flags: c_int) -> c_int {
    sys::SQLITE_OK // memory: nothing to make durable
}

unsafe extern "C" fn x_file_size(
    f: *mut sys::sqlite3_file,
    size: *mut sys::sqlite3_int64,
) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let len = st.file.bytes().len();
    // SAFETY: SQLite passes a writable i64.
    unsafe { *size = len as sys::sqlite3_int64 };
    sys::SQLITE_OK
}

/// Lowers a handle's main-file lock to `to` (SHARED or NONE).
fn release_file_lock(me: &mut MainLock, l: &mut Locks, to: c_int) {
    if me.level <= to {
        return;
    }
    if me.level == sys::SQLITE_LOCK_EXCLUSIVE {
        l.exclusive = false;
    }
    if me.owns_pending {
        l.pending = false;
        me.owns_pending = false;
    }
    if me.owns_reserved {
        l.reserved = false;
        me.owns_reserved = false;
    }
    if to == sys::SQLITE_LOCK_NONE && me.level >= sys::SQLITE_LOCK_SHARED {
        l.shared -= 1;
    }
    me.level = to;
}

unsafe extern "C" fn x_lock(f: *mut sys::sqlite3_file, want: c_int) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let me = &mut st.main;
    if me.level >= want {
        return sys::SQLITE_OK;
    }
    let mut l = lock(&st.file.locks);
    match want {
        sys::SQLITE_LOCK_SHARED => {
            if l.pending || l.exclusive {
                return sys::SQLITE_BUSY;
            }
            l.shared += 1;
            me.level = sys::SQLITE_LOCK_SHARED;
        }
        sys::SQLITE_LOCK_RESERVED => {
            if l.reserved || l.pending || l.exclusive {
                return sys::SQLITE_BUSY;
            }
            l.reserved = true;
            me.owns_reserved = true;
            me.level = sys::SQLITE_LOCK_RESERVED;
        }
        sys::SQLITE_LOCK_EXCLUSIVE => {
            if !me.owns_pending {
                // From SHARED or RESERVED: nobody else may hold RESERVED or PENDING.
                if (l.reserved && !me.owns_reserved) || l.pending || l.exclusive {
                    return sys::SQLITE_BUSY;
                }
                l.pending = true;
                me.owns_pending = true;
                me.level = sys::SQLITE_LOCK_PENDING;
            }
            if l.shared > 1 {
                return sys::SQLITE_BUSY; // readers still in; PENDING keeps new ones out
            }
            l.exclusive = true;
            me.level = sys::SQLITE_LOCK_EXCLUSIVE;
        }
        _ => return sys::SQLITE_MISUSE,
    }
    sys::SQLITE_OK
}

unsafe extern "C" fn x_unlock(f: *mut sys::sqlite3_file, to: c_int) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    release_file_lock(&mut st.main, &mut lock(&st.file.locks), to);
    sys::SQLITE_OK
}

unsafe extern "C" fn x_check_reserved_lock(f: *mut sys::sqlite3_file, out: *mut c_int) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let l = lock(&st.file.locks);
    let held = l.reserved || l.pending || l.exclusive;
    // SAFETY: SQLite passes a writable int.
    unsafe { *out = c_int::from(held) };
    sys::SQLITE_OK
}

unsafe extern "C" fn x_file_control(
    _f: *mut sys::sqlite3_file,
    _op: c_int,
    _arg: *mut c_void,
) -> c_int {
    sys::SQLITE_NOTFOUND
}

unsafe extern "C" fn x_sector_size(_f: *mut sys::sqlite3_file) -> c_int {
    512
}

unsafe extern "C" fn x_device_characteristics(_f: *mut sys::sqlite3_file) -> c_int {
    // Memory: a write is never torn by a power cut, and appends are safe.
    sys::SQLITE_IOCAP_POWERSAFE_OVERWRITE
        | sys::SQLITE_IOCAP_SAFE_APPEND
        | sys::SQLITE_IOCAP_SEQUENTIAL
}

unsafe extern "C" fn x_shm_map(
    f: *mut sys::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let (Ok(region), Ok(size)) = (usize::try_from(region), usize::try_from(size)) else {
        return sys::SQLITE_IOERR_SHMMAP;
    };
    let mut shm = lock(&st.file.shm);
    if !st.shm_mapped {
        shm.users += 1;
        st.shm_mapped = true;
    }
    while shm.regions.len() <= region && extend != 0 {
        let words = size.div_ceil(8);
        shm.regions
            .push((0..words).map(|_| AtomicU64::new(0)).collect());
    }
    let p = match shm.regions.get(region) {
        // Writing through this pointer is allowed: the memory is AtomicU64 (UnsafeCell).
        Some(r) => r.as_ptr() as *mut c_void,
        None => ptr::null_mut(), // not there and not to be created: SQLite's "no such region"
    };
    // SAFETY: SQLite passes a writable pointer.
    unsafe { *out = p };
    sys::SQLITE_OK
}

unsafe extern "C" fn x_shm_lock(
    f: *mut sys::sqlite3_file,
    ofst: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    let (Ok(ofst), Ok(n)) = (usize::try_from(ofst), usize::try_from(n)) else {
        return sys::SQLITE_IOERR_SHMLOCK;
    };
    let nlock = sys::SQLITE_SHM_NLOCK as usize;
    if n == 0 || ofst + n > nlock {
        return sys::SQLITE_IOERR_SHMLOCK;
    }
    let mask: u16 = (((1u32 << n) - 1) << ofst) as u16;
    let mut shm = lock(&st.file.shm);
    let unlock = flags & sys::SQLITE_SHM_UNLOCK != 0;
    let exclusive = flags & sys::SQLITE_SHM_EXCLUSIVE != 0;
    match (unlock, exclusive) {
        (true, false) => {
            for i in ofst..ofst + n {
                if st.shm_shared & (1 << i) != 0 {
                    shm.slots[i] -= 1;
                }
            }
            st.shm_shared &= !mask;
        }
        (true, true) => {
            for i in ofst..ofst + n {
                if st.shm_excl & (1 << i) != 0 {
                    shm.slots[i] = 0;
                }
            }
            st.shm_excl &= !mask;
        }
        (false, false) => {
            for i in ofst..ofst + n {
                if st.shm_shared & (1 << i) == 0 && shm.slots[i] < 0 {
                    return sys::SQLITE_BUSY;
                }
            }
            for i in ofst..ofst + n {
                if st.shm_shared & (1 << i) == 0 {
                    shm.slots[i] += 1;
                }
            }
            st.shm_shared |= mask;
        }
        (false, true) => {
            for i in ofst..ofst + n {
                if st.shm_excl & (1 << i) == 0 && shm.slots[i] != 0 {
                    return sys::SQLITE_BUSY;
                }
            }
            for i in ofst..ofst + n {
                shm.slots[i] = -1;
            }
            st.shm_excl |= mask;
        }
    }
    sys::SQLITE_OK
}

unsafe extern "C" fn x_shm_barrier(_f: *mut sys::sqlite3_file) {
    std::sync::atomic::fence(Ordering::SeqCst);
}

/// Drops a handle's WAL-index locks and mapping; the last user frees the regions.
fn unmap(st: &mut HandleState) {
    if !st.shm_mapped {
        return;
    }
    let mut shm = lock(&st.file.shm);
    for i in 0..sys::SQLITE_SHM_NLOCK as usize {
        if st.shm_shared & (1 << i) != 0 {
            shm.slots[i] -= 1;
        }
        if st.shm_excl & (1 << i) != 0 {
            shm.slots[i] = 0;
        }
    }
    st.shm_shared = 0;
    st.shm_excl = 0;
    st.shm_mapped = false;
    shm.users -= 1;
    if shm.users == 0 {
        // No connection reads the regions any more; the next one rebuilds them from the WAL.
        shm.regions.clear();
    }
}

unsafe extern "C" fn x_shm_unmap(f: *mut sys::sqlite3_file, _delete: c_int) -> c_int {
    // SAFETY: an open handle of ours.
    let st = unsafe { state(f) };
    unmap(st);
    sys::SQLITE_OK
}

unsafe extern "C" fn x_delete(
    _vfs: *mut sys::sqlite3_vfs,
    z_name: *const c_char,
    sync: c_int,
) -> c_int {
    // SAFETY: SQLite passes a NUL-terminated name.
    if !unsafe { ours(z_name) } {
        return to_base!(xDelete(z_name, sync) else sys::SQLITE_IOERR_DELETE);
    }
    // SAFETY: SQLite passes a NUL-terminated name.
    if let Some(name) = unsafe { name_of(z_name) } {
        registry().remove(&name); // open handles keep their bytes until they close
    }
    sys::SQLITE_OK
}

unsafe extern "C" fn x_access(
    _vfs: *mut sys::sqlite3_vfs,
    z_name: *const c_char,
    flags: c_int,
    out: *mut c_int,
) -> c_int {
    // SAFETY: SQLite passes a NUL-terminated name.
    if !unsafe { ours(z_name) } {
        return to_base!(xAccess(z_name, flags, out) else sys::SQLITE_IOERR_ACCESS);
    }
    // SAFETY: SQLite passes a NUL-terminated name.
    let name = unsafe { name_of(z_name) };
    let file = name.and_then(|n| registry().get(&n).cloned());
    // As os_unix.c: "exists" means exists and not empty (an empty journal is no hot journal).
    let found = match file {
        None => false,
        Some(f) if flags == sys::SQLITE_ACCESS_EXISTS => !f.bytes().is_empty(),
        Some(_) => true,
    };
    // SAFETY: SQLite passes a writable int.
    unsafe { *out = c_int::from(found) };
    sys::SQLITE_OK
}

unsafe extern "C" fn x_full_pathname(
    _vfs: *mut sys::sqlite3_vfs,
    z_name: *const c_char,
    n_out: c_int,
    z_out: *mut c_char,
) -> c_int {
    // SAFETY: SQLite passes a NUL-terminated name.
    if !unsafe { ours(z_name) } {
        // Relative paths become absolute on disk.
        return to_base!(xFullPathname(z_name, n_out, z_out) else sys::SQLITE_CANTOPEN);
    }
    // SAFETY: SQLite passes a NUL-terminated name.
    let name = unsafe { CStr::from_ptr(z_name) }.to_bytes_with_nul();
    if name.len() > usize::try_from(n_out).unwrap_or(0) {
        return sys::SQLITE_CANTOPEN;
    }
    // SAFETY: z_out has n_out writable bytes, enough for the name and its NUL (checked).
    unsafe { ptr::copy_nonoverlapping(name.as_ptr() as *const c_char, z_out, name.len()) };
    sys::SQLITE_OK
}

/// The size of the WAL of the database a `file:` URI names on this VFS (the `walBytes`
/// statistic of `mem:`), or None when the URI is not one of this VFS's or has no WAL now.
pub fn wal_len(uri: &str) -> Option<u64> {
    let path = uri.strip_prefix("file:").unwrap_or(uri);
    let path = path.split('?').next().unwrap_or(path);
    if !path.starts_with(NAMESPACE) {
        return None;
    }
    let file = registry().get(&format!("{path}-wal")).cloned()?;
    let len = file.bytes().len();
    Some(len as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::{Connection, OpenFlags};

    fn names_with(prefix: &str) -> Vec<String> {
        let mut v: Vec<String> = registry()
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        v.sort();
        v
    }

    fn open(name: &str) -> Connection {
        crate::ffi::configure_library();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI;
        let c = Connection::open_with_flags(format!("file:{name}?vfs=shmlite-mem"), flags).unwrap();
        c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        c
    }

    #[test]
    fn connections_share_a_wal_database_and_the_last_close_forgets_it() {
        let name = format!("{NAMESPACE}unit-{}", std::process::id());
        let a = open(&name);
        let mode: String = a
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        a.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
            .unwrap();
        let b = open(&name);
        // A reader inside a transaction keeps its snapshot while the writer commits more.
        b.execute_batch("BEGIN").unwrap();
        let n: i64 = b
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        a.execute_batch("INSERT INTO t VALUES (2)").unwrap();
        let still: i64 = b
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        b.execute_batch("COMMIT").unwrap();
        let now: i64 = b
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!((n, still, now), (1, 1, 2));
        assert_eq!(names_with(&name), [name.clone(), format!("{name}-wal")]);
        drop(a);
        assert_eq!(names_with(&name).len(), 2, "b still has it open");
        drop(b);
        assert!(names_with(&name).is_empty(), "{:?}", names_with(&name));
        // A new database of the same name starts empty.
        let c = open(&name);
        let tables: i64 = c
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }

    #[test]
    fn a_second_writer_gets_busy_and_then_the_write_lock() {
        let name = format!("{NAMESPACE}busy-{}", std::process::id());
        let a = open(&name);
        a.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x)")
            .unwrap();
        let b = open(&name);
        b.busy_timeout(std::time::Duration::ZERO).unwrap();
        a.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
            .unwrap();
        let e = b.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy),
            "{e}"
        );
        a.execute_batch("COMMIT").unwrap();
        b.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT")
            .unwrap();
        let n: i64 = a
            .query_row("SELECT sum(x) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn large_values_and_checkpoints_round_trip() {
        let name = format!("{NAMESPACE}big-{}", std::process::id());
        let a = open(&name);
        a.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(b BLOB)")
            .unwrap();
        a.execute("INSERT INTO t VALUES (randomblob(3000000))", [])
            .unwrap();
        a.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        let b = open(&name);
        let len: i64 = b
            .query_row("SELECT length(b) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(len, 3_000_000);
        let check: String = b
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        // VACUUM INTO a path outside the namespace writes a real file.
        let dir = crate::test_dir::fresh("memvfs-vacuum");
        let copy = dir.join("copy.db");
        b.execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
            .unwrap();
        let disk = Connection::open(&copy).unwrap();
        let len: i64 = disk
            .query_row("SELECT length(b) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(len, 3_000_000);
        assert!(names_with(copy.to_str().unwrap()).is_empty());
        drop(disk);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
