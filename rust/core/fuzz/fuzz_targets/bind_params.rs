//! Any bytes as a parameter buffer (what Java sends to `execute`): decoding, binding and
//! stepping never panic and never read out of bounds; bad buffers are errors.
#![no_main]
use libfuzzer_sys::fuzz_target;
use shmlite_core::Session;
use std::cell::RefCell;

thread_local! {
    static SESSION: RefCell<(Session, i64)> = RefCell::new({
        let mut s = Session::open("jdbc:shmlite:mem:", &[]).expect("open");
        let info = s.prepare(b"SELECT ?, ?, ?, typeof(?)").expect("prepare");
        (s, info.handle)
    });
}

fuzz_target!(|data: &[u8]| {
    SESSION.with(|cell| {
        let (session, handle) = &mut *cell.borrow_mut();
        let mut out = vec![0u8; 256];
        if session.execute(*handle, data, &mut out, 0).is_ok() {
            while shmlite_core::wire::Header::read(&out).flags & shmlite_core::wire::FLAG_DONE == 0 {
                let needed = shmlite_core::wire::Header::read(&out).needed as usize;
                if needed > out.len() {
                    out.resize(needed, 0);
                }
                if session.fetch(*handle, &mut out).is_err() {
                    break;
                }
            }
        }
    });
});
