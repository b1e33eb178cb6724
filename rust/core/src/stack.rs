//! Keeps SQLite's recursion inside the calling thread's stack (issue 12 item 5).
//!
//! SQLite recurses in C while it compiles nested views, subqueries, expressions and chained
//! triggers, and while it matches LIKE/GLOB patterns. On a Java thread with a small stack that
//! recursion ran past the stack's end into the JVM's guard zone: the JVM died with SIGSEGV.
//! Each recursion is bounded by one of SQLite's run-time limits, so before every call the limits
//! are scaled to the stack the calling thread has left ([`fit`]); a statement that these lowered
//! limits refuse at compile time is compiled again on a thread with a [`BIG_STACK`] under
//! SQLite's default limits ([`on_big_stack`]), so deep SQL that works on a big stack works on
//! any stack. Stepping a compiled statement needs no C recursion beyond these bounds.
//!
//! Costs measured with the release build (stack used per nesting level, `tests` of this module
//! name the worst seen): a chain of views 0.65 KiB, of `UNION ALL` views 1.68 KiB, expressions
//! 0.55 KiB, chained triggers 1.53 KiB, a LIKE pattern 0.056 KiB per byte, JSON nested to
//! SQLite's fixed 1000 levels 94 KiB, a flat statement 16 KiB.

use crate::control::Control;
use crate::error::{Error, Result};
use crate::ffi::{self, Db};
use libsqlite3_sys as sys;
use std::cell::Cell;

/// Stack kept free below SQLite's deepest frame: HotSpot's guard zones at the stack's end
/// (reserved, yellow and red pages: 16 KiB on x86_64) plus room for the driver's own frames and
/// the callbacks SQLite makes (busy, progress, the interrupt probe).
pub const RESERVE: usize = 48 << 10;
/// Stack a statement needs whatever the limits: a flat statement (16 KiB) plus JSON nested to
/// SQLite's fixed depth of 1000 (94 KiB), which no run-time limit bounds.
pub const BASE_NEED: usize = 112 << 10;
/// Stack budgeted per level of `SQLITE_LIMIT_EXPR_DEPTH` (nested views, subqueries,
/// expressions) and of `SQLITE_LIMIT_TRIGGER_DEPTH`: the worst measured (1.68 KiB, `UNION ALL`
/// views) with a margin.
pub const LEVEL_NEED: usize = 2 << 10;
/// Stack budgeted per byte of `SQLITE_LIMIT_LIKE_PATTERN_LENGTH` (measured 56 bytes).
pub const LIKE_BYTE_NEED: usize = 64;
/// Smallest budget (stack left beyond [`RESERVE`] and [`BASE_NEED`]) a call runs with: 8
/// nesting levels. With less, the call is refused (54001) instead of risking the JVM. A Java
/// thread created with 256 KiB has about 85 KiB of budget at its first call.
pub const MIN_BUDGET: usize = 16 << 10;
/// Stack of the thread that compiles a statement the lowered limits refused: SQLite's default
/// limits need at most ~1.7 MiB of nesting and 2.7 MiB of LIKE recursion.
pub const BIG_STACK: usize = 16 << 20;

/// SQLite's default limits (the bundled build's compile-time maxima).
const DEFAULT_EXPR_DEPTH: i32 = 1000;
const DEFAULT_TRIGGER_DEPTH: i32 = 1000;
const DEFAULT_LIKE_LENGTH: i32 = 50_000;

/// The recursion limits a call runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub expr_depth: i32,
    pub trigger_depth: i32,
    pub like_length: i32,
}

impl Limits {
    /// SQLite's defaults.
    pub const DEFAULT: Limits = Limits {
        expr_depth: DEFAULT_EXPR_DEPTH,
        trigger_depth: DEFAULT_TRIGGER_DEPTH,
        like_length: DEFAULT_LIKE_LENGTH,
    };

    /// The limits whose worst-case recursion fits in `left` bytes of stack.
    pub fn for_stack(left: usize) -> Result<Limits> {
        let budget = left.saturating_sub(RESERVE + BASE_NEED);
        if budget < MIN_BUDGET {
            return Err(Error::StackTooSmall {
                left_kib: left >> 10,
                need_kib: (RESERVE + BASE_NEED + MIN_BUDGET) >> 10,
            });
        }
        let levels = (budget / LEVEL_NEED).min(i32::MAX as usize) as i32;
        let like = (budget / LIKE_BYTE_NEED).min(i32::MAX as usize) as i32;
        Ok(Limits {
            expr_depth: levels.min(DEFAULT_EXPR_DEPTH),
            trigger_depth: levels.min(DEFAULT_TRIGGER_DEPTH),
            like_length: like.min(DEFAULT_LIKE_LENGTH),
        })
    }

