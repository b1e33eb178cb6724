//! OS-level FFI for `shm:` databases: inotify wake-ups and the "who else has it open" probe.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

/// Watches one file's writes (SQLite appending WAL frames) through its directory, without
/// polling. The directory is watched so the file may be deleted and recreated (the last
/// connection to close removes the WAL); events for other files (the database file during a
/// checkpoint, other databases) are ignored.
#[derive(Debug)]
pub struct DirWatch {
    fd: OwnedFd,
    name: Vec<u8>,
}

impl DirWatch {
    /// Starts watching `dir` for writes to the file called `name`.
    pub fn new(dir: &Path, name: &std::ffi::OsStr) -> Result<Self> {
        let io = |what: &str| Error::Io {
            context: format!("cannot {what} for {}", dir.display()),
            source: std::io::Error::last_os_error(),
        };
        // SAFETY: plain syscall with flag constants; the result is checked.
        let raw = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if raw < 0 {
            return Err(io("start inotify"));
        }
        // SAFETY: `raw` is a fresh descriptor we own from here on.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let path =
            CString::new(dir.as_os_str().as_bytes()).map_err(|_| io("watch a path with NUL"))?;
        // SAFETY: `fd` is an inotify descriptor and `path` a valid NUL-terminated string.
        let wd = unsafe {
            libc::inotify_add_watch(
                fd.as_raw_fd(),
                path.as_ptr(),
                libc::IN_MODIFY | libc::IN_CREATE | libc::IN_MOVED_TO,
            )
        };
        if wd < 0 {
            return Err(io("watch the directory"));
        }
        Ok(DirWatch {
            fd,
            name: name.as_bytes().to_vec(),
        })
    }

    /// Discards queued events; returns true when one was about the watched file.
    pub fn drain(&self) -> bool {
        let mut buf = [0u8; 8192];
        let mut ours = false;
        loop {
            // SAFETY: `buf` is writable for its length; the descriptor is non-blocking.
            let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return ours;
            }
            ours |= self.mentions_file(&buf[..n as usize]);
            if (n as usize) < buf.len() - MAX_EVENT {
                return ours; // a short read emptied the queue: no extra read just to see EAGAIN
            }
        }
    }

    /// Walks `struct inotify_event` records: wd, mask, cookie, len (4 bytes each), then a
    /// NUL-padded name of `len` bytes.
    fn mentions_file(&self, mut events: &[u8]) -> bool {
        const HEAD: usize = 16;
        let mut found = false;
        while events.len() >= HEAD {
            let len = u32::from_ne_bytes(events[12..16].try_into().expect("4 bytes")) as usize;
            let Some(raw) = events.get(HEAD..HEAD + len) else {
                break;
            };
            let name = raw.split(|&b| b == 0).next().unwrap_or_default();
            found |= name == self.name.as_slice();
            events = &events[HEAD + len..];
        }
        found
    }

    /// Blocks until an event arrives or `timeout` passes; returns true on an event.
    pub fn wait(&self, timeout: Duration) -> bool {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        n > 0 && self.drain()
    }
}

/// The first copy of the WAL-index header at the start of the `-shm` file (SQLite wal.c
/// `WalIndexHdr`, 48 bytes: change counter, last frame, checksums, salts). A commit rewrites it
/// before it becomes visible, and only commits, checkpoints and WAL restarts change it. Reading
/// it is one `pread` with no locks, where `PRAGMA data_version` is a read transaction (four lock
/// calls and a page read after every foreign commit), so waits check it first. Read with
/// `pread`, not mapped: a mapping of a file another process truncates could fault.
#[derive(Debug)]
pub struct WalIndexHint {
    file: Arc<std::fs::File>,
    last: Option<[u8; WAL_INDEX_HEADER]>,
}

const WAL_INDEX_HEADER: usize = 48;

