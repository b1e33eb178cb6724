//! The FFI layer: libdqlite's node API (`/usr/include/dqlite.h`) loaded at run time with
//! `dlopen`, so nothing links against libdqlite and only a process that starts a node needs it.
//! This module holds the crate's only `unsafe` code.
//!
//! The library is opened once per process and never closed: a stopped node's thread has been
//! joined, but libdqlite's dependencies (libuv, libraft) may keep process-wide state, and a
//! `dlclose` under them would buy nothing but risk.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr::NonNull;
use std::sync::OnceLock;

use crate::error::{Error, Result};

/// The file names tried, in order: the runtime library's soname (package libdqlite0), then the
/// development symlink (package libdqlite-dev).
pub const LIBRARY_NAMES: &[&str] = &["libdqlite.so.0", "libdqlite.so"];

type CreateFn = unsafe extern "C" fn(u64, *const c_char, *const c_char, *mut *mut c_void) -> c_int;
type SetBindFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;
type NodeFn = unsafe extern "C" fn(*mut c_void) -> c_int;
type DestroyFn = unsafe extern "C" fn(*mut c_void);
type ErrmsgFn = unsafe extern "C" fn(*mut c_void) -> *const c_char;
type VersionFn = unsafe extern "C" fn() -> c_int;

/// The node API's entry points, resolved from the loaded library.
#[derive(Debug)]
pub struct Library {
    name: &'static str,
    create: CreateFn,
    set_bind_address: SetBindFn,
    start: NodeFn,
    stop: NodeFn,
    destroy: DestroyFn,
    errmsg: ErrmsgFn,
    version: VersionFn,
}

static LIBRARY: OnceLock<std::result::Result<Library, String>> = OnceLock::new();

/// The process's libdqlite, loaded on first use from [`LIBRARY_NAMES`]; a failure is remembered
/// and reported the same way on every call.
pub fn library() -> Result<&'static Library> {
    LIBRARY
        .get_or_init(|| load(LIBRARY_NAMES))
        .as_ref()
        .map_err(|detail| Error::LibraryMissing {
            detail: detail.clone(),
        })
}

/// The last `dlerror()` text of this thread, or `fallback`.
fn dl_error(fallback: &str) -> String {
    // SAFETY: dlerror takes no arguments; its result is NULL or a NUL-terminated string valid
    // until the next dl* call on this thread, copied out at once.
    let msg = unsafe { libc::dlerror() };
    if msg.is_null() {
        return fallback.to_owned();
    }
    // SAFETY: non-null and NUL-terminated (dlerror's contract); read before any other dl* call.
    unsafe { CStr::from_ptr(msg) }
        .to_string_lossy()
        .into_owned()
}

/// Opens the first of `names` that loads and resolves every node API symbol from it.
pub(crate) fn load(names: &[&'static str]) -> std::result::Result<Library, String> {
    let mut failures = Vec::new();
    for &name in names {
        let Ok(c_name) = CString::new(name) else {
            failures.push(format!("{name}: NUL in name"));
            continue;
        };
        // SAFETY: a NUL-terminated file name; RTLD_LOCAL keeps libdqlite's symbols (and the
        // system SQLite it links) out of the global namespace, so they cannot interpose on the
        // SQLite the JNI library bundles.
        let handle = unsafe { libc::dlopen(c_name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            failures.push(dl_error(&format!("{name}: cannot be opened")));
            continue;
        }
        match resolve(handle, name) {
            Ok(lib) => return Ok(lib),
            Err(e) => failures.push(e),
        }
    }
    Err(failures.join("; "))
}

/// The address of `symbol` in `handle`, as the function pointer type `F`.
fn symbol<F: Copy>(handle: *mut c_void, symbol: &CStr) -> std::result::Result<F, String> {
    assert_eq!(
        std::mem::size_of::<F>(),
        std::mem::size_of::<*mut c_void>(),
        "function pointer type"
    );
    // SAFETY: `handle` is a live dlopen handle (never closed); the name is NUL-terminated.
    let p = unsafe { libc::dlsym(handle, symbol.as_ptr()) };
    if p.is_null() {
        return Err(dl_error(&format!("{} not found", symbol.to_string_lossy())));
    }
    // SAFETY: `F` is the `extern "C" fn` type dqlite.h declares for this symbol (the callers
    // pair each name with its type) and has the size of a pointer (asserted above); a non-null
    // symbol address is a valid value of it.
    Ok(unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) })
}

fn resolve(handle: *mut c_void, name: &'static str) -> std::result::Result<Library, String> {
    let lib = (|| {
        Ok::<_, String>(Library {
            name,
            create: symbol(handle, c"dqlite_node_create")?,
            set_bind_address: symbol(handle, c"dqlite_node_set_bind_address")?,
            start: symbol(handle, c"dqlite_node_start")?,
            stop: symbol(handle, c"dqlite_node_stop")?,
            destroy: symbol(handle, c"dqlite_node_destroy")?,
            errmsg: symbol(handle, c"dqlite_node_errmsg")?,
            version: symbol(handle, c"dqlite_version_number")?,
        })
    })();
    lib.map_err(|e| format!("{name}: {e}"))
}

impl Library {
    /// The file name it was loaded by.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `dqlite_version_number()`: major*10000 + minor*100 + release.
    pub fn version(&self) -> i32 {
        // SAFETY: takes no arguments, returns an int (dqlite.h).
        unsafe { (self.version)() }
    }
}

/// This process's effective user id (the owner a data directory must have).
pub fn euid() -> u32 {
    // SAFETY: geteuid takes no arguments and cannot fail.
    unsafe { libc::geteuid() }
}

