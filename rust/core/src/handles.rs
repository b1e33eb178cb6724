//! A session's statement handle table: the prepared statements Java holds, by handle (local
//! sessions with [`Entry`], `dqlite://` ones with their own entry type).
//!
//! A handle is `(generation << 32) | index`. The index makes every execute/fetch lookup one
//! bounds-checked index into a `Vec`; the generation, bumped each time a slot is reused, makes a
//! handle Java kept after `release` (or after the session reused its slot) a "statement closed"
//! error instead of a call on somebody else's statement. Released slots are reused first, so the
//! table stays as large as the most statements open at once.

use crate::error::{Error, Result};
use crate::ffi::Stmt;
use crate::session::Kind;

/// One prepared statement of a session and what the session tracks about its current run.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) stmt: Stmt,
    /// Cache key when the statement can go back to the connection's cache.
    pub(crate) key: Option<Box<[u8]>>,
    pub(crate) columns: usize,
    /// [`Stmt::columns_id`] as last described to Java.
    pub(crate) columns_id: i64,
    pub(crate) params: usize,
    pub(crate) kind: Kind,
    /// A row was stepped but not yet handed to Java.
    pub(crate) pending: bool,
    pub(crate) timeout_ms: u32,
    /// [`now_ns`](crate::control::now_ns) at the current run's execute (0 without a query
    /// timeout): its fetches share the execute's deadline.
    pub(crate) started_ns: u64,
    /// `total_changes` when the current run began (update count of INSERT ... RETURNING).
    pub(crate) changes_before: i64,
    /// This run's entry in the read transaction's [`ReadLog`](crate::readlog::ReadLog).
    pub(crate) logged: Option<usize>,
}

#[derive(Debug)]
struct Slot<E> {
    /// Bumped at each reuse (never 0), so a stale handle no longer matches.
    gen: u32,
    entry: Option<E>,
}

/// The statement handle table of one session.
#[derive(Debug)]
pub(crate) struct Handles<E = Entry> {
    slots: Vec<Slot<E>>,
    /// Indexes of empty slots, reused before the table grows.
    free: Vec<u32>,
}

impl<E> Default for Handles<E> {
    fn default() -> Self {
        Handles {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<E> Handles<E> {
    /// The statement a handle names, or "statement closed" for a released or foreign handle.
    #[inline]
    pub(crate) fn get(&mut self, handle: i64) -> Result<&mut E> {
        let (idx, gen) = split(handle);
        self.slots
            .get_mut(idx)
            .filter(|s| s.gen == gen)
            .and_then(|s| s.entry.as_mut())
            .ok_or(Error::Closed("statement"))
    }

    /// Stores a statement in a free slot (or a new one) and returns its handle.
    pub(crate) fn insert(&mut self, entry: E) -> i64 {
        let idx = match self.free.pop() {
            Some(i) => i as usize,
            None => {
                self.slots.push(Slot {
                    gen: 0,
                    entry: None,
                });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[idx];
        slot.gen = slot.gen.wrapping_add(1).max(1);
        slot.entry = Some(entry);
        ((slot.gen as i64) << 32) | idx as i64
    }

    /// Takes a statement out of the table; its slot is free for the next `insert`.
    pub(crate) fn remove(&mut self, handle: i64) -> Result<E> {
        self.get(handle)?;
        let (idx, _) = split(handle);
        let entry = self.slots[idx].entry.take().expect("checked above");
        self.free.push(idx as u32);
        Ok(entry)
    }

    /// Every open statement (commit/rollback reset their result sets).
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut E> {
        self.slots.iter_mut().filter_map(|s| s.entry.as_mut())
    }

    /// Empties the table (session close), handing out every statement in slot order.
    pub(crate) fn take_all(&mut self) -> Vec<E> {
        let entries = self
            .slots
            .iter_mut()
            .filter_map(|s| s.entry.take())
            .collect();
        self.slots.clear();
        self.free.clear();
        entries
    }

    /// The slot index of an open statement's handle (for callers that must let go of the
    /// table between lookups), or "statement closed".
    pub(crate) fn index(&mut self, handle: i64) -> Result<usize> {
        self.get(handle)?;
        Ok(split(handle).0)
    }

    /// The statement in slot `idx`, which [`Handles::index`] returned and nothing released since.
    pub(crate) fn at(&mut self, idx: usize) -> &mut E {
        self.at_opt(idx).expect("a slot index from Handles::index")
    }

    /// The statement in slot `idx`, if any (`idx` below [`Handles::slot_count`]).
    pub(crate) fn at_opt(&mut self, idx: usize) -> Option<&mut E> {
        self.slots.get_mut(idx).and_then(|s| s.entry.as_mut())
    }

    /// Slots in the table, open or free.
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Releases the statement in slot `idx`; the slot is free for the next `insert`.
    pub(crate) fn remove_at(&mut self, idx: usize) {
        if self
            .slots
            .get_mut(idx)
            .and_then(|s| s.entry.take())
            .is_some()
        {
            self.free.push(idx as u32);
        }
    }
}

/// A handle's slot index (low 32 bits) and generation (high 32 bits).
#[inline]
fn split(handle: i64) -> (usize, u32) {
    ((handle & 0xffff_ffff) as usize, (handle >> 32) as u32)
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::Session;

    #[test]
    fn a_released_handle_stays_closed_when_its_slot_is_reused() {
        let mut s = Session::open("jdbc:shmlite:mem:", &[]).unwrap();
        let old = s.prepare(b"SELECT 1").unwrap().handle;
        s.release(old).unwrap();
        let new = s.prepare(b"SELECT 2").unwrap().handle;
        assert_eq!(
            new & 0xffff_ffff,
            old & 0xffff_ffff,
            "the free slot is reused"
        );
        assert_ne!(new, old, "with a new generation");
        assert!(matches!(s.describe(old), Err(Error::Closed("statement"))));
        assert!(matches!(s.release(old), Err(Error::Closed("statement"))));
        assert_eq!(s.describe(new).unwrap().columns, 1);
        let other = s.prepare(b"SELECT 3, 4").unwrap().handle;
        assert_ne!(
            other & 0xffff_ffff,
            new & 0xffff_ffff,
            "a held slot is not reused"
        );
        assert!(matches!(s.describe(-1), Err(Error::Closed("statement"))));
    }
}
