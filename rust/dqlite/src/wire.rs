//! The byte level of dqlite's wire protocol: words, the message header, fields, padding.
//!
//! Everything is little endian and aligned to 8-byte words. A message is one header word (body
//! length in words as u32, type code, schema version, two unused bytes) and a body of whole
//! words. Text is NUL-terminated and padded to the next word; a blob is a u64 length, the bytes,
//! then padding. Decoding never panics: every read is bounds-checked and reports a
//! [`DecodeError`] naming the offset.

use crate::error::DecodeError;

/// Size of a protocol word, the unit of alignment and of the header's length field.
pub const WORD: usize = 8;

/// Protocol version sent as the first word of every connection (`DQLITE_PROTOCOL_VERSION`).
pub const PROTOCOL_VERSION: u64 = 1;

/// Largest message body we accept from a server, in bytes (64 MiB). A header announcing more is
/// treated as a corrupt stream rather than allocated: SQLite rows larger than this cannot be
/// read through this client (dqlite itself splits result sets into batches of a few KiB).
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// Largest message body we send (the same bound; the header's u32 word count allows 32 GiB).
pub const MAX_REQUEST_BYTES: usize = MAX_BODY_BYTES;

/// Rounds `n` up to the next multiple of [`WORD`].
#[inline]
pub const fn pad_to_word(n: usize) -> usize {
    (n + WORD - 1) & !(WORD - 1)
}

/// The decoded header word of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Body length in words.
    pub words: u32,
    /// Request or response type code.
    pub mtype: u8,
    /// Schema version of the body for this type.
    pub schema: u8,
}

impl Header {
    /// Parses a header word, refusing bodies larger than [`MAX_BODY_BYTES`].
    pub fn decode(word: [u8; WORD]) -> Result<Self, DecodeError> {
        let words = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        let header = Header {
            words,
            mtype: word[4],
            schema: word[5],
        };
        if header.body_len() > MAX_BODY_BYTES {
            return Err(DecodeError::TooLarge {
                bytes: header.body_len(),
                limit: MAX_BODY_BYTES,
            });
        }
        Ok(header)
    }

    /// Encodes the header word.
    pub fn encode(&self) -> [u8; WORD] {
        let w = self.words.to_le_bytes();
        [w[0], w[1], w[2], w[3], self.mtype, self.schema, 0, 0]
    }

    /// Body length in bytes.
    pub fn body_len(&self) -> usize {
        self.words as usize * WORD
    }
}

/// Builds one message in a reusable buffer: the header word is reserved on [`Writer::begin`] and
/// filled in by [`Writer::finish`], so a request costs one buffer (kept by the connection) and one
/// `write` call.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Starts a new message, discarding the previous one but keeping the allocation.
    pub fn begin(&mut self) -> &mut Self {
        self.buf.clear();
        self.buf.extend_from_slice(&[0; WORD]);
        self
    }

    /// Appends one byte (unaligned; the caller pads).
    pub fn put_u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// Appends a u32 (half a word, used in pairs: db id + statement id).
    pub fn put_u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends a u64 word.
    pub fn put_u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends an i64 word.
    pub fn put_i64(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends an f64 word (IEEE 754 bits).
    pub fn put_f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
        self
    }

    /// Appends NUL-terminated text padded to a word. Text containing NUL cannot be represented.
    pub fn put_text(&mut self, v: &[u8]) -> Result<&mut Self, crate::Error> {
        if v.contains(&0) {
            return Err(crate::Error::NulInText);
        }
        self.buf.extend_from_slice(v);
        self.buf.push(0);
        self.pad();
        Ok(self)
    }

    /// Appends a blob: u64 length, bytes, padding.
    pub fn put_blob(&mut self, v: &[u8]) -> &mut Self {
        self.put_u64(v.len() as u64);
        self.buf.extend_from_slice(v);
        self.pad();
        self
    }

    /// Pads with zero bytes to the next word boundary.
    pub fn pad(&mut self) -> &mut Self {
        let len = pad_to_word(self.buf.len());
        self.buf.resize(len, 0);
        self
    }

    /// Writes the header word and returns the whole message.
    pub fn finish(&mut self, mtype: u8, schema: u8) -> Result<&[u8], crate::Error> {
        self.pad();
        let body = self.buf.len() - WORD;
        if body > MAX_REQUEST_BYTES {
            return Err(crate::Error::RequestTooLarge {
                bytes: body,
                limit: MAX_REQUEST_BYTES,
            });
        }
        let header = Header {
            words: (body / WORD) as u32,
            mtype,
            schema,
        };
        self.buf[..WORD].copy_from_slice(&header.encode());
        Ok(&self.buf)
    }

    /// The bytes written so far (header placeholder included).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}

