//! Deadlines, cancellation and lock waits of one native connection.
//!
//! One [`Control`] per native connection is shared with SQLite's callbacks (busy, progress,
//! unlock-notify) and, through a [`CancelSlot`], with the thread that calls `Statement.cancel()`.
//! Every wait (shared-cache unlock-notify, SQLITE_BUSY back-off) sleeps on the same condition
//! variable, so a cancel or an unlock wakes it at once, and every wait is bounded by a deadline.

use crate::gate::Gate;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Monotonic nanoseconds since the first call (never 0, so 0 can mean "no deadline").
pub fn now_ns() -> u64 {
    EPOCH.elapsed().as_nanos() as u64 + 1
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    Notified,
    TimedOut,
    Cancelled,
    /// The waiting thread was interrupted (Java's `Thread.interrupt()`, via the probe).
    Interrupted,
}

/// Longest sleep of a wait between two checks of the waiting thread's interrupt status: an
/// interrupt ends a lock wait or a pool wait within this bound (plus the probe's own cost).
pub const INTERRUPT_POLL: Duration = Duration::from_millis(10);

/// Asks whether the calling thread was interrupted (registered once by the JNI layer, which asks
/// the JVM; without one, as in the core's own tests, nothing is ever interrupted).
static INTERRUPT_PROBE: OnceLock<fn() -> bool> = OnceLock::new();

/// Registers the interrupt probe; later registrations are ignored.
pub fn set_interrupt_probe(probe: fn() -> bool) {
    let _ = INTERRUPT_PROBE.set(probe);
}

/// True when the calling thread has a pending interrupt. Only waits call this (never the hot
/// path), and it does not clear the interrupt: Java code up the stack still sees it.
pub fn thread_interrupted() -> bool {
    INTERRUPT_PROBE.get().is_some_and(|probe| probe())
}

/// Back-off between retries of an SQLITE_BUSY lock (another process or a file lock), in µs.
/// Short first steps keep cross-process hand-offs fast; the 1 ms cap bounds the wake-ups.
const BUSY_BACKOFF_US: [u64; 7] = [20, 50, 100, 200, 500, 1000, 1000];

/// The per-connection state read by SQLite's callbacks.
#[derive(Debug, Default)]
pub struct Control {
    /// The running call: its owner's id shifted left by one, bit 0 set once it was cancelled.
    /// One word, so a cancel aimed at one owner's call can never land on the next call
    /// ([`Control::cancel_owner`] is a compare-and-swap on exactly that call).
    call: AtomicU64,
    /// A wait of the current call ended because its thread was interrupted.
    interrupted: AtomicBool,
    /// Set by close/abort from another thread: unlike `cancelled`, `arm` does not clear it, so a
    /// call that enters native code just after the abort still stops at once.
    aborted: AtomicBool,
    query_deadline: AtomicU64,
    /// 0: no call armed; [`LOCK_CLOCK_PENDING`]: armed, the clock starts at the first wait.
    lock_deadline: AtomicU64,
    lock_budget_ns: AtomicU64,
    notified: Mutex<bool>,
    cond: Condvar,
    busy_waits: AtomicU64,
    busy_wait_ns: AtomicU64,
    armed_at: AtomicU64,
    wal_limit_pages: AtomicU64,
    /// The recursion limits the driver last set on the connection (`stack::Limits`, packed; 0:
    /// none set yet).
    limits: AtomicU64,
    /// The connection's configured ceilings for those limits (`limit_expr_depth`,
    /// `limit_like_pattern_length`; packed like `limits`; 0: SQLite's defaults).
    limit_caps: AtomicU64,
    /// The writer-preference gate of the connection's database (none for private databases).
    gate: OnceLock<Arc<Gate>>,
    /// The statement being stepped writes (set at its first step): its lock waits close the gate.
    writing: AtomicBool,
    /// This connection holds the gate (closed by a lock wait of the current step or call).
    holds_gate: AtomicBool,
}

