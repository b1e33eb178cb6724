//! The native methods are registered with `RegisterNatives` when the library loads, each with
//! its exact JNI signature: a Java declaration that no longer matches its Rust function makes
//! the load fail at once (`NoSuchMethodError` naming the method, wrapped by `NativeLibrary` in an
//! 08001) instead of an `UnsatisfiedLinkError` or a crash at the first call. Registration only
//! binds the same functions the exported symbols name, so calls cost what they did.
//! `Native.layout()` also reports this table, and `NativeLayoutTest` checks that it lists every
//! native method `Native.java` declares, with the signature its Java types give.

use jni::sys::{jclass, jint, JNIEnv, JNINativeMethod, JNI_OK};
use std::ffi::{c_char, c_void, CStr};

/// The class whose native methods this library implements.
const CLASS: &CStr = c"dev/shmlite/jdbc/Native";
/// The class of the dqlite node natives (`shmlite node`, see `node.rs`).
const NODE_CLASS: &CStr = c"dev/shmlite/jdbc/DqliteNode";

macro_rules! natives {
    ($signatures:ident, $table:ident; $($name:ident $sig:literal => $f:path;)*) => {
        /// (Java name, JNI signature) of every native method, in declaration order.
        pub(crate) const $signatures: &[(&str, &str)] = &[$((stringify!($name), $sig)),*];

        /// The registration table: NUL-terminated names and signatures with their functions.
        fn $table() -> Vec<JNINativeMethod> {
            vec![$(
                JNINativeMethod {
                    name: concat!(stringify!($name), "\0").as_ptr() as *mut c_char,
                    signature: concat!($sig, "\0").as_ptr() as *mut c_char,
                    fnPtr: $f as *mut c_void,
                }
            ),*]
        }
    };
}

natives! {
    SIGNATURES, table;
    open "(Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;)J" => crate::Java_dev_shmlite_jdbc_Native_open;
    settings "(J)[Ljava/lang/String;" => crate::Java_dev_shmlite_jdbc_Native_settings;
    close "(JZ)V" => crate::Java_dev_shmlite_jdbc_Native_close;
    cancelHandle "(J)J" => crate::Java_dev_shmlite_jdbc_Native_cancelHandle;
    cancel "(JJ)V" => crate::Java_dev_shmlite_jdbc_Native_cancel;
    abort "(J)V" => crate::Java_dev_shmlite_jdbc_Native_abort;
    freeCancelHandle "(J)V" => crate::Java_dev_shmlite_jdbc_Native_freeCancelHandle;
    prepare "(JJ[B[I)J" => crate::Java_dev_shmlite_jdbc_Native_prepare;
    describe "(JJ[I)V" => crate::Java_dev_shmlite_jdbc_Native_describe;
    columns "(JJ)[Ljava/lang/String;" => crate::Java_dev_shmlite_jdbc_Native_columns;
    release "(JJ)V" => crate::Java_dev_shmlite_jdbc_Native_release;
    execute "(JJJ[BI[BI)V" => crate::Java_dev_shmlite_jdbc_Native_execute;
    fetch "(JJJ[B)V" => crate::Java_dev_shmlite_jdbc_Native_fetch;
    reset "(JJ)V" => crate::Java_dev_shmlite_jdbc_Native_reset;
    executeBatch "(JJJ[BII[BI)V" => crate::Java_dev_shmlite_jdbc_Native_executeBatch;
    executeScript "(JJ[BI)J" => crate::Java_dev_shmlite_jdbc_Native_executeScript;
    setAutoCommit "(JZ)V" => crate::Java_dev_shmlite_jdbc_Native_setAutoCommit;
    savepoint "(JILjava/lang/String;)V" => crate::Java_dev_shmlite_jdbc_Native_savepoint;
    commit "(J)V" => crate::Java_dev_shmlite_jdbc_Native_commit;
    rollback "(J)V" => crate::Java_dev_shmlite_jdbc_Native_rollback;
    inTransaction "(J)Z" => crate::Java_dev_shmlite_jdbc_Native_inTransaction;
    setReadOnly "(JZ)V" => crate::Java_dev_shmlite_jdbc_Native_setReadOnly;
    setIsolation "(JI)V" => crate::Java_dev_shmlite_jdbc_Native_setIsolation;
    awaitChange "(JI)Z" => crate::Java_dev_shmlite_jdbc_Native_awaitChange;
    ping "(J)Z" => crate::Java_dev_shmlite_jdbc_Native_ping;
    databases "()[Ljava/lang/String;" => crate::Java_dev_shmlite_jdbc_Native_databases;
    stats "(Ljava/lang/String;)[J" => crate::Java_dev_shmlite_jdbc_Native_stats;
    drop "(Ljava/lang/String;)I" => crate::Java_dev_shmlite_jdbc_Native_drop;
    key "(Ljava/lang/String;)Ljava/lang/String;" => crate::Java_dev_shmlite_jdbc_Native_key;
    sqliteVersion "()Ljava/lang/String;" => crate::Java_dev_shmlite_jdbc_Native_sqliteVersion;
    layout "()[Ljava/lang/String;" => crate::Java_dev_shmlite_jdbc_Native_layout;
    properties "(Ljava/lang/String;)[Ljava/lang/String;" => crate::Java_dev_shmlite_jdbc_Native_properties;
    backupOpen "(Ljava/lang/String;Ljava/lang/String;Z)J" => crate::Java_dev_shmlite_jdbc_Native_backupOpen;
    backupStep "(J[I)Z" => crate::Java_dev_shmlite_jdbc_Native_backupStep;
    backupClose "(J)V" => crate::Java_dev_shmlite_jdbc_Native_backupClose;
}

