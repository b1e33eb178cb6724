//! The byte formats shared with `Native.java` (see `docs/wire.md`): tagged values, little-endian.

use crate::error::{Error, Result};
use crate::ffi::Stmt;
use libsqlite3_sys as sys;

pub const HEADER: usize = 32;
pub const FLAG_RESULT_SET: i32 = 1;
pub const FLAG_DONE: i32 = 2;
pub const FLAG_NEED_SPACE: i32 = 4;
/// SQLite recompiled the statement (schema change) and its columns changed: Java re-describes it.
pub const FLAG_COLUMNS_CHANGED: i32 = 8;
const OFF_FLAGS: usize = 0;
const OFF_ROWS: usize = 4;
const OFF_CHANGES: usize = 8;
const OFF_LAST_ROWID: usize = 16;
const OFF_NEEDED: usize = 24;
const OFF_END: usize = 28;

pub const TAG_NULL: u8 = 0;
pub const TAG_INTEGER: u8 = 1;
pub const TAG_REAL: u8 = 2;
pub const TAG_TEXT: u8 = 3;
pub const TAG_BLOB: u8 = 4;

/// Every wire constant `Native.java` mirrors, by its Java name: the JNI layer reports these
/// (`Native.layout`) and a Java test compares them with Native's fields, so the two copies
/// cannot drift apart silently.
pub const LAYOUT: [(&str, i64); 16] = [
    ("HEADER", HEADER as i64),
    ("FLAG_RESULT_SET", FLAG_RESULT_SET as i64),
    ("FLAG_DONE", FLAG_DONE as i64),
    ("FLAG_NEED_SPACE", FLAG_NEED_SPACE as i64),
    ("FLAG_COLUMNS_CHANGED", FLAG_COLUMNS_CHANGED as i64),
    ("OFF_FLAGS", OFF_FLAGS as i64),
    ("OFF_ROWS", OFF_ROWS as i64),
    ("OFF_CHANGES", OFF_CHANGES as i64),
    ("OFF_LAST_ROWID", OFF_LAST_ROWID as i64),
    ("OFF_NEEDED", OFF_NEEDED as i64),
    ("OFF_END", OFF_END as i64),
    ("TAG_NULL", TAG_NULL as i64),
    ("TAG_INTEGER", TAG_INTEGER as i64),
    ("TAG_REAL", TAG_REAL as i64),
    ("TAG_TEXT", TAG_TEXT as i64),
    ("TAG_BLOB", TAG_BLOB as i64),
];

/// Ends a result batch that stopped at a row that did not fit in `out`: writes the header with
/// `rows` encoded up to `end` and, when no row fit at all, the space the first one needs
/// (`row_bytes`, so Java grows the buffer). `Err(RowTooBig)` (without SQL) when no buffer Java can
/// allocate holds that row. One rule for the local and the remote result sets.
pub fn end_full_batch(out: &mut [u8], rows: i32, row_bytes: u64, end: usize) -> Result<()> {
    let needed = if rows == 0 {
        let bytes = HEADER as u64 + row_bytes;
        if bytes > MAX_OUT_BUFFER {
            return Err(Error::RowTooBig {
                bytes: row_bytes,
                limit: MAX_OUT_BUFFER - HEADER as u64,
                sql: None,
            });
        }
        bytes as i32
    } else {
        0
    };
    let flags = FLAG_RESULT_SET | if rows == 0 { FLAG_NEED_SPACE } else { 0 };
    Header {
        flags,
        rows,
        needed,
        end: end as i32,
        ..Header::default()
    }
    .write(out);
    Ok(())
}

/// The header fields of an out buffer.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub flags: i32,
    pub rows: i32,
    pub changes: i64,
    pub last_rowid: i64,
    pub needed: i32,
    pub end: i32,
}