/// `lock_deadline` of an armed call that has not waited yet. Most calls never wait, so the lock
/// deadline is computed at the first wait rather than per call (a clock read per query showed in
/// W1's profile); like SQLite's own busy_timeout, the budget then counts from the first wait.
const LOCK_CLOCK_PENDING: u64 = u64::MAX;

/// WAL frames after which a commit runs a PASSIVE checkpoint (SQLite's autocheckpoint default).
pub const AUTOCHECKPOINT_PAGES: i32 = 1000;

impl Control {
    /// Arms the deadlines of one call that no statement owns (commit, rollback, driver SQL),
    /// only through [`crate::conn::NativeConn::arm`], whose guard disarms:
    /// `lock_ms` bounds lock waits, `query_ms` (0 = none) the whole call; lock waits never
    /// outlast the query deadline. Clears an earlier cancel.
    pub(crate) fn arm(&self, lock_ms: u32, query_ms: u32) {
        let started = if query_ms == 0 { 0 } else { now_ns() };
        self.arm_for(0, lock_ms, started, query_ms);
    }

    /// Arms a call of statement `owner` (0: none; only [`Control::cancel_owner`] with the same
    /// id cancels it). The query timeout `query_ms` counts from `started` ([`now_ns`] when the
    /// statement was executed; ignored when `query_ms` is 0), so every fetch of a result set is
    /// bounded by the deadline set at execute, not by a fresh one.
    pub(crate) fn arm_for(&self, owner: u64, lock_ms: u32, started: u64, query_ms: u32) {
        self.call.store(owner << 1, Relaxed);
        self.interrupted.store(false, Relaxed);
        self.lock_budget_ns
            .store(lock_ms as u64 * 1_000_000, Relaxed);
        if query_ms == 0 {
            self.armed_at.store(0, Relaxed);
            self.query_deadline.store(0, Relaxed);
            self.lock_deadline.store(LOCK_CLOCK_PENDING, Relaxed);
            return;
        }
        let query = started + query_ms as u64 * 1_000_000;
        self.armed_at.store(started, Relaxed);
        self.query_deadline.store(query, Relaxed);
        self.lock_deadline
            .store((now_ns() + lock_ms as u64 * 1_000_000).min(query), Relaxed);
    }

    /// The lock deadline of the armed call (0 when none), starting its clock at the first wait.
    fn lock_deadline(&self, now: u64) -> u64 {
        let d = self.lock_deadline.load(Relaxed);
        if d != LOCK_CLOCK_PENDING {
            return d;
        }
        let d = now + self.lock_budget_ns.load(Relaxed);
        self.armed_at.store(now, Relaxed);
        self.lock_deadline.store(d, Relaxed);
        d
    }

    /// True between `arm` and `disarm`.
    pub fn is_armed(&self) -> bool {
        self.lock_deadline.load(Relaxed) != 0
    }

    /// Milliseconds since the current call was armed with a query timeout, or since its first
    /// lock wait began (0 when neither happened).
    pub fn elapsed_ms(&self) -> u64 {
        match self.armed_at.load(Relaxed) {
            0 => 0,
            at => now_ns().saturating_sub(at) / 1_000_000,
        }
    }

    /// Sets the WAL size (in frames) past which a commit waits for readers and truncates the WAL.
    pub fn set_wal_limit_pages(&self, pages: u64) {
        self.wal_limit_pages.store(pages, Relaxed);
    }

    /// The checkpoint mode due after a commit left `pages` frames in the WAL (SQLite's count of
    /// frames since the WAL was last written from its start, whoever checkpointed since).
    /// TRUNCATE past the limit: it waits for readers that still use the WAL like RESTART does,
    /// and then empties the file at once, so the WAL is back under the limit as soon as
    /// readers allow rather than at a later writer's restart.
    pub fn checkpoint_due(&self, pages: i32) -> Option<i32> {
        let limit = self.wal_limit_pages.load(Relaxed);
        if limit != 0 && pages as u64 >= limit {
            Some(libsqlite3_sys::SQLITE_CHECKPOINT_TRUNCATE)
        } else if pages >= AUTOCHECKPOINT_PAGES {
            Some(libsqlite3_sys::SQLITE_CHECKPOINT_PASSIVE)
        } else {
            None
        }
    }

