//! SQLite's mutexes: a futex lock that spins briefly before it sleeps, instead of SQLite's
//! pthread mutexes, which sleep at once.
//!
//! Every transaction on a WAL database takes a few of SQLite's process-wide mutexes for a
//! moment: the `-shm` node's mutex to count its read lock (held across an `fcntl` when the
//! process-level lock changes), the unix VFS mutex in every shared-memory barrier, the
//! unlock-notify mutex when a transaction ends. With one writer and four readers in one process
//! these are hot. With a sleeping mutex each overlap costs a futex sleep and a wake-up, and on a
//! busy machine the sleeper then waits for a CPU behind the threads that keep re-taking the
//! lock: measured in W4 on `shm:` (2 cores, 4 readers), the writer got 13% of a core instead of
//! its fair fifth of two and committed 6,600 times a second against 79,000 alone. Spinning up
//! to [`SPIN_LIMIT`] times first takes the lock as the holder (running on the other core) leaves
//! it: the writer then got its share and committed 16,000–22,000 times a second.
//!
//! Not for every mutex: a shared cache's btree mutex is held for a whole statement step, and
//! spinning on it only burns the CPU its holder needs — W4 on `mem:`, when it was a shared cache,
//! fell from 14,000 to 3,000 commits a second when it spun. Mutexes allocated while a
//! shared-cache connection opens ([`unspun`]) therefore sleep at once. (`mem:` is WAL on
//! `memvfs` now; no shmlite URL opens a shared cache, but the rule stays for any that would.)
//!
//! Installed with `SQLITE_CONFIG_MUTEX` before SQLite initializes ([`crate::ffi::configure_library`]);
//! it affects only the SQLite compiled into this library.

use libsqlite3_sys as sys;
use std::ffi::c_int;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// One SQLite mutex. `owner` is the holding thread (0: none), kept for `sqlite3_mutex_held`
/// and for recursion; `depth` counts re-entries of a recursive mutex by its owner.
pub(crate) struct SqliteMutex {
    raw: RawLock,
    owner: AtomicUsize,
    depth: AtomicU32,
    recursive: bool,
    /// Spin before sleeping; off for the shared cache's btree mutex (see [`unspun`]).
    spin: bool,
}

impl SqliteMutex {
    const fn new(recursive: bool, spin: bool) -> SqliteMutex {
        SqliteMutex {
            raw: RawLock::new(),
            owner: AtomicUsize::new(0),
            depth: AtomicU32::new(0),
            recursive,
            spin,
        }
    }

    fn enter(&self) {
        let me = thread_token();
        if self.recursive && self.owner.load(Ordering::Relaxed) == me {
            self.depth.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.raw.lock(self.spin);
        self.owner.store(me, Ordering::Relaxed);
        self.depth.store(1, Ordering::Relaxed);
    }

    fn try_enter(&self) -> bool {
        let me = thread_token();
        if self.recursive && self.owner.load(Ordering::Relaxed) == me {
            self.depth.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        if !self.raw.try_lock() {
            return false;
        }
        self.owner.store(me, Ordering::Relaxed);
        self.depth.store(1, Ordering::Relaxed);
        true
    }

    /// Leaves the mutex; SQLite calls this only from the thread that holds it.
    fn leave(&self) {
        if self.owner.load(Ordering::Relaxed) != thread_token() {
            return; // not held by this thread: SQLite never does this; never unlock another's lock
        }
        if self.depth.fetch_sub(1, Ordering::Relaxed) > 1 {
            return;
        }
        self.owner.store(0, Ordering::Relaxed);
        self.raw.unlock();
    }

    fn held(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == thread_token()
    }
}

/// A futex lock (Drepper's "mutex 3"): 0 free, 1 held, 2 held and someone may sleep on it.
/// An unlock that finds 2 wakes one sleeper, which marks the lock 2 again when it takes it.
pub(crate) struct RawLock(AtomicU32);

/// How many times a contended lock checks again (with a spin-loop hint between) before it
/// sleeps: about 4 µs at the ~19 ns a hint takes on the CI machine's Xeon, longer than the
/// sections these mutexes guard and much shorter than a scheduler time slice. In W4 on `shm:`
/// 100 and 400 gave the same as 200 within noise; 30 was as slow as not spinning.
pub(crate) const SPIN_LIMIT: u32 = 200;

impl RawLock {
    const fn new() -> RawLock {
        RawLock(AtomicU32::new(0))
    }

    fn try_lock(&self) -> bool {
        self.0
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    fn lock(&self, spin: bool) {
        if self.try_lock() {
            return;
        }
        for _ in 0..if spin { SPIN_LIMIT } else { 0 } {
            std::hint::spin_loop();
            if self.0.load(Ordering::Relaxed) == 0 && self.try_lock() {
                return;
            }
        }
        while self.0.swap(2, Ordering::Acquire) != 0 {
            futex_wait(&self.0, 2);
        }
    }

    fn unlock(&self) {
        if self.0.swap(0, Ordering::Release) == 2 {
            futex_wake(&self.0);
        }
    }
}

/// Sleeps while `*a == expected` (a spurious or interrupted return is fine: callers loop).
fn futex_wait(a: &AtomicU32, expected: u32) {
    let op = libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG;
    let no_timeout = std::ptr::null::<libc::timespec>();
    // SAFETY: FUTEX_WAIT reads the u32 at a live, aligned address (an AtomicU32 has u32's
    // layout) and sleeps only while it holds `expected`; no timeout pointer.
    unsafe { libc::syscall(libc::SYS_futex, a.as_ptr(), op, expected, no_timeout) };
}

/// Wakes one thread sleeping in `futex_wait` on `a`.
fn futex_wake(a: &AtomicU32) {
    let op = libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG;
    // SAFETY: FUTEX_WAKE only uses the address as a key; `a` is live.
    unsafe { libc::syscall(libc::SYS_futex, a.as_ptr(), op, 1) };
}

thread_local!(
    /// Set while this thread opens a shared-cache connection (`unspun`).
    static UNSPUN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) }
);

fn spins() -> bool {
    !UNSPUN.with(|u| u.get())
}

/// Runs `f` (an open) so that the mutexes SQLite allocates meanwhile never spin when `unspun`.
/// For shared-cache opens: the btree mutex they allocate is held for a whole statement step,
/// and spinning on it only burns the CPU the holder needs.
pub(crate) fn unspun<R>(unspun: bool, f: impl FnOnce() -> R) -> R {
    /// Restores the thread's flag, also when `f` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            UNSPUN.with(|u| u.set(self.0));
        }
    }
    let _restore = Restore(UNSPUN.with(|u| u.replace(unspun)));
    f()
}

