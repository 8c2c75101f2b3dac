//! Watch and notify.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_watch(
    io: rados_ioctx_t,
    o: *const c_char,
    ver: u64,
    cookie: *mut u64,
    watchcb: rados_watchcb_t,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_watch2(
    io: rados_ioctx_t,
    o: *const c_char,
    cookie: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_watch3(
    io: rados_ioctx_t,
    o: *const c_char,
    cookie: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    timeout: u32,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_watch(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    handle: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_watch2(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    handle: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    timeout: u32,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_watch_check(io: rados_ioctx_t, cookie: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_unwatch(io: rados_ioctx_t, o: *const c_char, cookie: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_unwatch2(io: rados_ioctx_t, cookie: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_unwatch(io: rados_ioctx_t, cookie: u64, completion: rados_completion_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_notify(
    io: rados_ioctx_t,
    o: *const c_char,
    ver: u64,
    buf: *const c_char,
    buf_len: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_notify(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    buf_len: c_int,
    timeout_ms: u64,
    reply_buffer: *mut *mut c_char,
    reply_buffer_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_notify2(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *const c_char,
    buf_len: c_int,
    timeout_ms: u64,
    reply_buffer: *mut *mut c_char,
    reply_buffer_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_decode_notify_response(
    reply_buffer: *mut c_char,
    reply_buffer_len: usize,
    acks: *mut *mut notify_ack_t,
    nr_acks: *mut usize,
    timeouts: *mut *mut notify_timeout_t,
    nr_timeouts: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_free_notify_response(
    acks: *mut notify_ack_t,
    nr_acks: usize,
    timeouts: *mut notify_timeout_t,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_notify_ack(
    io: rados_ioctx_t,
    o: *const c_char,
    notify_id: u64,
    cookie: u64,
    buf: *const c_char,
    buf_len: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_watch_flush(cluster: rados_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_watch_flush(cluster: rados_t, completion: rados_completion_t) -> c_int {
    enosys!()
}
