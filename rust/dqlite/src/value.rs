//! Values as dqlite carries them: statement parameters (a "tuple" with one type byte per value)
//! and result rows (batches of rows with a 4-bit type per column, ended by a marker word).

use crate::error::DecodeError;
use crate::wire::{Reader, Writer, WORD};

/// Type codes of values on the wire (SQLite's fundamental types plus dqlite's three extras).
pub mod code {
    /// 64-bit signed integer.
    pub const INTEGER: u8 = 1;
    /// IEEE 754 double.
    pub const FLOAT: u8 = 2;
    /// NUL-terminated text.
    pub const TEXT: u8 = 3;
    /// Length-prefixed bytes.
    pub const BLOB: u8 = 4;
    /// NULL (one zero word on the wire).
    pub const NULL: u8 = 5;
    /// Seconds since the epoch (i64): a column declared DATETIME/DATE/TIMESTAMP holding an integer.
    pub const UNIXTIME: u8 = 9;
    /// ISO 8601 text: a DATETIME/DATE/TIMESTAMP column holding text.
    pub const ISO8601: u8 = 10;
    /// 0 or 1 (u64): a column declared BOOLEAN.
    pub const BOOLEAN: u8 = 11;
}

/// Marker byte of the word that ends a batch when more batches follow (`DQLITE_RESPONSE_ROWS_PART`).
pub const ROWS_PART: u8 = 0xee;
/// Marker byte of the word that ends the last batch (`DQLITE_RESPONSE_ROWS_DONE`).
pub const ROWS_DONE: u8 = 0xff;
/// The whole end-of-batch word, more batches follow.
pub const ROWS_PART_WORD: u64 = 0xeeee_eeee_eeee_eeee;
/// The whole end-of-result word.
pub const ROWS_DONE_WORD: u64 = 0xffff_ffff_ffff_ffff;

/// Parameter count above which the 4-byte count schema (1) is used instead of the 1-byte one (0).
pub const MAX_PARAMS_SCHEMA0: usize = u8::MAX as usize;

/// An owned value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// INTEGER.
    Integer(i64),
    /// FLOAT.
    Float(f64),
    /// TEXT (bytes as stored; SQLite does not enforce UTF-8).
    Text(Vec<u8>),
    /// BLOB.
    Blob(Vec<u8>),
    /// NULL.
    Null,
    /// UNIXTIME: seconds since the epoch.
    UnixTime(i64),
    /// ISO8601 text.
    Iso8601(Vec<u8>),
    /// BOOLEAN.
    Boolean(bool),
}

/// A value borrowing its bytes from a message buffer or from the caller: the form parameters are
/// passed in and rows are read out, so neither costs an allocation per value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// INTEGER.
    Integer(i64),
    /// FLOAT.
    Float(f64),
    /// TEXT bytes.
    Text(&'a [u8]),
    /// BLOB bytes.
    Blob(&'a [u8]),
    /// NULL.
    Null,
    /// UNIXTIME seconds.
    UnixTime(i64),
    /// ISO8601 text bytes.
    Iso8601(&'a [u8]),
    /// BOOLEAN.
    Boolean(bool),
}

impl ValueRef<'_> {
    /// The wire type code.
    pub fn type_code(&self) -> u8 {
        match self {
            ValueRef::Integer(_) => code::INTEGER,
            ValueRef::Float(_) => code::FLOAT,
            ValueRef::Text(_) => code::TEXT,
            ValueRef::Blob(_) => code::BLOB,
            ValueRef::Null => code::NULL,
            ValueRef::UnixTime(_) => code::UNIXTIME,
            ValueRef::Iso8601(_) => code::ISO8601,
            ValueRef::Boolean(_) => code::BOOLEAN,
        }
    }

    /// Copies into an owned [`Value`].
    pub fn to_owned(&self) -> Value {
        match *self {
            ValueRef::Integer(v) => Value::Integer(v),
            ValueRef::Float(v) => Value::Float(v),
            ValueRef::Text(v) => Value::Text(v.to_vec()),
            ValueRef::Blob(v) => Value::Blob(v.to_vec()),
            ValueRef::Null => Value::Null,
            ValueRef::UnixTime(v) => Value::UnixTime(v),
            ValueRef::Iso8601(v) => Value::Iso8601(v.to_vec()),
            ValueRef::Boolean(v) => Value::Boolean(v),
        }
    }

    /// The integer, if this is an INTEGER, UNIXTIME or BOOLEAN.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            ValueRef::Integer(v) | ValueRef::UnixTime(v) => Some(v),
            ValueRef::Boolean(v) => Some(v as i64),
            _ => None,
        }
    }

    /// The text as UTF-8, if this is TEXT/ISO8601 holding valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ValueRef::Text(v) | ValueRef::Iso8601(v) => std::str::from_utf8(v).ok(),
            _ => None,
        }
    }
}