/// Descriptors of `-shm` files opened beside SQLite, by (device, inode), kept open: closing any
/// descriptor of a file drops every POSIX lock this process holds on it, SQLite's included
/// (its DMS and read-mark locks), after which another process may reinitialise the `-shm`
/// file under this process's connections. One descriptor per `-shm` file the process ever
/// watched; `forget_shm_file` closes one whose database was dropped and deleted.
static SHM_FILES: LazyLock<Mutex<ShmFiles>> = LazyLock::new(Default::default);

type ShmFiles = HashMap<(u64, u64), Arc<std::fs::File>>;

fn shm_files() -> MutexGuard<'static, ShmFiles> {
    SHM_FILES.lock().unwrap_or_else(|p| p.into_inner())
}

/// The kept read-only descriptor of a `-shm` file; None when it does not exist (yet).
fn shm_handle(shm_file: &Path) -> Option<Arc<std::fs::File>> {
    use std::os::unix::fs::MetadataExt;
    let mut files = shm_files();
    // Looked up by a stat, which opens no descriptor.
    let m = std::fs::metadata(shm_file).ok()?;
    if let Some(f) = files.get(&(m.dev(), m.ino())) {
        return Some(f.clone());
    }
    let file = Arc::new(std::fs::File::open(shm_file).ok()?);
    match file.metadata() {
        Ok(m) => Some(files.entry((m.dev(), m.ino())).or_insert(file).clone()),
        Err(_) => {
            // Never close it (see SHM_FILES); unusable, so leak it.
            std::mem::forget(file);
            None
        }
    }
}

/// Closes the kept descriptor of a `-shm` file, just before its database's files are deleted by
/// a drop (this process's connections on it are dropped ones, which only close).
pub fn forget_shm_file(shm_file: &Path) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(m) = std::fs::metadata(shm_file) {
        shm_files().remove(&(m.dev(), m.ino()));
    }
}

impl WalIndexHint {
    /// Reads the `-shm` file through the process's kept descriptor; None when it does not
    /// exist (yet).
    pub fn open(shm_file: &Path) -> Option<Self> {
        Some(WalIndexHint {
            file: shm_handle(shm_file)?,
            last: None,
        })
    }

    /// True when the header differs from the previous call's, or cannot be read: something may
    /// have committed since. Read it before the `data_version` check it gates, so a commit that
    /// lands in between is seen by that check or moves the header for the next call.
    pub fn moved(&mut self) -> bool {
        use std::os::unix::fs::FileExt;
        let mut now = [0u8; WAL_INDEX_HEADER];
        let read = self.file.read_exact_at(&mut now, 0).is_ok();
        let moved = !read || self.last != Some(now);
        self.last = read.then_some(now);
        moved
    }
}

/// Largest `struct inotify_event`: a 16-byte head and a name of at most NAME_MAX (255) bytes
/// plus its NUL.
const MAX_EVENT: usize = 16 + 256;

/// Byte of the `-shm` file every connection to a WAL database holds a shared lock on
/// (SQLite os_unix.c: UNIX_SHM_DMS = (22 + 8) * 4 + 8).
const SHM_DMS_BYTE: i64 = 128;

/// The pid of another process that has the WAL database open (through its `-shm` file), if any
/// (0 for a process outside this pid namespace).
///
/// Read from `/proc/locks`; where that cannot be read, probed with `F_GETLK` through the kept
/// descriptor of the `-shm` file (never a fresh one: see `SHM_FILES`).
pub fn other_user(shm_file: &Path) -> Option<i32> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(shm_file).ok()?;
    match std::fs::read_to_string("/proc/locks") {
        Ok(table) => holder_in_proc_locks(
            &table,
            (
                libc::major(meta.dev()) as u64,
                libc::minor(meta.dev()) as u64,
            ),
            meta.ino(),
            std::process::id() as i32,
        ),
        Err(_) => probe_lock(shm_file),
    }
}