    /// One word for [`Control`]'s record of a connection's limits (never 0, which means "not
    /// set by the driver yet").
    fn pack(self) -> u64 {
        self.expr_depth as u64 | (self.trigger_depth as u64) << 16 | (self.like_length as u64) << 32
    }

    /// Sets these limits on a connection.
    fn apply(self, db: Db) {
        db.set_limit(sys::SQLITE_LIMIT_EXPR_DEPTH, self.expr_depth);
        db.set_limit(sys::SQLITE_LIMIT_TRIGGER_DEPTH, self.trigger_depth);
        db.set_limit(sys::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, self.like_length);
    }
}

thread_local! {
    /// The calling thread's lowest stack address (0: not looked up yet, 1: unknown).
    static STACK_LOW: Cell<usize> = const { Cell::new(0) };
}

/// Bytes of stack the calling thread has left below this frame, or None when unknown.
pub fn left() -> Option<usize> {
    let low = STACK_LOW.with(|c| {
        if c.get() == 0 {
            c.set(ffi::thread_stack_low().unwrap_or(1));
        }
        c.get()
    });
    let here = std::hint::black_box(0u8);
    let sp = &here as *const u8 as usize;
    (low > 1 && sp > low).then(|| sp - low)
}

/// Brings `db` to the limits the calling thread's stack allows (`ctl` records what the
/// connection has, so a pooled connection is right for whichever thread uses it next). Returns
/// true when the limits are below SQLite's defaults. Costs a thread-local read and a compare
/// when nothing changes (the common case).
pub fn fit(db: Db, ctl: &Control) -> Result<bool> {
    let want = match left() {
        Some(left) => Limits::for_stack(left)?,
        None => Limits::DEFAULT,
    };
    if ctl.applied_limits() != want.pack() {
        want.apply(db);
        ctl.set_applied_limits(want.pack());
    }
    Ok(want != Limits::DEFAULT)
}

/// Runs `f` on a new thread with a [`BIG_STACK`] and SQLite's default limits on `db`, while
/// the caller waits. Only for what the stack-fitted limits refused, so its cost (a thread start,
/// ~50 µs) is paid only by deep SQL on a thread with little stack.
pub fn on_big_stack<T: Send>(db: Db, ctl: &Control, f: impl FnOnce() -> T + Send) -> Result<T> {
    Limits::DEFAULT.apply(db);
    ctl.set_applied_limits(Limits::DEFAULT.pack());
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("shmlite-deep-sql".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(s, f)
            .map_err(|e| Error::Io {
                context: "cannot start a thread to compile deep SQL".into(),
                source: e,
            })?;
        match worker.join() {
            Ok(v) => Ok(v),
            // A panic on the worker continues on the caller, as if it had run there.
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_scale_with_the_stack_left_and_refuse_below_the_floor() {
        assert_eq!(Limits::for_stack(64 << 20).unwrap(), Limits::DEFAULT);
        let small = Limits::for_stack(246 << 10).unwrap(); // a 256 KiB Java thread
        assert!(small.expr_depth >= 8 && small.expr_depth < 100, "{small:?}");
        assert!(small.like_length < DEFAULT_LIKE_LENGTH);
        let need = RESERVE + BASE_NEED + small.expr_depth as usize * LEVEL_NEED;
        assert!(need <= 246 << 10, "the worst case of these limits fits");
        assert!(matches!(
            Limits::for_stack(100 << 10),
            Err(Error::StackTooSmall { .. })
        ));
    }

    #[test]
    fn this_thread_knows_its_stack() {
        let here = left().expect("pthread_getattr_np works here");
        let inner = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| left().unwrap())
            .unwrap()
            .join()
            .unwrap();
        // The thread library may round the size up (it gave 2 MiB here); never down.
        assert!(inner > 900 << 10 && inner < 8 << 20, "{inner}");
        assert!(here > 0);
    }
}