impl Value {
    /// Borrows as a [`ValueRef`].
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Integer(v) => ValueRef::Integer(*v),
            Value::Float(v) => ValueRef::Float(*v),
            Value::Text(v) => ValueRef::Text(v),
            Value::Blob(v) => ValueRef::Blob(v),
            Value::Null => ValueRef::Null,
            Value::UnixTime(v) => ValueRef::UnixTime(*v),
            Value::Iso8601(v) => ValueRef::Iso8601(v),
            Value::Boolean(v) => ValueRef::Boolean(*v),
        }
    }
}

/// Appends a parameter tuple and returns the schema version the message must carry: schema 0
/// (1-byte count) up to [`MAX_PARAMS_SCHEMA0`] parameters, schema 1 (4-byte count) above. No
/// parameters means no tuple at all, as the server expects.
pub fn put_params(w: &mut Writer, params: &[ValueRef<'_>]) -> Result<u8, crate::Error> {
    if params.is_empty() {
        return Ok(0);
    }
    let schema = if params.len() <= MAX_PARAMS_SCHEMA0 {
        w.put_u8(params.len() as u8);
        0
    } else {
        let n = u32::try_from(params.len()).map_err(|_| crate::Error::TooManyParams {
            count: params.len(),
        })?;
        w.put_u32(n);
        1
    };
    for p in params {
        // dqlite binds UNIXTIME results as integers but refuses UNIXTIME as a parameter type
        // (1.11 answers DQLITE_PARSE), so it is sent as the INTEGER it is stored as.
        let ty = match p {
            ValueRef::UnixTime(_) => code::INTEGER,
            other => other.type_code(),
        };
        w.put_u8(ty);
    }
    w.pad();
    for p in params {
        put_value(w, p)?;
    }
    Ok(schema)
}

fn put_value(w: &mut Writer, v: &ValueRef<'_>) -> Result<(), crate::Error> {
    match *v {
        ValueRef::Integer(i) | ValueRef::UnixTime(i) => {
            w.put_i64(i);
        }
        ValueRef::Float(f) => {
            w.put_f64(f);
        }
        ValueRef::Text(t) | ValueRef::Iso8601(t) => {
            w.put_text(t)?;
        }
        ValueRef::Blob(b) => {
            w.put_blob(b);
        }
        ValueRef::Null => {
            w.put_u64(0);
        }
        ValueRef::Boolean(b) => {
            w.put_u64(b as u64);
        }
    }
    Ok(())
}

/// Reads one value of type `ty` (a server's view of a parameter, or a row cell).
pub fn get_value<'a>(r: &mut Reader<'a>, ty: u8) -> Result<ValueRef<'a>, DecodeError> {
    let at = r.pos();
    Ok(match ty {
        code::INTEGER => ValueRef::Integer(r.get_i64()?),
        code::FLOAT => ValueRef::Float(r.get_f64()?),
        code::TEXT => ValueRef::Text(r.get_text()?),
        code::BLOB => ValueRef::Blob(r.get_blob()?),
        code::NULL => {
            r.get_u64()?;
            ValueRef::Null
        }
        code::UNIXTIME => ValueRef::UnixTime(r.get_i64()?),
        code::ISO8601 => ValueRef::Iso8601(r.get_text()?),
        code::BOOLEAN => ValueRef::Boolean(r.get_u64()? != 0),
        other => return Err(DecodeError::UnknownType { code: other, at }),
    })
}

/// Decodes a parameter tuple as the server would (used by tests and by anyone proxying requests).
pub fn get_params<'a>(r: &mut Reader<'a>, schema: u8) -> Result<Vec<ValueRef<'a>>, DecodeError> {
    if r.remaining() == 0 {
        return Ok(Vec::new());
    }
    let n = match schema {
        0 => r.get_u8()? as usize,
        _ => r.get_u32()? as usize,
    };
    let types = r.take(n)?;
    r.align()?;
    types.iter().map(|&t| get_value(r, t)).collect()
}

/// Where one cell of the current row lies in the batch body: decoded once when the row is
/// reached, read any number of times through [`crate::Row::get`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cell {
    pub ty: u8,
    pub start: u32,
}

/// What follows a row position in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStep {
    /// A row was decoded.
    Row,
    /// The batch ended; another batch (message) follows.
    Part,
    /// The result set is complete.
    Done,
}

