//! The JNI boundary: panics caught, errors thrown as `java.sql` exceptions, arrays and strings
//! copied.
//!
//! Two doors, chosen by call cost (`docs/architecture.md`, "Facts the code relies on"):
//! - Cold calls (open, close, settings, columns, describe, stats, databases, layout, properties,
//!   backup, the node) take an [`EnvUnowned`] and run under [`cold`]: jni's safe [`Env`] API
//!   through `with_env` (~70 ns per call), no `unsafe` beyond the session handle.
//! - Hot calls (prepare, execute, fetch, executeBatch, executeScript, and those with primitive
//!   arguments only that run per statement or transaction) take the raw `*mut JNIEnv` and run
//!   under [`guard`]; the few jni-sys functions they need are in [`raw`] (a few ns each). Only
//!   when such a call fails does it enter the safe API, to throw (see [`guard`]).
//!
//! Exceptions are always built and thrown by [`throw`] on the safe API.

use jni::errors::ErrorPolicy;
use jni::objects::{JIntArray, JLongArray, JObjectArray, JString, JThrowable};
use jni::strings::JNIString;
use jni::sys::JNIEnv;
use jni::{jni_sig, jni_str, Env, EnvUnowned, JValue};
use shmlite_core::Error;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What can fail inside a native method.
#[derive(Debug)]
pub enum Failure {
    /// A core error, thrown as the matching `java.sql` exception.
    Core(Error),
    /// A JNI error; when it is a pending Java exception, that exception propagates as is.
    Jni(jni::errors::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<jni::errors::Error> for Failure {
    fn from(e: jni::errors::Error) -> Self {
        Failure::Jni(e)
    }
}

/// The error policy of [`cold`]: a failure is thrown by [`throw_failure`], a panic as an XX000
/// SQLException; the native method then returns `T::default()` (0, false or null).
struct ThrowSql;

impl<T: Default> ErrorPolicy<T, Failure> for ThrowSql {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        err: Failure,
    ) -> jni::errors::Result<T> {
        throw_failure(env, err);
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        throw_panic(env, payload.as_ref());
        Ok(T::default())
    }
}

/// Runs a cold native method's body on the safe API: an error or a panic becomes a pending
/// Java exception and `T::default()` is returned.
pub fn cold<'local, T: Default>(
    env: &mut EnvUnowned<'local>,
    f: impl FnOnce(&mut Env<'local>) -> Result<T, Failure>,
) -> T {
    env.with_env(f).resolve::<ThrowSql>()
}

/// Runs a hot native method's body with the raw `env`; an error or a panic becomes a pending
/// Java exception and `T::default()` is returned. The success path touches no jni-rs state.
pub fn guard<T: Default>(env: *mut JNIEnv, f: impl FnOnce() -> Result<T, Failure>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(failure)) => {
            on_safe_env(env, |env| throw_failure(env, failure));
            T::default()
        }
        Err(payload) => {
            on_safe_env(env, |env| throw_panic(env, payload.as_ref()));
            T::default()
        }
    }
}

/// Runs `f` with the safe API's view of a hot call's raw `env` (the error path of [`guard`]).
fn on_safe_env(env: *mut JNIEnv, f: impl FnOnce(&mut Env<'_>)) {
    // SAFETY: every caller of `guard` is a native method passing the JNIEnv the JVM gave it:
    // non-null, attached to this thread, and valid for this call's frame, which the unnamed
    // lifetime does not outlive (nothing made here escapes `f`).
    let mut unowned = unsafe { EnvUnowned::from_raw(env) };
    // A panic inside `f` is caught by `with_env` and dropped: nothing more can be reported.
    let _ = unowned
        .with_env(|env| {
            f(env);
            Ok::<(), jni::errors::Error>(())
        })
        .into_outcome();
}

fn throw_failure(env: &mut Env<'_>, failure: Failure) {
    match failure {
        Failure::Core(e) => {
            let face = e.jdbc();
            throw(
                env,
                face.class,
                &e.to_string(),
                face.sql_state,
                face.vendor_code,
            );
        }
        Failure::Jni(e) => {
            if !env.exception_check() {
                throw(
                    env,
                    "java/sql/SQLException",
                    &format!("JNI error: {e}"),
                    "XX000",
                    0,
                );
            }
        }
    }
}

fn throw_panic(env: &mut Env<'_>, payload: &(dyn Any + Send)) {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    throw(
        env,
        "java/sql/SQLException",
        &format!("internal error (Rust panic): {what}"),
        "XX000",
        0,
    );
}