/// A number unique to the calling thread while it lives, never 0: the address of a thread-local.
fn thread_token() -> usize {
    thread_local!(static TOKEN: u8 = const { 0 });
    TOKEN.with(|t| t as *const u8 as usize)
}

/// SQLite's static mutexes, `SQLITE_MUTEX_STATIC_MAIN` (2) to `SQLITE_MUTEX_STATIC_VFS3` (13);
/// like SQLite's own, not recursive.
static STATIC_MUTEXES: [SqliteMutex; 12] = [const { SqliteMutex::new(false, true) }; 12];

/// The methods to pass to `sqlite3_config(SQLITE_CONFIG_MUTEX, …)`.
pub(crate) fn methods() -> sys::sqlite3_mutex_methods {
    sys::sqlite3_mutex_methods {
        xMutexInit: Some(mutex_init),
        xMutexEnd: Some(mutex_end),
        xMutexAlloc: Some(mutex_alloc),
        xMutexFree: Some(mutex_free),
        xMutexEnter: Some(mutex_enter),
        xMutexTry: Some(mutex_try),
        xMutexLeave: Some(mutex_leave),
        xMutexHeld: Some(mutex_held),
        xMutexNotheld: Some(mutex_notheld),
    }
}

unsafe extern "C" fn mutex_init() -> c_int {
    sys::SQLITE_OK
}

unsafe extern "C" fn mutex_end() -> c_int {
    sys::SQLITE_OK
}

unsafe extern "C" fn mutex_alloc(kind: c_int) -> *mut sys::sqlite3_mutex {
    let m: *const SqliteMutex = match kind {
        sys::SQLITE_MUTEX_FAST => Box::into_raw(Box::new(SqliteMutex::new(false, spins()))),
        sys::SQLITE_MUTEX_RECURSIVE => Box::into_raw(Box::new(SqliteMutex::new(true, spins()))),
        _ => match usize::try_from(kind - sys::SQLITE_MUTEX_STATIC_MAIN)
            .ok()
            .and_then(|i| STATIC_MUTEXES.get(i))
        {
            Some(m) => m,
            None => return std::ptr::null_mut(), // an unknown kind: SQLite's own returns NULL too
        },
    };
    m as *mut sys::sqlite3_mutex
}

/// The mutex behind a pointer SQLite got from `mutex_alloc`.
///
/// # Safety
/// `p` came from `mutex_alloc` and, if dynamic, was not freed yet.
unsafe fn mutex<'a>(p: *mut sys::sqlite3_mutex) -> &'a SqliteMutex {
    // SAFETY: per this function's contract `p` points to a live SqliteMutex (a leaked Box or an
    // element of STATIC_MUTEXES), which SQLite uses only between alloc and free.
    unsafe { &*(p as *const SqliteMutex) }
}

unsafe extern "C" fn mutex_free(p: *mut sys::sqlite3_mutex) {
    let statics = STATIC_MUTEXES.as_ptr_range();
    let m = p as *const SqliteMutex;
    if p.is_null() || statics.contains(&m) {
        return; // static mutexes are never freed (SQLite does not try)
    }
    // SAFETY: a dynamic mutex is a Box leaked by mutex_alloc, freed exactly once by SQLite.
    drop(unsafe { Box::from_raw(p as *mut SqliteMutex) });
}

unsafe extern "C" fn mutex_enter(p: *mut sys::sqlite3_mutex) {
    // SAFETY: SQLite passes a mutex it allocated and has not freed.
    unsafe { mutex(p) }.enter();
}

