//! Keeps SQLite's recursion inside the calling thread's stack (issue 12 item 5).
//!
//! SQLite recurses in C while it compiles nested views, subqueries, expressions, CTEs and
//! chained triggers, and while it matches LIKE/GLOB patterns. On a Java thread with a small stack
//! that recursion ran past the stack's end into the JVM's guard zone and the JVM died (SIGSEGV).
//! SQLite's run-time limits do not bound all of it: view nesting is counted only while a view's
//! columns are first resolved, so a chain of views queried step by step reached 3000 levels
//! (1.25 MiB of stack) under the default limits. Three guards instead:
//!
//! - **Allocation guard**: SQLite's allocator is wrapped ([`crate::ffi::configure_library`]); an
//!   allocation requested while the calling thread has less than [`GUARD_RESERVE`] of stack left
//!   fails (SQLITE_NOMEM). Every level of SQLite's compile-time recursion allocates (tree nodes,
//!   name lists), so compiling deep SQL stops with an error before the stack runs out.
//! - **Big-stack retry**: a compile (or a statement's first step, whose effects SQLite rolls back
//!   on error) that the guard stopped, or that the stack-fitted LIKE limit refused, runs again on
//!   a thread with a [`BIG_STACK`], while the caller waits ([`on_big_stack`]): deep SQL works on
//!   any stack as it does on a big one; only such statements pay for the thread (~50 µs).
//! - **Scaled limits**: recursion that allocates nothing per level is bounded by a limit, scaled
//!   to the stack the thread has left ([`fit`]): pattern matching by
//!   `SQLITE_LIMIT_LIKE_PATTERN_LENGTH`, walking and coding expression trees by
//!   `SQLITE_LIMIT_EXPR_DEPTH` (SQLite checks every tree's height as it builds it).
//!
//! Stack use measured with the release build, per level: a chain of views 0.65 KiB (0.42 KiB
//! when the views' columns are known), of `UNION ALL` views 1.68 KiB, expressions 0.55 KiB,
//! chained triggers 1.53 KiB, LIKE 0.056 KiB per pattern byte; JSON nested to SQLite's fixed
//! 1000 levels 94 KiB (no allocation per level); a flat statement 16 KiB.

use crate::control::Control;
use crate::error::{Error, Result};
use crate::ffi::{self, Db};
use libsqlite3_sys as sys;
use std::cell::Cell;

/// HotSpot's guard zones at the end of a Java thread's stack (reserved, yellow and red pages:
/// 16 KiB on x86_64 with 4 KiB pages): native code must never touch them.
pub const JVM_GUARD: usize = 16 << 10;
/// Stack below which SQLite's allocations fail: the JVM's zones plus room for what runs between
/// two allocations (levels served from SQLite's lookaside slots, error unwinding, the driver's
/// callbacks).
pub const GUARD_RESERVE: usize = JVM_GUARD + (80 << 10);
/// Stack a call needs at entry: the guard's reserve plus JSON nested to its fixed depth (94 KiB,
/// no allocation per level) and a flat statement. With less the call is refused (54001). A Java
/// thread created with 256 KiB has about 240 KiB at its first call.
pub const FLOOR: usize = GUARD_RESERVE + (96 << 10);
/// Stack budgeted per byte of `SQLITE_LIMIT_LIKE_PATTERN_LENGTH` (measured 56 bytes).
pub const LIKE_BYTE_NEED: usize = 64;
/// Stack budgeted per level of `SQLITE_LIMIT_EXPR_DEPTH` for expression trees (measured 0.55
/// KiB for nested unary operators, 0.47 KiB for CASTs).
pub const EXPR_LEVEL_NEED: usize = 1 << 10;
/// Stack of the thread that runs what the caller's stack could not (deep SQL): the guard keeps
/// even this one from overflowing; SQLite's default limits need at most ~1.7 MiB for nesting
/// and 2.7 MiB for LIKE.
pub const BIG_STACK: usize = 64 << 20;

/// SQLite's default limits (the bundled build's maxima).
pub const DEFAULT_LIKE_LENGTH: i32 = 50_000;
pub const DEFAULT_EXPR_DEPTH: i32 = 1000;

/// The recursion limits a call runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub like_length: i32,
    pub expr_depth: i32,
}

impl Limits {
    /// SQLite's defaults.
    pub const DEFAULT: Limits = Limits {
        like_length: DEFAULT_LIKE_LENGTH,
        expr_depth: DEFAULT_EXPR_DEPTH,
    };