impl Header {
    /// Sets `flags` in a header already written to `out`.
    pub fn add_flags(out: &mut [u8], flags: i32) {
        let now = i32::from_le_bytes(out[OFF_FLAGS..OFF_FLAGS + 4].try_into().expect("4 bytes"));
        out[OFF_FLAGS..OFF_FLAGS + 4].copy_from_slice(&(now | flags).to_le_bytes());
    }

    /// Writes the header into the first [`HEADER`] bytes of `out`.
    pub fn write(&self, out: &mut [u8]) {
        out[OFF_FLAGS..OFF_FLAGS + 4].copy_from_slice(&self.flags.to_le_bytes());
        out[OFF_ROWS..OFF_ROWS + 4].copy_from_slice(&self.rows.to_le_bytes());
        out[OFF_CHANGES..OFF_CHANGES + 8].copy_from_slice(&self.changes.to_le_bytes());
        out[OFF_LAST_ROWID..OFF_LAST_ROWID + 8].copy_from_slice(&self.last_rowid.to_le_bytes());
        out[OFF_NEEDED..OFF_NEEDED + 4].copy_from_slice(&self.needed.to_le_bytes());
        out[OFF_END..OFF_END + 4].copy_from_slice(&self.end.to_le_bytes());
    }

    /// Reads a header (used by tests and by the Rust-side benchmark).
    pub fn read(out: &[u8]) -> Header {
        let i32_at = |o: usize| i32::from_le_bytes(out[o..o + 4].try_into().unwrap());
        let i64_at = |o: usize| i64::from_le_bytes(out[o..o + 8].try_into().unwrap());
        Header {
            flags: i32_at(OFF_FLAGS),
            rows: i32_at(OFF_ROWS),
            changes: i64_at(OFF_CHANGES),
            last_rowid: i64_at(OFF_LAST_ROWID),
            needed: i32_at(OFF_NEEDED),
            end: i32_at(OFF_END),
        }
    }
}

/// One decoded parameter, borrowing text and blob bytes from the parameter buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

/// The result of binding parameter `i`: SQLite's return code `rc` as an error unless SQLITE_OK.
pub(crate) fn bound(i: usize, rc: std::ffi::c_int) -> Result<()> {
    if rc == sys::SQLITE_OK {
        return Ok(());
    }
    Err(Error::sqlite(
        rc,
        format!(
            "cannot bind parameter {i} (SQLite code {rc}, e.g. a value larger than SQLite's limit)"
        ),
        None,
        false,
    ))
}

/// Binds one row of tagged parameters from `buf` to `stmt`; returns the bytes consumed.
pub fn bind_row(stmt: &mut Stmt, buf: &[u8], count: usize) -> Result<usize> {
    read_params(buf, count, |i, p| {
        let rc = match p {
            Param::Null => stmt.bind_null(i),
            Param::Integer(v) => stmt.bind_i64(i, v),
            Param::Real(v) => stmt.bind_f64(i, v),
            Param::Text(b) => stmt.bind_text(i, b),
            Param::Blob(b) => stmt.bind_blob(i, b),
        };
        bound(i, rc)
    })
}

/// Decodes one row of `count` tagged parameters from `buf`, calling `f` with each (1-based
/// index); returns the bytes consumed. The one decoder of the parameter format: local statements
/// bind through [`bind_row`], remote ones (`crate::remote`) collect the values for the request.
pub fn read_params<'a>(
    buf: &'a [u8],
    count: usize,
    mut f: impl FnMut(usize, Param<'a>) -> Result<()>,
) -> Result<usize> {
    let mut pos = 0;
    for i in 1..=count {
        let tag = *buf.get(pos).ok_or_else(|| short(i))?;
        pos += 1;
        let p = match tag {
            TAG_NULL => Param::Null,
            TAG_INTEGER => Param::Integer(i64::from_le_bytes(take8(buf, &mut pos, i)?)),
            TAG_REAL => Param::Real(f64::from_le_bytes(take8(buf, &mut pos, i)?)),
            TAG_TEXT | TAG_BLOB => {
                let len = i32::from_le_bytes(take4(buf, &mut pos, i)?);
                let len = usize::try_from(len).map_err(|_| short(i))?;
                let bytes = buf.get(pos..pos + len).ok_or_else(|| short(i))?;
                pos += len;
                if tag == TAG_TEXT {
                    Param::Text(bytes)
                } else {
                    Param::Blob(bytes)
                }
            }
            other => {
                return Err(Error::Misuse(format!(
                    "parameter {i}: unknown value tag {other}"
                )))
            }
        };
        f(i, p)?;
    }
    Ok(pos)
}

