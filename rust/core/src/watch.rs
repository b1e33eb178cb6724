//! OS-level FFI for `shm:` databases: inotify wake-ups and the "who else has it open" probe.

use crate::error::{Error, Result};
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
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
        // Room for many events; a name is at most NAME_MAX (255) bytes.
        let mut buf = [0u8; 8192];
        let mut ours = false;
        loop {
            // SAFETY: `buf` is writable for its length; the descriptor is non-blocking.
            let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return ours;
            }
            ours |= self.mentions_file(&buf[..n as usize]);
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

/// Byte of the `-shm` file every connection to a WAL database holds a shared lock on
/// (SQLite os_unix.c: UNIX_SHM_DMS = (22 + 8) * 4 + 8).
const SHM_DMS_BYTE: i64 = 128;

/// The pid of another process that has the WAL database open (through its `-shm` file), if any.
/// Locks held by this process are invisible to this probe, so close ours first.
pub fn other_user(shm_file: &Path) -> Option<i32> {
    let file = std::fs::File::open(shm_file).ok()?;
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
    fn a_write_to_the_file_wakes_the_watch_and_other_files_do_not() {
        let dir = std::env::temp_dir().join(format!("shmlite-watch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
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
}
