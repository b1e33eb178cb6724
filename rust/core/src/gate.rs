//! Writer preference among one database's connections in this process (README "Writer
//! preference").
//!
//! SQLite lets a waiting writer in only once no reader is in its way, and a new read
//! transaction never waits for a writer that is waiting: readers that overlap keep a writer
//! (or a commit's TRUNCATE checkpoint, which needs every reader out of the WAL) waiting to its
//! busy_timeout. The [`Gate`] of a database is closed while one of its connections waits for
//! readers to leave; a call that would start a new transaction on another connection of the
//! database waits while it is closed, so the readers already in drain and the writer gets in.
//!
//! Rules, each a way the gate could otherwise hang or fail someone:
//! - Only a connection that holds no transaction waits at the gate (it holds nothing a holder
//!   could be waiting for), so a reader inside a transaction runs on and ends it.
//! - A wait at the gate is bounded ([`Gate::max_wait`], [`GATE_WAIT_MAX`] by default, or the
//!   session's busy_timeout when shorter, apart from its lock waits); then the call proceeds. The gate never fails a
//!   call.
//! - A holder closes the gate only while it waits inside one call, and opens it when that wait
//!   ends (a [`Hold`] guard, or [`crate::control::Control`] at the end of the step or call): the
//!   thread that holds it is busy waiting, so it never waits at the gate itself.
//! - With the gate open, the check costs one relaxed atomic load ([`Gate::is_closed`]).
//!
//! Readers in other processes never see the gate.

use crate::control::{Control, INTERRUPT_POLL};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Longest wait of one statement at a closed gate (less when its busy_timeout is shorter): the
/// readers already inside a transaction end theirs well within it, and it bounds what the gate
/// costs when the holder waits for a transaction the waiting thread itself keeps open on
/// another connection (a framework's REQUIRES_NEW read inside an outer transaction that read
/// the table the writer waits for): that thread stalls this long per statement, then goes on,
/// ends its outer transaction, and the writer gets in.
pub const GATE_WAIT_MAX: Duration = Duration::from_millis(100);

/// The gate of one database: closed while at least one of its connections holds it.
#[derive(Debug, Default)]
pub struct Gate {
    /// Holds in force (several connections may wait at once: a writer and a checkpoint).
    holders: AtomicUsize,
    /// Guards the wake-up: a waiter checks `holders` under it, the last holder notifies under it.
    lock: Mutex<()>,
    opened: Condvar,
    /// Times the gate was closed.
    closings: AtomicU64,
    /// Calls that waited at the gate, and those whose wait reached its bound.
    waits: AtomicU64,
    waits_bounded: AtomicU64,
    /// Calls waiting at the gate now.
    waiting: AtomicU64,
    /// The longest wait at this gate in ms (0: [`GATE_WAIT_MAX`]); tests whose steps must all
    /// happen while a reader waits raise it, so a slow machine cannot end the wait first.
    max_wait_ms: AtomicU64,
}

/// Counters of a [`Gate`] (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GateCounts {
    /// Times a connection closed the gate.
    pub closings: u64,
    /// Calls that waited at the gate before starting a transaction.
    pub waits: u64,
    /// Of those, the waits that reached their bound and proceeded with the gate still closed.
    pub waits_bounded: u64,
    /// Calls waiting at the gate now.
    pub waiting: u64,
}

impl Gate {
    /// True while some connection holds the gate. The hot path's only cost.
    #[inline]
    pub fn is_closed(&self) -> bool {
        self.holders.load(Relaxed) != 0
    }

    /// The longest wait of one statement at this gate ([`GATE_WAIT_MAX`] unless set).
    pub fn max_wait(&self) -> Duration {
        match self.max_wait_ms.load(Relaxed) {
            0 => GATE_WAIT_MAX,
            ms => Duration::from_millis(ms),
        }
    }

    /// Sets the longest wait at this gate (tests; a zero duration puts [`GATE_WAIT_MAX`] back).
    pub fn set_max_wait(&self, max: Duration) {
        self.max_wait_ms.store(max.as_millis() as u64, Relaxed);
    }