    /// The recursion limits last set on the connection (packed by `stack`; 0: none yet).
    pub fn applied_limits(&self) -> u64 {
        self.limits.load(Relaxed)
    }

    /// Records the recursion limits just set on the connection.
    pub fn set_applied_limits(&self, packed: u64) {
        self.limits.store(packed, Relaxed);
    }

    /// The configured ceilings of the recursion limits (packed by `stack`; 0: SQLite's defaults).
    pub fn limit_caps(&self) -> u64 {
        self.limit_caps.load(Relaxed)
    }

    /// Sets the configured ceilings; the next call fits the limits again.
    pub fn set_limit_caps(&self, packed: u64) {
        self.limit_caps.store(packed, Relaxed);
        self.limits.store(0, Relaxed);
    }

    /// Ends a call: no deadline applies until the next `arm`, and no owner's cancel reaches the
    /// connection until then. A gate the call still holds opens.
    pub(crate) fn disarm(&self) {
        self.query_deadline.store(0, Relaxed);
        self.lock_deadline.store(0, Relaxed);
        self.call.store(0, Relaxed);
        self.release_gate();
    }

    /// Joins the connection to its database's writer-preference gate (once, at open).
    pub(crate) fn join_gate(&self, gate: Arc<Gate>) {
        let _ = self.gate.set(gate);
    }

    /// The gate of the connection's database, if it has one.
    pub fn gate(&self) -> Option<&Gate> {
        self.gate.get().map(|g| &**g)
    }

    /// Says whether the statement about to be stepped writes (its lock waits then close the gate).
    pub(crate) fn set_writing(&self, on: bool) {
        self.writing.store(on, Relaxed);
    }

    /// A lock wait begins: when the statement writes, closes the gate (once) so that no new read
    /// transaction of this database in this process starts until [`Control::release_gate`].
    pub(crate) fn hold_gate_if_writing(&self) {
        if !self.writing.load(Relaxed) || self.holds_gate.load(Relaxed) {
            return;
        }
        if let Some(gate) = self.gate.get() {
            gate.acquire();
            self.holds_gate.store(true, Relaxed);
        }
    }

    /// True while this connection holds the gate (it never waits at it itself).
    pub fn holds_gate(&self) -> bool {
        self.holds_gate.load(Relaxed)
    }

    /// Opens the gate if this connection holds it (its wait ended: the step or call is over).
    pub(crate) fn release_gate(&self) {
        if self.holds_gate.load(Relaxed) {
            self.holds_gate.store(false, Relaxed);
            if let Some(gate) = self.gate.get() {
                gate.release();
            }
        }
    }

    /// Cancels the running call, whoever owns it, and wakes any wait.
    pub fn cancel(&self) {
        self.call.fetch_or(1, Relaxed);
        self.notify();
    }

    /// Cancels the running call only if statement `owner` (non-zero) runs it; otherwise does
    /// nothing and leaves nothing pending. Returns true when it cancelled.
    pub fn cancel_owner(&self, owner: u64) -> bool {
        if owner == 0 {
            return false;
        }
        let mine = owner << 1;
        // Sets the bit only while the word still names this owner's call: a call of another
        // statement armed in between changes the word, and the exchange fails.
        let hit = self
            .call
            .fetch_update(Relaxed, Relaxed, |v| (v & !1 == mine).then_some(v | 1))
            .is_ok();
        if hit {
            self.notify();
        }
        hit
    }

    /// Aborts the current and every later call until `clear_abort` (the session is closing).
    pub fn abort(&self) {
        self.aborted.store(true, Relaxed);
        self.cancel();
    }

    /// Lets the connection run calls again (it goes back to the pool for another session).
    pub fn clear_abort(&self) {
        self.aborted.store(false, Relaxed);
    }

    /// True once `cancel` was called during the current call, or `abort` at all.
    pub fn is_cancelled(&self) -> bool {
        self.call.load(Relaxed) & 1 != 0 || self.aborted.load(Relaxed)
    }