/// A bounds-checked cursor over a message body.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Current offset in the body.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next byte without consuming it.
    pub fn peek_u8(&self) -> Result<u8, DecodeError> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or(DecodeError::Truncated {
                at: self.pos,
                need: 1,
            })
    }

    /// Consumes `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(DecodeError::Truncated {
                at: self.pos,
                need: n,
            })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn word(&mut self) -> Result<[u8; WORD], DecodeError> {
        let s = self.take(WORD)?;
        let mut w = [0; WORD];
        w.copy_from_slice(s);
        Ok(w)
    }

    /// Reads one byte.
    pub fn get_u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// Reads a u32.
    pub fn get_u32(&mut self) -> Result<u32, DecodeError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// Reads a u64 word.
    pub fn get_u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.word()?))
    }

    /// Reads an i64 word.
    pub fn get_i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.word()?))
    }

    /// Reads an f64 word.
    pub fn get_f64(&mut self) -> Result<f64, DecodeError> {
        Ok(f64::from_bits(u64::from_le_bytes(self.word()?)))
    }

    /// Reads NUL-terminated text and its padding; returns the bytes before the NUL (borrowed).
    pub fn get_text(&mut self) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        let rest = &self.buf[start..];
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(DecodeError::MissingNul { at: start })?;
        let padded = pad_to_word(nul + 1);
        if padded > rest.len() {
            return Err(DecodeError::Truncated {
                at: start,
                need: padded,
            });
        }
        self.pos = start + padded;
        Ok(&rest[..nul])
    }

    /// Reads text that must be UTF-8 (addresses, column names, error messages).
    pub fn get_str(&mut self) -> Result<&'a str, DecodeError> {
        let at = self.pos;
        std::str::from_utf8(self.get_text()?).map_err(|_| DecodeError::BadUtf8 { at })
    }

    /// Reads a blob (length word, bytes, padding); returns the bytes (borrowed).
    pub fn get_blob(&mut self) -> Result<&'a [u8], DecodeError> {
        let at = self.pos;
        let len = self.get_u64()?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l <= self.remaining())
            .ok_or(DecodeError::Truncated {
                at,
                need: len.min(usize::MAX as u64) as usize,
            })?;
        let padded = pad_to_word(len);
        if padded > self.remaining() {
            return Err(DecodeError::Truncated { at, need: padded });
        }
        let s = &self.buf[self.pos..self.pos + len];
        self.pos += padded;
        Ok(s)
    }

    /// Skips to the next word boundary.
    pub fn align(&mut self) -> Result<(), DecodeError> {
        let to = pad_to_word(self.pos);
        self.take(to - self.pos).map(|_| ())
    }

    /// Fails unless the whole body was consumed.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(DecodeError::Trailing {
                at: self.pos,
                bytes: self.remaining(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_bound() {
        let h = Header {
            words: 258,
            mtype: 7,
            schema: 1,
        };
        let w = h.encode();
        assert_eq!(w, [2, 1, 0, 0, 7, 1, 0, 0]);
        assert_eq!(Header::decode(w).unwrap(), h);
        let huge = Header {
            words: u32::MAX,
            mtype: 0,
            schema: 0,
        };
        assert!(matches!(
            Header::decode(huge.encode()),
            Err(DecodeError::TooLarge { .. })
        ));
    }

    #[test]
    fn text_padding_for_every_length() {
        for len in 0..=17 {
            let text = vec![b'a'; len];
            let mut w = Writer::default();
            w.begin().put_text(&text).unwrap();
            let body = &w.as_bytes()[WORD..];
            assert_eq!(body.len(), pad_to_word(len + 1), "len {len}");
            assert_eq!(body.len() % WORD, 0);
            let mut r = Reader::new(body);
            assert_eq!(r.get_text().unwrap(), &text[..]);
            r.finish().unwrap();
        }
    }

    #[test]
    fn blob_padding_for_every_length() {
        for len in 0..=17 {
            let blob: Vec<u8> = (0..len as u8).collect();
            let mut w = Writer::default();
            w.begin().put_blob(&blob);
            let body = &w.as_bytes()[WORD..];
            assert_eq!(body.len(), WORD + pad_to_word(len), "len {len}");
            let mut r = Reader::new(body);
            assert_eq!(r.get_blob().unwrap(), &blob[..]);
            r.finish().unwrap();
        }
    }

    #[test]
    fn text_with_nul_is_refused() {
        let mut w = Writer::default();
        assert!(matches!(
            w.begin().put_text(b"a\0b"),
            Err(crate::Error::NulInText)
        ));
    }

    #[test]
    fn truncated_fields_are_errors() {
        assert!(matches!(
            Reader::new(&[1, 2, 3]).get_u64(),
            Err(DecodeError::Truncated { at: 0, need: 8 })
        ));
        assert!(matches!(
            Reader::new(b"abc").get_text(),
            Err(DecodeError::MissingNul { at: 0 })
        ));
        // NUL present but padding missing.
        assert!(matches!(
            Reader::new(b"abc\0").get_text(),
            Err(DecodeError::Truncated { .. })
        ));
        // Blob length beyond the body, including absurd lengths.
        let mut body = (u64::MAX).to_le_bytes().to_vec();
        body.extend_from_slice(&[0; 8]);
        assert!(matches!(
            Reader::new(&body).get_blob(),
            Err(DecodeError::Truncated { .. })
        ));
        let mut body = 5u64.to_le_bytes().to_vec();
        body.extend_from_slice(&[1, 2, 3, 4, 5]);
        assert!(matches!(
            Reader::new(&body).get_blob(),
            Err(DecodeError::Truncated { .. })
        ));
    }

    #[test]
    fn numbers_round_trip() {
        let mut w = Writer::default();
        w.begin()
            .put_u64(u64::MAX)
            .put_i64(i64::MIN)
            .put_f64(-0.5)
            .put_u32(7)
            .put_u32(9);
        let mut r = Reader::new(&w.as_bytes()[WORD..]);
        assert_eq!(r.get_u64().unwrap(), u64::MAX);
        assert_eq!(r.get_i64().unwrap(), i64::MIN);
        assert_eq!(r.get_f64().unwrap(), -0.5);
        assert_eq!(r.get_u32().unwrap(), 7);
        assert_eq!(r.get_u32().unwrap(), 9);
        r.finish().unwrap();
    }
}