    /// Closes the gate until the returned guard is dropped.
    pub fn close(&self) -> Hold<'_> {
        self.acquire();
        Hold(self)
    }

    /// Closes the gate; [`Gate::release`] opens it again (for holds that outlive a scope).
    pub(crate) fn acquire(&self) {
        self.holders.fetch_add(1, Relaxed);
        self.closings.fetch_add(1, Relaxed);
    }

    /// Ends one hold; the last one wakes the calls waiting at the gate.
    pub(crate) fn release(&self) {
        if self.holders.fetch_sub(1, Relaxed) == 1 {
            // Under the lock: a waiter that saw the gate closed is then inside `wait_timeout`,
            // so this notification reaches it.
            let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            self.opened.notify_all();
        }
    }

    /// Waits while the gate is closed, at most `bound`; ends early when `ctl`'s call is
    /// cancelled, its query deadline passes or its thread is interrupted (the call then fails
    /// on its own, as it would without the gate). Returns true when the gate was open at the
    /// end. Call only when the connection holds no transaction.
    pub fn wait_open(&self, ctl: &Control, bound: Duration) -> bool {
        let start = Instant::now();
        self.waits.fetch_add(1, Relaxed);
        let mut g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.waiting_now(1);
        let open = loop {
            if !self.is_closed() {
                break true;
            }
            let left = bound.saturating_sub(start.elapsed());
            if left.is_zero() {
                self.waits_bounded.fetch_add(1, Relaxed);
                break false;
            }
            if ctl.should_interrupt() || crate::control::thread_interrupted() {
                break false;
            }
            // Sliced: a cancel or an interrupt wakes the control's condition variable, not
            // this one.
            g = self
                .opened
                .wait_timeout(g, left.min(INTERRUPT_POLL))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        };
        self.waiting_now(-1);
        open
    }

    fn waiting_now(&self, delta: i64) {
        if delta > 0 {
            self.waiting.fetch_add(1, Relaxed);
        } else {
            self.waiting.fetch_sub(1, Relaxed);
        }
    }

    /// The gate's counters.
    pub fn counts(&self) -> GateCounts {
        GateCounts {
            closings: self.closings.load(Relaxed),
            waits: self.waits.load(Relaxed),
            waits_bounded: self.waits_bounded.load(Relaxed),
            waiting: self.waiting.load(Relaxed),
        }
    }
}

/// A hold on a [`Gate`]: the gate stays closed (for new transactions of other connections)
/// while this lives.
#[must_use = "the gate opens when the hold is dropped"]
#[derive(Debug)]
pub struct Hold<'a>(&'a Gate);

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn the_gate_is_closed_while_any_hold_lives() {
        let g = Gate::default();
        assert!(!g.is_closed());
        let a = g.close();
        let b = g.close();
        drop(a);
        assert!(g.is_closed(), "a second holder still waits");
        drop(b);
        assert!(!g.is_closed());
        assert_eq!(g.counts().closings, 2);
    }

    #[test]
    fn a_wait_ends_when_the_last_hold_is_released_or_at_its_bound() {
        let g = Arc::new(Gate::default());
        let ctl = Arc::new(Control::default());
        assert!(g.wait_open(&ctl, Duration::ZERO), "open: no wait");
        g.acquire();
        assert!(!g.wait_open(&ctl, Duration::from_millis(5)), "bounded");
        assert_eq!(g.counts().waits_bounded, 1);
        let (g2, ctl2) = (g.clone(), ctl.clone());
        let waiter = thread::spawn(move || g2.wait_open(&ctl2, Duration::from_secs(60)));
        while g.counts().waiting == 0 {
            thread::yield_now();
        }
        g.release();
        assert!(
            waiter.join().unwrap(),
            "woken by the release, with the gate open"
        );
        assert_eq!(g.counts().waits_bounded, 1);
    }
}
