//! The interrupt probe: lets the core's waits (lock waits, pool waits) ask the JVM whether the
//! waiting Java thread was interrupted, so `Thread.interrupt()` ends them (issue 12 item 9).
//!
//! The probe calls `Thread.currentThread().isInterrupted()`, which does not clear the flag. It
//! runs only inside waits, each at most every [`shmlite_core::control::INTERRUPT_POLL`], never
//! on the statement hot path, so it uses jni's safe API (a few hundred ns is nothing there).

use jni::objects::JThread;
use jni::sys::{JNIEnv, JNI_OK, JNI_VERSION_1_6};
use jni::{jni_sig, jni_str, Env, JavaVM};
use std::ffi::c_void;
use std::ptr;
use std::sync::OnceLock;

/// The process's JavaVM, kept when the library is loaded.
static VM: OnceLock<JavaVM> = OnceLock::new();

/// Keeps the JavaVM and registers the probe with the core. Without a VM nothing is registered
/// (waits then ignore interrupts).
pub fn install(vm: *mut jni::sys::JavaVM) {
    if vm.is_null() {
        return;
    }
    // SAFETY: `vm` is the non-null JavaVM pointer the JVM passed to JNI_OnLoad, valid for the
    // whole life of the process.
    let vm = unsafe { JavaVM::from_raw(vm) };
    let _ = VM.set(vm);
    shmlite_core::control::set_interrupt_probe(probe);
}

/// The JNIEnv of the calling thread, or None when it is not a JVM thread (JNI_OnLoad's raw
/// registration, see `register`).
pub(crate) fn current_env(vm: *mut jni::sys::JavaVM) -> Option<*mut JNIEnv> {
    let mut env: *mut c_void = ptr::null_mut();
    // SAFETY: `vm` is the process's JavaVM; GetEnv only reads the calling thread's attachment.
    let rc = unsafe { ((**vm).v1_2.GetEnv)(vm, &mut env, JNI_VERSION_1_6) };
    (rc == JNI_OK && !env.is_null()).then_some(env as *mut JNIEnv)
}

/// True when the calling Java thread has its interrupt flag set (the flag is left set). False
/// on a thread the JVM does not know, or when an exception is already pending (no Java code
/// may run then; the pending exception ends the call anyway). An exception thrown by the calls
/// is cleared and read as "not interrupted".
fn probe() -> bool {
    let Some(vm) = VM.get() else { return false };
    // The thread is inside a native method (it waits for the core), so it is attached and the
    // top local frame is that method's; a thread the JVM does not know gets an error: false.
    vm.with_top_local_frame(|env| -> jni::errors::Result<bool> {
        if env.exception_check() {
            return Ok(false);
        }
        let hit = is_interrupted(env);
        if env.exception_check() {
            env.exception_clear();
            return Ok(false);
        }
        Ok(hit.unwrap_or(false))
    })
    .unwrap_or(false)
}

fn is_interrupted(env: &mut Env<'_>) -> jni::errors::Result<bool> {
    let thread = JThread::current_thread(env)?;
    let hit = env
        .call_method(&thread, jni_str!("isInterrupted"), jni_sig!("()Z"), &[])
        .and_then(|v| v.z());
    // Waits probe every INTERRUPT_POLL for as long as they last: keep the frame from filling.
    env.delete_local_ref(thread);
    hit
}
