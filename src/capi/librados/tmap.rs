//! Legacy tmap objects.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_tmap_update(
    io: rados_ioctx_t,
    o: *const c_char,
    cmdbuf: *const c_char,
    cmdbuflen: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_tmap_put(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *const c_char,
    buflen: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_tmap_get(io: rados_ioctx_t, o: *const c_char, buf: *mut c_char, buflen: usize) -> c_int {
    enosys!()
}

/// `rados_tmap_update@` (hidden base version): pre-14.2.0 tmap update.
/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_tmap_update(
    io: rados_ioctx_t,
    o: *const c_char,
    cmdbuf: *const c_char,
    cmdbuflen: usize,
) -> c_int {
    enosys!()
}

/// `rados_tmap_put@` (hidden base version): pre-14.2.0 tmap put.
/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_tmap_put(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *const c_char,
    buflen: usize,
) -> c_int {
    enosys!()
}

/// `rados_tmap_get@` (hidden base version): pre-14.2.0 tmap get.
/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_tmap_get(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *mut c_char,
    buflen: usize,
) -> c_int {
    enosys!()
}
