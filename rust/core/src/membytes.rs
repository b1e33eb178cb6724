//! The bytes of one in-memory file (`memvfs`), in fixed-size chunks.
//!
//! Why not one `Vec<u8>`: growing a database of N bytes would reallocate and copy all N while the
//! writer holds the file's lock (readers of every connection wait for it), with a peak of 2N
//! while copying. Chunks of `CHUNK` bytes grow by one allocation at a time and never move; only
//! the last chunk, shorter while the file is small, is reallocated (at most `CHUNK` bytes), so a
//! small database costs little more than its size.

use std::collections::TryReserveError;

/// Bytes per chunk: 16 SQLite pages of the default 4 KiB. Large enough that the chunk table stays
/// small (16,384 entries for 1 GiB) and most page reads touch one chunk; small enough that the
/// last chunk's reallocation copies little.
pub const CHUNK: usize = 64 * 1024;

/// A growable byte array in chunks: every chunk but the last holds exactly `CHUNK` bytes, the
/// last holds 1..=`CHUNK`, and there is no chunk when the length is 0.
#[derive(Default)]
pub struct MemBytes {
    chunks: Vec<Vec<u8>>,
    len: usize,
}

impl MemBytes {
    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the length is 0.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies the bytes from `off` into `out`, as many as there are; returns how many (less than
    /// `out.len()` past the end).
    pub fn read(&self, off: usize, out: &mut [u8]) -> usize {
        let have = self.len.saturating_sub(off).min(out.len());
        let mut done = 0;
        while done < have {
            let at = off + done;
            let chunk = &self.chunks[at / CHUNK][at % CHUNK..];
            let n = chunk.len().min(have - done);
            out[done..done + n].copy_from_slice(&chunk[..n]);
            done += n;
        }
        have
    }

    /// Writes `src` at `off`, growing the file with zeros up to `off` first when it is shorter.
    /// Out of memory is an error, never an abort, and leaves the file as it was.
    pub fn write(&mut self, off: usize, src: &[u8]) -> Result<(), TryReserveError> {
        let end = off + src.len();
        if end > self.len {
            let before = self.len;
            if let Err(e) = self.set_len(end) {
                self.set_len(before).expect("shrinking allocates nothing");
                return Err(e);
            }
        }
        let mut done = 0;
        while done < src.len() {
            let at = off + done;
            let chunk = &mut self.chunks[at / CHUNK][at % CHUNK..];
            let n = chunk.len().min(src.len() - done);
            chunk[..n].copy_from_slice(&src[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// Truncates to `size` (giving whole chunks' memory back at once) or extends with zeros.
    pub fn set_len(&mut self, size: usize) -> Result<(), TryReserveError> {
        if size <= self.len {
            let keep = size.div_ceil(CHUNK);
            self.chunks.truncate(keep);
            if let Some(last) = self.chunks.last_mut() {
                last.truncate(size - (keep - 1) * CHUNK);
                last.shrink_to_fit();
            }
            if keep == 0 {
                self.chunks.shrink_to_fit(); // a WAL cut back to 0 gives its table back too
            }
            self.len = size;
            return Ok(());
        }
        while self.len < size {
            let full = self.chunks.last().is_none_or(|c| c.len() == CHUNK);
            if full {
                self.chunks.try_reserve(1)?;
                self.chunks.push(Vec::new());
            }
            let last = self.chunks.last_mut().expect("a chunk was just ensured");
            let target = CHUNK.min(last.len() + (size - self.len));
            if target > last.capacity() {
                // The first chunk doubles, as a Vec grows (a small file stays small); once the
                // file is past one chunk, a new chunk gets all its bytes at once.
                let want = if self.len >= CHUNK {
                    CHUNK
                } else {
                    target.max(CHUNK.min(2 * last.capacity()))
                };
                last.try_reserve_exact(want - last.len())?;
            }
            self.len += target - last.len();
            last.resize(target, 0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same operations on a plain Vec, as the reference.
    fn check(m: &MemBytes, reference: &[u8]) {
        assert_eq!(m.len(), reference.len());
        let mut out = vec![0xeeu8; reference.len() + 10];
        assert_eq!(m.read(0, &mut out), reference.len());
        assert_eq!(&out[..reference.len()], reference);
        for c in &m.chunks[..m.chunks.len().saturating_sub(1)] {
            assert_eq!(c.len(), CHUNK);
        }
        if let Some(last) = m.chunks.last() {
            assert!((1..=CHUNK).contains(&last.len()));
            assert!(last.capacity() <= CHUNK);
        }
    }

    #[test]
    fn writes_across_chunk_boundaries_read_back_as_in_one_vec() {
        let mut m = MemBytes::default();
        let mut reference = Vec::new();
        // WAL frames: 24-byte header + 4096-byte page, so most frames straddle no boundary and
        // some straddle one; then a write far past the end leaves a zero gap.
        let frame: Vec<u8> = (0..4120u32).map(|i| (i % 251) as u8).collect();
        for i in 0..40 {
            let off = 32 + i * frame.len();
            m.write(off, &frame).unwrap();
            if reference.len() < off + frame.len() {
                reference.resize(off + frame.len(), 0);
            }
            reference[off..off + frame.len()].copy_from_slice(&frame);
            check(&m, &reference);
        }
        m.write(5 * CHUNK + 7, b"tail").unwrap();
        reference.resize(5 * CHUNK + 7, 0);
        reference.extend_from_slice(b"tail");
        check(&m, &reference);
        // a read from the middle, across two boundaries, and one past the end
        let mut out = vec![0u8; 2 * CHUNK];
        assert_eq!(m.read(CHUNK - 3, &mut out), 2 * CHUNK);
        assert_eq!(&out[..], &reference[CHUNK - 3..3 * CHUNK - 3]);
        assert_eq!(m.read(reference.len() - 2, &mut out), 2);
        assert_eq!(m.read(reference.len() + 100, &mut out), 0);
    }

    #[test]
    fn truncation_gives_chunks_back_and_growth_after_it_reads_zeros() {
        let mut m = MemBytes::default();
        m.write(0, &vec![7u8; 3 * CHUNK + 100]).unwrap();
        assert_eq!(m.chunks.len(), 4);
        m.set_len(CHUNK + 5).unwrap();
        assert_eq!(m.chunks.len(), 2);
        m.set_len(2 * CHUNK).unwrap();
        let mut reference = vec![7u8; CHUNK + 5];
        reference.resize(2 * CHUNK, 0);
        check(&m, &reference);
        m.set_len(CHUNK).unwrap();
        assert_eq!(m.chunks.len(), 1);
        check(&m, &reference[..CHUNK]);
        m.set_len(0).unwrap();
        assert!(m.is_empty());
        assert_eq!(m.chunks.capacity(), 0);
        check(&m, &[]);
    }

    #[test]
    fn a_small_file_costs_about_its_size() {
        let mut m = MemBytes::default();
        m.write(0, &[1u8; 4096]).unwrap();
        assert_eq!(m.chunks.len(), 1);
        assert_eq!(m.chunks[0].capacity(), 4096);
        m.write(4096, &[2u8; 4096]).unwrap();
        assert_eq!(m.chunks[0].capacity(), 8192, "doubled, not a whole chunk");
        m.write(8192, &[3u8; 20]).unwrap();
        assert_eq!(m.chunks[0].capacity(), 16384);
        // past the first chunk, a new chunk is allocated whole, once
        m.write(CHUNK, &[4u8; 100]).unwrap();
        assert_eq!(m.chunks[0].capacity(), CHUNK);
        assert_eq!(m.chunks[1].capacity(), CHUNK);
    }
}