/// The first POSIX lock in a `/proc/locks` table on the DMS byte of inode `ino` of device
/// `dev` held by a process other than `me`. Lines read
/// `1: POSIX  ADVISORY  READ 1234 00:1a:5678 128 128` (a blocked request has `->` after the id).
fn holder_in_proc_locks(table: &str, dev: (u64, u64), ino: u64, me: i32) -> Option<i32> {
    table.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().filter(|w| *w != "->").collect();
        let [_, "POSIX", _, _, pid, id, start, end] = f[..] else {
            return None;
        };
        let pid: i32 = pid.parse().ok()?;
        let mut id = id.split(':');
        let major = u64::from_str_radix(id.next()?, 16).ok()?;
        let minor = u64::from_str_radix(id.next()?, 16).ok()?;
        let inode: u64 = id.next()?.parse().ok()?;
        let start: i64 = start.parse().ok()?;
        let covers =
            start <= SHM_DMS_BYTE && (end == "EOF" || end.parse::<i64>().ok()? >= SHM_DMS_BYTE);
        // pid 0: a process outside this pid namespace (another container), still another one.
        ((major, minor) == dev && inode == ino && covers && pid >= 0 && pid != me).then_some(pid)
    })
}

fn probe_lock(shm_file: &Path) -> Option<i32> {
    let file = shm_handle(shm_file)?;
    // SAFETY: zeroed flock is a valid value; fields are set before use.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as _;
    lock.l_whence = libc::SEEK_SET as _;
    lock.l_start = SHM_DMS_BYTE as _;
    lock.l_len = 1;
    // SAFETY: F_GETLK on an open descriptor with a valid flock out-parameter.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
    (rc == 0 && lock.l_type != libc::F_UNLCK as _).then_some(lock.l_pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_locks_lines_name_other_holders_of_the_dms_byte() {
        let table = "1: POSIX  ADVISORY  READ 4321 00:1a:77 128 128\n\
                     2: POSIX  ADVISORY  READ 99 00:1a:77 128 128\n\
                     3: -> POSIX  ADVISORY  WRITE 555 00:1a:78 0 EOF\n\
                     4: OFDLCK ADVISORY  READ -1 00:1a:77 128 128\n";
        assert_eq!(holder_in_proc_locks(table, (0, 0x1a), 77, 4321), Some(99));
        assert_eq!(holder_in_proc_locks(table, (0, 0x1a), 77, 99), Some(4321));
        assert_eq!(holder_in_proc_locks(table, (0, 0x1a), 78, 1), Some(555));
        assert_eq!(holder_in_proc_locks(table, (0, 0x1b), 77, 1), None);
        assert_eq!(
            holder_in_proc_locks(
                "1: POSIX ADVISORY READ 7 00:1a:77 0 100\n",
                (0, 0x1a),
                77,
                1
            ),
            None
        );
    }

    #[test]
    fn a_write_to_the_file_wakes_the_watch_and_other_files_do_not() {
        let dir = crate::test_dir::fresh("watch");
        let w = DirWatch::new(&dir, std::ffi::OsStr::new("x-wal")).unwrap();
        assert!(!w.wait(Duration::from_millis(1)));
        std::fs::write(dir.join("x.db"), b"page").unwrap();
        assert!(
            !w.wait(Duration::from_millis(50)),
            "another file's write is ignored"
        );
        std::fs::write(dir.join("x-wal"), b"frame").unwrap();
        assert!(w.wait(Duration::from_secs(5)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wal_index_header_moves_with_commits_and_not_with_reads() {
        let dir = crate::test_dir::fresh("hint");
        let c = rusqlite::Connection::open(dir.join("h.db")).unwrap();
        c.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x);")
            .unwrap();
        let mut h = WalIndexHint::open(&dir.join("h.db-shm")).unwrap();
        assert!(h.moved(), "the first look has nothing to compare with");
        assert!(!h.moved(), "nothing committed");
        let n: i64 = c
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        assert!(!h.moved(), "a read is not a commit");
        c.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert!(h.moved(), "a commit");
        assert!(!h.moved());
        drop(c);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
