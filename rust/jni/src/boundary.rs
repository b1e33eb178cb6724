//! The JNI boundary: panics caught, errors thrown as `java.sql` exceptions, byte arrays copied.
//!
//! Hot calls use raw jni-sys functions (a few ns each) instead of `EnvUnowned::with_env`
//! (~70 ns, see `docs/architecture.md`, "Facts the code relies on"); cold calls may use `with_env` freely.

use jni::sys::{jbyteArray, jclass, jint, jmethodID, jobject, jstring, jvalue, JNIEnv};
use shmlite_core::Error;
use std::ffi::CString;
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

/// Runs `f`; an error or a panic becomes a pending Java exception and `T::default()` is returned.
pub fn guard<T: Default>(env: *mut JNIEnv, f: impl FnOnce() -> Result<T, Failure>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(failure)) => {
            throw_failure(env, failure);
            T::default()
        }
        Err(payload) => {
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
            T::default()
        }
    }
}

fn throw_failure(env: *mut JNIEnv, failure: Failure) {
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
            if !exception_pending(env) {
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

fn exception_pending(env: *mut JNIEnv) -> bool {
    // SAFETY: `env` is the valid JNIEnv of the current native call; ExceptionCheck may be called
    // with or without a pending exception.
    unsafe { ((**env).v1_2.ExceptionCheck)(env) }
}

/// Throws `new <class>(message, sqlState, vendorCode)`; `class` is a `java/sql/...` name.
pub fn throw(env: *mut JNIEnv, class: &str, message: &str, sql_state: &str, vendor_code: i32) {
    if exception_pending(env) {
        return;
    }
    let (Ok(class_c), Ok(init), Ok(sig)) = (
        CString::new(class),
        CString::new("<init>"),
        CString::new("(Ljava/lang/String;Ljava/lang/String;I)V"),
    ) else {
        return;
    };
    // SAFETY: `env` is valid for this native call; every JNI function used is JNI 1.1/1.2, each
    // result is null-checked before use, and local references are released by the JVM when the
    // native method returns.
    unsafe {
        let ifc = &(**env).v1_1;
        let cls: jclass = (ifc.FindClass)(env, class_c.as_ptr());
        if cls.is_null() {
            return; // NoClassDefFoundError is pending
        }
        let ctor: jmethodID = (ifc.GetMethodID)(env, cls, init.as_ptr(), sig.as_ptr());
        if ctor.is_null() {
            return;
        }
        let msg = new_string(env, message);
        let state = new_string(env, sql_state);
        if msg.is_null() || state.is_null() {
            return;
        }
        let args = [
            jvalue { l: msg },
            jvalue { l: state },
            jvalue { i: vendor_code },
        ];
        let obj: jobject = (ifc.NewObjectA)(env, cls, ctor, args.as_ptr());
        if !obj.is_null() {
            (ifc.Throw)(env, obj);
        }
    }
}

/// A Java string with exactly the characters of `s` (via UTF-16, so NUL and supplementary
/// characters survive, which JNI's modified UTF-8 would mangle).
pub fn new_string(env: *mut JNIEnv, s: &str) -> jstring {
    let utf16: Vec<u16> = s.encode_utf16().collect();
    // SAFETY: `env` is valid; `utf16` is valid for its length during the call.
    unsafe { ((**env).v1_1.NewString)(env, utf16.as_ptr(), utf16.len() as jint) }
}

/// Length of a Java byte array.
pub fn byte_len(env: *mut JNIEnv, array: jbyteArray) -> Result<usize, Failure> {
    if array.is_null() {
        return Err(Error::Misuse("null byte array".into()).into());
    }
    // SAFETY: `env` valid, `array` a non-null local reference to a byte[] (Native.java's types).
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
    // SAFETY: `dst` has capacity for `len` bytes and GetByteArrayRegion writes exactly `len`
    // (bounds checked above), after which the length is set.
    unsafe {
        ((**env).v1_1.GetByteArrayRegion)(env, array, 0, len as jint, dst.as_mut_ptr().cast());
        dst.set_len(len);
    }
    Ok(())
}

/// Copies `src` to the start of `array` (the caller sized `src` within the array).
pub fn write_bytes(env: *mut JNIEnv, array: jbyteArray, src: &[u8]) {
    // SAFETY: `env` valid; `src.len()` is at most the array length (callers slice the staging
    // buffer to the array's length); `src` is valid for the call.
    unsafe {
        ((**env).v1_1.SetByteArrayRegion)(env, array, 0, src.len() as jint, src.as_ptr().cast());
    }
}

/// Reads a Java string exactly (UTF-16 in, lone surrogates become U+FFFD).
pub fn read_string(env: *mut JNIEnv, s: jstring) -> Result<String, Failure> {
    if s.is_null() {
        return Err(Error::Misuse("null string".into()).into());
    }
    // SAFETY: `env` valid; `s` a non-null java.lang.String reference; the buffer holds exactly
    // the string's length in UTF-16 units.
    unsafe {
        let ifc = &(**env).v1_1;
        let len = (ifc.GetStringLength)(env, s);
        let mut buf = vec![0u16; len.max(0) as usize];
        ((**env).v1_2.GetStringRegion)(env, s, 0, len, buf.as_mut_ptr());
        Ok(String::from_utf16_lossy(&buf))
    }
}

/// Reads a `String[]` (null elements become empty strings).
pub fn read_string_array(
    env: *mut JNIEnv,
    array: jni::sys::jobjectArray,
) -> Result<Vec<String>, Failure> {
    if array.is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: `env` valid, `array` a non-null String[]; each element reference is deleted after
    // use so long arrays do not exhaust the local reference capacity.
    unsafe {
        let ifc = &(**env).v1_1;
        let n = (ifc.GetArrayLength)(env, array);
        let mut out = Vec::with_capacity(n.max(0) as usize);
        for i in 0..n {
            let el = (ifc.GetObjectArrayElement)(env, array, i);
            if el.is_null() {
                out.push(String::new());
                continue;
            }
            let s = read_string(env, el);
            (ifc.DeleteLocalRef)(env, el);
            out.push(s?);
        }
        Ok(out)
    }
}

/// Builds a `String[]` (None becomes null).
pub fn new_string_array(
    env: *mut JNIEnv,
    items: &[Option<String>],
) -> Result<jni::sys::jobjectArray, Failure> {
    let class = CString::new("java/lang/String").expect("no NUL");
    // SAFETY: `env` valid; class and array are null-checked; element references are deleted
    // right after being stored.
    unsafe {
        let ifc = &(**env).v1_1;
        let cls = (ifc.FindClass)(env, class.as_ptr());
        if cls.is_null() {
            return Err(Failure::Jni(jni::errors::Error::NullPtr("String class")));
        }
        let array = (ifc.NewObjectArray)(env, items.len() as jint, cls, std::ptr::null_mut());
        if array.is_null() {
            return Err(Failure::Jni(jni::errors::Error::NullPtr("String[]")));
        }
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = item {
                let js = new_string(env, s);
                if js.is_null() {
                    return Err(Failure::Jni(jni::errors::Error::NullPtr("String")));
                }
                (ifc.SetObjectArrayElement)(env, array, i as jint, js);
                (ifc.DeleteLocalRef)(env, js);
            }
        }
        Ok(array)
    }
}

/// Builds a `long[]`.
pub fn new_long_array(env: *mut JNIEnv, items: &[i64]) -> Result<jni::sys::jlongArray, Failure> {
    // SAFETY: `env` valid; the new array has exactly `items.len()` elements.
    unsafe {
        let ifc = &(**env).v1_1;
        let array = (ifc.NewLongArray)(env, items.len() as jint);
        if array.is_null() {
            return Err(Failure::Jni(jni::errors::Error::NullPtr("long[]")));
        }
        (ifc.SetLongArrayRegion)(env, array, 0, items.len() as jint, items.as_ptr());
        Ok(array)
    }
}

/// Writes `values` to the start of an `int[]` that is at least that long.
pub fn write_ints(
    env: *mut JNIEnv,
    array: jni::sys::jintArray,
    values: &[i32],
) -> Result<(), Failure> {
    // SAFETY: `env` valid; length checked before the region write.
    unsafe {
        let ifc = &(**env).v1_1;
        if array.is_null() || ((ifc.GetArrayLength)(env, array) as usize) < values.len() {
            return Err(Error::Misuse(format!("int[] of at least {} needed", values.len())).into());
        }
        (ifc.SetIntArrayRegion)(env, array, 0, values.len() as jint, values.as_ptr());
    }
    Ok(())
}