fn short(i: usize) -> Error {
    Error::Misuse(format!("parameter {i}: truncated parameter buffer"))
}

fn take8(buf: &[u8], pos: &mut usize, i: usize) -> Result<[u8; 8]> {
    let b = buf.get(*pos..*pos + 8).ok_or_else(|| short(i))?;
    *pos += 8;
    Ok(b.try_into().unwrap())
}

fn take4(buf: &[u8], pos: &mut usize, i: usize) -> Result<[u8; 4]> {
    let b = buf.get(*pos..*pos + 4).ok_or_else(|| short(i))?;
    *pos += 4;
    Ok(b.try_into().unwrap())
}

/// A row as the encoder reads it: SQLite's fundamental type and value of each column. Local
/// statements ([`Stmt`]) and remote rows (`crate::remote`) implement it, so both reach Java
/// through the one encoder below.
pub trait RowSource {
    /// `SQLITE_INTEGER`, `SQLITE_FLOAT`, `SQLITE_TEXT`, `SQLITE_BLOB` or `SQLITE_NULL`.
    fn column_type(&self, c: usize) -> i32;
    fn column_i64(&self, c: usize) -> i64;
    fn column_f64(&self, c: usize) -> f64;
    fn column_text(&self, c: usize) -> &[u8];
    fn column_blob(&self, c: usize) -> &[u8];
    /// Bytes of a TEXT or BLOB value.
    fn column_bytes(&self, c: usize) -> usize;
}

impl RowSource for Stmt {
    #[inline]
    fn column_type(&self, c: usize) -> i32 {
        Stmt::column_type(self, c)
    }
    #[inline]
    fn column_i64(&self, c: usize) -> i64 {
        Stmt::column_i64(self, c)
    }
    #[inline]
    fn column_f64(&self, c: usize) -> f64 {
        Stmt::column_f64(self, c)
    }
    #[inline]
    fn column_text(&self, c: usize) -> &[u8] {
        Stmt::column_text(self, c)
    }
    #[inline]
    fn column_blob(&self, c: usize) -> &[u8] {
        Stmt::column_blob(self, c)
    }
    #[inline]
    fn column_bytes(&self, c: usize) -> usize {
        Stmt::column_bytes(self, c)
    }
}

/// Bytes needed to encode the current row of `stmt` (64-bit: a row of several values near
/// SQLite's 1 GB value limit exceeds any Java array). Zeroblobs are measured, not expanded.
pub fn row_size<R: RowSource + ?Sized>(stmt: &R, columns: usize) -> u64 {
    (0..columns)
        .map(|c| match stmt.column_type(c) {
            sys::SQLITE_INTEGER | sys::SQLITE_FLOAT => 9,
            sys::SQLITE_TEXT | sys::SQLITE_BLOB => 5 + stmt.column_bytes(c) as u64,
            _ => 1,
        })
        .sum()
}

/// Largest out buffer Java can allocate (HotSpot's array limit is a few bytes under
/// `i32::MAX`): a row needing more than this, header included, is refused with 22001.
pub const MAX_OUT_BUFFER: u64 = i32::MAX as u64 - 8;

