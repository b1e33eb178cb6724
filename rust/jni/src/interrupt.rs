//! The interrupt probe: lets the core's waits (lock waits, pool waits) ask the JVM whether the
//! waiting Java thread was interrupted, so `Thread.interrupt()` ends them (issue 12 item 9).
//!
//! The probe calls `Thread.currentThread().isInterrupted()`, which does not clear the flag. It
//! runs only inside waits, each at most every [`shmlite_core::control::INTERRUPT_POLL`], never
//! on the statement hot path. Method IDs are looked up once, when the library is loaded.

use jni::sys::{jclass, jmethodID, JNIEnv, JavaVM, JNI_OK, JNI_VERSION_1_6};
use std::ffi::{c_void, CString};
use std::ptr;
use std::sync::OnceLock;

/// What the probe needs, resolved at load time.
struct Ids {
    vm: *mut JavaVM,
    /// A global reference to `java.lang.Thread`.
    thread: jclass,
    current_thread: jmethodID,
    is_interrupted: jmethodID,
}

// SAFETY: the JavaVM pointer is valid for the whole process and usable from any thread; a global
// class reference and method IDs are valid on every thread until the class is unloaded, which
// never happens to java.lang.Thread.
unsafe impl Send for Ids {}
// SAFETY: as for Send: the fields are only read.
unsafe impl Sync for Ids {}

static IDS: OnceLock<Ids> = OnceLock::new();

/// Resolves the method IDs on the loading thread and registers the probe with the core. On any
/// failure nothing is registered (waits then ignore interrupts, as before) and no exception
/// is left pending.
pub fn install(vm: *mut JavaVM) {
    if vm.is_null() {
        return;
    }
    let Some(env) = current_env(vm) else { return };
    let (Ok(cls), Ok(current), Ok(current_sig), Ok(is_int), Ok(is_int_sig)) = (
        CString::new("java/lang/Thread"),
        CString::new("currentThread"),
        CString::new("()Ljava/lang/Thread;"),
        CString::new("isInterrupted"),
        CString::new("()Z"),
    ) else {
        return;
    };
    // SAFETY: `env` is the loading thread's valid JNIEnv; every result is null-checked and a
    // failed lookup's pending exception is cleared before returning.
    unsafe {
        let ifc = &(**env).v1_1;
        let local = (ifc.FindClass)(env, cls.as_ptr());
        if local.is_null() {
            (ifc.ExceptionClear)(env);
            return;
        }
        let thread = (ifc.NewGlobalRef)(env, local);
        (ifc.DeleteLocalRef)(env, local);
        let current_thread =
            (ifc.GetStaticMethodID)(env, thread, current.as_ptr(), current_sig.as_ptr());
        let is_interrupted = (ifc.GetMethodID)(env, thread, is_int.as_ptr(), is_int_sig.as_ptr());
        if thread.is_null() || current_thread.is_null() || is_interrupted.is_null() {
            (ifc.ExceptionClear)(env);
            return;
        }
        let _ = IDS.set(Ids {
            vm,
            thread,
            current_thread,
            is_interrupted,
        });
    }
    shmlite_core::control::set_interrupt_probe(probe);
}

/// The JNIEnv of the calling thread, or None when it is not a JVM thread.
pub(crate) fn current_env(vm: *mut JavaVM) -> Option<*mut JNIEnv> {
    let mut env: *mut c_void = ptr::null_mut();
    // SAFETY: `vm` is the process's JavaVM; GetEnv only reads the calling thread's attachment.
    let rc = unsafe { ((**vm).v1_2.GetEnv)(vm, &mut env, JNI_VERSION_1_6) };
    (rc == JNI_OK && !env.is_null()).then_some(env as *mut JNIEnv)
}

/// True when the calling Java thread has its interrupt flag set (the flag is left set). False
/// on a thread the JVM does not know, or when an exception is already pending (no Java code
/// may run then; the pending exception ends the call anyway).
fn probe() -> bool {
    let Some(ids) = IDS.get() else { return false };
    let Some(env) = current_env(ids.vm) else {
        return false;
    };
    // SAFETY: `env` is this thread's JNIEnv (the thread is inside a native method of Native, so
    // calling back into Java is allowed); the IDs were resolved at load; the one local reference
    // made is deleted; an exception thrown by the calls is cleared and read as "not interrupted".
    unsafe {
        let ifc = &(**env).v1_1;
        if ((**env).v1_2.ExceptionCheck)(env) {
            return false;
        }
        // Each call is followed by ExceptionCheck (as -Xcheck:jni requires) before the next.
        let t = (ifc.CallStaticObjectMethodA)(env, ids.thread, ids.current_thread, ptr::null());
        if ((**env).v1_2.ExceptionCheck)(env) || t.is_null() {
            (ifc.ExceptionClear)(env);
            return false;
        }
        let hit = (ifc.CallBooleanMethodA)(env, t, ids.is_interrupted, ptr::null());
        let failed = ((**env).v1_2.ExceptionCheck)(env);
        if failed {
            (ifc.ExceptionClear)(env);
        }
        (ifc.DeleteLocalRef)(env, t);
        hit && !failed
    }
}