    /// The limits whose allocation-free recursion fits in `left` bytes of stack (below
    /// [`FLOOR`]: refused).
    pub fn for_stack(left: usize) -> Result<Limits> {
        if left < FLOOR {
            return Err(Error::StackTooSmall {
                left_kib: left >> 10,
                need_kib: FLOOR >> 10,
            });
        }
        // What these recursions may use: all but the JVM's zones, a flat statement and a margin.
        let budget = left - JVM_GUARD - (48 << 10);
        Ok(Limits {
            like_length: (budget / LIKE_BYTE_NEED).min(DEFAULT_LIKE_LENGTH as usize) as i32,
            expr_depth: (budget / EXPR_LEVEL_NEED).min(DEFAULT_EXPR_DEPTH as usize) as i32,
        })
    }

    /// The connection's configured ceilings (SQLite's defaults unless a limit_* property set one).
    pub fn caps(ctl: &Control) -> Limits {
        Limits::unpack(ctl.limit_caps()).unwrap_or(Limits::DEFAULT)
    }

    /// Packs configured ceilings for [`Control::set_limit_caps`] (None: SQLite's default).
    pub fn pack_caps(like_length: Option<i32>, expr_depth: Option<i32>) -> u64 {
        Limits {
            like_length: like_length.unwrap_or(DEFAULT_LIKE_LENGTH),
            expr_depth: expr_depth.unwrap_or(DEFAULT_EXPR_DEPTH),
        }
        .pack()
    }

    /// Each limit no higher than `cap`'s.
    fn at_most(self, cap: Limits) -> Limits {
        Limits {
            like_length: self.like_length.min(cap.like_length),
            expr_depth: self.expr_depth.min(cap.expr_depth),
        }
    }

    /// One word for [`Control`]'s record of a connection's limits (never 0, which means "not
    /// set by the driver yet").
    fn pack(self) -> u64 {
        self.like_length as u64 | (self.expr_depth as u64) << 32
    }

    /// The limits [`Limits::pack`] made `packed` from (None for 0: none set yet).
    fn unpack(packed: u64) -> Option<Limits> {
        (packed != 0).then_some(Limits {
            like_length: (packed & 0xffff_ffff) as i32,
            expr_depth: (packed >> 32) as i32,
        })
    }

    fn apply(self, db: Db) {
        db.set_limit(sys::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, self.like_length);
        db.set_limit(sys::SQLITE_LIMIT_EXPR_DEPTH, self.expr_depth);
    }
}

thread_local! {
    /// The calling thread's lowest stack address (0: not looked up yet, 1: unknown).
    static STACK_LOW: Cell<usize> = const { Cell::new(0) };
    /// Set when the allocation guard refused an allocation on this thread.
    static GUARD_FIRED: Cell<bool> = const { Cell::new(false) };
}

/// Bytes of stack the calling thread has left below this frame, or None when unknown.
pub fn left() -> Option<usize> {
    let low = STACK_LOW
        .try_with(|c| {
            if c.get() == 0 {
                c.set(ffi::thread_stack_low().unwrap_or(1));
            }
            c.get()
        })
        .unwrap_or(1);
    let here = std::hint::black_box(0u8);
    let sp = &here as *const u8 as usize;
    (low > 1 && sp > low).then(|| sp - low)
}

/// The allocation guard's test, called by SQLite's allocator: true (refuse) when the thread
/// has less than [`GUARD_RESERVE`] of stack left. Never panics (it runs inside SQLite's C code).
pub fn refuse_allocation() -> bool {
    let refuse = left().is_some_and(|left| left < GUARD_RESERVE);
    if refuse {
        let _ = GUARD_FIRED.try_with(|f| f.set(true));
    }
    refuse
}

/// True (and cleared) when the guard refused an allocation on this thread since the last call.
pub fn take_guard_fired() -> bool {
    GUARD_FIRED.try_with(|f| f.replace(false)).unwrap_or(false)
}

/// The error of a step the guard stopped (SQLITE_NOMEM with the guard's flag set).
pub fn exhausted() -> Error {
    Error::StackTooSmall {
        left_kib: left().unwrap_or(0) >> 10,
        need_kib: FLOOR >> 10,
    }
}

/// Brings `db`'s limits to what the calling thread's stack allows (`ctl` records what the
/// connection has, so a pooled connection is right for whichever thread uses it next) and
/// clears the guard's flag. Returns true when a limit is below SQLite's default. Costs a
/// thread-local read and a compare when nothing changes (the common case).
pub fn fit(db: Db, ctl: &Control) -> Result<bool> {
    take_guard_fired();
    // The connection's own ceilings (limit_* properties), lowered further by the stack left.
    let cap = Limits::caps(ctl);
    let want = match left() {
        Some(left) => Limits::for_stack(left)?.at_most(cap),
        None => cap,
    };
    if ctl.applied_limits() != want.pack() {
        want.apply(db);
        ctl.set_applied_limits(want.pack());
    }
    Ok(want != cap)
}

