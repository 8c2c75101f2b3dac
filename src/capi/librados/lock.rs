//! Advisory object locks (cls `lock`).

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_lock_exclusive(
    io: rados_ioctx_t,
    oid: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
    desc: *const c_char,
    duration: *mut timeval,
    flags: u8,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_lock_shared(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
    tag: *const c_char,
    desc: *const c_char,
    duration: *mut timeval,
    flags: u8,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_unlock(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_list_lockers(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    exclusive: *mut c_int,
    tag: *mut c_char,
    tag_len: *mut usize,
    clients: *mut c_char,
    clients_len: *mut usize,
    cookies: *mut c_char,
    cookies_len: *mut usize,
    addrs: *mut c_char,
    addrs_len: *mut usize,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_break_lock(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    client: *const c_char,
    cookie: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_unlock(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
    completion: rados_completion_t,
) -> c_int {
    enosys!()
}
