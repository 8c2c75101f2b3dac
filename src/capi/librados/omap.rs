//! Omap iterators returned by read operations.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_omap_get_next(
    iter: rados_omap_iter_t,
    key: *mut *mut c_char,
    val: *mut *mut c_char,
    len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_omap_get_next2(
    iter: rados_omap_iter_t,
    key: *mut *mut c_char,
    val: *mut *mut c_char,
    key_len: *mut usize,
    val_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_omap_iter_size(iter: rados_omap_iter_t) -> c_uint {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_omap_get_end(iter: rados_omap_iter_t) {
    enosys!()
}
