//! Extended attributes, sync and async, and their iterators.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    buf: *mut c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_setxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    buf: *const c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_rmxattr(io: rados_ioctx_t, o: *const c_char, name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattrs(
    io: rados_ioctx_t,
    oid: *const c_char,
    iter: *mut rados_xattrs_iter_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattrs_next(
    iter: rados_xattrs_iter_t,
    name: *mut *const c_char,
    val: *mut *const c_char,
    len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattrs_end(iter: rados_xattrs_iter_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_getxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    name: *const c_char,
    buf: *mut c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_setxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    name: *const c_char,
    buf: *const c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_rmxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_getxattrs(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    iter: *mut rados_xattrs_iter_t,
) -> c_int {
    enosys!()
}