natives! {
    NODE_SIGNATURES, node_table;
    nativeStart "(JLjava/lang/String;Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;)J" => crate::node::Java_dev_shmlite_jdbc_DqliteNode_nativeStart;
    nativeJoined "(J)Ljava/lang/String;" => crate::node::Java_dev_shmlite_jdbc_DqliteNode_nativeJoined;
    nativeStop "(J)V" => crate::node::Java_dev_shmlite_jdbc_DqliteNode_nativeStop;
    nativeLibrary "()Ljava/lang/String;" => crate::node::Java_dev_shmlite_jdbc_DqliteNode_nativeLibrary;
    nativeSignatures "()[Ljava/lang/String;" => crate::node::Java_dev_shmlite_jdbc_DqliteNode_nativeSignatures;
}

/// Registers every native method of `Native` and `DqliteNode` on the loading thread's `env`;
/// false (with the JVM's exception pending: NoClassDefFoundError or NoSuchMethodError) when one
/// does not match.
pub(crate) fn register(env: *mut JNIEnv) -> bool {
    register_class(env, CLASS, &table()) && register_class(env, NODE_CLASS, &node_table())
}

fn register_class(env: *mut JNIEnv, class: &CStr, table: &[JNINativeMethod]) -> bool {
    // SAFETY: `env` is the loading thread's valid JNIEnv (JNI_OnLoad); the class name is a
    // NUL-terminated constant.
    let cls: jclass = unsafe { ((**env).v1_1.FindClass)(env, class.as_ptr()) };
    if cls.is_null() {
        return false;
    }
    // SAFETY: `cls` is a live local reference; every entry's name and signature are static
    // NUL-terminated strings and every pointer is an `extern "system"` function taking the
    // parameters its signature names (the exported Java_dev_shmlite_jdbc_* functions).
    let rc =
        unsafe { ((**env).v1_1.RegisterNatives)(env, cls, table.as_ptr(), table.len() as jint) };
    // SAFETY: `cls` is a local reference not used after this.
    unsafe { ((**env).v1_1.DeleteLocalRef)(env, cls) };
    rc == JNI_OK
}