/// Runs `f` on a new thread with a [`BIG_STACK`] and SQLite's default LIKE limit on `db`,
/// while the caller waits; a guard stop there becomes [`Error::StackTooSmall`].
pub fn on_big_stack<T: Send>(
    db: Db,
    ctl: &Control,
    f: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    let callers = ctl.applied_limits();
    let cap = Limits::caps(ctl);
    cap.apply(db);
    ctl.set_applied_limits(cap.pack());
    let out = std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("shmlite-deep-sql".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(s, || {
                let out = f();
                match out {
                    Err(Error::Sqlite { code, .. })
                        if code & 0xff == sys::SQLITE_NOMEM && take_guard_fired() =>
                    {
                        Err(Error::StackTooSmall {
                            left_kib: left().unwrap_or(0) >> 10,
                            need_kib: BIG_STACK >> 10,
                        })
                    }
                    other => other,
                }
            })
            // HY000, not the I/O error's 08001: the connection itself is fine.
            .map_err(|e| Error::Misuse(format!("cannot start a thread to run deep SQL: {e}")))?;
        match worker.join() {
            Ok(v) => v,
            // A panic on the worker continues on the caller, as if it had run there.
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    // The rest of the call (later steps of the same execute) runs on the caller's stack again.
    if let Some(limits) = Limits::unpack(callers) {
        limits.apply(db);
        ctl.set_applied_limits(callers);
    }
    out
}

/// Whether a failure is worth running again on a big stack: the allocation guard stopped it,
/// or (`lowered`: the call ran under stack-fitted limits) one of those limits refused it. Any
/// other error is final at once: a syntax error or a missing table costs no thread start.
pub fn retry_on_big_stack<T>(result: &Result<T>, lowered: bool) -> bool {
    match result {
        Err(Error::StackTooSmall { .. }) => true,
        Err(Error::Sqlite { code, message, .. }) => {
            let fired = take_guard_fired();
            (code & 0xff == sys::SQLITE_NOMEM && fired)
                || (code & 0xff == sys::SQLITE_ERROR && lowered && refused_by_limit(message))
        }
        _ => false,
    }
}

/// SQLite's messages for the limits [`fit`] lowers (`SQLITE_LIMIT_EXPR_DEPTH` for expression
/// trees and for view/subquery nesting, `SQLITE_LIMIT_LIKE_PATTERN_LENGTH`).
fn refused_by_limit(message: &str) -> bool {
    message.starts_with("Expression tree is too large")
        || message.starts_with("VIEWs and/or subqueries nested too deep")
        || message.starts_with("LIKE or GLOB pattern too complex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_scale_with_the_stack_left_and_calls_are_refused_below_the_floor() {
        assert_eq!(Limits::for_stack(64 << 20).unwrap(), Limits::DEFAULT);
        let small = Limits::for_stack(240 << 10).unwrap(); // a 256 KiB Java thread
        assert!(small.like_length > 1000 && small.like_length < DEFAULT_LIKE_LENGTH);
        assert!(small.expr_depth > 100 && small.expr_depth < DEFAULT_EXPR_DEPTH);
        let worst = (small.like_length as usize * LIKE_BYTE_NEED)
            .max(small.expr_depth as usize * EXPR_LEVEL_NEED);
        assert!(JVM_GUARD + worst <= 240 << 10, "{small:?}");
        assert!(matches!(
            Limits::for_stack(FLOOR - 1),
            Err(Error::StackTooSmall { .. })
        ));
        assert_eq!(Limits::unpack(small.pack()), Some(small));
        assert_eq!(Limits::unpack(0), None);
    }

    #[test]
    fn only_guard_stops_and_limit_refusals_are_retried() {
        let err = |code, m: &str| -> Result<()> { Err(Error::sqlite(code, m, None, true)) };
        let deep = err(
            sys::SQLITE_ERROR,
            "Expression tree is too large (maximum depth 100)",
        );
        assert!(retry_on_big_stack(&deep, true));
        assert!(
            !retry_on_big_stack(&deep, false),
            "SQLite's own default limit: final"
        );
        assert!(!retry_on_big_stack(
            &err(sys::SQLITE_ERROR, "no such table: t"),
            true
        ));
        assert!(!retry_on_big_stack(
            &err(sys::SQLITE_NOMEM, "out of memory"),
            true
        ));
        assert!(!retry_on_big_stack(&Ok(()), true));
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

    #[test]
    fn the_guard_refuses_only_near_the_end_of_the_stack() {
        assert!(!refuse_allocation());
        assert!(!take_guard_fired());
        fn deep(n: usize) -> bool {
            let pad = std::hint::black_box([0u8; 1024]);
            if refuse_allocation() {
                return pad[0] == 0;
            }
            n > 0 && deep(n - 1)
        }
        let hit = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| (deep(100_000), take_guard_fired(), left().unwrap()))
            .unwrap()
            .join()
            .unwrap();
        assert!(hit.0 && hit.1, "the guard fired before the stack ran out");
    }
}