/// Takes an exclusive, non-blocking `flock` on `file`: false when another process (or another
/// open file description) holds it. Released when the file is closed, also by a crash.
pub fn try_lock_exclusive(file: &std::fs::File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor `file` keeps open for the duration of the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// A `dqlite_node*` owned by this value: destroyed on drop. The node is started and stopped
/// through [`RawNode::start`]/[`RawNode::stop`]; [`crate::Node`] guarantees stop before drop of
/// a started node, as dqlite.h requires.
#[derive(Debug)]
pub struct RawNode {
    lib: &'static Library,
    ptr: NonNull<c_void>,
}

// SAFETY: a dqlite_node is driven from the thread that calls start/stop; libdqlite's own thread
// only runs its loop, and dqlite_node_stop joins that thread from whichever thread calls it
// (pthread_join). RawNode is never shared (no Sync), only moved.
unsafe impl Send for RawNode {}

fn c_string(what: &'static str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::BadAddress {
        what,
        addr: s.to_owned(),
        reason: "contains a NUL character".into(),
    })
}

impl RawNode {
    /// `dqlite_node_create(id, address, data_dir)`.
    pub fn create(lib: &'static Library, id: u64, address: &str, data_dir: &str) -> Result<Self> {
        let address = c_string("node address", address)?;
        let data_dir = CString::new(data_dir).map_err(|_| Error::DataDir {
            path: data_dir.into(),
            reason: "contains a NUL character".into(),
        })?;
        let mut ptr: *mut c_void = std::ptr::null_mut();
        // SAFETY: both strings are NUL-terminated and outlive the call (libdqlite copies them);
        // `ptr` is a valid out-pointer. On failure 1.11 frees the node and sets it to NULL.
        let rc = unsafe { (lib.create)(id, address.as_ptr(), data_dir.as_ptr(), &mut ptr) };
        match NonNull::new(ptr) {
            Some(ptr) if rc == 0 => Ok(RawNode { lib, ptr }),
            Some(ptr) => {
                // Later libdqlite versions leave an allocated node (with its message) on failure.
                let node = RawNode { lib, ptr };
                Err(node.error("dqlite_node_create", rc))
            }
            None => Err(Error::Dqlite {
                call: "dqlite_node_create",
                code: rc,
                message: String::new(),
            }),
        }
    }

    /// The node's last error message (empty when none).
    fn errmsg(&self) -> String {
        // SAFETY: `ptr` is a live node owned by self.
        let msg = unsafe { (self.lib.errmsg)(self.ptr.as_ptr()) };
        if msg.is_null() {
            return String::new();
        }
        // SAFETY: a NUL-terminated buffer inside the live node, copied out at once.
        unsafe { CStr::from_ptr(msg) }
            .to_string_lossy()
            .into_owned()
    }

    fn error(&self, call: &'static str, code: c_int) -> Error {
        Error::Dqlite {
            call,
            code,
            message: self.errmsg(),
        }
    }

    /// `dqlite_node_set_bind_address(address)`: binds the listening socket now (so a port in
    /// use fails here, before start).
    pub fn set_bind_address(&mut self, address: &str) -> Result<()> {
        let address = c_string("bind address", address)?;
        // SAFETY: live node, not started; NUL-terminated string copied by libdqlite.
        let rc = unsafe { (self.lib.set_bind_address)(self.ptr.as_ptr(), address.as_ptr()) };
        if rc != 0 {
            let mut e = self.error("dqlite_node_set_bind_address", rc);
            if let Error::Dqlite { message, .. } = &mut e {
                if message.is_empty() {
                    // 1.11 sets no message here: bind(2) failed, or the address did not parse.
                    *message = format!(
                        "cannot listen on {}: the port is in use, or the address is not one of \
                         this host's",
                        address.to_string_lossy()
                    );
                }
            }
            return Err(e);
        }
        Ok(())
    }

    /// `dqlite_node_start()`: bootstraps (id 1, empty data directory), spawns the node's thread
    /// and returns once it accepts connections. The bind address must have been set (libdqlite
    /// asserts it).
    pub fn start(&mut self) -> Result<()> {
        // SAFETY: live node with its bind address set (crate::Node always sets it first).
        let rc = unsafe { (self.lib.start)(self.ptr.as_ptr()) };
        if rc != 0 {
            return Err(self.error("dqlite_node_start", rc));
        }
        Ok(())
    }

    /// `dqlite_node_stop()`: stops accepting, finishes in-flight requests, closes connections
    /// and joins the node's thread. Only after a successful start.
    pub fn stop(&mut self) -> Result<()> {
        // SAFETY: live node that was started and not yet stopped (crate::Node tracks this).
        let rc = unsafe { (self.lib.stop)(self.ptr.as_ptr()) };
        if rc != 0 {
            return Err(self.error("dqlite_node_stop", rc));
        }
        Ok(())
    }
}

impl Drop for RawNode {
    fn drop(&mut self) {
        // SAFETY: the node is owned by self and either never started or stopped (crate::Node
        // stops a started node before dropping it); nothing uses `ptr` after this.
        unsafe { (self.lib.destroy)(self.ptr.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_names_the_debian_package() {
        let detail = load(&["libdqlite-shmlite-test-missing.so.0"]).unwrap_err();
        assert!(
            detail.contains("libdqlite-shmlite-test-missing.so.0"),
            "{detail}"
        );
        let msg = Error::LibraryMissing { detail }.to_string();
        assert!(msg.contains("apt-get install libdqlite0"), "{msg}");
    }

    #[test]
    fn a_library_without_the_node_api_is_refused_by_symbol() {
        // libc is loaded in every process and has none of dqlite's symbols.
        let detail = load(&["libc.so.6"]).unwrap_err();
        assert!(detail.contains("dqlite_node_create"), "{detail}");
    }
}