    /// True when a wait of the current call ended because its thread was interrupted.
    pub fn was_interrupted(&self) -> bool {
        self.interrupted.load(Relaxed)
    }

    /// Checks the calling thread's interrupt status (a wait is about to sleep); remembers it.
    fn probe_interrupt(&self) -> bool {
        let hit = thread_interrupted();
        if hit {
            self.interrupted.store(true, Relaxed);
        }
        hit
    }

    /// True when the query deadline has passed.
    pub fn query_expired(&self) -> bool {
        let d = self.query_deadline.load(Relaxed);
        d != 0 && now_ns() >= d
    }

    /// Wakes a waiter (unlock-notify callback, cancel).
    pub fn notify(&self) {
        *self.lock() = true;
        self.cond.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, bool> {
        // The flag stays meaningful even if a holder panicked.
        self.notified.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Progress-handler check: interrupt the running statement?
    pub fn should_interrupt(&self) -> bool {
        self.is_cancelled() || self.query_expired()
    }

    /// Busy-handler step: sleep a little (waking early on cancel) and say whether to retry.
    pub fn on_busy(&self, count: i32) -> bool {
        let now = now_ns();
        let deadline = self.lock_deadline(now);
        if self.is_cancelled() || deadline == 0 || now >= deadline || self.probe_interrupt() {
            return false;
        }
        if count == 0 {
            self.busy_waits.fetch_add(1, Relaxed);
            self.hold_gate_if_writing();
        }
        let step = BUSY_BACKOFF_US[(count.max(0) as usize).min(BUSY_BACKOFF_US.len() - 1)];
        let sleep = Duration::from_nanos((step * 1000).min(deadline - now));
        let guard = self.lock();
        if !self.is_cancelled() {
            drop(self.cond.wait_timeout(guard, sleep));
        }
        self.busy_wait_ns.fetch_add(now_ns() - now, Relaxed);
        true
    }

    /// Takes the busy waits recorded since the last call: (waits begun, nanoseconds waited).
    pub fn take_busy_waits(&self) -> (u64, u64) {
        (
            self.busy_waits.swap(0, Relaxed),
            self.busy_wait_ns.swap(0, Relaxed),
        )
    }

    /// Clears the notified flag before registering for an unlock notification.
    pub fn prepare_wait(&self) {
        *self.lock() = false;
    }

    /// Waits until notified, cancelled or the lock deadline, whichever is first.
    pub fn wait(&self) -> WaitEnd {
        let mut notified = self.lock();
        loop {
            if *notified {
                return WaitEnd::Notified;
            }
            if self.is_cancelled() {
                return WaitEnd::Cancelled;
            }
            let now = now_ns();
            let deadline = self.lock_deadline(now);
            if deadline == 0 || now >= deadline {
                return WaitEnd::TimedOut;
            }
            if self.probe_interrupt() {
                return WaitEnd::Interrupted;
            }
            let slice = Duration::from_nanos(deadline - now).min(INTERRUPT_POLL);
            notified = self
                .cond
                .wait_timeout(notified, slice)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// True when the notification arrived (checked after a registration was cancelled, since
    /// the callback may have fired just before).
    pub fn was_notified(&self) -> bool {
        *self.lock()
    }
}

/// A session's way to cancel what runs on its native connection, usable from any thread.
/// Detached when the session ends, so a late cancel never hits the connection's next user.
#[derive(Debug, Default)]
pub struct CancelSlot {
    target: Mutex<Option<Arc<Control>>>,
}

impl CancelSlot {
    /// A slot pointing at `ctl`.
    pub fn new(ctl: Arc<Control>) -> Self {
        CancelSlot {
            target: Mutex::new(Some(ctl)),
        }
    }

    /// Cancels the current call if statement `owner` runs it and the session is still
    /// attached; a statement that is not running is not affected, now or later.
    pub fn cancel(&self, owner: u64) {
        if let Some(ctl) = self
            .target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            ctl.cancel_owner(owner);
        }
    }

    /// Aborts the running call and every later one of the session (close/abort from another thread).
    pub fn abort(&self) {
        if let Some(ctl) = self
            .target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            ctl.abort();
        }
    }

    /// Detaches from the connection.
    pub fn detach(&self) {
        *self.target.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn wait_times_out_at_the_deadline() {
        let c = Control::default();
        c.arm(20, 0);
        c.prepare_wait();
        let t = Instant::now();
        assert_eq!(c.wait(), WaitEnd::TimedOut);
        assert!(t.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn lock_budget_starts_at_the_first_wait_and_is_shared_by_later_waits() {
        let c = Control::default();
        c.arm(30, 0);
        thread::sleep(Duration::from_millis(40)); // the call works longer than the budget
        c.prepare_wait();
        let t = Instant::now();
        assert_eq!(c.wait(), WaitEnd::TimedOut);
        assert!(
            t.elapsed() >= Duration::from_millis(30),
            "full budget at the first wait"
        );
        c.prepare_wait();
        assert_eq!(
            c.wait(),
            WaitEnd::TimedOut,
            "a second wait gets no fresh budget"
        );
        assert!(c.elapsed_ms() >= 30);
        c.disarm();
        assert!(!c.is_armed());
    }

    #[test]
    fn query_deadline_caps_lock_deadline() {
        let c = Control::default();
        c.arm(60_000, 10);
        c.prepare_wait();
        assert_eq!(c.wait(), WaitEnd::TimedOut);
        assert!(c.query_expired());
        c.disarm();
        assert!(!c.query_expired());
    }

    #[test]
    fn notify_and_cancel_wake_a_waiter() {
        let c = Arc::new(Control::default());
        c.arm(60_000, 0);
        c.prepare_wait();
        let c2 = c.clone();
        let h = thread::spawn(move || c2.wait());
        c.notify();
        assert_eq!(h.join().unwrap(), WaitEnd::Notified);

        c.arm_for(7, 60_000, 0, 0);
        c.prepare_wait();
        let slot = CancelSlot::new(c.clone());
        let c3 = c.clone();
        let h = thread::spawn(move || c3.wait());
        slot.cancel(7);
        // Either the waiter saw the cancel, or it saw the wake-up flag that cancel also sets.
        assert_ne!(h.join().unwrap(), WaitEnd::TimedOut);
        assert!(c.is_cancelled());
    }

    #[test]
    fn detached_slot_cancels_nothing() {
        let c = Arc::new(Control::default());
        let slot = CancelSlot::new(c.clone());
        c.arm_for(3, 1000, 0, 0);
        slot.detach();
        slot.cancel(3);
        assert!(!c.is_cancelled());
    }

    #[test]
    fn a_cancel_reaches_only_its_owners_running_call() {
        let c = Control::default();
        c.arm_for(1, 1000, 0, 0);
        assert!(!c.cancel_owner(2), "statement 2 is not running");
        assert!(!c.cancel_owner(0));
        assert!(!c.is_cancelled());
        assert!(c.cancel_owner(1));
        assert!(c.is_cancelled());
        c.disarm();
        assert!(!c.cancel_owner(1), "nothing runs after disarm");
        c.arm_for(1, 1000, 0, 0);
        assert!(
            !c.is_cancelled(),
            "no cancel is left pending for the next call"
        );
    }

    #[test]
    fn query_deadline_counts_from_the_start_of_the_statement() {
        let c = Control::default();
        let started = now_ns();
        thread::sleep(Duration::from_millis(30));
        c.arm_for(1, 60_000, started, 20);
        assert!(
            c.query_expired(),
            "a later call of the statement keeps its deadline"
        );
        assert!(c.elapsed_ms() >= 30);
    }

    #[test]
    fn busy_handler_gives_up_after_deadline_or_cancel() {
        let c = Control::default();
        assert!(!c.on_busy(0), "no deadline armed: no waiting");
        c.arm(5, 0);
        let mut n = 0;
        while c.on_busy(n) {
            n += 1;
        }
        assert!(n > 0);
        assert_eq!(c.take_busy_waits().0, 1);
        c.arm(1000, 0);
        c.cancel();
        assert!(!c.on_busy(0));
    }
}