/// Reads the column count and names that start every ROWS batch, calling `name` for each.
pub fn get_columns<'a>(
    r: &mut Reader<'a>,
    mut name: impl FnMut(&'a str),
) -> Result<usize, DecodeError> {
    let at = r.pos();
    let n = r.get_u64()?;
    // Each name takes at least one word, which bounds the count by the body.
    let n = usize::try_from(n)
        .ok()
        .filter(|&n| n <= r.remaining() / WORD)
        .ok_or(DecodeError::BadCount { at, count: n })?;
    for _ in 0..n {
        name(r.get_str()?);
    }
    Ok(n)
}

/// Decodes the next row of a batch into `cells` (reused; one entry per column), or recognises
/// the end marker. A marker word is all 0xee or all 0xff; no type nibble reaches 0xe, so its first
/// byte cannot start a row header.
pub(crate) fn next_row(
    r: &mut Reader<'_>,
    columns: usize,
    cells: &mut [Cell],
) -> Result<RowStep, DecodeError> {
    let at = r.pos();
    let first = r.peek_u8()?;
    if first == ROWS_PART || first == ROWS_DONE {
        let word = r.take(WORD)?;
        if word.iter().any(|&b| b != first) {
            return Err(DecodeError::BadMarker { at });
        }
        return Ok(if first == ROWS_PART {
            RowStep::Part
        } else {
            RowStep::Done
        });
    }
    if columns == 0 {
        // A zero-column result has no row headers: only a marker may follow.
        return Err(DecodeError::BadMarker { at });
    }
    let header = r.take(columns.div_ceil(2))?;
    r.align()?;
    for (i, cell) in cells.iter_mut().enumerate().take(columns) {
        let byte = header[i / 2];
        cell.ty = if i % 2 == 0 { byte & 0x0f } else { byte >> 4 };
    }
    for cell in cells.iter_mut().take(columns) {
        cell.start = r.pos() as u32;
        get_value(r, cell.ty)?;
    }
    Ok(RowStep::Row)
}

