//! Asynchronous single-step object I/O (`rados_aio_*`).

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_write(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_append(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_write_full(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_writesame(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    data_len: usize,
    write_len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_remove(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_read(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *mut c_char,
    len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_flush(io: rados_ioctx_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_flush_async(io: rados_ioctx_t, completion: rados_completion_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_stat(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    psize: *mut u64,
    pmtime: *mut time_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_cmpext(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_exec(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
    buf: *mut c_char,
    out_len: usize,
) -> c_int {
    enosys!()
}