/// Throws `new <class>(message, sqlState, vendorCode)`; `class` is a `java/sql/...` name. An
/// exception already pending is left to propagate. Should building the exception fail without
/// leaving one pending, a plain `SQLException` with the same text is thrown instead, so a
/// failed call never returns silently.
pub fn throw(env: &mut Env<'_>, class: &str, message: &str, sql_state: &str, vendor_code: i32) {
    if env.exception_check() {
        return;
    }
    let thrown = new_sql_exception(
        env,
        &JNIString::from(class),
        message,
        sql_state,
        vendor_code,
    );
    if thrown.is_err() && !env.exception_check() {
        let fallback = jni_str!("java/sql/SQLException");
        let _ = new_sql_exception(env, fallback, message, sql_state, vendor_code);
    }
}

fn new_sql_exception(
    env: &mut Env<'_>,
    class: &jni::strings::JNIStr,
    message: &str,
    sql_state: &str,
    vendor_code: i32,
) -> jni::errors::Result<()> {
    // FindClass exactly, as the exported method's class loader sees it (java.sql classes).
    let cls = env.find_class(class)?;
    let msg = JString::from_str(env, message)?;
    let state = JString::from_str(env, sql_state)?;
    let obj = env.new_object(
        &cls,
        jni_sig!("(Ljava/lang/String;Ljava/lang/String;I)V"),
        &[
            JValue::Object(&msg),
            JValue::Object(&state),
            JValue::Int(vendor_code),
        ],
    )?;
    let throwable = env.cast_local::<JThrowable>(obj)?;
    match env.throw(&throwable) {
        // `throw` reports the now pending exception as JavaException: that is success here.
        Err(jni::errors::Error::JavaException) => Ok(()),
        other => other,
    }
}

/// A Java string with exactly the characters of `s` (NewStringUTF of its modified UTF-8, in
/// which NUL and supplementary characters survive).
pub fn new_string(env: &mut Env<'_>, s: &str) -> Result<jni::sys::jstring, Failure> {
    Ok(JString::from_str(env, s)?.into_raw())
}

/// Reads a Java string exactly: NUL and supplementary characters kept, a lone surrogate
/// becomes U+FFFD (see [`decode_modified_utf8`]).
pub fn read_string(env: &Env<'_>, s: &JString<'_>) -> Result<String, Failure> {
    if s.is_null() {
        return Err(Error::Misuse("null string".into()).into());
    }
    let chars = s.mutf8_chars(env)?;
    Ok(decode_modified_utf8(chars.to_bytes()))
}

/// Java's modified UTF-8 (what `GetStringUTFChars` gives: each UTF-16 unit in 1–3 bytes, NUL as
/// two) back to its UTF-16 units, then to a `String` with each lone surrogate as U+FFFD — the
/// same text as reading the UTF-16 units themselves. A malformed byte (never produced by the
/// JVM) becomes U+FFFD as well.
fn decode_modified_utf8(bytes: &[u8]) -> String {
    let mut units = Vec::with_capacity(bytes.len());
    let cont = |i: usize| bytes.get(i).map(|b| (b & 0x3F) as u16);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (unit, width) = match b {
            0x00..=0x7F => (b as u16, 1),
            0xC0..=0xDF => match cont(i + 1) {
                Some(c1) => (((b & 0x1F) as u16) << 6 | c1, 2),
                None => (0xFFFD, 1),
            },
            0xE0..=0xEF => match (cont(i + 1), cont(i + 2)) {
                (Some(c1), Some(c2)) => (((b & 0x0F) as u16) << 12 | c1 << 6 | c2, 3),
                _ => (0xFFFD, 1),
            },
            _ => (0xFFFD, 1),
        };
        units.push(unit);
        i += width;
    }
    String::from_utf16_lossy(&units)
}

/// Reads a `String[]` (null elements become empty strings, a null array an empty list).
pub fn read_string_array(
    env: &mut Env<'_>,
    array: &JObjectArray<'_, JString<'_>>,
) -> Result<Vec<String>, Failure> {
    if array.is_null() {
        return Ok(Vec::new());
    }
    let n = array.len(env)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let el = array.get_element(env, i)?;
        let s = if el.is_null() {
            Ok(String::new())
        } else {
            read_string(env, &el)
        };
        // Long arrays must not exhaust the local reference capacity.
        env.delete_local_ref(el);
        out.push(s?);
    }
    Ok(out)
}

/// Builds a `String[]` (None becomes null).
pub fn new_string_array(
    env: &mut Env<'_>,
    items: &[Option<String>],
) -> Result<jni::sys::jobjectArray, Failure> {
    let array = JObjectArray::<JString>::new(env, items.len(), JString::null())?;
    for (i, item) in items.iter().enumerate() {
        if let Some(s) = item {
            let js = JString::from_str(env, s)?;
            array.set_element(env, i, &js)?;
            env.delete_local_ref(js);
        }
    }
    Ok(array.into_raw())
}