unsafe extern "C" fn mutex_try(p: *mut sys::sqlite3_mutex) -> c_int {
    // SAFETY: as in mutex_enter.
    if unsafe { mutex(p) }.try_enter() {
        sys::SQLITE_OK
    } else {
        sys::SQLITE_BUSY
    }
}

unsafe extern "C" fn mutex_leave(p: *mut sys::sqlite3_mutex) {
    // SAFETY: as in mutex_enter.
    unsafe { mutex(p) }.leave();
}

unsafe extern "C" fn mutex_held(p: *mut sys::sqlite3_mutex) -> c_int {
    // SQLite asks about NULL mutexes (no mutex needed) and expects "held".
    // SAFETY: as in mutex_enter, when not NULL.
    c_int::from(p.is_null() || unsafe { mutex(p) }.held())
}

unsafe extern "C" fn mutex_notheld(p: *mut sys::sqlite3_mutex) -> c_int {
    // SAFETY: as in mutex_enter, when not NULL.
    c_int::from(p.is_null() || !unsafe { mutex(p) }.held())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_recursive_mutex_is_reentrant_and_excludes_other_threads_until_fully_left() {
        let m = Arc::new(SqliteMutex::new(true, true));
        m.enter();
        m.enter();
        assert!(m.held());
        let other = Arc::clone(&m);
        assert!(!std::thread::spawn(move || other.try_enter())
            .join()
            .unwrap());
        m.leave();
        let other = Arc::clone(&m);
        assert!(!std::thread::spawn(move || other.try_enter())
            .join()
            .unwrap());
        m.leave();
        assert!(!m.held());
        let other = Arc::clone(&m);
        assert!(std::thread::spawn(move || {
            let got = other.try_enter();
            other.leave();
            got
        })
        .join()
        .unwrap());
    }

    #[test]
    fn a_fast_mutex_is_not_reentrant() {
        let m = SqliteMutex::new(false, true);
        m.enter();
        assert!(!m.try_enter());
        m.leave();
        assert!(m.try_enter());
        m.leave();
    }

    #[test]
    fn leaving_a_mutex_this_thread_does_not_hold_does_not_unlock_it() {
        let m = Arc::new(SqliteMutex::new(false, true));
        m.enter();
        let other = Arc::clone(&m);
        std::thread::spawn(move || other.leave()).join().unwrap();
        assert!(m.held());
        assert!(!Arc::clone(&m).try_enter());
        m.leave();
    }

    #[test]
    fn counts_stay_exact_under_contention() {
        // A counter incremented non-atomically under the mutex by 4 threads.
        let m = Arc::new(SqliteMutex::new(false, true));
        let count = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (m, count) = (Arc::clone(&m), Arc::clone(&count));
                std::thread::spawn(move || {
                    for _ in 0..50_000 {
                        m.enter();
                        let v = count.load(Ordering::Relaxed);
                        count.store(v + 1, Ordering::Relaxed);
                        m.leave();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(count.load(Ordering::Relaxed), 200_000);
    }

    #[test]
    fn mutexes_allocated_while_a_shared_cache_opens_never_spin_and_the_flag_is_restored() {
        // SAFETY: mutex_alloc with SQLite's FAST kind; each pointer is freed once below.
        let before = unsafe { mutex_alloc(sys::SQLITE_MUTEX_FAST) };
        // SAFETY: as above.
        let inside = unspun(true, || unsafe { mutex_alloc(sys::SQLITE_MUTEX_FAST) });
        let panicked = std::panic::catch_unwind(|| unspun(true, || panic!("an open panicked")));
        assert!(panicked.is_err());
        // SAFETY: as above.
        let after = unsafe { mutex_alloc(sys::SQLITE_MUTEX_RECURSIVE) };
        for (p, spins) in [(before, true), (inside, false), (after, true)] {
            // SAFETY: p came from mutex_alloc and is not freed yet.
            assert_eq!(unsafe { mutex(p) }.spin, spins);
            // SAFETY: a dynamic mutex from mutex_alloc, freed exactly once.
            unsafe { mutex_free(p) };
        }
    }

    #[test]
    fn static_mutexes_are_shared_and_never_freed_and_unknown_kinds_get_none() {
        // SAFETY: mutex_alloc with a static kind returns a pointer into STATIC_MUTEXES.
        let a = unsafe { mutex_alloc(sys::SQLITE_MUTEX_STATIC_VFS1) };
        // SAFETY: as above.
        let b = unsafe { mutex_alloc(sys::SQLITE_MUTEX_STATIC_VFS1) };
        assert_eq!(a, b);
        // SAFETY: freeing a static mutex is a no-op, as SQLite expects.
        unsafe { mutex_free(a) };
        // SAFETY: a is a static mutex, still valid.
        let m = unsafe { mutex(a) };
        m.enter();
        assert!(m.held());
        m.leave();
        // SAFETY: an unknown kind allocates nothing.
        assert!(unsafe { mutex_alloc(99) }.is_null());
    }
}