/// Encodes a ROWS body the way a dqlite server does (for tests and fakes): columns, rows, marker.
pub fn put_rows(
    w: &mut Writer,
    columns: &[&str],
    rows: &[Vec<ValueRef<'_>>],
    more: bool,
) -> Result<(), crate::Error> {
    w.put_u64(columns.len() as u64);
    for c in columns {
        w.put_text(c.as_bytes())?;
    }
    for row in rows {
        for pair in row.chunks(2) {
            let lo = pair[0].type_code();
            let hi = pair.get(1).map_or(0, |v| v.type_code());
            w.put_u8(lo | (hi << 4));
        }
        w.pad();
        for v in row {
            put_value(w, v)?;
        }
    }
    w.put_u64(if more { ROWS_PART_WORD } else { ROWS_DONE_WORD });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_type() -> Vec<ValueRef<'static>> {
        vec![
            ValueRef::Integer(-42),
            ValueRef::Float(3.25),
            ValueRef::Text(b"h\xc3\xa9llo"),
            ValueRef::Blob(&[0, 1, 2, 0xff, 0xee, 5, 6, 7, 8]),
            ValueRef::Null,
            ValueRef::UnixTime(1_700_000_000),
            ValueRef::Iso8601(b"2026-12-01 09:45:00"),
            ValueRef::Boolean(true),
            ValueRef::Boolean(false),
            ValueRef::Integer(i64::MAX),
            ValueRef::Text(b""),
            ValueRef::Blob(&[]),
        ]
    }

    #[test]
    fn params_round_trip_every_type() {
        let params = every_type();
        let mut w = Writer::default();
        w.begin();
        let schema = put_params(&mut w, &params).unwrap();
        assert_eq!(schema, 0);
        let body = &w.as_bytes()[WORD..];
        assert_eq!(body.len() % WORD, 0);
        let mut r = Reader::new(body);
        let want: Vec<ValueRef<'_>> = params
            .iter()
            .map(|p| match *p {
                ValueRef::UnixTime(v) => ValueRef::Integer(v),
                other => other,
            })
            .collect();
        assert_eq!(get_params(&mut r, schema).unwrap(), want);
        r.finish().unwrap();
    }

    #[test]
    fn many_params_use_schema_one() {
        let params: Vec<ValueRef<'_>> = (0..300).map(ValueRef::Integer).collect();
        let mut w = Writer::default();
        w.begin();
        let schema = put_params(&mut w, &params).unwrap();
        assert_eq!(schema, 1);
        let mut r = Reader::new(&w.as_bytes()[WORD..]);
        assert_eq!(get_params(&mut r, schema).unwrap(), params);
        r.finish().unwrap();
        // No parameters: no tuple.
        w.begin();
        assert_eq!(put_params(&mut w, &[]).unwrap(), 0);
        assert_eq!(w.as_bytes().len(), WORD);
    }

    /// Column names, rows and the end marker of one batch.
    type Batch = (Vec<String>, Vec<Vec<Value>>, RowStep);

    fn decode_all(body: &[u8]) -> Result<Batch, DecodeError> {
        let mut r = Reader::new(body);
        let mut names = Vec::new();
        let n = get_columns(&mut r, |s| names.push(s.to_string()))?;
        let mut cells = vec![Cell::default(); n];
        let mut rows = Vec::new();
        loop {
            match next_row(&mut r, n, &mut cells)? {
                RowStep::Row => {
                    let mut row = Vec::new();
                    for c in &cells {
                        let mut cr = Reader::new(body);
                        cr.take(c.start as usize)?;
                        row.push(get_value(&mut cr, c.ty)?.to_owned());
                    }
                    rows.push(row);
                }
                end => {
                    r.finish()?;
                    return Ok((names, rows, end));
                }
            }
        }
    }

    #[test]
    fn rows_round_trip_every_type_and_width() {
        let all = every_type();
        for width in 0..=all.len() {
            let cols: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
            let col_refs: Vec<&str> = cols.iter().map(|s| s.as_str()).collect();
            let rows: Vec<Vec<ValueRef<'_>>> = if width == 0 {
                vec![]
            } else {
                (0..3)
                    .map(|k| all.iter().cycle().skip(k).take(width).copied().collect())
                    .collect()
            };
            for more in [false, true] {
                let mut w = Writer::default();
                w.begin();
                put_rows(&mut w, &col_refs, &rows, more).unwrap();
                let (names, got, end) = decode_all(&w.as_bytes()[WORD..]).unwrap();
                assert_eq!(names, cols);
                let want: Vec<Vec<Value>> = rows
                    .iter()
                    .map(|r| r.iter().map(|v| v.to_owned()).collect())
                    .collect();
                assert_eq!(got, want, "width {width}");
                assert_eq!(end, if more { RowStep::Part } else { RowStep::Done });
            }
        }
    }

    #[test]
    fn malformed_rows_are_typed_errors() {
        let mut w = Writer::default();
        w.begin();
        put_rows(&mut w, &["a"], &[vec![ValueRef::Integer(1)]], false).unwrap();
        let good = w.as_bytes()[WORD..].to_vec();
        // Unknown type nibble 7.
        let mut bad = good.clone();
        bad[16] = 7;
        assert!(matches!(
            decode_all(&bad),
            Err(DecodeError::UnknownType { code: 7, .. })
        ));
        // Broken marker word.
        let mut bad = good.clone();
        let n = bad.len();
        bad[n - 1] = 0;
        assert!(matches!(
            decode_all(&bad),
            Err(DecodeError::BadMarker { .. })
        ));
        // Missing marker.
        assert!(matches!(
            decode_all(&good[..good.len() - WORD]),
            Err(DecodeError::Truncated { .. })
        ));
        // Absurd column count.
        let mut bad = good.clone();
        bad[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            decode_all(&bad),
            Err(DecodeError::BadCount { .. })
        ));
    }

    /// Random bytes, random truncations and random bit flips of valid messages: decoding returns
    /// an error or a value, never panics, never loops.
    #[test]
    fn random_input_never_panics() {
        const ROUNDS: usize = 20_000;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut w = Writer::default();
        w.begin();
        put_rows(
            &mut w,
            &["a", "b", "c"],
            &[every_type()[..3].to_vec()],
            true,
        )
        .unwrap();
        let valid = w.as_bytes()[WORD..].to_vec();
        for round in 0..ROUNDS {
            let mut buf = if round % 2 == 0 {
                let len = (next() % 96) as usize;
                (0..len).map(|_| next() as u8).collect::<Vec<u8>>()
            } else {
                let mut v = valid.clone();
                let flips = 1 + next() % 4;
                for _ in 0..flips {
                    let i = (next() as usize) % v.len();
                    v[i] ^= 1 << (next() % 8);
                }
                v.truncate((next() as usize) % (v.len() + 1));
                v
            };
            let _ = decode_all(&buf);
            let _ = get_params(&mut Reader::new(&buf), (round % 2) as u8);
            let _ = crate::message::decode_failure(&buf);
            let _ = crate::message::decode_servers(&buf);
            let _ = crate::message::decode_stmt(&buf, (round % 2) as u8);
            buf.clear();
        }
    }
}