/// Builds a `long[]`.
pub fn new_long_array(env: &mut Env<'_>, items: &[i64]) -> Result<jni::sys::jlongArray, Failure> {
    let array = JLongArray::new(env, items.len())?;
    array.set_region(env, 0, items)?;
    Ok(array.into_raw())
}

/// Writes `values` to the start of an `int[]` that is at least that long.
pub fn write_ints(env: &Env<'_>, array: &JIntArray<'_>, values: &[i32]) -> Result<(), Failure> {
    if array.is_null() || array.len(env)? < values.len() {
        return Err(Error::Misuse(format!("int[] of at least {} needed", values.len())).into());
    }
    array.set_region(env, 0, values)?;
    Ok(())
}

/// The raw jni-sys functions of the hot calls: each one function-table call, no jni-rs state.
pub mod raw {
    use super::Failure;
    use jni::sys::{jbyteArray, jint, jintArray, JNIEnv};
    use shmlite_core::Error;

    /// Length of a Java byte array.
    pub fn byte_len(env: *mut JNIEnv, array: jbyteArray) -> Result<usize, Failure> {
        if array.is_null() {
            return Err(Error::Misuse("null byte array".into()).into());
        }
        // SAFETY: `env` valid, `array` a non-null local reference to a byte[] (Native.java's
        // types).
        Ok(unsafe { ((**env).v1_1.GetArrayLength)(env, array) } as usize)
    }

    /// Copies `array[0..len]` into `dst` (resized to `len`).
    pub fn read_bytes(
        env: *mut JNIEnv,
        array: jbyteArray,
        len: usize,
        dst: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        if len > byte_len(env, array)? {
            return Err(Error::Misuse(format!("length {len} exceeds the array")).into());
        }
        dst.clear();
        dst.reserve(len);
        // SAFETY: `dst` has capacity for `len` bytes and GetByteArrayRegion writes exactly
        // `len` (bounds checked above), after which the length is set.
        unsafe {
            ((**env).v1_1.GetByteArrayRegion)(env, array, 0, len as jint, dst.as_mut_ptr().cast());
            dst.set_len(len);
        }
        Ok(())
    }

    /// Copies `src` to the start of `array` (the caller sized `src` within the array).
    pub fn write_bytes(env: *mut JNIEnv, array: jbyteArray, src: &[u8]) {
        // SAFETY: `env` valid; `src.len()` is at most the array length (callers slice the
        // staging buffer to the array's length); `src` is valid for the call.
        unsafe {
            ((**env).v1_1.SetByteArrayRegion)(
                env,
                array,
                0,
                src.len() as jint,
                src.as_ptr().cast(),
            );
        }
    }

    /// Writes `values` to the start of an `int[]` that is at least that long.
    pub fn write_ints(env: *mut JNIEnv, array: jintArray, values: &[i32]) -> Result<(), Failure> {
        // SAFETY: `env` valid; `array` null-checked and its length checked before the region
        // write.
        unsafe {
            let ifc = &(**env).v1_1;
            if array.is_null() || ((ifc.GetArrayLength)(env, array) as usize) < values.len() {
                return Err(
                    Error::Misuse(format!("int[] of at least {} needed", values.len())).into(),
                );
            }
            (ifc.SetIntArrayRegion)(env, array, 0, values.len() as jint, values.as_ptr());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::decode_modified_utf8;

    /// Modified UTF-8 of UTF-16 units, as the JVM writes it.
    fn encode(units: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        for &u in units {
            match u {
                1..=0x7F => out.push(u as u8),
                0 | 0x80..=0x7FF => out.extend([0xC0 | (u >> 6) as u8, 0x80 | (u & 0x3F) as u8]),
                _ => out.extend([
                    0xE0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3F) as u8,
                    0x80 | (u & 0x3F) as u8,
                ]),
            }
        }
        out
    }

    #[test]
    fn modified_utf8_decodes_like_the_utf16_it_came_from() {
        let cases: [&[u16]; 5] = [
            &[],
            &[0x61, 0x00, 0x62], // NUL (two bytes in modified UTF-8)
            &[0x00E9, 0x4E2D, 0xD83D, 0xDE00], // é, 中, 😀 (a surrogate pair)
            &[0x61, 0xD800, 0x62, 0xDC00, 0x63], // lone surrogates
            &[0xDE00, 0xD83D],   // a pair in the wrong order
        ];
        for units in cases {
            assert_eq!(
                decode_modified_utf8(&encode(units)),
                String::from_utf16_lossy(units),
                "{units:x?}"
            );
        }
    }

    #[test]
    fn malformed_bytes_become_replacement_characters() {
        assert_eq!(
            decode_modified_utf8(&[0x61, 0xFF, 0xC3]),
            "a\u{FFFD}\u{FFFD}"
        );
        assert_eq!(decode_modified_utf8(&[0xE4, 0xB8]), "\u{FFFD}\u{FFFD}");
    }
}