/// Encodes the current row of `stmt` at `out[pos..]`; returns the new end, or None (nothing
/// written that matters) when the row does not fit.
pub fn encode_row<R: RowSource + ?Sized>(
    stmt: &R,
    columns: usize,
    out: &mut [u8],
    mut pos: usize,
) -> Option<usize> {
    for c in 0..columns {
        match stmt.column_type(c) {
            sys::SQLITE_INTEGER => {
                let dst = out.get_mut(pos..pos + 9)?;
                dst[0] = TAG_INTEGER;
                dst[1..].copy_from_slice(&stmt.column_i64(c).to_le_bytes());
                pos += 9;
            }
            sys::SQLITE_FLOAT => {
                let dst = out.get_mut(pos..pos + 9)?;
                dst[0] = TAG_REAL;
                dst[1..].copy_from_slice(&stmt.column_f64(c).to_le_bytes());
                pos += 9;
            }
            t @ (sys::SQLITE_TEXT | sys::SQLITE_BLOB) => {
                let (tag, bytes) = if t == sys::SQLITE_TEXT {
                    (TAG_TEXT, stmt.column_text(c))
                } else {
                    (TAG_BLOB, stmt.column_blob(c))
                };
                let dst = out.get_mut(pos..pos + 5 + bytes.len())?;
                dst[0] = tag;
                dst[1..5].copy_from_slice(&(bytes.len() as i32).to_le_bytes());
                dst[5..].copy_from_slice(bytes);
                pos += 5 + bytes.len();
            }
            _ => {
                *out.get_mut(pos)? = TAG_NULL;
                pos += 1;
            }
        }
    }
    Some(pos)
}

/// Encodes one tagged value (used by tests and tools to build parameter buffers).
pub fn push_value(buf: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => buf.push(TAG_NULL),
        Value::Integer(i) => {
            buf.push(TAG_INTEGER);
            buf.extend_from_slice(&i.to_le_bytes());
        }
        Value::Real(f) => {
            buf.push(TAG_REAL);
            buf.extend_from_slice(&f.to_le_bytes());
        }
        Value::Text(s) => {
            buf.push(TAG_TEXT);
            buf.extend_from_slice(&(s.len() as i32).to_le_bytes());
            buf.extend_from_slice(s.as_bytes());
        }
        Value::Blob(b) => {
            buf.push(TAG_BLOB);
            buf.extend_from_slice(&(b.len() as i32).to_le_bytes());
            buf.extend_from_slice(b);
        }
    }
}

/// A decoded value (tests and tools; the hot paths never build these).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Decodes `rows` rows of `columns` values from `data` (tests and tools).
pub fn decode_rows(data: &[u8], rows: usize, columns: usize) -> Vec<Vec<Value>> {
    let mut pos = 0;
    let mut out = Vec::with_capacity(rows);
    for _ in 0..rows {
        let mut row = Vec::with_capacity(columns);
        for _ in 0..columns {
            let tag = data[pos];
            pos += 1;
            let v = match tag {
                TAG_INTEGER | TAG_REAL => {
                    let b: [u8; 8] = data[pos..pos + 8].try_into().unwrap();
                    pos += 8;
                    if tag == TAG_INTEGER {
                        Value::Integer(i64::from_le_bytes(b))
                    } else {
                        Value::Real(f64::from_le_bytes(b))
                    }
                }
                TAG_TEXT | TAG_BLOB => {
                    let n = i32::from_le_bytes(data[pos..pos + 4].try_into().unwrap()) as usize;
                    pos += 4;
                    let b = data[pos..pos + n].to_vec();
                    pos += n;
                    if tag == TAG_TEXT {
                        Value::Text(String::from_utf8(b).expect("UTF-8 text"))
                    } else {
                        Value::Blob(b)
                    }
                }
                _ => Value::Null,
            };
            row.push(v);
        }
        out.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let h = Header {
            flags: FLAG_RESULT_SET | FLAG_DONE,
            rows: 7,
            changes: -3,
            last_rowid: i64::MAX,
            needed: 99,
            end: 1234,
        };
        let mut buf = [0u8; HEADER];
        h.write(&mut buf);
        assert_eq!(Header::read(&buf), h);
    }
}
